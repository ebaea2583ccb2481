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
    crate::fixtures::login_ward_keeper(&r).await;
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

/// A zip archive of stored (uncompressed) entries, for workbooks rust_xlsxwriter cannot
/// write (the 1904 date system).
fn stored_zip(entries: &[(&str, String)]) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let (mut out, mut central) = (Vec::new(), Vec::new());
    for (name, body) in entries {
        let (name, body) = (name.as_bytes(), body.as_bytes());
        let (crc, len, offset) = (crc32(body), body.len() as u32, out.len() as u32);
        let common = |v: &mut Vec<u8>| {
            v.extend(20u16.to_le_bytes()); // version needed
            v.extend(0u16.to_le_bytes()); // flags
            v.extend(0u16.to_le_bytes()); // stored
            v.extend(0u32.to_le_bytes()); // time, date
            v.extend(crc.to_le_bytes());
            v.extend(len.to_le_bytes());
            v.extend(len.to_le_bytes());
            v.extend((name.len() as u16).to_le_bytes());
            v.extend(0u16.to_le_bytes()); // extra
        };
        out.extend(0x0403_4b50u32.to_le_bytes());
        common(&mut out);
        out.extend(name);
        out.extend(body);
        central.extend(0x0201_4b50u32.to_le_bytes());
        central.extend(20u16.to_le_bytes()); // version made by
        common(&mut central);
        central.extend([0u8; 6]); // comment length, disk, internal attributes
        central.extend(0u32.to_le_bytes()); // external attributes
        central.extend(offset.to_le_bytes());
        central.extend(name);
    }
    let (at, size) = (out.len() as u32, central.len() as u32);
    out.extend(central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend(size.to_le_bytes());
    out.extend(at.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

/// A workbook of the template's header and one member whose dates are Excel date numbers
/// (`date_cells`: column letter and serial), in the 1904 date system of Mac workbooks.
fn workbook_1904(cells: &[&str], date_cells: &[(&str, u32)]) -> Vec<u8> {
    const NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    let text = |r: String, v: &str| format!(r#"<c r="{r}" t="inlineStr"><is><t>{v}</t></is></c>"#);
    let cols = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"];
    let header: String = chibo_columns()
        .iter()
        .zip(cols)
        .map(|(h, c)| text(format!("{c}1"), h))
        .collect();
    let mut row: String = cells
        .iter()
        .zip(cols)
        .filter(|(v, _)| !v.is_empty())
        .map(|(v, c)| text(format!("{c}2"), v))
        .collect();
    for (c, serial) in date_cells {
        row.push_str(&format!(r#"<c r="{c}2" s="1"><v>{serial}</v></c>"#));
    }
    stored_zip(&[
        (
            "[Content_Types].xml",
            r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#.into(),
        ),
        (
            "xl/workbook.xml",
            format!(
                r#"<workbook xmlns="{NS}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr date1904="1"/><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.into(),
        ),
        (
            "xl/styles.xml",
            format!(
                r#"<styleSheet xmlns="{NS}"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>"#
            ),
        ),
        (
            "xl/worksheets/sheet1.xml",
            format!(
                r#"<worksheet xmlns="{NS}"><dimension ref="A1:J2"/><sheetData><row r="1">{header}</row><row r="2">{row}</row></sheetData></worksheet>"#
            ),
        ),
    ])
}

#[tokio::test]
async fn a_workbook_far_beyond_the_template_is_refused_and_the_server_lives_on() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let branch = app.unit_id(BRANCH).await;
    // Two cells, A1 and XFD1048576: read as one dense range, 17 billion cells.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "Họ và tên").unwrap();
    ws.write_string(1_048_575, 16_383, "x").unwrap();
    let r = upload(&app, branch, "to.xlsx", wb.save_to_buffer().unwrap()).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = text(&r.text().await.unwrap());
    assert!(
        page.contains("ngoài vùng của mẫu (tới dòng 1048576, cột 16384)"),
        "{page}"
    );
    // One member too many: the header, 5,000 rows, and a row 5002.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in chibo_columns().iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(5_001, 0, "Nguyễn Văn Thừa").unwrap();
    let r = upload(&app, branch, "dai.xlsx", wb.save_to_buffer().unwrap()).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r.text().await.unwrap()).contains("tới dòng 5002"));
    // The server still answers, and nothing was staged.
    let (status, _) = app.get(&format!("/units/{branch}/members")).await;
    assert_eq!(status, StatusCode::OK);
    let staged: i64 = sqlx::query_scalar("SELECT count(*) FROM member_imports")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(staged, 0);
}

#[tokio::test]
async fn a_huge_date_number_is_a_bad_date_of_its_row_not_a_crash() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let branch = app.unit_id(BRANCH).await;
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let date = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    for (c, h) in chibo_columns().iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "Trần Văn Xa").unwrap();
    ws.write_string(1, 1, "Nam").unwrap();
    ws.write_number_with_format(1, 2, 1e300, &date).unwrap();
    ws.write_number_with_format(1, 6, -5e18, &date).unwrap();
    ws.write_string(1, 9, "Chính thức").unwrap();
    let r = upload(&app, branch, "xa.xlsx", wb.save_to_buffer().unwrap()).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get(&location(&r)).await;
    let page = text(&page);
    assert!(page.contains("Dòng có lỗi 1"), "{page}");
    assert!(page.contains("Ngày sinh: Ngày không hợp lệ"), "{page}");
}

#[tokio::test]
async fn a_mac_workbook_in_the_1904_date_system_reads_its_dates_right() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let branch = app.unit_id(BRANCH).await;
    let file = workbook_1904(
        &[
            "Hồ Văn Mác",
            "Nam",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "Chính thức",
        ],
        // 15/03/1975, 19/05/2000 and 19/05/2001 counted from 01/01/1904.
        &[("C", 26_006), ("G", 35_203), ("I", 35_568)],
    );
    let r = upload(&app, branch, "mac.xlsx", file).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get(&location(&r)).await;
    let page = text(&page);
    assert!(page.contains("Dòng hợp lệ 1"), "{page}");
    for d in ["15/03/1975", "19/05/2000", "19/05/2001"] {
        assert!(page.contains(d), "{d} in {page}");
    }
}
