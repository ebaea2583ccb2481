//! Scoring meetings: figures read from a meeting record built here, the review from the
//! branch's self-score to the committee's approval, the rubric registry and its versions.

use chrono::{Datelike, NaiveDate};
use reqwest::StatusCode;
use uuid::Uuid;

use crate::fixtures::demo::{BRANCH, PROVINCE};
use crate::support::{TestApp, created_id, input_value, text, this_month};

/// The text of the computed line of a criterion on the scoring form.
fn computed(html: &str, code: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(&format!("#tc-{code} .computed")).unwrap();
    doc.select(&sel)
        .next()
        .map(|e| e.text().collect::<Vec<_>>().join(" "))
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| panic!("criterion {code} is not on the form"))
}

/// Plans this month's regular meeting of the branch (as its bí thư) and writes the record
/// of a meeting held on the 10th: 72 minutes; about 15 % of those expected absent, one of
/// them without reason and one who also missed the year's earlier meetings with reason;
/// half the attendees spoke; materials posted on the day; the chi ủy met two days before;
/// one of last month's two tasks done; every agenda item's minutes written. Returns the
/// meeting and the excused streak set up.
pub(crate) async fn held_meeting(app: &TestApp) -> (Uuid, i64) {
    let branch = app.unit_id(BRANCH).await;
    let r = app
        .plan_meeting(
            branch,
            &[
                ("kind", "regular"),
                ("month", &this_month()),
                ("agenda", "template"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let id = created_id(&r, "/meetings/");
    sqlx::query(
        "UPDATE meetings SET state = 'held',
                started_at = ((month + 9) + time '19:30') AT TIME ZONE 'Asia/Ho_Chi_Minh',
                ended_at = ((month + 9) + time '20:42') AT TIME ZONE 'Asia/Ho_Chi_Minh',
                committee_met_on = month + 7, notice_sent_on = month + 6,
                materials_posted_on = month + 9, draft_resolution_on = month + 8
          WHERE id = $1",
    )
    .bind(id)
    .execute(&app.pool)
    .await
    .unwrap();
    // Every item's minutes written, so that the minutes can be closed.
    crate::fixtures::write_item_minutes(app, id).await;
    let expected: Vec<Uuid> = sqlx::query_scalar(
        "SELECT member_id FROM attendance WHERE meeting_id = $1 AND category = 'expected' ORDER BY member_id",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let base = expected.len();
    let absent = (base * 15).div_ceil(100).max(2);
    sqlx::query("UPDATE attendance SET presence = 'present' WHERE meeting_id = $1 AND category = 'expected'")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    for (i, m) in expected.iter().take(absent).enumerate() {
        let presence = if i == 0 {
            "absent_unexcused"
        } else {
            "absent_excused"
        };
        sqlx::query("UPDATE attendance SET presence = $3, reason = 'Ốm' WHERE meeting_id = $1 AND member_id = $2")
            .bind(id)
            .bind(m)
            .bind(presence)
            .execute(&app.pool)
            .await
            .unwrap();
    }
    let attendees = base - absent;
    let speakers: Vec<Uuid> = expected[absent..]
        .iter()
        .take(attendees.div_ceil(2))
        .copied()
        .collect();
    sqlx::query("UPDATE attendance SET spoke = true WHERE meeting_id = $1 AND member_id = ANY($2)")
        .bind(id)
        .bind(&speakers)
        .execute(&app.pool)
        .await
        .unwrap();
    // The member absent with reason also missed, with reason, up to four earlier meetings
    // of this year.
    let streaker = expected[1];
    let earlier: Vec<Uuid> = sqlx::query_scalar(
        "SELECT m.id FROM meetings m JOIN attendance a ON a.meeting_id = m.id AND a.member_id = $2
          WHERE m.unit_id = $1 AND m.kind IN ('regular', 'thematic', 'combined') AND m.id <> $3
            AND a.category = 'expected'
            AND date_trunc('year', m.month) = date_trunc('year', $4::date)
          ORDER BY m.month DESC, m.id DESC LIMIT 4",
    )
    .bind(branch)
    .bind(streaker)
    .bind(id)
    .bind(app.today())
    .fetch_all(&app.pool)
    .await
    .unwrap();
    sqlx::query("UPDATE attendance SET presence = 'absent_excused' WHERE member_id = $1 AND meeting_id = ANY($2)")
        .bind(streaker)
        .bind(&earlier)
        .execute(&app.pool)
        .await
        .unwrap();
    // Last month's tasks: one done, the rest not.
    sqlx::query(
        "UPDATE tasks SET review = CASE WHEN id = (SELECT t2.id FROM tasks t2 WHERE t2.meeting_id = tasks.meeting_id ORDER BY t2.id LIMIT 1)
                                       THEN 'done' ELSE 'not_done' END, reviewed_in = $2
          WHERE meeting_id = (SELECT id FROM meetings WHERE unit_id = $1 AND kind = 'regular'
                                AND month < (SELECT month FROM meetings WHERE id = $2) ORDER BY month DESC LIMIT 1)",
    )
    .bind(branch)
    .bind(id)
    .execute(&app.pool)
    .await
    .unwrap();
    (id, 1 + earlier.len() as i64)
}

/// A complete self-score of the HD 42 sheet: every judged criterion at full marks but the
/// regular content (8 of 10).
pub(crate) fn full_form(version: &str) -> Vec<(&'static str, String)> {
    let mut f: Vec<(&'static str, String)> = vec![
        ("v-noi_dung", "0".into()),
        ("v-quy_trinh", "0".into()),
        ("v-chuyen_de", "0".into()),
        ("v-noi_dung_thuong_ky", "8".into()),
        ("v-dieu_hanh", "10".into()),
        (
            "remarks",
            "Chuẩn bị tốt; còn một đồng chí vắng không lý do.".into(),
        ),
        ("version", version.into()),
        ("action", "save".into()),
    ];
    for c in [
        "bieu_duong",
        "tu_tuong",
        "ung_dung",
        "tap_trung_dan_chu",
        "tu_phe_binh",
        "doan_ket",
        "bieu_quyet",
        "thong_qua_bien_ban",
        "dang_tai",
    ] {
        f.push((Box::leak(format!("v-{c}").into_boxed_str()), "on".into()));
    }
    f
}

/// The branch agrees its self-score: every full member present votes for it (Quy định
/// 17-QĐ/TU: the chi bộ votes to adopt the score the chi ủy proposes).
pub(crate) async fn agree(app: &TestApp, meeting: Uuid, version: &str) -> reqwest::Response {
    let present: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM attendance WHERE meeting_id = $1 AND category = 'expected'
            AND full_member AND presence IN ('present', 'late')",
    )
    .bind(meeting)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    app.post(
        &format!("/meetings/{meeting}/evaluation/step"),
        &[
            ("step", "agree"),
            ("version", version),
            ("votes_for", &present.to_string()),
        ],
    )
    .await
}

pub(crate) async fn branch_sheet(
    app: &TestApp,
    meeting: Uuid,
) -> Option<(String, i32, String, i32)> {
    sqlx::query_as(
        "SELECT state, total_tenths, class, version FROM evaluations WHERE meeting_id = $1 AND scorer = 'branch'",
    )
    .bind(meeting)
    .fetch_optional(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn computed_criteria_read_the_meeting_record() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let (id, streak) = held_meeting(&app).await;
    let (status, html) = app.get(&format!("/meetings/{id}/evaluation")).await;
    assert_eq!(status, StatusCode::OK);
    let page = text(&html);
    assert!(
        page.contains("Quy định 17-QĐ/TU ngày 02/6/2023"),
        "the rubric in force (Hà Tĩnh's HT-17) is named"
    );
    // 72 of 90 minutes = 80 %: 3 points (67 % and more).
    let c = computed(&html, "thoi_luong");
    assert!(c.contains("80,0%") && c.contains("3 điểm"), "{c}");
    // About 85 % present: 3 points (75 to under 90 %).
    let c = computed(&html, "ty_le_du");
    assert!(c.contains("3 điểm"), "{c}");
    let c = computed(&html, "vang_lien_tiep");
    assert!(c.contains(&format!(": {streak} →")), "{c}");
    assert!(
        c.contains(if streak > 3 { "0 điểm" } else { "1 điểm" }),
        "{c}"
    );
    let c = computed(&html, "tai_lieu");
    assert!(c.contains("trong ngày họp") && c.contains("0 điểm"), "{c}");
    let c = computed(&html, "hop_chi_uy");
    assert!(c.contains("có") && c.contains("3 điểm"), "{c}");
    let c = computed(&html, "thong_bao");
    assert!(c.contains("trước 3 ngày") && c.contains("2 điểm"), "{c}");
    let c = computed(&html, "phat_bieu");
    assert!(c.contains("8 điểm"), "half the attendees spoke: {c}");
    let c = computed(&html, "hoan_thanh");
    assert!(c.contains("50,0%") && c.contains("5 điểm"), "{c}");
    let c = computed(&html, "bien_ban");
    assert!(c.contains("chưa") && c.contains("0 điểm"), "{c}");
    let c = computed(&html, "ket_luan");
    assert!(c.contains("0 điểm"), "no vote recorded yet: {c}");
}

#[tokio::test]
async fn a_meeting_not_yet_held_cannot_be_scored() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let (id, _) = held_meeting(&app).await;
    sqlx::query("UPDATE meetings SET state = 'planned' WHERE id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    let (_, html) = app.get(&format!("/meetings/{id}/evaluation")).await;
    assert!(text(&html).contains("Buổi sinh hoạt chưa diễn ra"));
    let r = app
        .post_form(&format!("/meetings/{id}/evaluation"), &full_form(""))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r.text().await.unwrap()).contains("chưa diễn ra"));
    assert_eq!(branch_sheet(&app, id).await, None, "nothing written");
}

#[tokio::test]
async fn wrong_scores_come_back_with_the_input_kept_and_nothing_written() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let (id, _) = held_meeting(&app).await;
    let path = format!("/meetings/{id}/evaluation");
    let mut form = full_form("");
    // Above the maximum, a criterion left out, an override without its reason.
    form.retain(|(k, _)| *k != "v-noi_dung_thuong_ky" && *k != "v-quy_trinh");
    form.push(("v-noi_dung_thuong_ky", "12".into()));
    form.push(("o-thoi_luong", "5".into()));
    let r = app.post_form(&path, &form).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    let page = text(&html);
    assert!(
        page.contains("Điểm phải từ 0 đến 10 (đã nhập 12)"),
        "{page}"
    );
    assert!(page.contains("Chưa chọn mức cho tiêu chí này"));
    assert!(page.contains("Sửa điểm do hệ thống tính phải ghi rõ lý do"));
    assert!(page.contains("Còn 3 tiêu chí chưa chấm đúng"));
    assert_eq!(
        input_value(&html, "v-noi_dung_thuong_ky").as_deref(),
        Some("12")
    );
    assert_eq!(input_value(&html, "o-thoi_luong").as_deref(), Some("5"));
    assert_eq!(branch_sheet(&app, id).await, None);
    // Negative points are refused too.
    let mut form = full_form("");
    form.retain(|(k, _)| *k != "v-dieu_hanh");
    form.push(("v-dieu_hanh", "-1".into()));
    let r = app.post_form(&path, &form).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r.text().await.unwrap()).contains("Điểm phải từ 0 đến 10 (đã nhập -1)"));
    assert_eq!(branch_sheet(&app, id).await, None);
}

#[tokio::test]
async fn self_score_return_resubmit_and_approval() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let (id, streak) = held_meeting(&app).await;
    let path = format!("/meetings/{id}/evaluation");
    let step = format!("/meetings/{id}/evaluation/step");

    // On HT-17 (Hà Tĩnh's rubric in force). Computed: duration 3 + attendance 3 + (streak ≤ 3)
    // + chi ủy 3 + notice 2 + draft 3 + speakers 8 + tasks 5 + minutes 0 + resolution 0 = 27
    // or 28, plus an override of the materials criterion (posted on the day, explained): 2.
    let mut form = full_form("");
    form.push(("o-tai_lieu", "2".into()));
    form.push((
        "r-tai_lieu",
        "Tài liệu đã phát bản giấy từ tuần trước".into(),
    ));
    let r = app.post_form(&path, &form).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        text(&r.text().await.unwrap())
    );
    // Judged: 4 + 5 + 5 + 8 + 10 + 2 + 2 + 1 + 5 + 4 + 3 + 3 + 2 + 1 = 55.
    let computed_points = 3 + 3 + i32::from(streak <= 3) + 3 + 2 + 3 + 8 + 5 + 2;
    let total = 10 * (computed_points + 55);
    let (state, t, class, v) = branch_sheet(&app, id).await.unwrap();
    assert_eq!((state.as_str(), t), ("draft", total));
    // 84 or 85 points, and one member absent without reason: Khá.
    assert_eq!(class, "kha");
    let (_, html) = app.get(&path).await;
    let page = text(&html);
    assert!(page.contains("Bản nháp"));
    let items: serde_json::Value = sqlx::query_scalar(
        "SELECT items FROM evaluations WHERE meeting_id = $1 AND scorer = 'branch'",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let tai_lieu = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "tai_lieu")
        .unwrap();
    assert_eq!(tai_lieu["points"], 2);
    assert_eq!(tai_lieu["computed"], 0);
    assert_eq!(
        tai_lieu["reason"],
        "Tài liệu đã phát bản giấy từ tuần trước"
    );

    // Agreed, then sent up: refused while the minutes are open.
    let r = agree(&app, id, &v.to_string()).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let v = branch_sheet(&app, id).await.unwrap().3;
    let r = app
        .post(&step, &[("step", "submit"), ("version", &v.to_string())])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r.text().await.unwrap()).contains("Khóa biên bản buổi sinh hoạt trước khi gửi"));
    assert_eq!(branch_sheet(&app, id).await.unwrap().0, "agreed");
    let r = app
        .post(&format!("/meetings/{id}/state"), &[("to", "closed")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = app
        .post(&step, &[("step", "submit"), ("version", &v.to_string())])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (state, t, _, v) = branch_sheet(&app, id).await.unwrap();
    // Sent up with the record as it now stands: closed minutes earn their 2 points.
    assert_eq!((state.as_str(), t), ("submitted", total + 20));

    // The branch's own secretary cannot approve it.
    let r = app
        .post(&step, &[("step", "approve"), ("version", &v.to_string())])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r.text().await.unwrap()).contains("không thể tự phê duyệt"));
    assert_eq!(branch_sheet(&app, id).await.unwrap().0, "submitted");

    // The ward returns it: a comment is required.
    let ward = app.other_browser();
    ward.login_as("phuong").await;
    let r = ward
        .post(&step, &[("step", "return"), ("version", &v.to_string())])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r.text().await.unwrap()).contains("Ghi rõ lý do trả lại"));
    let r = ward
        .post(
            &step,
            &[
                ("step", "return"),
                ("version", &v.to_string()),
                ("comment", "Điểm điều hành cao hơn thực tế"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (state, _, _, v) = branch_sheet(&app, id).await.unwrap();
    assert_eq!(state, "returned");
    let (_, html) = app.get(&path).await;
    assert!(text(&html).contains("Ý kiến cấp trên: Điểm điều hành cao hơn thực tế"));

    // The branch corrects and sends it again.
    let mut form = full_form(&v.to_string());
    form.retain(|(k, _)| *k != "v-dieu_hanh");
    form.push(("v-dieu_hanh", "7".into()));
    form.push(("o-tai_lieu", "2".into()));
    form.push((
        "r-tai_lieu",
        "Tài liệu đã phát bản giấy từ tuần trước".into(),
    ));
    let r = app.post_form(&path, &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let v = branch_sheet(&app, id).await.unwrap().3;
    agree(&app, id, &v.to_string()).await;
    let v = branch_sheet(&app, id).await.unwrap().3;
    let r = app
        .post(&step, &[("step", "submit"), ("version", &v.to_string())])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (state, resubmitted, _, v) = branch_sheet(&app, id).await.unwrap();
    assert_eq!(
        (state.as_str(), resubmitted),
        ("submitted", total + 20 - 30)
    );

    // The ward scores it too: both sheets side by side with their difference.
    let (_, html) = ward.get(&path).await;
    assert!(text(&html).contains("Điểm cấp trên chấm"));
    let mut upper = full_form("");
    upper.retain(|(k, _)| *k != "v-noi_dung_thuong_ky");
    upper.push(("v-noi_dung_thuong_ky", "6".into()));
    let r = ward.post_form(&path, &upper).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        text(&r.text().await.unwrap())
    );
    let (_, html) = ward.get(&path).await;
    let page = text(&html);
    assert!(page.contains("Cấp trên: Đảng ủy phường Sông Trí"), "{page}");
    assert!(page.contains("Chênh lệch"));

    // A stale approval (the sheet moved on) is refused; the current one goes through.
    let r = ward
        .post(
            &step,
            &[("step", "approve"), ("version", &(v - 1).to_string())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r.text().await.unwrap()).contains("vừa được người khác thay đổi"));
    let r = ward
        .post(&step, &[("step", "approve"), ("version", &v.to_string())])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (state, approved, upper_state): (String, Option<String>, String) = sqlx::query_as(
        "SELECT b.state, b.approved_class, u.state FROM evaluations b JOIN evaluations u
            ON u.meeting_id = b.meeting_id AND u.scorer = 'upper'
          WHERE b.meeting_id = $1 AND b.scorer = 'branch'",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let upper_class: String = sqlx::query_scalar(
        "SELECT class FROM evaluations WHERE meeting_id = $1 AND scorer = 'upper'",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        (state.as_str(), upper_state.as_str()),
        ("approved", "approved")
    );
    assert_eq!(
        approved,
        Some(upper_class),
        "the committee's own score decides the class"
    );

    // Approval locks it: the branch's form from before is refused, nothing changes.
    let r = app.post_form(&path, &full_form(&v.to_string())).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r.text().await.unwrap()).contains("đã được cấp trên phê duyệt"));
    assert_eq!(branch_sheet(&app, id).await.unwrap().1, resubmitted);
    let events: Vec<String> = sqlx::query_scalar(
        "SELECT ev.kind FROM evaluation_events ev JOIN evaluations e ON e.id = ev.evaluation_id
          WHERE e.meeting_id = $1 AND e.scorer = 'branch' ORDER BY ev.id",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        events,
        [
            "saved",
            "agreed",
            "submitted",
            "returned",
            "saved",
            "agreed",
            "submitted",
            "approved"
        ]
    );

    // The printed sheet carries both columns and the recognised class; so do the minutes.
    let (_, sheet) = app.get(&format!("/meetings/{id}/evaluation/print")).await;
    let sheet = text(&sheet);
    assert!(sheet.contains("PHIẾU ĐÁNH GIÁ, CHẤM ĐIỂM CHẤT LƯỢNG SINH HOẠT CHI BỘ"));
    assert!(sheet.contains("Cấp ủy cấp trên công nhận xếp loại"));
    let (_, minutes) = app.get(&format!("/meetings/{id}/print")).await;
    assert!(text(&minutes).contains("PHIẾU ĐÁNH GIÁ, CHẤM ĐIỂM"));
}

#[tokio::test]
async fn scores_are_seen_only_inside_the_scope() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let (id, _) = held_meeting(&app).await;
    let r = app
        .post_form(&format!("/meetings/{id}/evaluation"), &full_form(""))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let branch = app.unit_id(BRANCH).await;
    for who in ["xaductho", "dangvien"] {
        let other = app.other_browser();
        other.login_as(who).await;
        for path in [
            format!("/meetings/{id}/evaluation"),
            format!("/meetings/{id}/evaluation/print"),
            format!("/units/{branch}/evaluations"),
        ] {
            assert_eq!(
                other.get(&path).await.0,
                StatusCode::NOT_FOUND,
                "{who} {path}"
            );
        }
        let r = other
            .post(
                &format!("/meetings/{id}/evaluation/step"),
                &[("step", "approve"), ("version", "1")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{who} approve");
    }
    assert_eq!(branch_sheet(&app, id).await.unwrap().0, "draft");
}

#[tokio::test]
async fn the_rubric_follows_the_meeting_date_and_the_province() {
    let app = TestApp::spawn().await;
    let branch = app.unit_id(BRANCH).await;
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let code_at = |day: NaiveDate, kind: &'static str| {
        let pool = app.pool.clone();
        async move {
            chibo::evaluation::store::rubric_in_force(&pool, branch, kind, day)
                .await
                .unwrap()
                .map(|r| (r.rubric.code, r.version))
        }
    };
    assert_eq!(
        code_at(d(2019, 12, 4), "regular").await,
        None,
        "before 1193"
    );
    assert_eq!(
        code_at(d(2019, 12, 5), "regular").await,
        Some(("HT-1193".into(), 1))
    );
    assert_eq!(
        code_at(d(2023, 6, 1), "thematic").await,
        Some(("HT-1193".into(), 1))
    );
    assert_eq!(
        code_at(d(2023, 6, 2), "thematic").await,
        Some(("HT-17".into(), 1))
    );
    // The province's own rubric wins over the national frame (tests/it/ht17.rs: elsewhere).
    assert_eq!(
        code_at(d(2025, 10, 28), "regular").await,
        Some(("HT-17".into(), 1))
    );
    assert_eq!(
        code_at(d(2025, 10, 28), "committee").await,
        None,
        "a chi ủy meeting is not scored"
    );
    // Every shipped rubric passes the same checks an imported one must.
    let shipped = chibo::evaluation::store::rubrics(&app.pool).await.unwrap();
    assert!(shipped.len() >= 3, "HD42-KHUNG, HT-1193 and HT-17 ship");
    for r in shipped {
        assert_eq!(r.rubric.validate(), vec![], "{}", r.rubric.code);
    }
}

/// The province's new version of its HT-17 sheet, from a date: later meetings use it, the
/// ones already scored keep theirs and their totals.
#[tokio::test]
async fn a_new_version_applies_from_its_date_and_old_scores_stay() {
    let app = TestApp::spawn().await;
    app.login_as("admin").await;
    let ht17: Uuid = sqlx::query_scalar("SELECT id FROM rubrics WHERE code = 'HT-17'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let before: Vec<(Uuid, i32, String)> = sqlx::query_as(
        "SELECT id, total_tenths, class FROM evaluations WHERE rubric_id = $1 ORDER BY id",
    )
    .bind(ht17)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(before.len() > 1000, "the demo history is scored");

    // Export, change two values, import as the province's draft.
    let r = app
        .client
        .get(app.url(&format!("/admin/rubrics/{ht17}/export/toml")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let toml_text = r.text().await.unwrap();
    let mut rubric = chibo::evaluation::rubric::Rubric::parse_file(&toml_text).unwrap();
    let today = app.today();
    let from = app.this_month();
    rubric.effective_from = from;
    rubric.title = "Tiêu chí chấm điểm sinh hoạt chi bộ của Tỉnh ủy Hà Tĩnh (thử nghiệm)".into();
    rubric.bands[0].min = chibo::evaluation::rubric::Points(850);
    let province = app.unit_id(PROVINCE).await;
    let form = reqwest::multipart::Form::new()
        .text("text", rubric.to_json())
        .text("scope", province.to_string());
    let r = app
        .client
        .post(app.url("/admin/rubrics"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let draft: Uuid = created_id(&r, "/admin/rubrics/");
    let (_, page) = app.get(&format!("/admin/rubrics/{draft}")).await;
    assert!(text(&page).contains("Bản nháp"));
    // Not in force before it is published.
    let branch = app.unit_id(BRANCH).await;
    let in_force = |day: NaiveDate| {
        let pool = app.pool.clone();
        async move {
            chibo::evaluation::store::rubric_in_force(&pool, branch, "regular", day)
                .await
                .unwrap()
                .unwrap()
                .id
        }
    };
    assert_eq!(in_force(today).await, ht17);
    let lock = input_value(&page, "lock_version").unwrap();
    let r = app
        .post(
            &format!("/admin/rubrics/{draft}/publish"),
            &[("lock_version", &lock)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        in_force(today).await,
        draft,
        "the province's version wins from its date"
    );
    assert_eq!(
        in_force(from.pred_opt().unwrap()).await,
        ht17,
        "earlier meetings keep version 1"
    );
    let version: i32 = sqlx::query_scalar("SELECT version FROM rubrics WHERE id = $1")
        .bind(draft)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(version, 2);

    // Old evaluations: same rubric, same totals, same classes; their page names version 1.
    let after: Vec<(Uuid, i32, String)> = sqlx::query_as(
        "SELECT id, total_tenths, class FROM evaluations WHERE rubric_id = $1 ORDER BY id",
    )
    .bind(ht17)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(before, after);
    let old_meeting: Uuid = sqlx::query_scalar("SELECT meeting_id FROM evaluations WHERE id = $1")
        .bind(before[0].0)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (_, page) = app
        .get(&format!("/meetings/{old_meeting}/evaluation"))
        .await;
    assert!(text(&page).contains(
        "theo Quy định 17-QĐ/TU của Tỉnh ủy Hà Tĩnh (tiêu chí con là mặc định, cần đối chiếu) (phiên bản 1"
    ));

    // A version starting before the one just published is refused.
    let mut older = rubric.clone();
    older.effective_from = from - chrono::Days::new(40);
    let form = reqwest::multipart::Form::new()
        .text("text", older.to_toml())
        .text("scope", province.to_string());
    let r = app
        .client
        .post(app.url("/admin/rubrics"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let draft3: Uuid = created_id(&r, "/admin/rubrics/");
    let (_, page) = app.get(&format!("/admin/rubrics/{draft3}")).await;
    let lock = input_value(&page, "lock_version").unwrap();
    let r = app
        .post(
            &format!("/admin/rubrics/{draft3}/publish"),
            &[("lock_version", &lock)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r.text().await.unwrap()).contains("phiên bản mới phải có hiệu lực sau ngày đó"));
    let status: String = sqlx::query_scalar("SELECT status FROM rubrics WHERE id = $1")
        .bind(draft3)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(status, "draft");
}

#[tokio::test]
async fn a_rubric_that_does_not_add_up_is_refused_with_its_text_kept() {
    let app = TestApp::spawn().await;
    app.login_as("admin").await;
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM rubrics")
            .fetch_one(&app.pool)
            .await
            .unwrap()
    };
    let before = count().await;
    let hd42: Uuid = sqlx::query_scalar("SELECT id FROM rubrics WHERE code = 'HD42-KHUNG'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let json = app
        .client
        .get(app.url(&format!("/admin/rubrics/{hd42}/export/json")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let good = chibo::evaluation::rubric::Rubric::parse_file(&json).unwrap();
    let province = app.unit_id(PROVINCE).await.to_string();
    let import = |text: String| {
        let form = reqwest::multipart::Form::new()
            .text("text", text)
            .text("scope", province.clone());
        app.client
            .post(app.url("/admin/rubrics"))
            .multipart(form)
            .send()
    };
    let mut bad = good.clone();
    bad.groups[0].criteria[0].max = chibo::evaluation::rubric::Points(60);
    bad.bands[1].min = bad.bands[0].min;
    bad.gates[0].rule = chibo::evaluation::rubric::GateRule::FullMarks {
        criteria: vec!["khong_co_tieu_chi_nay".into()],
    };
    let r = import(bad.to_toml()).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    let page = text(&html);
    assert!(
        page.contains("Các tiêu chí cộng lại được 6 điểm, khác điểm tối đa của nhóm (5)"),
        "{page}"
    );
    assert!(page.contains("các mức xếp loại chồng lên nhau"));
    assert!(page.contains("Tiêu chí “khong_co_tieu_chi_nay” không có trong bộ tiêu chí"));
    assert!(
        html.contains("khong_co_tieu_chi_nay"),
        "the pasted text is kept"
    );
    let r = import("đây không phải TOML".into()).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r.text().await.unwrap()).contains("Tệp TOML không đúng mẫu"));
    assert_eq!(count().await, before, "nothing written");

    // A draft edited from a stale page keeps the typed text.
    let r = import(good.to_toml()).await.unwrap();
    let draft: Uuid = created_id(&r, "/admin/rubrics/");
    let (_, page) = app.get(&format!("/admin/rubrics/{draft}/edit")).await;
    let lock = input_value(&page, "lock_version").unwrap();
    let mut edited = good.clone();
    edited.title = "Bản sửa thứ nhất".into();
    let r = app
        .post(
            &format!("/admin/rubrics/{draft}/edit"),
            &[
                ("text", &edited.to_toml()),
                ("scope", &province),
                ("lock_version", &lock),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    edited.title = "Bản sửa từ trang cũ".into();
    let r = app
        .post(
            &format!("/admin/rubrics/{draft}/edit"),
            &[
                ("text", &edited.to_toml()),
                ("scope", &province),
                ("lock_version", &lock),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(text(&html).contains("vừa được người khác thay đổi"));
    assert!(html.contains("Bản sửa từ trang cũ"));
    let title: String = sqlx::query_scalar("SELECT title FROM rubrics WHERE id = $1")
        .bind(draft)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(title, "Bản sửa thứ nhất");
    // A supervisor has no rubric registry.
    let other = app.other_browser();
    other.login_as("thixa").await;
    assert_eq!(other.get("/admin/rubrics").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_preview_scores_a_sample_meeting() {
    let app = TestApp::spawn().await;
    app.login_as("admin").await;
    let hd42: Uuid = sqlx::query_scalar("SELECT id FROM rubrics WHERE code = 'HD42-KHUNG'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    // The default sample: 85 % of tasks done (27 of 30), 45 % speaking (4 of 5); the rest full.
    let (_, page) = app.get(&format!("/admin/rubrics/{hd42}")).await;
    let page = text(&page);
    assert!(
        page.contains("Tổng điểm: 96 /100 · Xếp loại: Khá"),
        "{page}"
    );
    // One unexcused absence and a full sheet otherwise: capped at Khá by the gate.
    let (_, page) = app
        .get(&format!(
            "/admin/rubrics/{hd42}?speaking_share=60&task_completion=95&unexcused_absences=1"
        ))
        .await;
    assert!(text(&page).contains(
        "Tổng điểm: 100 /100 · Xếp loại: Khá (đủ điểm Tốt nhưng: Có đảng viên vắng không lý do)"
    ));
    let (_, page) = app
        .get(&format!(
            "/admin/rubrics/{hd42}?speaking_share=60&task_completion=95&unexcused_absences=0"
        ))
        .await;
    assert!(text(&page).contains("Tổng điểm: 100 /100 · Xếp loại: Tốt"));
}

#[tokio::test]
async fn the_branch_history_rolls_up_the_year() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let branch = app.unit_id(BRANCH).await;
    let year = crate::support::today().year();
    // This month's meeting scored here: the year has a score on any date (on 1 January the
    // demo's history is all in the year before).
    let (id, _) = held_meeting(&app).await;
    let r = app
        .post_form(&format!("/meetings/{id}/evaluation"), &full_form(""))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, html) = app
        .get(&format!("/units/{branch}/evaluations?year={year}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let page = text(&html);
    let avg: Option<f64> = sqlx::query_scalar(
        "SELECT avg(e.total_tenths)::float8 / 10 FROM evaluations e JOIN meetings m ON m.id = e.meeting_id
          WHERE m.unit_id = $1 AND e.scorer = 'branch' AND m.kind IN ('regular', 'combined')
            AND extract(year FROM m.month)::int4 = $2",
    )
    .bind(branch)
    .bind(year)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let avg = avg.expect("the year has scored meetings: at least the one scored above");
    let shown = format!(
        "Điểm bình quân {}",
        format!("{:.1}", (avg * 10.0).round() / 10.0)
            .trim_end_matches(".0")
            .replace('.', ",")
    );
    assert!(page.contains(&shown), "{shown} in {page}");
    assert!(page.contains("Xếp loại năm (dự kiến)"));
    assert!(page.contains("Từng buổi sinh hoạt"));
    assert!(
        html.contains(&format!("/meetings/{id}/evaluation")),
        "this month's sheet is listed"
    );
}

/// The branch's sheet of the demo branch's meeting scored, agreed, the minutes closed, sent
/// up and approved by the ward, each through its page as the bí thư (`app`, signed in) and
/// the ward (the returned browser) would. Returns the meeting and the ward's browser.
async fn approved_meeting(app: &TestApp) -> (Uuid, TestApp) {
    let (id, _) = held_meeting(app).await;
    let step = format!("/meetings/{id}/evaluation/step");
    let r = app
        .post_form(&format!("/meetings/{id}/evaluation"), &full_form(""))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let v = branch_sheet(app, id).await.unwrap().3.to_string();
    let r = agree(app, id, &v).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = app
        .post(&format!("/meetings/{id}/state"), &[("to", "closed")])
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        text(&r.text().await.unwrap())
    );
    let v = branch_sheet(app, id).await.unwrap().3.to_string();
    let r = app
        .post(&step, &[("step", "submit"), ("version", &v)])
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        text(&r.text().await.unwrap())
    );
    let ward = app.other_browser();
    ward.login_as("phuong").await;
    let v = branch_sheet(app, id).await.unwrap().3.to_string();
    let r = ward
        .post(&step, &[("step", "approve"), ("version", &v)])
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        text(&r.text().await.unwrap())
    );
    assert_eq!(branch_sheet(app, id).await.unwrap().0, "approved");
    (id, ward)
}

/// Everything a meeting's record holds, as one text: the meeting row, its attendance,
/// agenda, guests, votes, tasks (given and reviewed there), its history and every sheet
/// with theirs. Equal before and after means nothing was written.
async fn record_of(app: &TestApp, id: Uuid) -> String {
    sqlx::query_scalar(
        "SELECT jsonb_build_object(
            'meeting', (SELECT to_jsonb(m) FROM meetings m WHERE m.id = $1),
            'attendance', (SELECT jsonb_agg(to_jsonb(a) ORDER BY a.member_id) FROM attendance a WHERE a.meeting_id = $1),
            'agenda', (SELECT jsonb_agg(to_jsonb(i) ORDER BY i.id) FROM agenda_items i WHERE i.meeting_id = $1),
            'guests', (SELECT jsonb_agg(to_jsonb(g) ORDER BY g.id) FROM meeting_guests g WHERE g.meeting_id = $1),
            'votes', (SELECT jsonb_agg(to_jsonb(v) ORDER BY v.id) FROM votes v WHERE v.meeting_id = $1),
            'tasks', (SELECT jsonb_agg(to_jsonb(t) ORDER BY t.id) FROM tasks t WHERE t.meeting_id = $1 OR t.reviewed_in = $1),
            'events', (SELECT jsonb_agg(to_jsonb(e) ORDER BY e.id) FROM meeting_events e WHERE e.meeting_id = $1),
            'sheets', (SELECT jsonb_agg(to_jsonb(s) ORDER BY s.id) FROM evaluations s WHERE s.meeting_id = $1),
            'sheet_events', (SELECT count(*) FROM evaluation_events ev JOIN evaluations s ON s.id = ev.evaluation_id
                              WHERE s.meeting_id = $1))::text",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

/// Once the ward approved the score, every write to the meeting's record is refused with
/// the same message, the page kept, and nothing in the record changes (issue 11: the
/// secretary reopened approved minutes and changed the attendance).
#[tokio::test]
async fn approved_meeting_refuses_every_write() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let (id, ward) = approved_meeting(&app).await;
    let before = record_of(&app, id).await;
    let approved = format!(
        "Điểm của buổi sinh hoạt đã được cấp trên phê duyệt ngày {} (Đảng ủy phường Sông Trí)",
        crate::support::today().format("%d/%m/%Y")
    );
    let member: Uuid = sqlx::query_scalar(
        "SELECT member_id FROM attendance WHERE meeting_id = $1 AND category = 'expected'
          AND presence = 'present' ORDER BY member_id LIMIT 1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let (item, item_version): (Uuid, i32) = sqlx::query_as(
        "SELECT id, version FROM agenda_items WHERE meeting_id = $1 ORDER BY position LIMIT 1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let previous_task: Option<Uuid> = sqlx::query_scalar(
        "SELECT t.id FROM tasks t JOIN meetings g ON g.id = t.meeting_id
          WHERE g.unit_id = (SELECT unit_id FROM meetings WHERE id = $1)
            AND g.month < (SELECT month FROM meetings WHERE id = $1)
          ORDER BY g.month DESC, t.id LIMIT 1",
    )
    .bind(id)
    .fetch_optional(&app.pool)
    .await
    .unwrap();
    let v = app.meeting_version(id).await.to_string();
    let iv = item_version.to_string();
    let minutes_field = format!("minutes-{item}");
    let mut writes: Vec<(String, Vec<(&str, &str)>)> = vec![
        (
            format!("/meetings/{id}/attendance/{member}"),
            vec![("presence", "absent_unexcused")],
        ),
        (
            format!("/meetings/{id}/agenda"),
            vec![("title", "Nội dung thêm sau khi phê duyệt")],
        ),
        (
            format!("/meetings/{id}/agenda/{item}"),
            vec![("title", "Sửa sau khi phê duyệt"), ("version", &iv)],
        ),
        (
            format!("/meetings/{id}/agenda/{item}"),
            vec![("action", "delete")],
        ),
        (
            format!("/meetings/{id}/guests"),
            vec![("name", "Khách thêm sau khi phê duyệt")],
        ),
        (
            format!("/meetings/{id}/minutes"),
            vec![
                ("version", &v),
                (&minutes_field, "Sửa biên bản sau khi phê duyệt"),
            ],
        ),
        (
            format!("/meetings/{id}/votes"),
            vec![
                ("subject", "Biểu quyết thêm"),
                ("votes_for", "1"),
                ("against", "0"),
                ("abstain", "0"),
            ],
        ),
        (
            format!("/meetings/{id}/tasks"),
            vec![("group", "Chi ủy"), ("description", "Nhiệm vụ thêm")],
        ),
        (
            format!("/meetings/{id}/state"),
            vec![
                ("to", "held"),
                ("reason", "Sửa điểm danh sau khi phê duyệt"),
            ],
        ),
    ];
    let review = previous_task.map(|t| format!("/meetings/{id}/reviews/{t}"));
    if let Some(path) = &review {
        writes.push((path.clone(), vec![("review", "not_done")]));
    }
    for (path, form) in &writes {
        let r = app.post(path, form).await;
        assert_eq!(
            r.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path} {form:?}"
        );
        let page = text(&r.text().await.unwrap());
        assert!(page.contains(&approved), "{path} {form:?}: {page}");
    }
    // Every score sheet: the branch's, and a supervisor's own.
    let v = branch_sheet(&app, id).await.unwrap().3.to_string();
    for (who, form) in [(&app, full_form(&v)), (&ward, full_form(""))] {
        let r = who
            .post_form(&format!("/meetings/{id}/evaluation"), &form)
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(text(&r.text().await.unwrap()).contains("đã được cấp trên phê duyệt"));
    }
    assert_eq!(record_of(&app, id).await, before, "nothing written");
    // The pages say why, and offer no form to change the record.
    let (_, page) = app.get(&format!("/meetings/{id}")).await;
    assert!(text(&page).contains("đã được cấp trên phê duyệt ngày"));
    let (_, minutes) = app.get(&format!("/meetings/{id}/minutes")).await;
    assert!(!minutes.contains("Mở lại biên bản</button>"));
    assert!(!minutes.contains("Lưu biên bản</button>"));
    let (_, sheet) = app.get(&format!("/meetings/{id}/attendance")).await;
    assert!(!sheet.contains("name=\"presence\""), "no tick buttons");
}

/// Only the committee above withdraws an approval, and only with a reason; then the record
/// is open again, the branch reopens its minutes and corrects them, and the meeting page,
/// the review log and the printed minutes show the withdrawal and the reopening with their
/// days and reasons.
#[tokio::test]
async fn only_the_committee_above_withdraws_an_approval_with_a_reason_and_the_branch_reopens() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let (id, ward) = approved_meeting(&app).await;
    let step = format!("/meetings/{id}/evaluation/step");
    let day = crate::support::today().format("%d/%m/%Y").to_string();
    let approved_at = async || -> Option<chrono::DateTime<chrono::Utc>> {
        sqlx::query_scalar("SELECT approved_at FROM meetings WHERE id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap()
    };
    assert!(approved_at().await.is_some());
    let v = branch_sheet(&app, id).await.unwrap().3.to_string();
    let withdraw = |reason: &str| {
        vec![
            ("step", "withdraw".to_owned()),
            ("version", v.clone()),
            ("comment", reason.to_owned()),
        ]
    };

    // The branch's secretary: refused, as for approving its own score.
    let r = app.post_form(&step, &withdraw("Chi bộ tự hủy")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        text(&r.text().await.unwrap())
            .contains("không thể tự phê duyệt, trả lại hoặc hủy phê duyệt")
    );
    // A member of the branch and a supervisor elsewhere do not reach it (the scope's 404).
    for who in ["dangvien", "xaductho"] {
        let other = app.other_browser();
        other.login_as(who).await;
        let r = other.post_form(&step, &withdraw("Người khác hủy")).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{who}");
    }
    // The ward without a reason: refused, the approval stands.
    let r = ward.post_form(&step, &withdraw("   ")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r.text().await.unwrap()).contains("Ghi rõ lý do hủy phê duyệt"));
    assert_eq!(branch_sheet(&app, id).await.unwrap().0, "approved");
    assert!(approved_at().await.is_some(), "still frozen");

    // With a reason: the sheet goes back to the branch, the supervisors' sheets to draft,
    // the recognised class is forgotten and the record is open again.
    let reason = "Chi bộ báo điểm danh sai một đồng chí";
    let r = ward.post_form(&step, &withdraw(reason)).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        text(&r.text().await.unwrap())
    );
    let (state, class, comment): (String, Option<String>, Option<String>) = sqlx::query_as(
        "SELECT state, approved_class, review_comment FROM evaluations WHERE meeting_id = $1 AND scorer = 'branch'",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        (state.as_str(), class, comment.as_deref()),
        ("returned", None, Some(reason))
    );
    assert_eq!(approved_at().await, None);

    // The branch reopens its minutes and corrects the attendance.
    let r = app
        .post(
            &format!("/meetings/{id}/state"),
            &[("to", "held"), ("reason", "")],
        )
        .await;
    assert!(text(&r.text().await.unwrap()).contains("Mở lại biên bản cần ghi lý do."));
    let reopen = "Sửa điểm danh theo ý kiến cấp trên";
    let r = app
        .post(
            &format!("/meetings/{id}/state"),
            &[("to", "held"), ("reason", reopen)],
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        text(&r.text().await.unwrap())
    );
    let member: Uuid = sqlx::query_scalar(
        "SELECT member_id FROM attendance WHERE meeting_id = $1 AND presence = 'present' ORDER BY member_id LIMIT 1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let r = app
        .post(
            &format!("/meetings/{id}/attendance/{member}"),
            &[("presence", "absent_excused"), ("reason", "Đi công tác")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let presence: String = sqlx::query_scalar(
        "SELECT presence FROM attendance WHERE meeting_id = $1 AND member_id = $2",
    )
    .bind(id)
    .bind(member)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(presence, "absent_excused");

    // Shown on the meeting page, in the review log and on the printed minutes.
    let (_, page) = app.get(&format!("/meetings/{id}")).await;
    let page = text(&page);
    assert!(
        page.contains(&format!(
            "{day} · Cấp trên hủy phê duyệt điểm · Đảng ủy phường Sông Trí: {reason}"
        )),
        "{page}"
    );
    assert!(page.contains(&format!("{day} · Mở lại biên bản")), "{page}");
    assert!(page.contains(&format!(": {reopen}")), "{page}");
    let (_, log) = app.get(&format!("/meetings/{id}/evaluation")).await;
    let log = text(&log);
    assert!(
        log.contains(&format!(
            "Cấp trên hủy phê duyệt · Đảng ủy phường Sông Trí: {reason}"
        )),
        "{log}"
    );
    assert!(log.contains("Chi bộ mở lại biên bản"), "{log}");
    assert!(log.contains(&format!("Ý kiến cấp trên: {reason}")), "{log}");
    assert!(log.contains(&day));
    let (_, print) = app.get(&format!("/meetings/{id}/print")).await;
    let print = text(&print);
    assert!(
        print.contains(&format!("Biên bản được mở lại ngày {day} vì {reopen}.")),
        "{print}"
    );
    assert!(
        print.contains(&format!(
            "Cấp trên hủy phê duyệt điểm ngày {day} vì {reason}."
        )),
        "{print}"
    );

    // The branch corrects its score and sends it up again (closed minutes, scored anew);
    // the ward approves it again.
    let v = branch_sheet(&app, id).await.unwrap().3.to_string();
    let r = app
        .post_form(&format!("/meetings/{id}/evaluation"), &full_form(&v))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let v = branch_sheet(&app, id).await.unwrap().3.to_string();
    agree(&app, id, &v).await;
    let v = branch_sheet(&app, id).await.unwrap().3.to_string();
    let r = app
        .post(&step, &[("step", "submit"), ("version", &v)])
        .await;
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "the minutes are open"
    );
    let r = app
        .post(&format!("/meetings/{id}/state"), &[("to", "closed")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = app
        .post(&step, &[("step", "submit"), ("version", &v)])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let v = branch_sheet(&app, id).await.unwrap().3.to_string();
    let r = ward
        .post(&step, &[("step", "approve"), ("version", &v)])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(approved_at().await.is_some(), "frozen again");
    let events: Vec<String> = sqlx::query_scalar(
        "SELECT kind FROM meeting_events WHERE meeting_id = $1 AND kind NOT IN ('planned', 'held') ORDER BY id",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        events,
        [
            "closed",
            "approved",
            "approval_withdrawn",
            "reopened",
            "closed",
            "approved"
        ]
    );
}

/// A sheet sent up, then the minutes reopened: the ward cannot approve a record still being
/// written (it would freeze a draft).
#[tokio::test]
async fn an_approval_waits_for_the_reopened_minutes_to_close() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let (id, _) = held_meeting(&app).await;
    let step = format!("/meetings/{id}/evaluation/step");
    app.post_form(&format!("/meetings/{id}/evaluation"), &full_form(""))
        .await;
    let v = branch_sheet(&app, id).await.unwrap().3.to_string();
    agree(&app, id, &v).await;
    app.post(&format!("/meetings/{id}/state"), &[("to", "closed")])
        .await;
    let v = branch_sheet(&app, id).await.unwrap().3.to_string();
    let r = app
        .post(&step, &[("step", "submit"), ("version", &v)])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = app
        .post(
            &format!("/meetings/{id}/state"),
            &[("to", "held"), ("reason", "Bổ sung ý kiến")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let ward = app.other_browser();
    ward.login_as("phuong").await;
    let v = branch_sheet(&app, id).await.unwrap().3.to_string();
    let r = ward
        .post(&step, &[("step", "approve"), ("version", &v)])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r.text().await.unwrap()).contains("Chi bộ đang mở lại biên bản"));
    assert_eq!(branch_sheet(&app, id).await.unwrap().0, "submitted");
    let frozen: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT approved_at FROM meetings WHERE id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(frozen, None);
}

/// Approvals racing the branch's "reopen, then tick" on several meetings at once: the
/// meeting row serialises them, so an approved meeting's attendance is exactly as it was
/// when approved (its minutes closed, no reopening after), and a tick lands only on a
/// meeting whose approval was refused because the reopening came first.
#[tokio::test]
async fn approvals_and_ticks_at_once_never_leave_a_tick_after_the_approval() {
    const PAIRS: usize = 8;
    let app = TestApp::spawn().await;
    app.login_as("phuong").await;
    let branch_side = app.other_browser();
    crate::fixtures::login_ward_keeper(&branch_side).await;
    // A submitted self-score: the demo's first sheet's figures, on each closed meeting.
    let mut meetings = Vec::new();
    for i in 0..PAIRS {
        let branch = crate::fixtures::branch(
            &app,
            &format!("Chi bộ Tổ dân phố Đua {i}"),
            crate::fixtures::demo::WARD,
        )
        .await;
        crate::fixtures::members(&app, branch, &[(crate::fixtures::Status::Full, 3)]).await;
        let m = crate::fixtures::meeting(&app, branch, crate::fixtures::State::Closed).await;
        sqlx::query(
            "INSERT INTO evaluations (meeting_id, rubric_id, scorer, scored_by, state, items, total_tenths, band, class)
             SELECT $1, rubric_id, 'branch', scored_by, 'submitted', items, total_tenths, band, class
               FROM evaluations WHERE scorer = 'branch' ORDER BY id LIMIT 1",
        )
        .bind(m.id)
        .execute(&app.pool)
        .await
        .unwrap();
        meetings.push((m.id, m.expected[0]));
    }
    let mut tasks = tokio::task::JoinSet::new();
    for &(id, member) in &meetings {
        let (ward, branch) = (app.client.clone(), branch_side.client.clone());
        let (approve, state, tick) = (
            app.url(&format!("/meetings/{id}/evaluation/step")),
            app.url(&format!("/meetings/{id}/state")),
            app.url(&format!("/meetings/{id}/attendance/{member}")),
        );
        tasks.spawn(async move {
            ward.post(approve)
                .form(&[("step", "approve"), ("version", "1")])
                .send()
                .await
                .unwrap()
                .status()
        });
        tasks.spawn(async move {
            branch
                .post(state)
                .form(&[("to", "held"), ("reason", "Sửa điểm danh")])
                .send()
                .await
                .unwrap();
            branch
                .post(tick)
                .form(&[("presence", "absent_unexcused")])
                .send()
                .await
                .unwrap()
                .status()
        });
    }
    for status in tasks.join_all().await {
        assert!(
            [StatusCode::SEE_OTHER, StatusCode::UNPROCESSABLE_ENTITY].contains(&status),
            "{status}: a refusal is a message, never a 500"
        );
    }
    let mut approved_first = 0;
    for (id, member) in meetings {
        let (approved_at, state, sheet, presence): (
            Option<chrono::DateTime<chrono::Utc>>,
            String,
            String,
            Option<String>,
        ) = sqlx::query_as(
            "SELECT m.approved_at, m.state, e.state, a.presence
               FROM meetings m JOIN evaluations e ON e.meeting_id = m.id AND e.scorer = 'branch'
               JOIN attendance a ON a.meeting_id = m.id AND a.member_id = $2
              WHERE m.id = $1",
        )
        .bind(id)
        .bind(member)
        .fetch_one(&app.pool)
        .await
        .unwrap();
        let changed_after = app
            .count(
                "SELECT count(*) FROM attendance a JOIN meetings m ON m.id = a.meeting_id
                  WHERE a.meeting_id = $1 AND a.updated_at > m.approved_at",
                id,
            )
            .await;
        match approved_at {
            Some(_) => {
                assert_eq!((state.as_str(), sheet.as_str()), ("closed", "approved"));
                assert_eq!(presence.as_deref(), Some("present"), "the tick was refused");
                assert_eq!(changed_after, 0, "no attendance written after the approval");
                let reopened = app
                    .count(
                        "SELECT count(*) FROM meeting_events WHERE meeting_id = $1 AND kind = 'reopened'",
                        id,
                    )
                    .await;
                assert_eq!(reopened, 0, "the reopening was refused");
                approved_first += 1;
            }
            None => {
                // The reopening came first: the approval waited and was refused.
                assert_eq!((state.as_str(), sheet.as_str()), ("held", "submitted"));
                assert_eq!(presence.as_deref(), Some("absent_unexcused"));
            }
        }
    }
    eprintln!("{approved_first} of {PAIRS} approvals came first");
}

/// A meeting whose score is approved is frozen: the ward cannot make it a model meeting
/// afterwards (the plan is refused on the branch field, nothing written).
#[tokio::test]
async fn an_approved_meeting_cannot_become_a_model_meeting_afterwards() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let (id, ward) = approved_meeting(&app).await;
    let before = record_of(&app, id).await;
    let (branch, month): (Uuid, chrono::NaiveDate) =
        sqlx::query_as("SELECT unit_id, month FROM meetings WHERE id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let ward_id = app.unit_id(crate::fixtures::demo::WARD).await;
    let r = ward
        .post(
            &format!("/model-meetings/{ward_id}"),
            &[
                ("branch", &branch.to_string()),
                ("month", &month.format("%Y-%m").to_string()),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = text(&r.text().await.unwrap());
    assert!(
        page.contains(&format!(
            "Cuộc sinh hoạt tháng {} của chi bộ này đã được phê duyệt điểm",
            month.format("%m/%Y")
        )),
        "{page}"
    );
    assert_eq!(
        app.count(
            "SELECT count(*) FROM model_meetings WHERE branch_id = $1",
            branch
        )
        .await,
        0
    );
    assert_eq!(record_of(&app, id).await, before, "the record unchanged");
}
