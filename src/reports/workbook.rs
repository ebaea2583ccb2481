//! The monthly report as an .xlsx workbook: the same lines, groups and totals as the page,
//! with the subtotals and totals as formulas (SUBTOTAL, so that a total never counts the
//! subtotals above it), real dates and number formats.

#[allow(unused_imports)]
use super::*;
use crate::reports::statement::{self, Subtotal};
use chrono::Datelike;
use rust_xlsxwriter::{ExcelDateTime, Format, FormatBorder, Formula, Workbook, XlsxError};

/// Columns of the sheet, by letter for the formulas.
const COL: [&str; 11] = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K"];

/// The report as a workbook: title, the branch lines (under their wards, each ward with its
/// subtotal, when the report has wards), the totals, then the counts.
pub fn workbook(p: &MonthlyPage) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(format!("Tháng {}", p.month.format("%m-%Y")))?;
    let title = Format::new().set_bold().set_font_size(14);
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_background_color("#F3EFE8")
        .set_border(FormatBorder::Thin);
    let cell = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
    let date = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("dd/mm/yyyy");
    let num = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("0.0");
    let int = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("0");
    let bold = Format::new().set_bold().set_border(FormatBorder::Thin);
    let bold_int = bold.clone().set_num_format("0");
    let bold_num = bold.clone().set_num_format("0.0");
    let group_head = Format::new()
        .set_bold()
        .set_italic()
        .set_border(FormatBorder::Thin)
        .set_background_color("#FAF7F2");
    ws.write_string_with_format(0, 0, &p.unit_name, &title)?;
    ws.write_string_with_format(
        1,
        0,
        format!(
            "Báo cáo tình hình sinh hoạt chi bộ tháng {}",
            p.month_label()
        ),
        &title,
    )?;
    if let Some(day) = &p.issued_on {
        ws.write_string(
            2,
            0,
            format!("Số liệu chốt ngày {day}, khi báo cáo được vào số."),
        )?;
    }
    let headers = [
        "STT",
        "Chi bộ",
        "Đảng số",
        "Ngày sinh hoạt",
        "Có mặt",
        "Phải có mặt",
        "Tỷ lệ dự (%)",
        "Vắng không lý do",
        "Điểm",
        "Xếp loại",
        "Ghi chú",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(3, c as u16, *h, &head)?;
    }
    let first_line_row = 4u32;
    let mut row = first_line_row;
    // The figures' rows (a subtotal's or the total's): SUBTOTAL over `from..=to` for the
    // counts, the rate from them, the mean of the scores; each with its value cached, so
    // that a reader that does not calculate sees the same numbers.
    let sums = |ws: &mut rust_xlsxwriter::Worksheet,
                row: u32,
                label: &str,
                from: u32,
                to: u32,
                t: &Subtotal|
     -> Result<(), XlsxError> {
        let range = |c: usize| format!("{0}{1}:{0}{2}", COL[c], from + 1, to + 1);
        ws.write_string_with_format(row, 0, "", &bold)?;
        ws.write_string_with_format(row, 1, label, &bold)?;
        for (c, value) in [
            (2, t.dang_so),
            (4, t.present),
            (5, t.expected),
            (7, t.unexcused),
        ] {
            ws.write_formula_with_format(
                row,
                c as u16,
                Formula::new(format!("=SUBTOTAL(9,{})", range(c))).set_result(value.to_string()),
                &bold_int,
            )?;
        }
        ws.write_string_with_format(row, 3, format!("{}/{}", t.held, t.branches), &bold)?;
        let rate = crate::rate::Rate::of(t.present, t.expected)
            .map(|r| format!("{:.1}", r.percent()))
            .unwrap_or_default();
        let (e, f) = (COL[4], COL[5]);
        ws.write_formula_with_format(
            row,
            6,
            Formula::new(format!(
                "=IF({f}{r}>0,ROUND({e}{r}/{f}{r}*100,1),\"\")",
                r = row + 1
            ))
            .set_result(rate),
            &bold_num,
        )?;
        let mean = t.average_label().replace(',', ".");
        ws.write_formula_with_format(
            row,
            8,
            Formula::new(format!("=IFERROR(ROUND(SUBTOTAL(1,{}),1),\"\")", range(8)))
                .set_result(if mean == "—" { String::new() } else { mean }),
            &bold_num,
        )?;
        ws.write_string_with_format(row, 9, "", &bold)?;
        ws.write_string_with_format(row, 10, "", &bold)?;
        Ok(())
    };
    for g in statement::groups(&p.lines) {
        if let Some(name) = g.name {
            ws.merge_range(row, 0, row, 10, name, &group_head)?;
            row += 1;
        }
        let from = row;
        for (number, l, name) in &g.lines {
            ws.write_number_with_format(row, 0, *number as f64, &int)?;
            ws.write_string_with_format(row, 1, name, &cell)?;
            ws.write_number_with_format(row, 2, l.dang_so as f64, &int)?;
            match l.day {
                Some(d) => ws.write_datetime_with_format(
                    row,
                    3,
                    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?,
                    &date,
                )?,
                None => ws.write_blank(row, 3, &cell)?,
            };
            if l.held {
                ws.write_number_with_format(row, 4, l.present as f64, &int)?;
                ws.write_number_with_format(row, 5, l.expected as f64, &int)?;
                match l.rate() {
                    Some(rate) => ws.write_number_with_format(row, 6, rate.percent(), &num)?,
                    None => ws.write_blank(row, 6, &cell)?,
                };
                ws.write_number_with_format(row, 7, l.unexcused as f64, &int)?;
            } else {
                for c in 4..=7 {
                    ws.write_blank(row, c, &cell)?;
                }
            }
            match l.total_tenths {
                Some(t) => ws.write_number_with_format(row, 8, f64::from(t) / 10.0, &num)?,
                None => ws.write_blank(row, 8, &cell)?,
            };
            ws.write_string_with_format(row, 9, l.class.as_deref().unwrap_or_default(), &cell)?;
            ws.write_string_with_format(row, 10, l.remarks.join("; "), &cell)?;
            row += 1;
        }
        if let Some(name) = g.name {
            sums(ws, row, &format!("Cộng {name}"), from, row - 1, &g.subtotal)?;
            row += 1;
        }
    }
    if p.lines.is_empty() {
        // No line to add up: a formula over the total's own row would be circular.
        ws.write_string_with_format(row, 1, "Tổng cộng", &bold)?;
        for c in [2, 4, 5, 7] {
            ws.write_number_with_format(row, c, 0.0, &bold_int)?;
        }
    } else {
        sums(
            ws,
            row,
            "Tổng cộng",
            first_line_row,
            row - 1,
            &Subtotal::of(&p.lines),
        )?;
    }
    let t = &p.total;
    let mut r = row + 2;
    ws.write_string_with_format(r, 1, "Số chi bộ", &bold)?;
    ws.write_number(r, 2, t.branches as f64)?;
    r += 1;
    ws.write_string_with_format(r, 1, "Đã sinh hoạt thường kỳ", &bold)?;
    ws.write_number(r, 2, t.held as f64)?;
    for (label, n) in &t.classes {
        r += 1;
        ws.write_string_with_format(r, 1, format!("Xếp loại {label}"), &bold)?;
        ws.write_number(r, 2, *n as f64)?;
    }
    r += 1;
    ws.write_string_with_format(r, 1, "Đã họp, chưa chấm điểm", &bold)?;
    ws.write_number(r, 2, t.unscored as f64)?;
    ws.set_column_width(0, 5)?;
    ws.set_column_width(1, 40)?;
    ws.set_column_width(3, 14)?;
    ws.set_column_width(9, 12)?;
    ws.set_column_width(10, 48)?;
    ws.set_freeze_panes(4, 2)?;
    wb.save_to_buffer()
}
