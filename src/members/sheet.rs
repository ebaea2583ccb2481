//! Spreadsheets: the member list exported to .xlsx, the import template, and reading an
//! uploaded .xlsx or .csv into rows of text.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::domain::COLUMNS;
use super::store::RosterRow;
use crate::web::vn_date;

fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_text_wrap()
        .set_background_color("#F3EFE8")
}

/// The member list of a branch as a workbook: the import columns, then status, post and
/// whether the membership is temporary.
pub fn roster_workbook(branch: &str, rows: &[RosterRow]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Danh sách đảng viên")?;
    let bold = header_format();
    ws.write_string_with_format(0, 0, branch, &Format::new().set_bold())?;
    let mut headers = vec!["STT"];
    headers.extend(COLUMNS);
    headers.extend(["Tình trạng", "Chức vụ", "Hình thức sinh hoạt"]);
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(2, c as u16, *h, &bold)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = 3 + i as u32;
        let opt = |d: Option<chrono::NaiveDate>| d.map(vn_date).unwrap_or_default();
        let cells = [
            r.full_name.clone(),
            r.gender.label().to_owned(),
            vn_date(r.birth_date),
            r.hometown.clone().unwrap_or_default(),
            r.phone.clone().unwrap_or_default(),
            r.card_no.clone().unwrap_or_default(),
            vn_date(r.admission_date),
            opt(r.admission_decision_date),
            opt(r.official_date),
            r.status_label().to_owned(),
            r.state_label().to_owned(),
            r.role_label().to_owned(),
            if r.permanent {
                "Chính thức"
            } else {
                "Tạm thời"
            }
            .to_owned(),
        ];
        ws.write_number(row, 0, (i + 1) as f64)?;
        for (c, v) in cells.iter().enumerate() {
            ws.write_string(row, 1 + c as u16, v)?;
        }
    }
    ws.set_column_width(1, 28)?;
    ws.set_column_width(4, 24)?;
    ws.set_freeze_panes(3, 2)?;
    wb.save_to_buffer()
}

/// The import template: the header row and one example row, dates as dd/mm/yyyy text.
pub fn template_workbook() -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Đảng viên")?;
    let bold = header_format();
    for (c, h) in COLUMNS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
        ws.set_column_width(c as u16, 18)?;
    }
    let example = [
        "Nguyễn Văn An",
        "Nam",
        "15/03/1975",
        "Kỳ Anh, Hà Tĩnh",
        "0912345678",
        "12345678",
        "19/05/2000",
        "10/05/2000",
        "19/05/2001",
        "Chính thức",
    ];
    for (c, v) in example.iter().enumerate() {
        ws.write_string(1, c as u16, *v)?;
    }
    ws.set_column_width(0, 26)?;
    wb.save_to_buffer()
}

/// The template as CSV (UTF-8 with a byte-order mark, so that Excel reads the diacritics).
pub fn template_csv() -> Vec<u8> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    out.extend(COLUMNS.join(",").as_bytes());
    out.extend(
        b"\r\nNguy\xe1\xbb\x85n V\xc4\x83n An,Nam,15/03/1975,\"K\xe1\xbb\xb3 Anh, H\xc3\xa0 T\xc4\xa9nh\",0912345678,12345678,19/05/2000,10/05/2000,19/05/2001,Ch\xc3\xadnh th\xe1\xbb\xa9c\r\n",
    );
    out
}

/// Why an uploaded file cannot be read as a member list. Nothing is written in any case.
#[derive(Debug, PartialEq, Eq)]
pub enum SheetError {
    Empty,
    NotASpreadsheet,
    NotUtf8,
    WrongHeader {
        found: Vec<String>,
    },
    TooManyRows {
        rows: usize,
    },
    /// A cell beyond the template's columns or its header and MAX_ROWS rows (1-based).
    TooLarge {
        rows: u32,
        cols: u32,
    },
}

impl SheetError {
    pub fn message(&self) -> String {
        match self {
            SheetError::Empty => "Tệp không có dòng dữ liệu nào.".into(),
            SheetError::NotASpreadsheet => {
                "Tệp không phải bảng tính .xlsx hoặc .csv (hoặc đã hỏng). Hãy tải tệp mẫu và điền theo mẫu.".into()
            }
            SheetError::NotUtf8 => {
                "Tệp CSV phải lưu ở mã UTF-8 (trong Excel: Lưu thành → CSV UTF-8).".into()
            }
            SheetError::WrongHeader { found } => format!(
                "Dòng tiêu đề không đúng mẫu. Cần đúng các cột: {}. Tệp có: {}.",
                COLUMNS.join(", "),
                if found.is_empty() { "(trống)".to_owned() } else { found.join(", ") }
            ),
            SheetError::TooManyRows { rows } => format!(
                "Tệp có {rows} dòng dữ liệu, vượt giới hạn {MAX_ROWS} dòng mỗi lần nhập. Hãy chia thành nhiều tệp."
            ),
            SheetError::TooLarge { rows, cols } => format!(
                "Bảng tính có ô dữ liệu ngoài vùng của mẫu (tới dòng {rows}, cột {cols}). Mẫu có {} cột và tối đa {} dòng (dòng tiêu đề và {MAX_ROWS} dòng dữ liệu); hãy xóa các ô thừa hoặc chia thành nhiều tệp.",
                COLUMNS.len(),
                MAX_ROWS + 1
            ),
        }
    }
}

/// At most this many members per upload: a whole grassroots committee fits, a mistaken
/// export of a province does not.
pub const MAX_ROWS: usize = 5_000;

/// The data rows of an uploaded file (header checked and removed), each cell as text, with
/// the spreadsheet's line number. Dates stored as Excel dates become dd/mm/yyyy.
pub fn read_rows(file_name: &str, bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, SheetError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(SheetError::Empty);
    }
    let table = if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)?
    } else if file_name.to_lowercase().ends_with(".xlsx") || bytes.contains(&0) {
        return Err(SheetError::NotASpreadsheet);
    } else {
        read_csv(bytes)?
    };
    let mut lines = table
        .into_iter()
        .enumerate()
        .map(|(i, cells)| (i + 1, cells))
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
    let (_, header) = lines.next().ok_or(SheetError::Empty)?;
    let norm = |s: &str| s.trim().to_lowercase();
    let found: Vec<String> = header
        .iter()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .collect();
    if found.len() != COLUMNS.len() || found.iter().zip(COLUMNS).any(|(f, c)| norm(f) != norm(c)) {
        return Err(SheetError::WrongHeader { found });
    }
    let rows: Vec<(usize, Vec<String>)> = lines
        .map(|(line, mut cells)| {
            cells.resize(COLUMNS.len(), String::new());
            cells.truncate(COLUMNS.len());
            (
                line,
                cells.into_iter().map(|c| c.trim().to_owned()).collect(),
            )
        })
        .collect();
    if rows.is_empty() {
        return Err(SheetError::Empty);
    }
    if rows.len() > MAX_ROWS {
        return Err(SheetError::TooManyRows { rows: rows.len() });
    }
    Ok(rows)
}

/// The highest Excel serial date read as a date (31/12/9999, Excel's own last date); a
/// larger or negative value is no date a member has.
const MAX_EXCEL_SERIAL: f64 = 2_958_465.0;

/// An Excel date cell as dd/mm/yyyy, by calamine's own conversion (which honours the 1904
/// date system of Mac workbooks and Excel's 1900 leap-year bug); a value outside Excel's
/// dates is kept as its number, for the row's check to refuse.
fn excel_date(dt: &calamine::ExcelDateTime) -> String {
    let v = dt.as_f64();
    if !(0.0..=MAX_EXCEL_SERIAL).contains(&v) {
        return v.to_string();
    }
    let (y, m, d, ..) = dt.to_ymd_hms_milli();
    chrono::NaiveDate::from_ymd_opt(y.into(), m.into(), d.into())
        .map(vn_date)
        .unwrap_or_else(|| v.to_string())
}

/// Reads the first sheet cell by cell, never as calamine's dense range: a file of two
/// cells, A1 and XFD1048576, would make that range 17 billion cells. The sheet's declared
/// dimension is checked first, then every cell's position, since the declaration may lie.
fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, SheetError> {
    use calamine::{DataRef, Reader, Xlsx};
    // The header row and MAX_ROWS data rows.
    let max_lines = MAX_ROWS as u32 + 1;
    let max_cols = COLUMNS.len() as u32;
    let too_big = |rows: u32, cols: u32| SheetError::TooLarge { rows, cols };
    let mut wb: Xlsx<_> =
        Xlsx::new(std::io::Cursor::new(bytes)).map_err(|_| SheetError::NotASpreadsheet)?;
    let first = wb.sheet_names().first().cloned().ok_or(SheetError::Empty)?;
    let mut cells = wb
        .worksheet_cells_reader(&first)
        .map_err(|_| SheetError::NotASpreadsheet)?;
    let dim = cells.dimensions();
    if dim.end.0 >= max_lines || dim.end.1 >= max_cols {
        return Err(too_big(
            dim.end.0.saturating_add(1),
            dim.end.1.saturating_add(1),
        ));
    }
    let mut table: Vec<Vec<String>> = Vec::new();
    while let Some(cell) = cells.next_cell().map_err(|_| SheetError::NotASpreadsheet)? {
        let text = match cell.get_value() {
            DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
            DataRef::SharedString(s) => (*s).to_owned(),
            DataRef::Int(i) => i.to_string(),
            DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
            DataRef::Float(f) => f.to_string(),
            DataRef::Bool(b) => b.to_string(),
            DataRef::DateTime(dt) => excel_date(dt),
            DataRef::Error(_) | DataRef::Empty => String::new(),
        };
        if text.is_empty() {
            continue;
        }
        let (row, col) = cell.get_position();
        if row >= max_lines || col >= max_cols {
            return Err(too_big(row.saturating_add(1), col.saturating_add(1)));
        }
        let (row, col) = (row as usize, col as usize);
        if table.len() <= row {
            table.resize_with(row + 1, Vec::new);
        }
        let line = &mut table[row];
        if line.len() <= col {
            line.resize(col + 1, String::new());
        }
        line[col] = text;
    }
    Ok(table)
}

fn read_csv(bytes: &[u8]) -> Result<Vec<Vec<String>>, SheetError> {
    let text = std::str::from_utf8(bytes).map_err(|_| SheetError::NotUtf8)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Excel writes ';' where the list separator is ';'.
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|_| SheetError::NotASpreadsheet)?;
        out.push(record.iter().map(str::to_owned).collect());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_reads_back_as_one_row() {
        let rows = read_rows("mau.xlsx", &template_workbook().unwrap()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].0, 2, "line numbers as the spreadsheet shows them");
        assert_eq!(rows[0].1[0], "Nguyễn Văn An");
        let rows = read_rows("mau.csv", &template_csv()).unwrap();
        assert_eq!(rows[0].1[3], "Kỳ Anh, Hà Tĩnh");
    }

    #[test]
    fn bad_files_are_named() {
        assert_eq!(read_rows("a.csv", b""), Err(SheetError::Empty));
        assert_eq!(
            read_rows("a.csv", COLUMNS.join(",").as_bytes()),
            Err(SheetError::Empty)
        );
        assert!(matches!(
            read_rows("a.csv", b"Ho ten,Ngay sinh\nA,B"),
            Err(SheetError::WrongHeader { .. })
        ));
        assert_eq!(
            read_rows("a.xlsx", b"not a zip at all"),
            Err(SheetError::NotASpreadsheet)
        );
        assert_eq!(
            read_rows("a.png", b"\x89PNG\r\n\x1a\n\0\0"),
            Err(SheetError::NotASpreadsheet)
        );
        assert_eq!(
            read_rows("a.csv", b"\xff\xfe\xfd"),
            Err(SheetError::NotUtf8)
        );
        let mut big = COLUMNS.join(",");
        for i in 0..=MAX_ROWS {
            big.push_str(&format!(
                "\nNguyễn Văn {i},Nam,01/01/1980,,,,01/01/2005,,01/01/2006,Chính thức"
            ));
        }
        assert_eq!(
            read_rows("a.csv", big.as_bytes()),
            Err(SheetError::TooManyRows { rows: MAX_ROWS + 1 })
        );
    }

    #[test]
    fn semicolons_and_short_rows_are_read() {
        let csv = format!("{}\nLê Văn Ân;Nam;01/01/1970", COLUMNS.join(";"));
        let rows = read_rows("a.csv", csv.as_bytes()).unwrap();
        assert_eq!(rows[0].1.len(), COLUMNS.len());
        assert_eq!(rows[0].1[2], "01/01/1970");
    }
}
