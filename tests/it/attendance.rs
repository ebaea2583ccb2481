//! The attendance sheet on a phone (issue 14): reason codes for an excused absence, saved
//! and printed; "Tất cả có mặt" marking only the unmarked, however many tap it at once;
//! "spoke" saved on its own; Enter in the reason's text never marking anyone present; bad
//! input refused in Vietnamese with nothing written.

use reqwest::StatusCode;
use uuid::Uuid;

use crate::fixtures::demo::{BRANCH, NEIGHBOUR};
use crate::fixtures::{self, State};
use crate::support::{TestApp, location, text};

/// The demo branch's planned meeting of this month, the secretary signed in.
async fn sheet() -> (TestApp, fixtures::Meeting) {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let branch = app.unit_id(BRANCH).await;
    let m = fixtures::meeting(&app, branch, State::Planned).await;
    assert!(
        m.expected.len() >= 6,
        "the demo branch: {}",
        m.expected.len()
    );
    (app, m)
}

/// Everything the meeting's attendance rows hold and the audit rows written about it, as
/// one text: what "nothing written" compares.
async fn snapshot(app: &TestApp, meeting: Uuid) -> String {
    sqlx::query_scalar(
        "SELECT coalesce(string_agg(concat_ws('|', member_id, presence, reason_code, reason, spoke,
                                              updated_at), ';' ORDER BY member_id), '')
                || ' audit ' || (SELECT count(*) FROM audit_log WHERE entity_id = $1)
           FROM attendance WHERE meeting_id = $1",
    )
    .bind(meeting)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

async fn row(
    app: &TestApp,
    meeting: Uuid,
    member: Uuid,
) -> (Option<String>, Option<String>, Option<String>, bool) {
    sqlx::query_as(
        "SELECT presence, reason_code, reason, spoke FROM attendance
          WHERE meeting_id = $1 AND member_id = $2",
    )
    .bind(meeting)
    .bind(member)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

async fn tap(app: &TestApp, meeting: Uuid, member: Uuid, presence: &str) {
    let r = app
        .post(
            &format!("/meetings/{meeting}/attendance/{member}"),
            &[("presence", presence)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{presence}");
    // Without JavaScript, back to the member's row.
    assert_eq!(
        location(&r),
        format!("/meetings/{meeting}/attendance#m-{member}")
    );
}

#[tokio::test]
async fn attendance_reason_codes_are_saved_shown_and_printed() {
    let (app, m) = sheet().await;
    let (ill, old, other) = (m.expected[0], m.expected[1], m.expected[2]);
    // "Vắng có lý do" first, with nothing typed; then the row offers the codes.
    tap(&app, m.id, ill, "absent_excused").await;
    let (_, page) = app.get(&format!("/meetings/{}/attendance", m.id)).await;
    let doc = scraper::Html::parse_document(&page);
    let sel = scraper::Selector::parse(&format!("li#m-{ill} form.reason input[name=reason_code]"))
        .unwrap();
    let codes: Vec<&str> = doc
        .select(&sel)
        .filter_map(|e| e.value().attr("value"))
        .collect();
    assert_eq!(codes, ["illness", "work", "family", "other"]);
    let labels = crate::support::texts(&page, &format!("li#m-{ill} form.reason label"));
    assert_eq!(labels, ["Ốm", "Công tác", "Việc gia đình", "Khác"]);
    // No reason form on a row that is not an excused absence.
    let no_form = scraper::Selector::parse(&format!("li#m-{old} form.reason")).unwrap();
    assert!(doc.select(&no_form).next().is_none());

    let r = app
        .post(
            &format!("/meetings/{}/attendance/{ill}/reason", m.id),
            &[("reason_code", "illness"), ("reason", " sốt cao ")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&r),
        format!("/meetings/{}/attendance#m-{ill}", m.id)
    );
    assert_eq!(
        row(&app, m.id, ill).await,
        (
            Some("absent_excused".into()),
            Some("illness".into()),
            Some("sốt cao".into()),
            false
        )
    );
    // A second tap on "Vắng có lý do" keeps the reason saved.
    tap(&app, m.id, ill, "absent_excused").await;
    assert_eq!(row(&app, m.id, ill).await.1.as_deref(), Some("illness"));

    // "Khác" needs its text: refused, the form kept as typed, nothing written.
    tap(&app, m.id, other, "absent_excused").await;
    let before = snapshot(&app, m.id).await;
    let r = app
        .post(
            &format!("/meetings/{}/attendance/{other}/reason", m.id),
            &[("reason_code", "other"), ("reason", "  ")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(text(&page).contains("Lý do khác: vui lòng ghi rõ lý do."));
    assert_eq!(
        crate::support::attr(
            &page,
            &format!("li#m-{other} input[name=reason_code][checked]"),
            "value"
        )
        .as_deref(),
        Some("other"),
        "the code chosen is kept"
    );
    assert_eq!(snapshot(&app, m.id).await, before);
    let r = app
        .post(
            &format!("/meetings/{}/attendance/{other}/reason", m.id),
            &[("reason_code", "other"), ("reason", "Đám cưới con")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // A row from before the codes: its text alone, read as before.
    sqlx::query(
        "UPDATE attendance SET presence = 'absent_excused', reason = 'Đi viện'
          WHERE meeting_id = $1 AND member_id = $2",
    )
    .bind(m.id)
    .bind(old)
    .execute(&app.pool)
    .await
    .unwrap();

    let name = |id| fixtures::name_of(&app, id);
    let (ill_name, old_name, other_name) = (name(ill).await, name(old).await, name(other).await);
    let (_, sheet) = app.get(&format!("/meetings/{}/attendance", m.id)).await;
    let sheet = text(&sheet);
    assert!(
        sheet.contains("Ốm, sốt cao") && sheet.contains("Khác, Đám cưới con"),
        "{sheet}"
    );
    let (status, print) = app.get(&format!("/meetings/{}/print", m.id)).await;
    assert_eq!(status, StatusCode::OK);
    let print = text(&print);
    for line in [
        format!("{ill_name}: Ốm, sốt cao"),
        format!("{old_name}: Đi viện"),
        format!("{other_name}: Khác, Đám cưới con"),
    ] {
        assert!(print.contains(&line), "the minutes print {line}: {print}");
    }
    assert!(print.contains("Vắng có lý do: 3"), "{print}");

    // Present again: the reason goes with the absence.
    tap(&app, m.id, ill, "present").await;
    assert_eq!(
        row(&app, m.id, ill).await,
        (Some("present".into()), None, None, false)
    );
}

#[tokio::test]
async fn all_present_marks_only_the_unmarked_even_when_eight_tap_it_at_once() {
    let (app, m) = sheet().await;
    let (excused, unexcused, late) = (m.expected[0], m.expected[1], m.expected[2]);
    tap(&app, m.id, excused, "absent_excused").await;
    tap(&app, m.id, unexcused, "absent_unexcused").await;
    tap(&app, m.id, late, "late").await;
    let r = app
        .post(
            &format!("/meetings/{}/attendance/{excused}/reason", m.id),
            &[("reason_code", "work"), ("reason", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get(&format!("/meetings/{}/attendance", m.id)).await;
    let version = crate::support::input_value(&page, "version").expect("the button's form");
    let audits_before = app
        .count("SELECT count(*) FROM audit_log WHERE entity_id = $1", m.id)
        .await;

    // Eight phones tap "Tất cả có mặt" at once.
    let mut taps = Vec::new();
    for _ in 0..8 {
        let client = app.client.clone();
        let url = app.url(&format!("/meetings/{}/all-present", m.id));
        let version = version.clone();
        taps.push(tokio::spawn(async move {
            client
                .post(url)
                .form(&[("version", version.as_str())])
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for t in taps {
        assert_eq!(t.await.unwrap(), StatusCode::SEE_OTHER);
    }
    let n = m.expected.len() as i64;
    let counts: (i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE presence = 'present'),
                count(*) FILTER (WHERE presence = 'late'),
                count(*) FILTER (WHERE presence = 'absent_excused'),
                count(*) FILTER (WHERE presence = 'absent_unexcused'),
                count(*) FILTER (WHERE presence IS NULL)
           FROM attendance WHERE meeting_id = $1 AND category = 'expected'",
    )
    .bind(m.id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        counts,
        (n - 3, 1, 1, 1, 0),
        "only the unmarked marked, the three kept"
    );
    // The exceptions are exactly as ticked, the reason with them.
    assert_eq!(row(&app, m.id, excused).await.1.as_deref(), Some("work"));
    // Each row marked once: one audit row per member marked, however many tapped.
    let audits = app
        .count("SELECT count(*) FROM audit_log WHERE entity_id = $1", m.id)
        .await;
    assert_eq!(audits - audits_before, n - 3);
    // The figures kept on the meeting row agree (late counts as present).
    let kept: (i32, i32, i32) = sqlx::query_as(
        "SELECT expected_count, present_count, unexcused_count FROM meetings WHERE id = $1",
    )
    .bind(m.id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(kept, (n as i32, n as i32 - 2, 1));
    let (_, page) = app.get(&format!("/meetings/{}/attendance", m.id)).await;
    let page = text(&page);
    assert!(
        page.contains(&format!("Có mặt / phải có mặt {}/{n}", n - 2))
            && page.contains("Chưa điểm danh 0")
            && !page.contains("Tất cả có mặt"),
        "{page}"
    );

    // A sheet drawn from an older version of the meeting (its day moved, its state
    // changed) marks nobody unseen: refused, in Vietnamese, nothing written.
    sqlx::query("UPDATE attendance SET presence = NULL WHERE meeting_id = $1 AND member_id = $2")
        .bind(m.id)
        .bind(m.expected[3])
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE meetings SET version = version + 1 WHERE id = $1")
        .bind(m.id)
        .execute(&app.pool)
        .await
        .unwrap();
    let before = snapshot(&app, m.id).await;
    let r = app
        .post(
            &format!("/meetings/{}/all-present", m.id),
            &[("version", version.as_str())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r.text().await.unwrap()).contains("Dữ liệu vừa được người khác thay đổi"));
    assert_eq!(snapshot(&app, m.id).await, before);
    // Closed minutes: refused too.
    sqlx::query("UPDATE meetings SET state = 'closed' WHERE id = $1")
        .bind(m.id)
        .execute(&app.pool)
        .await
        .unwrap();
    let fresh = app.meeting_version(m.id).await.to_string();
    let r = app
        .post(
            &format!("/meetings/{}/all-present", m.id),
            &[("version", fresh.as_str())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r.text().await.unwrap()).contains("Biên bản đã khóa"));
    assert_eq!(snapshot(&app, m.id).await, before);
}

#[tokio::test]
async fn attendance_spoke_is_saved_alone_and_kept_on_reload() {
    let (app, m) = sheet().await;
    let (speaker, absent) = (m.expected[0], m.expected[1]);
    // Ticked before the presence: saved, the presence untouched.
    let r = app
        .post(
            &format!("/meetings/{}/attendance/{speaker}/spoke", m.id),
            &[("spoke", "1")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&r),
        format!("/meetings/{}/attendance#m-{speaker}", m.id)
    );
    assert_eq!(row(&app, m.id, speaker).await, (None, None, None, true));
    // Kept on reload: the toggle is drawn pressed, and offers to clear it.
    let (_, page) = app.get(&format!("/meetings/{}/attendance", m.id)).await;
    let toggle = format!("li#m-{speaker} form.spoke button");
    assert_eq!(
        crate::support::attr(&page, &toggle, "aria-pressed").as_deref(),
        Some("true")
    );
    assert_eq!(
        crate::support::attr(&page, &toggle, "value").as_deref(),
        Some("0")
    );
    // A presence tap keeps it.
    tap(&app, m.id, speaker, "late").await;
    assert!(row(&app, m.id, speaker).await.3);
    let r = app
        .post(
            &format!("/meetings/{}/attendance/{speaker}/spoke", m.id),
            &[("spoke", "0")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        row(&app, m.id, speaker).await,
        (Some("late".into()), None, None, false)
    );
    // An absent member did not speak: refused, in Vietnamese, nothing written.
    tap(&app, m.id, absent, "absent_unexcused").await;
    let before = snapshot(&app, m.id).await;
    let r = app
        .post(
            &format!("/meetings/{}/attendance/{absent}/spoke", m.id),
            &[("spoke", "1")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        text(&r.text().await.unwrap())
            .contains("Đảng viên đang được ghi vắng mặt: không ghi phát biểu được.")
    );
    assert_eq!(snapshot(&app, m.id).await, before);
}

/// The form's fields as a browser posts them on Enter in `field`: every named input (text
/// as typed, a radio or checkbox only when checked), and the default button, the first
/// submit button of the form in tree order, with its name and value.
fn submit_on_enter(
    form: scraper::ElementRef<'_>,
    field: &str,
    typed: &str,
    check: &str,
) -> (String, Vec<(String, String)>) {
    let action = form.value().attr("action").expect("an action").to_owned();
    let mut fields = Vec::new();
    let mut default_button = None;
    for el in form.descendants().filter_map(scraper::ElementRef::wrap) {
        let v = el.value();
        let name = v.attr("name").unwrap_or("").to_owned();
        match v.name() {
            "input" => match v.attr("type").unwrap_or("text") {
                "radio" | "checkbox" if v.attr("value") == Some(check) => {
                    fields.push((name, check.to_owned()));
                }
                // Not checked: not sent.
                "radio" | "checkbox" => {}
                "submit" => {
                    default_button.get_or_insert((name, v.attr("value").unwrap_or("").to_owned()));
                }
                _ if name == field => fields.push((name, typed.to_owned())),
                _ if !name.is_empty() => {
                    fields.push((name, v.attr("value").unwrap_or("").to_owned()))
                }
                _ => {}
            },
            "button" if v.attr("type").unwrap_or("submit") == "submit" => {
                default_button.get_or_insert((name, v.attr("value").unwrap_or("").to_owned()));
            }
            _ => {}
        }
    }
    let (name, value) = default_button.expect("a default button");
    assert_ne!(name, "presence", "Enter would submit a presence");
    if !name.is_empty() {
        fields.push((name, value));
    }
    (action, fields)
}

#[tokio::test]
async fn enter_in_the_reason_field_saves_the_reason_and_never_marks_present() {
    let (app, m) = sheet().await;
    let member = m.expected[0];
    tap(&app, m.id, member, "absent_excused").await;
    let (_, page) = app.get(&format!("/meetings/{}/attendance", m.id)).await;
    let doc = scraper::Html::parse_document(&page);
    // Every text field of the row is in a form whose default button is not a presence, and
    // the presence buttons' form holds no text field at all.
    let forms = scraper::Selector::parse(&format!("li#m-{member} form")).unwrap();
    let text_field = scraper::Selector::parse("input:not([type]), input[type=text]").unwrap();
    let mut reason_form = None;
    for form in doc.select(&forms) {
        let holds_text = form.select(&text_field).next().is_some();
        let presence = scraper::Selector::parse("button[name=presence]").unwrap();
        if form.select(&presence).next().is_some() {
            assert!(!holds_text, "no text field beside the presence buttons");
        }
        if holds_text {
            reason_form = Some(form);
        }
    }
    let form = reason_form.expect("the reason form of an excused absence");
    let (action, fields) = submit_on_enter(form, "reason", "đi khám bệnh", "other");
    assert_eq!(
        action,
        format!("/meetings/{}/attendance/{member}/reason", m.id)
    );
    let r = app.post_form(&action, &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{fields:?}");
    assert_eq!(
        row(&app, m.id, member).await,
        (
            Some("absent_excused".into()),
            Some("other".into()),
            Some("đi khám bệnh".into()),
            false
        ),
        "the reason saved, the presence unchanged"
    );
}

#[tokio::test]
async fn bad_attendance_input_is_refused_in_vietnamese_and_writes_nothing() {
    let (app, m) = sheet().await;
    let member = m.expected[0];
    tap(&app, m.id, member, "absent_excused").await;
    let present = m.expected[1];
    tap(&app, m.id, present, "present").await;
    let before = snapshot(&app, m.id).await;
    let base = format!("/meetings/{}", m.id);
    for (path, form, message) in [
        (
            format!("{base}/attendance/{member}/reason"),
            vec![("reason_code", "om"), ("reason", "")],
            "Vui lòng chọn lý do vắng.",
        ),
        (
            format!("{base}/attendance/{member}/reason"),
            vec![("reason_code", "illness"), ("reason", "sốt\u{1}cao")],
            "Không được chứa ký tự điều khiển.",
        ),
        (
            format!("{base}/attendance/{present}/reason"),
            vec![("reason_code", "illness"), ("reason", "")],
            "Chỉ ghi lý do cho đảng viên vắng có lý do",
        ),
        (
            format!("{base}/attendance/{member}"),
            vec![("presence", "here")],
            "Vui lòng chọn có mặt, đến muộn hoặc vắng.",
        ),
        (
            format!("{base}/attendance/{member}"),
            vec![("presence", "present\u{0}")],
            "Không được chứa ký tự điều khiển.",
        ),
        (
            format!("{base}/attendance/{present}/spoke"),
            vec![("spoke", "maybe")],
            "Vui lòng chọn có hoặc không phát biểu.",
        ),
        (
            format!("{base}/all-present"),
            vec![("version", "x")],
            "Trang điểm danh đã cũ",
        ),
    ] {
        let r = app.post(&path, &form).await;
        assert_eq!(
            r.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path} {form:?}"
        );
        let page = text(&r.text().await.unwrap());
        assert!(page.contains(message), "{path} {form:?}: {page}");
        assert_eq!(snapshot(&app, m.id).await, before, "{path} {form:?}");
    }
    // A member of another branch, or an id on no list: not found, nothing written.
    let neighbour = app.unit_id(NEIGHBOUR).await;
    let theirs = fixtures::meeting(&app, neighbour, State::Planned).await;
    for stranger in [theirs.expected[0], Uuid::nil()] {
        for (suffix, form) in [
            ("", vec![("presence", "present")]),
            ("/reason", vec![("reason_code", "illness"), ("reason", "")]),
            ("/spoke", vec![("spoke", "1")]),
        ] {
            let path = format!("{base}/attendance/{stranger}{suffix}");
            let r = app.post(&path, &form).await;
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        }
    }
    // Another branch's meeting is out of scope: 404, its rows untouched.
    let theirs_before = snapshot(&app, theirs.id).await;
    let version = app.meeting_version(theirs.id).await.to_string();
    let r = app
        .post(
            &format!("/meetings/{}/all-present", theirs.id),
            &[("version", version.as_str())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(snapshot(&app, theirs.id).await, theirs_before);
    assert_eq!(snapshot(&app, m.id).await, before);
    // Closed minutes: every tick refused with the reason why.
    sqlx::query("UPDATE meetings SET state = 'closed' WHERE id = $1")
        .bind(m.id)
        .execute(&app.pool)
        .await
        .unwrap();
    for (suffix, form) in [
        (
            format!("/attendance/{member}/reason"),
            vec![("reason_code", "illness"), ("reason", "")],
        ),
        (format!("/attendance/{present}/spoke"), vec![("spoke", "1")]),
        (format!("/attendance/{present}"), vec![("presence", "late")]),
    ] {
        let r = app.post(&format!("{base}{suffix}"), &form).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{suffix}");
        assert!(text(&r.text().await.unwrap()).contains("Biên bản đã khóa"));
    }
    assert_eq!(snapshot(&app, m.id).await, before);
}
