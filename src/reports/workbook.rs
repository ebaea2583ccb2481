//! The monthly report as an .xlsx workbook: the same rows and totals as the page.

#[allow(unused_imports)]
use super::*;
use rust_xlsxwriter::{Format, FormatBorder, Workbook, XlsxError};

/// The report as a workbook: title, the branch rows with Vietnamese headers, the totals.
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
    let num = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("0.0");
    let int = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("0");
    let bold = Format::new().set_bold().set_border(FormatBorder::Thin);
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
    for (i, r) in p.rows.iter().enumerate() {
        let row = 4 + i as u32;
        let l = &r.line;
        ws.write_number_with_format(row, 0, r.number as f64, &int)?;
        ws.write_string_with_format(row, 1, &l.name, &cell)?;
        ws.write_number_with_format(row, 2, l.dang_so as f64, &int)?;
        ws.write_string_with_format(row, 3, l.day_label(), &cell)?;
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
        ws.write_string_with_format(row, 10, &r.remarks, &cell)?;
    }
    let t = &p.total;
    let row = 4 + p.rows.len() as u32;
    ws.write_string_with_format(row, 1, "Tổng cộng", &bold)?;
    ws.write_number_with_format(row, 4, t.present as f64, &bold)?;
    ws.write_number_with_format(row, 5, t.expected as f64, &bold)?;
    if let Some(rate) = t.rate() {
        ws.write_number_with_format(row, 6, rate.percent(), &bold)?;
    }
    ws.write_number_with_format(row, 7, t.unexcused as f64, &bold)?;
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
    ws.set_column_width(1, 36)?;
    ws.set_column_width(3, 14)?;
    ws.set_column_width(9, 12)?;
    ws.set_column_width(10, 48)?;
    ws.set_freeze_panes(4, 2)?;
    wb.save_to_buffer()
}
