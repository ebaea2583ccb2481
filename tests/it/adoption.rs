//! Quy định 17-QĐ/TU's procedure in the flow (docs/rules.md §3.6): the chi ủy proposes the
//! score, the branch votes to adopt it on the meeting's eligible base, the minutes print it,
//! and the committee directly above the branch (not one further up) decides on it.

use reqwest::StatusCode;
use uuid::Uuid;

use crate::evaluation::{branch_sheet, held_meeting};
use crate::rubric_ownership::sheet_form;
use crate::support::{TestApp, input_value, number_after, text};

async fn adoption_votes(
    app: &TestApp,
    meeting: Uuid,
) -> Vec<(String, i32, i32, bool, Option<i32>)> {
    sqlx::query_as(
        "SELECT subject, votes_for, eligible, passed, adopted_tenths FROM votes
          WHERE meeting_id = $1 AND evaluation_id IS NOT NULL",
    )
    .bind(meeting)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

/// A held meeting of the demo branch with its self-score saved as a draft; the sheet's
/// version and the eligible base the page states.
async fn scored(app: &TestApp) -> (Uuid, String, usize) {
    let (id, _) = held_meeting(app).await;
    let rubric: Uuid = {
        let branch: Uuid = sqlx::query_scalar("SELECT unit_id FROM meetings WHERE id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
        let day: chrono::NaiveDate = sqlx::query_scalar(
            "SELECT (started_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date FROM meetings WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
        chibo::evaluation::store::rubric_in_force(&app.pool, branch, "regular", day)
            .await
            .unwrap()
            .unwrap()
            .id
    };
    let r = app
        .post_form(
            &format!("/meetings/{id}/evaluation"),
            &sheet_form(app, rubric).await,
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        text(&r.text().await.unwrap())
    );
    let (_, page) = app.get(&format!("/meetings/{id}/evaluation")).await;
    let eligible = number_after(&text(&page), "Ghi kết quả biểu quyết (trên");
    let v = branch_sheet(app, id).await.unwrap().3.to_string();
    (id, v, eligible)
}

async fn agree(app: &TestApp, id: Uuid, v: &str, votes: (usize, usize)) -> reqwest::Response {
    app.post(
        &format!("/meetings/{id}/evaluation/step"),
        &[
            ("step", "agree"),
            ("version", v),
            ("votes_for", &votes.0.to_string()),
            ("against", &votes.1.to_string()),
            ("abstain", "0"),
        ],
    )
    .await
}

#[tokio::test]
async fn the_branch_votes_to_adopt_its_score_and_the_minutes_print_it() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let (id, v, eligible) = scored(&app).await;
    assert!(eligible >= 3, "the demo branch has a base");
    let step = format!("/meetings/{id}/evaluation/step");

    // Not adopted yet: the sheet cannot be sent up.
    let r = app
        .post(&step, &[("step", "submit"), ("version", &v)])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        text(&r.text().await.unwrap()).contains("Chi bộ chưa biểu quyết thông qua điểm tự chấm")
    );

    // More ballots than the base: refused with the message, the counts kept.
    let r = agree(&app, id, &v, (eligible, 1)).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(text(&body).contains(&format!(
        "Tổng số phiếu ({}) nhiều hơn số đảng viên có quyền biểu quyết ({eligible}).",
        eligible + 1
    )));
    assert_eq!(input_value(&body, "votes_for"), Some(eligible.to_string()));
    assert_eq!(input_value(&body, "against").as_deref(), Some("1"));
    // Exactly half for is not more than half: not adopted.
    let r = agree(&app, id, &v, (eligible / 2, eligible - eligible / 2)).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r.text().await.unwrap()).contains(&format!(
        "Chi bộ chưa thông qua điểm đề xuất: {} phiếu tán thành trên {eligible} đảng viên có quyền biểu quyết",
        eligible / 2
    )));
    // No count at all: a message, not a 500.
    let r = app
        .post(
            &step,
            &[("step", "agree"), ("version", &v), ("votes_for", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r.text().await.unwrap()).contains("Ghi số phiếu tán thành"));
    assert_eq!(branch_sheet(&app, id).await.unwrap().0, "draft");
    assert!(adoption_votes(&app, id).await.is_empty());

    // Adopted: recorded with the meeting's votes, on its base, with the score proposed.
    let r = agree(&app, id, &v, (eligible - 1, 1)).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        text(&r.text().await.unwrap())
    );
    let (state, total, _, _) = branch_sheet(&app, id).await.unwrap();
    assert_eq!(state, "agreed");
    let votes = adoption_votes(&app, id).await;
    assert_eq!(votes.len(), 1);
    let (subject, votes_for, base, passed, adopted) = &votes[0];
    assert!(
        subject.starts_with("Thông qua kết quả tự đánh giá, xếp loại chất lượng sinh hoạt chi bộ:")
    );
    assert_eq!(
        (*votes_for, *base as usize, *passed, *adopted),
        ((eligible - 1) as i32, eligible, true, Some(total))
    );
    let (_, minutes) = app.get(&format!("/meetings/{id}/minutes")).await;
    assert!(text(&minutes).contains("Thông qua kết quả tự đánh giá"));
    let points = chibo::evaluation::rubric::Points(total).to_string();
    let (status, print) = app.get(&format!("/meetings/{id}/print")).await;
    assert_eq!(status, StatusCode::OK);
    let print = text(&print);
    assert!(print.contains("ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG SINH HOẠT CHI BỘ"));
    assert!(
        print.contains(&format!(
            "Chi ủy đề xuất kết quả tự đánh giá: {points} điểm, xếp loại"
        )),
        "{print}"
    );
    assert!(print.contains(&format!(
        "tán thành {}/{eligible}, không tán thành 1, không biểu quyết 0 — thông qua",
        eligible - 1
    )));

    // The demo's agreed scores were adopted the same way, and their minutes print it.
    let demo: Uuid = sqlx::query_scalar(
        "SELECT e.meeting_id FROM evaluations e JOIN votes v ON v.evaluation_id = e.id
           JOIN meetings m ON m.id = e.meeting_id
          WHERE e.state = 'approved' AND m.unit_id = (SELECT unit_id FROM meetings WHERE id = $1)
          ORDER BY e.meeting_id LIMIT 1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let (status, print) = app.get(&format!("/meetings/{demo}/print")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text(&print).contains("Chi ủy đề xuất kết quả tự đánh giá"));

    // The branch changes its score: the adoption no longer stands, it votes again.
    let v = branch_sheet(&app, id).await.unwrap().3.to_string();
    let rubric: Uuid = sqlx::query_scalar(
        "SELECT rubric_id FROM evaluations WHERE meeting_id = $1 AND scorer = 'branch'",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let mut form = sheet_form(&app, rubric).await;
    form.retain(|(k, _)| k != "version");
    form.push(("version".into(), v));
    let r = app
        .post_form(&format!("/meetings/{id}/evaluation"), &form)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(branch_sheet(&app, id).await.unwrap().0, "draft");
    assert!(adoption_votes(&app, id).await.is_empty());
}

#[tokio::test]
async fn only_the_committee_directly_above_the_branch_decides_on_its_score() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let (id, v, eligible) = scored(&app).await;
    let r = agree(&app, id, &v, (eligible, 0)).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = app
        .post(&format!("/meetings/{id}/state"), &[("to", "closed")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let v = branch_sheet(&app, id).await.unwrap().3.to_string();
    let step = format!("/meetings/{id}/evaluation/step");
    let r = app
        .post(&step, &[("step", "submit"), ("version", &v)])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let v = branch_sheet(&app, id).await.unwrap().3.to_string();

    // The town and the province sit further up: they see the score, do not decide on it.
    for login in ["thixa", "admin"] {
        let upper = app.other_browser();
        upper.login_as(login).await;
        let (_, page) = upper.get(&format!("/meetings/{id}/evaluation")).await;
        assert!(!text(&page).contains("Phê duyệt: xếp loại"), "{login}");
        assert!(text(&page).contains("Cấp ủy cấp trên trực tiếp của chi bộ phê duyệt"));
        for s in ["approve", "return"] {
            let r = upper
                .post(
                    &step,
                    &[("step", s), ("version", &v), ("comment", "Xem lại")],
                )
                .await;
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{login} {s}");
            assert!(text(&r.text().await.unwrap()).contains(
                "Điểm của chi bộ do cấp ủy cấp trên trực tiếp (Đảng bộ phường Sông Trí) xem xét"
            ));
        }
        assert_eq!(branch_sheet(&app, id).await.unwrap().0, "submitted");
    }
    // The ward, the branch's parent committee since the 2025 reorganisation, approves.
    let ward = app.other_browser();
    ward.login_as("phuong").await;
    let (_, page) = ward.get(&format!("/meetings/{id}/evaluation")).await;
    assert!(text(&page).contains("Phê duyệt: xếp loại"));
    let r = ward
        .post(&step, &[("step", "approve"), ("version", &v)])
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        text(&r.text().await.unwrap())
    );
    assert_eq!(branch_sheet(&app, id).await.unwrap().0, "approved");
}
