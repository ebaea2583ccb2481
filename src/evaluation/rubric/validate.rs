//! The rules a rubric must keep before it is saved or published, each broken rule named
//! with its place.

use std::collections::HashSet;
use std::fmt;

use super::document::{Confidence, GateRule, Input, Points, Rubric, SCORED_KINDS};
use crate::meetings::domain::MeetingKind;

/// One problem found in a rubric: where, and what is wrong, in Vietnamese.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub place: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.place.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.place, self.message)
        }
    }
}

impl Rubric {
    /// Every rule a rubric must keep before it can be saved or published.
    pub fn validate(&self) -> Vec<Problem> {
        let mut p = Vec::new();
        let mut bad = |place: String, message: String| p.push(Problem { place, message });
        if self.code.trim().is_empty() {
            bad("Mã".into(), "Chưa nhập mã bộ tiêu chí.".into());
        }
        if self.title.trim().is_empty() {
            bad("Tên".into(), "Chưa nhập tên bộ tiêu chí.".into());
        }
        if self.kinds.is_empty() {
            bad(
                "Loại buổi sinh hoạt".into(),
                "Chọn ít nhất một loại buổi sinh hoạt.".into(),
            );
        }
        for k in &self.kinds {
            match MeetingKind::parse(k) {
                Some(kind) if SCORED_KINDS.contains(&kind) => {}
                _ => bad(
                    "Loại buổi sinh hoạt".into(),
                    format!(
                        "“{k}” không phải loại buổi sinh hoạt được chấm điểm (regular, thematic, combined)."
                    ),
                ),
            }
        }
        if let Some(to) = self.effective_to
            && to < self.effective_from
        {
            bad(
                "Hiệu lực".into(),
                "Ngày hết hiệu lực trước ngày có hiệu lực.".into(),
            );
        }
        for (name, m) in [
            ("thường kỳ", self.minimum_minutes.regular),
            ("chuyên đề", self.minimum_minutes.thematic),
            ("kết hợp", self.minimum_minutes.combined),
        ] {
            if m == 0 || m > 600 {
                bad(
                    "Thời lượng tối thiểu".into(),
                    format!("Thời lượng tối thiểu của buổi {name} phải từ 1 đến 600 phút."),
                );
            }
        }
        if self.total <= Points(0) {
            bad("Tổng điểm".into(), "Tổng điểm phải lớn hơn 0.".into());
        }
        if self.groups.is_empty() {
            bad(
                "Nhóm tiêu chí".into(),
                "Bộ tiêu chí chưa có nhóm nào.".into(),
            );
        }
        let mut codes = HashSet::new();
        let mut group_codes = HashSet::new();
        let mut sum = Points(0);
        for (gi, g) in self.groups.iter().enumerate() {
            let gplace = format!("Nhóm {} “{}”", gi + 1, g.title);
            if !group_codes.insert(g.code.as_str()) || g.code.trim().is_empty() {
                bad(
                    gplace.clone(),
                    format!("Mã nhóm “{}” trống hoặc trùng.", g.code),
                );
            }
            if g.criteria.is_empty() {
                bad(gplace.clone(), "Nhóm chưa có tiêu chí nào.".into());
            }
            let mut gsum = Points(0);
            for c in &g.criteria {
                let place = format!("Tiêu chí “{}” ({})", c.title, c.code);
                if c.code.trim().is_empty() || !codes.insert(c.code.as_str()) {
                    bad(
                        place.clone(),
                        "Mã tiêu chí trống hoặc trùng với tiêu chí khác.".into(),
                    );
                }
                if c.title.trim().is_empty() {
                    bad(place.clone(), "Chưa nhập tên tiêu chí.".into());
                }
                if c.max <= Points(0) {
                    bad(place.clone(), "Điểm tối đa phải lớn hơn 0.".into());
                }
                gsum.0 += c.max.0;
                match &c.input {
                    Input::Check | Input::Number => {}
                    Input::Choice { options } => {
                        if options.len() < 2 {
                            bad(place.clone(), "Cần ít nhất hai mức để chọn.".into());
                        }
                        for o in options {
                            if o.points < Points(0) || o.points > c.max {
                                bad(
                                    place.clone(),
                                    format!(
                                        "Mức “{}” có {} điểm, ngoài khoảng 0–{}.",
                                        o.label, o.points, c.max
                                    ),
                                );
                            }
                        }
                        if !options.iter().any(|o| o.points == c.max) {
                            bad(
                                place.clone(),
                                format!("Không mức nào đạt điểm tối đa {}.", c.max),
                            );
                        }
                    }
                    Input::Computed { steps, .. } => {
                        if steps.is_empty() {
                            bad(place.clone(), "Chưa có mức tính điểm nào.".into());
                        }
                        for s in steps {
                            if s.points < Points(0) || s.points > c.max {
                                bad(
                                    place.clone(),
                                    format!(
                                        "Mức “{}” cho {} điểm, ngoài khoảng 0–{}.",
                                        s.when.label(),
                                        s.points,
                                        c.max
                                    ),
                                );
                            }
                            if let (Some(a), Some(b)) = (s.when.min, s.when.max)
                                && a > b
                            {
                                bad(
                                    place.clone(),
                                    format!("Mức “{}”: cận dưới lớn hơn cận trên.", s.when.label()),
                                );
                            }
                        }
                        if !steps.iter().any(|s| s.points == c.max) {
                            bad(
                                place.clone(),
                                format!("Không mức nào đạt điểm tối đa {}.", c.max),
                            );
                        }
                    }
                }
            }
            if gsum != g.max {
                bad(
                    gplace,
                    format!(
                        "Các tiêu chí cộng lại được {gsum} điểm, khác điểm tối đa của nhóm ({}).",
                        g.max
                    ),
                );
            }
            sum.0 += g.max.0;
        }
        if sum != self.total {
            bad(
                "Tổng điểm".into(),
                format!(
                    "Các nhóm cộng lại được {sum} điểm, khác tổng điểm {}.",
                    self.total
                ),
            );
        }
        // Bands: distinct thresholds from 0 up to the total, so every total has one class.
        let mut band_codes = HashSet::new();
        let mut mins = HashSet::new();
        if self.bands.len() < 2 {
            bad("Xếp loại".into(), "Cần ít nhất hai mức xếp loại.".into());
        }
        for b in &self.bands {
            let place = format!("Mức xếp loại “{}”", b.label);
            if b.code.trim().is_empty() || !band_codes.insert(b.code.as_str()) {
                bad(place.clone(), "Mã xếp loại trống hoặc trùng.".into());
            }
            if !mins.insert(b.min) {
                bad(
                    place.clone(),
                    format!(
                        "Ngưỡng {} trùng với mức khác: các mức xếp loại chồng lên nhau.",
                        b.min
                    ),
                );
            }
            if b.min < Points(0) || b.min > self.total {
                bad(
                    place,
                    format!("Ngưỡng {} nằm ngoài khoảng 0–{}.", b.min, self.total),
                );
            }
        }
        if !self.bands.is_empty() && !self.bands.iter().any(|b| b.min == Points(0)) {
            bad(
                "Xếp loại".into(),
                "Mức thấp nhất phải bắt đầu từ 0 điểm để mọi tổng điểm đều được xếp loại.".into(),
            );
        }
        for g in &self.gates {
            let place = format!("Điều kiện “{}”", g.label);
            if !band_codes.contains(g.cap.as_str()) {
                bad(
                    place.clone(),
                    format!("Mức xếp loại “{}” không có trong bộ tiêu chí.", g.cap),
                );
            }
            match &g.rule {
                GateRule::FullMarks { criteria } => {
                    if criteria.is_empty() {
                        bad(place.clone(), "Chưa nêu tiêu chí nào.".into());
                    }
                    for c in criteria {
                        if !codes.contains(c.as_str()) {
                            bad(
                                place.clone(),
                                format!("Tiêu chí “{c}” không có trong bộ tiêu chí."),
                            );
                        }
                    }
                }
                GateRule::Fact { when, .. } => {
                    if when.min.is_none() && when.max.is_none() {
                        bad(place, "Cần ít nhất một ngưỡng (min hoặc max).".into());
                    }
                }
            }
        }
        // A number claimed as read in a text names that text; an assumed one may say nothing
        // (it reads as "not confirmed", which is what an unsourced number is).
        let places = self
            .groups
            .iter()
            .flat_map(|g| {
                std::iter::once((format!("Nhóm “{}”", g.title), &g.provenance)).chain(
                    g.criteria.iter().map(|c| {
                        (
                            format!("Tiêu chí “{}” ({})", c.title, c.code),
                            &c.provenance,
                        )
                    }),
                )
            })
            .chain(
                self.bands
                    .iter()
                    .map(|b| (format!("Mức xếp loại “{}”", b.label), &b.provenance)),
            )
            .chain(
                self.gates
                    .iter()
                    .map(|g| (format!("Điều kiện “{}”", g.label), &g.provenance)),
            );
        for (place, prov) in places {
            if prov.confidence != Confidence::Assumed && prov.source.trim().is_empty() {
                bad(
                    place,
                    format!(
                        "Nguồn “{}” cần ghi rõ văn bản, điều khoản hoặc địa chỉ trích dẫn.",
                        prov.confidence.label()
                    ),
                );
            }
        }
        for a in &self.annual {
            let place = format!("Xếp loại năm “{}”", a.class);
            for c in [
                Some(&a.class),
                a.months_class.as_ref(),
                a.no_month_below.as_ref(),
            ]
            .into_iter()
            .flatten()
            {
                if !band_codes.contains(c.as_str()) {
                    bad(
                        place.clone(),
                        format!("Mức xếp loại “{c}” không có trong bộ tiêu chí."),
                    );
                }
            }
            if a.min_months.is_some() != a.months_class.is_some() {
                bad(
                    place,
                    "min_months và months_class phải đi cùng nhau.".into(),
                );
            }
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::rubric::tests::sample;

    fn problems(r: &Rubric) -> String {
        r.validate()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn points_that_do_not_add_up_are_named() {
        let mut r = sample();
        r.groups[1].criteria[1].max = Points(60);
        let p = problems(&r);
        assert!(
            p.contains("Các tiêu chí cộng lại được 14,5 điểm, khác điểm tối đa của nhóm (14)"),
            "{p}"
        );
        let mut r = sample();
        r.total = Points(250);
        assert!(problems(&r).contains("khác tổng điểm 25"));
    }

    #[test]
    fn overlapping_or_gapped_bands_are_refused() {
        let mut r = sample();
        r.bands[1].min = Points(180);
        assert!(problems(&r).contains("chồng lên nhau"));
        let mut r = sample();
        r.bands[3].min = Points(20);
        assert!(problems(&r).contains("bắt đầu từ 0 điểm"));
    }

    #[test]
    fn gates_must_name_existing_criteria_and_classes() {
        let mut r = sample();
        r.gates[0].rule = GateRule::FullMarks {
            criteria: vec!["khong_co".into()],
        };
        r.gates[1].cap = "xuat_sac".into();
        let p = problems(&r);
        assert!(
            p.contains("Tiêu chí “khong_co” không có trong bộ tiêu chí"),
            "{p}"
        );
        assert!(p.contains("Mức xếp loại “xuat_sac” không có"), "{p}");
    }

    #[test]
    fn an_official_or_secondary_number_names_its_source() {
        let mut r = sample();
        r.groups[0].criteria[0].provenance.source = "  ".into();
        r.bands[0].provenance.confidence = Confidence::Secondary;
        r.bands[0].provenance.source = String::new();
        let p = problems(&r);
        assert!(
            p.contains("Tiêu chí “Tỷ lệ dự” (ty_le): Nguồn “Văn bản chính thức” cần ghi rõ"),
            "{p}"
        );
        assert!(
            p.contains("Mức xếp loại “Tốt”: Nguồn “Nguồn thứ cấp” cần ghi rõ"),
            "{p}"
        );
        assert_eq!(r.validate().len(), 2, "{p}");
    }

    #[test]
    fn steps_and_choices_stay_within_the_criterion() {
        let mut r = sample();
        if let Input::Choice { options } = &mut r.groups[1].criteria[3].input {
            options[0].points = Points(40);
        }
        let p = problems(&r);
        assert!(p.contains("ngoài khoảng 0–3"), "{p}");
        assert!(p.contains("Không mức nào đạt điểm tối đa 3"), "{p}");
    }
}

#[cfg(test)]
mod shipped {
    use crate::evaluation::rubric::{Points, Rubric, Sheet};

    /// HT-17's sheet as migration 016 writes it (before the provenance is stamped on).
    fn ht17() -> Rubric {
        let sql = include_str!("../../../migrations/20261202000016_ht17.sql");
        let json = sql
            .split("$json$")
            .nth(1)
            .expect("the migration holds HT-17's sheet between $json$ marks");
        let sheet: Sheet = serde_json::from_str(json).expect("HT-17's sheet parses");
        let mut r = super::super::tests::sample();
        r.code = "HT-17".into();
        r.total = sheet.total;
        r.minimum_minutes = sheet.minimum_minutes;
        r.groups = sheet.groups;
        r.bands = sheet.bands;
        r.gates = sheet.gates;
        r.annual = sheet.annual;
        r
    }

    #[test]
    fn ht17_criteria_add_up_to_each_group_and_the_groups_to_100() {
        let r = ht17();
        let weights: Vec<i32> = r.groups.iter().map(|g| g.max.0 / 10).collect();
        assert_eq!(
            weights,
            [15, 5, 5, 45, 15, 10, 5],
            "17-QĐ/TU's seven groups"
        );
        for g in &r.groups {
            let sum: i32 = g.criteria.iter().map(|c| c.max.0).sum();
            assert_eq!(Points(sum), g.max, "{}", g.title);
        }
        assert_eq!(r.total, Points(1000));
        assert_eq!(r.validate(), vec![]);
        let bands: Vec<(&str, i32)> = r
            .bands
            .iter()
            .map(|b| (b.code.as_str(), b.min.0 / 10))
            .collect();
        assert_eq!(
            bands,
            [("tot", 90), ("kha", 70), ("trung_binh", 50), ("kem", 0)]
        );
    }
}
