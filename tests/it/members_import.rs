//! Importing members from a spreadsheet: the preview, fixing and skipping rows, the commit
//! (all rows or none, and only once), files that cannot be read.

use reqwest::StatusCode;
use uuid::Uuid;

use crate::fixtures::demo::{BRANCH, COMMUNE, NEIGHBOUR};
use crate::members::{card_held_under, member_form};
use crate::support::{TestApp, location, text};

fn csv(rows: &[&str]) -> Vec<u8> {
    let mut s = chibo_columns().join(",");
    for r in rows {
        s.push('\n');
        s.push_str(r);
    }
    s.into_bytes()
}

fn chibo_columns() -> Vec<&'static str> {
    vec![
        "Họ và tên",
        "Giới tính",
        "Ngày sinh",
        "Quê quán",
        "Điện thoại",
        "Số thẻ đảng viên",
        "Ngày kết nạp",
        "Ngày quyết định kết nạp",
        "Ngày công nhận chính thức",
        "Đảng viên",
    ]
}

async fn upload(app: &TestApp, branch: Uuid, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
    let form = reqwest::multipart::Form::new().part("file", part);
    app.client
        .post(app.url(&format!("/units/{branch}/members/import")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_import_is_previewed_fixed_and_committed_all_at_once() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let branch = app.unit_id(BRANCH).await;
    let before = app.open_members(branch).await;
    let file = csv(&[
        "Trần Văn Bình,Nam,02/03/1970,Kỳ Anh,,11112222,05/05/1995,,05/05/1996,Chính thức",
        "Lê Thị Cúc,Nữ,31/02/1980,,,11113333,01/01/2005,,01/01/2006,Chính thức",
        "Võ Văn Dũng,Nam,01/01/1975,,,11112222,01/01/2000,,01/01/2001,Chính thức",
        "Đặng Thị Em,Nữ,01/01/1990,,,,01/06/2012,,,Dự bị lâu",
    ]);
    let r = upload(&app, branch, "ds.csv", file).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let preview_path = location(&r);
    let (_, page) = app.get(&preview_path).await;
    let page = text(&page);
    assert!(
        page.contains("Dòng hợp lệ 1") && page.contains("Dòng có lỗi 3"),
        "{page}"
    );
    assert!(
        page.contains("Dòng 3") && page.contains("Ngày sinh: Ngày không hợp lệ"),
        "bad date named with its line"
    );
    assert!(page.contains("Số thẻ đảng viên: trùng với dòng 2."));
    assert!(page.contains("Cột Đảng viên phải là Chính thức hoặc Dự bị."));
    // Committing with errors left writes nothing.
    let r = app.post(&format!("{preview_path}/commit"), &[]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.open_members(branch).await, before);
    // Fix line 3, skip line 4, fix line 5's status.
    let fixed = [
        "Lê Thị Cúc",
        "Nữ",
        "28/02/1980",
        "",
        "",
        "11113333",
        "01/01/2005",
        "",
        "01/01/2006",
        "Chính thức",
    ];
    let mut pairs: Vec<(&str, &str)> = fixed.iter().map(|v| ("cell", *v)).collect();
    assert_eq!(
        app.post(&format!("{preview_path}/rows/3"), &pairs)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    app.post(&format!("{preview_path}/rows/4/skip"), &[]).await;
    pairs = [
        "Đặng Thị Em",
        "Nữ",
        "01/01/1990",
        "",
        "",
        "",
        "01/06/2012",
        "",
        "",
        "Dự bị",
    ]
    .iter()
    .map(|v| ("cell", *v))
    .collect();
    app.post(&format!("{preview_path}/rows/5"), &pairs).await;
    let (_, page) = app.get(&preview_path).await;
    assert!(text(&page).contains("Nhập 3 đảng viên"), "{}", text(&page));
    let r = app.post(&format!("{preview_path}/commit"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, list) = app.get(&location(&r)).await;
    assert!(text(&list).contains("Đã nhập 3 đảng viên từ bảng tính."));
    assert_eq!(app.open_members(branch).await, before + 3);
    let imported: i64 =
        sqlx::query_scalar("SELECT count(*) FROM member_events WHERE kind = 'imported'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(imported, 3);
    // A committed import cannot be committed again: the answer says so.
    let again = app.post(&format!("{preview_path}/commit"), &[]).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert!(text(&again.text().await.unwrap()).contains("Đã nhập lô này"));
    assert_eq!(app.open_members(branch).await, before + 3);
}

#[tokio::test]
async fn an_import_is_all_or_nothing() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let branch = app.unit_id(BRANCH).await;
    let before = app.open_members(branch).await;
    let r = upload(
        &app,
        branch,
        "ds.csv",
        csv(&[
            "Trần Văn Bình,Nam,02/03/1970,,,22223333,05/05/1995,,05/05/1996,Chính thức",
            "Lê Thị Cúc,Nữ,01/02/1980,,,22224444,01/01/2005,,01/01/2006,Chính thức",
        ]),
    )
    .await;
    let preview_path = location(&r);
    // Between the preview and the commit someone else registers the second card.
    let r = app.other_browser();
    r.login_as("phuong").await;
    let other = app.unit_id(NEIGHBOUR).await;
    let resp = r
        .post_form(
            &format!("/members/new?unit={other}"),
            &member_form(&[("card_no", "22224444")]),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let resp = app.post(&format!("{preview_path}/commit"), &[]).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Registered in a branch the secretary cannot see: taken, by someone not named.
    let page = text(&resp.text().await.unwrap());
    assert!(page.contains("đã cấp cho một đảng viên khác"), "{page}");
    assert!(!page.contains("Chu Thị Nghiệm"), "{page}");
    assert_eq!(
        app.open_members(branch).await,
        before,
        "not even the first row"
    );
}

#[tokio::test]
async fn bad_files_get_a_clear_answer_and_write_nothing() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let branch = app.unit_id(BRANCH).await;
    let mut big = String::from_utf8(csv(&[])).unwrap();
    for i in 0..50_000 {
        big.push_str(&format!(
            "\nNguyễn Văn Số {i},Nam,01/01/1980,,,,01/01/2005,,01/01/2006,Chính thức"
        ));
    }
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("trong.csv", Vec::new(), "Tệp không có dòng dữ liệu nào."),
        ("tieude.csv", csv(&[]), "Tệp không có dòng dữ liệu nào."),
        (
            "sai.csv",
            b"Ho ten,Ngay sinh\nA,B".to_vec(),
            "Dòng tiêu đề không đúng mẫu.",
        ),
        (
            "anh.png",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(),
            "Tệp không phải bảng tính",
        ),
        ("lon.csv", big.into_bytes(), "vượt giới hạn 5000 dòng"),
    ];
    for (name, bytes, message) in cases {
        let r = upload(&app, branch, name, bytes).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert!(text(&r.text().await.unwrap()).contains(message), "{name}");
    }
    let staged: i64 = sqlx::query_scalar("SELECT count(*) FROM member_imports")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(staged, 0);
    // The template itself imports cleanly.
    let template = app
        .client
        .get(app.url(&format!("/units/{branch}/members/import/template.xlsx")))
        .send()
        .await
        .unwrap();
    assert_eq!(template.status(), StatusCode::OK);
    let r = upload(
        &app,
        branch,
        "mau.xlsx",
        template.bytes().await.unwrap().to_vec(),
    )
    .await;
    let (_, page) = app.get(&location(&r)).await;
    assert!(text(&page).contains("Dòng hợp lệ 1"));
}

#[tokio::test]
async fn an_import_committed_twice_at_once_is_written_once() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let branch = app.unit_id(BRANCH).await;
    let before = app.open_members(branch).await;
    // No card numbers: nothing but the import's own lock stops a second copy.
    let r = upload(
        &app,
        branch,
        "ds.csv",
        csv(&[
            "Phan Văn Song,Nam,02/03/1970,,,,05/05/1995,,05/05/1996,Chính thức",
            "Hồ Thị Đôi,Nữ,01/02/1980,,,,01/01/2005,,01/01/2006,Chính thức",
        ]),
    )
    .await;
    let commit = format!("{}/commit", location(&r));
    // A double click, or the same preview open in two tabs: the same commit twice at once.
    let (first, second) = tokio::join!(app.post(&commit, &[]), app.post(&commit, &[]));
    let mut answers = [
        (first.status(), first.text().await.unwrap()),
        (second.status(), second.text().await.unwrap()),
    ];
    answers.sort_by_key(|(s, _)| *s);
    assert_eq!(
        [answers[0].0, answers[1].0],
        [StatusCode::SEE_OTHER, StatusCode::CONFLICT],
        "one commit writes, the other finds the import committed"
    );
    assert!(text(&answers[1].1).contains("Đã nhập lô này"), "told why");
    assert_eq!(app.open_members(branch).await, before + 2);
    for name in ["Phan Văn Song", "Hồ Thị Đôi"] {
        let copies: i64 = sqlx::query_scalar("SELECT count(*) FROM members WHERE full_name = $1")
            .bind(name)
            .fetch_one(&app.pool)
            .await
            .unwrap();
        assert_eq!(copies, 1, "{name} imported once");
    }
    let imported: i64 =
        sqlx::query_scalar("SELECT count(*) FROM member_events WHERE kind = 'imported'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(imported, 2);
}

/// An import preview of guessed card numbers names no member of another commune, and still
/// names a holder the secretary may see (a member of their own branch).
#[tokio::test]
async fn an_import_preview_names_no_card_holder_outside_the_users_scope() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let branch = app.unit_id(BRANCH).await;
    let (far_card, far_holder) = card_held_under(&app, COMMUNE).await;
    let (own_card, own_holder) = card_held_under(&app, BRANCH).await;
    let file = csv(&[
        &format!(
            "Trần Văn Bình,Nam,02/03/1970,Kỳ Anh,,{far_card},05/05/1995,,05/05/1996,Chính thức"
        ),
        &format!("Lê Thị Cúc,Nữ,03/04/1980,,,{own_card},01/01/2005,,01/01/2006,Chính thức"),
    ]);
    let r = upload(&app, branch, "ds.csv", file).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get(&location(&r)).await;
    let page = text(&page);
    assert!(
        page.contains("Số thẻ đảng viên: đã cấp cho một đảng viên khác."),
        "{page}"
    );
    assert!(!page.contains(&far_holder), "{far_holder} named: {page}");
    assert!(
        page.contains(&format!(
            "Số thẻ đảng viên: đã cấp cho đảng viên {own_holder}."
        )),
        "{page}"
    );
}
