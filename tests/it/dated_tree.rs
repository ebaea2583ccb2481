//! The organisation tree as it stood: a past month's report, dashboard and alerts keep the
//! tree and the names of that month after a unit is moved, renamed or merged; a unit
//! merged on a month's first day is gone from that month; an issued (numbered) report
//! keeps what it stated and shows later changes beside it.

use reqwest::StatusCode;
use uuid::Uuid;

use crate::fixtures::demo::{BRANCH, OTHER_WARD, WARD};
use crate::fixtures::{self, Status};
use crate::support::{TestApp, iso, month_value, months_ago, text, texts};

/// The branch names of a monthly report's rows.
async fn report_branches(app: &TestApp, unit: Uuid, month: &str) -> Vec<String> {
    let (status, html) = app
        .get(&format!("/reports/monthly/{unit}?month={month}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{}", text(&html));
    texts(&html, "table.report tbody tr.line")
        .into_iter()
        .filter(|r| !r.contains("Tổng cộng"))
        .collect()
}

fn lists(rows: &[String], name: &str) -> bool {
    rows.iter().any(|r| r.contains(&format!("{name} ")))
}

async fn rename(app: &TestApp, id: Uuid, name: &str) {
    let version = app.unit_version(id).await.to_string();
    let r = app
        .post(
            &format!("/admin/units/{id}/rename"),
            &[("name", name), ("version", &version)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "rename {name}");
}

async fn move_to(app: &TestApp, id: Uuid, parent: Uuid) {
    let version = app.unit_version(id).await.to_string();
    let r = app
        .post(
            &format!("/admin/units/{id}/move"),
            &[("parent", &parent.to_string()), ("version", &version)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "move");
}

async fn merge(app: &TestApp, source: Uuid, target: Uuid, on: chrono::NaiveDate) {
    let version = app.unit_version(source).await.to_string();
    let r = app
        .post(
            &format!("/admin/units/{source}/merge"),
            &[
                ("target", &target.to_string()),
                ("date", &iso(on)),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "merge");
}

#[tokio::test]
async fn a_move_a_rename_and_a_merge_change_the_months_from_then_on_and_an_issued_report_not_at_all()
 {
    let app = TestApp::spawn().await;
    let ward = app.unit_id(WARD).await;
    let other_ward = app.unit_id(OTHER_WARD).await;
    let renamed = fixtures::branch(&app, "Chi bộ Tổ dân phố Tên Cũ", WARD).await;
    let moved = fixtures::branch(&app, "Chi bộ Tổ dân phố Chuyển Đi", WARD).await;
    let merged_then = fixtures::branch(&app, "Chi bộ Tổ dân phố Nhập Tháng Trước", WARD).await;
    let merged_now = fixtures::branch(&app, "Chi bộ Tổ dân phố Nhập Tháng Này", WARD).await;
    let target = fixtures::branch(&app, "Chi bộ Tổ dân phố Nhận Nhập", WARD).await;
    for b in [renamed, moved, merged_then, merged_now, target] {
        fixtures::members(&app, b, &[(Status::Full, 3)]).await;
    }
    let (last, this) = (month_value(months_ago(1)), month_value(months_ago(0)));

    // The ward's committee issues its report of last month: numbered, its figures fixed.
    let supervisor = app.other_browser();
    supervisor.login_as("phuong").await;
    let before = report_branches(&supervisor, ward, &last).await;
    for name in [
        "Chi bộ Tổ dân phố Tên Cũ",
        "Chi bộ Tổ dân phố Chuyển Đi",
        "Chi bộ Tổ dân phố Nhập Tháng Trước",
    ] {
        assert!(lists(&before, name), "{name} in {before:?}");
    }
    let r = supervisor
        .post(
            &format!("/reports/monthly/{ward}?month={last}"),
            &[
                ("summary", "Các chi bộ duy trì sinh hoạt."),
                ("version", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = supervisor
        .get(&format!("/reports/monthly/{ward}?month={last}"))
        .await;
    let issued_day = crate::support::today().format("%d/%m/%Y").to_string();
    assert!(
        text(&html).contains(&format!("Số liệu chốt ngày {issued_day}")),
        "{}",
        text(&html)
    );
    assert!(text(&html).contains("Không có thay đổi"), "{}", text(&html));

    // Today the administrator renames one branch and moves another to the next ward; one
    // branch is merged as from last month's first day, another as from this month's.
    app.login_as("admin").await;
    rename(&app, renamed, "Chi bộ Tổ dân phố Tên Mới").await;
    rename(&app, ward, "Đảng bộ phường Sông Trí Mới").await;
    let branch = app.unit_id(BRANCH).await;
    rename(&app, branch, "Chi bộ Tổ dân phố Hưng Lợi Mới").await;
    move_to(&app, moved, other_ward).await;
    merge(&app, merged_then, target, months_ago(1)).await;
    merge(&app, merged_now, target, months_ago(0)).await;

    // The issued report states what it stated; the merge dated inside its month shows
    // beside it as a difference.
    let (_, html) = supervisor
        .get(&format!("/reports/monthly/{ward}?month={last}"))
        .await;
    let after = texts(&html, "table.report tbody tr.line")
        .into_iter()
        .filter(|r| !r.contains("Tổng cộng"))
        .collect::<Vec<_>>();
    assert_eq!(after, before, "the issued rows, unchanged");
    let differences = texts(&html, "section.differences tbody tr");
    assert!(
        differences
            .iter()
            .any(|d| d.starts_with("Chi bộ Tổ dân phố Nhập Tháng Trước có khi chốt, không còn")),
        "{differences:?}"
    );
    assert!(
        !differences
            .iter()
            .any(|d| d.contains("Chuyển Đi") || d.contains("Tên")),
        "a move and a rename made today do not touch last month: {differences:?}"
    );
    // The workbook is the issued document too.
    let r = supervisor
        .client
        .get(supervisor.url(&format!("/reports/monthly/{ward}.xlsx?month={last}")))
        .send()
        .await
        .unwrap();
    let bytes = r.bytes().await.unwrap();
    let book = {
        use calamine::{Reader, Xlsx};
        let mut book: Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
        book.worksheet_range_at(0).unwrap().unwrap()
    };
    let cells: Vec<String> = book.cells().map(|(_, _, c)| c.to_string()).collect();
    assert!(
        cells
            .iter()
            .any(|c| c == "Chi bộ Tổ dân phố Nhập Tháng Trước")
    );
    assert!(cells.iter().any(|c| c.starts_with("Số liệu chốt ngày")));
    // Editing the committee's text later keeps the figures as issued.
    let version = crate::support::input_value(&html, "version").expect("the form's version");
    let r = supervisor
        .post(
            &format!("/reports/monthly/{ward}?month={last}"),
            &[("summary", "Bổ sung nhận xét."), ("version", &version)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(report_branches(&supervisor, ward, &last).await, before);

    // A month not yet issued reads the tree of its own days: last month, live, in the
    // other ward's report (the moved branch is not there yet) and two months ago in the
    // ward's (the old name, the moved branch still here).
    let admin_rows = report_branches(&app, other_ward, &last).await;
    assert!(
        !lists(&admin_rows, "Chi bộ Tổ dân phố Chuyển Đi"),
        "{admin_rows:?}"
    );
    let earlier = month_value(months_ago(2));
    let rows = report_branches(&app, ward, &earlier).await;
    assert!(lists(&rows, "Chi bộ Tổ dân phố Tên Cũ"), "{rows:?}");
    assert!(!lists(&rows, "Chi bộ Tổ dân phố Tên Mới"), "{rows:?}");
    assert!(lists(&rows, "Chi bộ Tổ dân phố Chuyển Đi"), "{rows:?}");
    assert!(
        lists(&rows, "Chi bộ Tổ dân phố Nhập Tháng Trước"),
        "{rows:?}"
    );
    let (_, html) = app.get(&format!("/dashboard/{ward}?month={earlier}")).await;
    assert!(text(&html).contains("Chi bộ Tổ dân phố Chuyển Đi"));

    // This month: the new name, the moved branch under its new ward, both merged branches
    // gone — and no "no meeting" alert for the one merged on the month's first day.
    let (_, html) = app
        .get(&format!("/reports/monthly/{ward}?month={this}"))
        .await;
    let heading = texts(&html, ".issuer").join(" ");
    assert!(heading.contains("ĐẢNG ỦY PHƯỜNG SÔNG TRÍ MỚI"), "{heading}");
    let rows = report_branches(&app, ward, &this).await;
    assert!(lists(&rows, "Chi bộ Tổ dân phố Tên Mới"), "{rows:?}");
    assert!(!lists(&rows, "Chi bộ Tổ dân phố Tên Cũ"), "{rows:?}");
    assert!(!lists(&rows, "Chi bộ Tổ dân phố Chuyển Đi"), "{rows:?}");
    assert!(
        !lists(&rows, "Chi bộ Tổ dân phố Nhập Tháng Này"),
        "{rows:?}"
    );
    let rows = report_branches(&app, other_ward, &this).await;
    assert!(lists(&rows, "Chi bộ Tổ dân phố Chuyển Đi"), "{rows:?}");
    let (_, html) = app.get(&format!("/alerts/{ward}?month={this}")).await;
    assert!(!text(&html).contains("Nhập Tháng Này"), "{}", text(&html));
    let (_, html) = app.get(&format!("/dashboard/{ward}?month={this}")).await;
    assert!(!text(&html).contains("Chi bộ Tổ dân phố Chuyển Đi"));
}
