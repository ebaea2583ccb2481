//! Charts drawn as SVG on the server. They must read in black and white on paper, so the
//! classes differ by pattern as well as by shade, and every bar and point carries its number.

use std::fmt::Write;

use super::domain::CLASS_ORDER;
use super::store::TrendMonth;

const W: f64 = 640.0;
const H: f64 = 240.0;
const LEFT: f64 = 40.0;
const BOTTOM: f64 = 200.0;
const TOP: f64 = 20.0;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Fill of each class: solid dark, hatched, dotted, white.
fn fill(i: usize) -> &'static str {
    ["#333", "url(#hatch)", "url(#dots)", "#fff"]
        .get(i)
        .copied()
        .unwrap_or("#999")
}

const DEFS: &str = r##"<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#333" stroke-width="2.5"/></pattern><pattern id="dots" width="5" height="5" patternUnits="userSpaceOnUse"><rect width="5" height="5" fill="#fff"/><circle cx="2.5" cy="2.5" r="1.2" fill="#333"/></pattern></defs>"##;

/// Meetings by class per month, stacked; the number of each segment written on it.
pub fn classes(months: &[TrendMonth]) -> String {
    let n = months.len().max(1) as f64;
    let slot = (W - LEFT - 10.0) / n;
    let max = months
        .iter()
        .map(|m| m.classes.iter().map(|(_, c)| *c).sum::<i64>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" role="img" aria-labelledby="chart-classes-title" class="chart"><title id="chart-classes-title">Số buổi sinh hoạt theo xếp loại, từng tháng</title>{DEFS}"#
    );
    let _ = write!(
        s,
        r##"<line x1="{LEFT}" y1="{BOTTOM}" x2="{}" y2="{BOTTOM}" stroke="#000"/>"##,
        W - 10.0
    );
    for (i, m) in months.iter().enumerate() {
        let x = LEFT + slot * i as f64 + slot * 0.15;
        let bw = slot * 0.7;
        let mut y = BOTTOM;
        for (ci, label) in CLASS_ORDER.iter().enumerate() {
            let count = m
                .classes
                .iter()
                .filter(|(l, _)| l == label)
                .map(|(_, c)| *c)
                .sum::<i64>();
            if count == 0 {
                continue;
            }
            let h = (BOTTOM - TOP) * count as f64 / max;
            y -= h;
            let _ = write!(
                s,
                r##"<rect x="{x:.1}" y="{y:.1}" width="{bw:.1}" height="{h:.1}" fill="{}" stroke="#000" stroke-width="0.8"><title>{} {}: {count}</title></rect>"##,
                fill(ci),
                esc(label),
                m.month.format("%m/%Y")
            );
            if h >= 12.0 {
                // A white halo under the figure, then the figure: the same look as
                // `paint-order="stroke"`, which SVG 1.1 (the validator's) does not allow.
                let (tx, ty) = (x + bw / 2.0, y + h / 2.0 + 3.5);
                let _ = write!(
                    s,
                    r##"<text x="{tx:.1}" y="{ty:.1}" font-size="10" text-anchor="middle" fill="#fff" stroke="#fff" stroke-width="2.5" aria-hidden="true">{count}</text><text x="{tx:.1}" y="{ty:.1}" font-size="10" text-anchor="middle" fill="#000">{count}</text>"##
                );
            }
        }
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="10" text-anchor="middle">{}</text>"##,
            x + bw / 2.0,
            BOTTOM + 14.0,
            m.month.format("%m/%y")
        );
    }
    // Legend.
    for (ci, label) in CLASS_ORDER.iter().enumerate() {
        let x = LEFT + ci as f64 * 120.0;
        let _ = write!(
            s,
            r##"<rect x="{x}" y="{}" width="14" height="10" fill="{}" stroke="#000" stroke-width="0.8"/><text x="{}" y="{}" font-size="11">{}</text>"##,
            H - 14.0,
            fill(ci),
            x + 18.0,
            H - 5.0,
            esc(label)
        );
    }
    s.push_str("</svg>");
    s
}

/// Attendance rate per month, as a line with its values (months without meetings skipped).
pub fn attendance(months: &[TrendMonth]) -> String {
    let n = months.len().max(1) as f64;
    let slot = (W - LEFT - 10.0) / n;
    let y_of = |rate: f64| BOTTOM - (BOTTOM - TOP) * ((rate - 50.0).max(0.0) / 50.0);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {}" role="img" aria-labelledby="chart-att-title" class="chart"><title id="chart-att-title">Tỷ lệ đảng viên dự sinh hoạt, từng tháng</title>"#,
        H - 20.0
    );
    for pct in [50, 75, 100] {
        let y = y_of(f64::from(pct));
        let _ = write!(
            s,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{}" y2="{y:.1}" stroke="#999" stroke-dasharray="3 3"/><text x="{}" y="{:.1}" font-size="10" text-anchor="end">{pct}%</text>"##,
            W - 10.0,
            LEFT - 4.0,
            y + 3.5
        );
    }
    let mut points = Vec::new();
    for (i, m) in months.iter().enumerate() {
        let x = LEFT + slot * i as f64 + slot / 2.0;
        let _ = write!(
            s,
            r##"<text x="{x:.1}" y="{:.1}" font-size="10" text-anchor="middle">{}</text>"##,
            BOTTOM + 14.0,
            m.month.format("%m/%y")
        );
        if let Some(rate) = crate::rate::Rate::of(m.present, m.expected) {
            let y = y_of(rate.percent());
            points.push(format!("{x:.1},{y:.1}"));
            let _ = write!(
                s,
                r##"<circle cx="{x:.1}" cy="{y:.1}" r="3" fill="#000"/><text x="{x:.1}" y="{:.1}" font-size="9" text-anchor="middle">{rate}</text>"##,
                y - 6.0
            );
        }
    }
    if points.len() > 1 {
        let _ = write!(
            s,
            r##"<polyline points="{}" fill="none" stroke="#000" stroke-width="1.5"/>"##,
            points.join(" ")
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn month(m: u32, classes: &[(&str, i64)], expected: i64, present: i64) -> TrendMonth {
        TrendMonth {
            month: NaiveDate::from_ymd_opt(2026, m, 1).unwrap(),
            branches: 10,
            held: 9,
            expected,
            present,
            classes: classes.iter().map(|(l, n)| (l.to_string(), *n)).collect(),
        }
    }

    #[test]
    fn every_class_segment_is_drawn_with_its_count() {
        let svg = classes(&[
            month(9, &[("Tốt", 3), ("Khá", 5)], 100, 90),
            month(10, &[("Kém", 1)], 0, 0),
        ]);
        assert_eq!(
            svg.matches("<rect x=").count(),
            3 + 4,
            "3 segments and 4 legend keys"
        );
        assert!(svg.contains("<title>Tốt 09/2026: 3</title>"));
        assert!(
            svg.contains("url(#hatch)"),
            "Khá is hatched for black-and-white print"
        );
    }

    #[test]
    fn the_attendance_line_skips_months_without_meetings() {
        let svg = attendance(&[
            month(8, &[], 100, 90),
            month(9, &[], 0, 0),
            month(10, &[], 200, 170),
        ]);
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains(">90,0%<") && svg.contains(">85,0%<"));
    }
}
