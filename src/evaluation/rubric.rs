//! A scoring rubric as data (docs/rules.md §2.3, §9.1): groups of criteria with their points,
//! how each value is obtained, classification bands, gates that cap the class and the rule
//! of the annual roll-up. The same shape is stored in the database, edited by
//! administrators and exchanged as a JSON or TOML file. No point value lives in Rust code:
//! the shipped rubrics are rows written by a migration.

use std::collections::HashSet;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::meetings::domain::MeetingKind;

/// Points in tenths, so that sums are exact (sheets use halves and whole points).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Points(pub i32);

impl Points {
    pub fn from_f64(v: f64) -> Option<Self> {
        let tenths = (v * 10.0).round();
        ((v * 10.0 - tenths).abs() < 1e-6 && v.is_finite() && tenths.abs() < 1e7)
            .then_some(Points(tenths as i32))
    }

    pub fn as_f64(self) -> f64 {
        f64::from(self.0) / 10.0
    }
}

impl fmt::Display for Points {
    /// "7", "7,5" (Vietnamese decimal comma).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let (whole, tenth) = (self.0.abs() / 10, self.0.abs() % 10);
        if tenth == 0 {
            write!(f, "{sign}{whole}")
        } else {
            write!(f, "{sign}{whole},{tenth}")
        }
    }
}

impl Serialize for Points {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 % 10 == 0 {
            s.serialize_i64(i64::from(self.0 / 10))
        } else {
            s.serialize_f64(self.as_f64())
        }
    }
}

impl<'de> Deserialize<'de> for Points {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        Points::from_f64(v).ok_or_else(|| {
            serde::de::Error::custom(format!("{v}: điểm chỉ lấy đến một chữ số thập phân"))
        })
    }
}

/// A figure the server computes from the meeting record (docs/rules.md §9.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Present (late included) ÷ members expected, in percent.
    AttendanceRate,
    /// Expected members absent without reason.
    UnexcusedAbsences,
    /// The longest run, among members, of absences with reason at consecutive regular
    /// meetings of the calendar year ending at this meeting.
    ExcusedStreak,
    DurationMinutes,
    /// Duration ÷ the rubric's minimum for the meeting's kind, in percent.
    DurationPercent,
    /// Attendees who spoke ÷ attendees, in percent.
    SpeakingShare,
    /// Share of the previous regular meeting's tasks carried out (partly = half), in percent.
    TaskCompletion,
    /// Days between posting the materials and the meeting.
    MaterialsDaysBefore,
    /// Days between sending the notice and the meeting.
    NoticeDaysBefore,
    /// 1 when the chi ủy (or the bí thư and deputy) met before the meeting, else 0.
    CommitteeMetBefore,
    /// 1 when a draft resolution was prepared, else 0.
    DraftResolution,
    /// 1 when a recorded vote passed, else 0.
    ResolutionPassed,
    /// 1 when the minutes are closed (complete and locked), else 0.
    MinutesClosed,
}

pub const ALL_SOURCES: [Source; 13] = [
    Source::AttendanceRate,
    Source::UnexcusedAbsences,
    Source::ExcusedStreak,
    Source::DurationMinutes,
    Source::DurationPercent,
    Source::SpeakingShare,
    Source::TaskCompletion,
    Source::MaterialsDaysBefore,
    Source::NoticeDaysBefore,
    Source::CommitteeMetBefore,
    Source::DraftResolution,
    Source::ResolutionPassed,
    Source::MinutesClosed,
];

impl Source {
    pub fn label(self) -> &'static str {
        match self {
            Source::AttendanceRate => "Tỷ lệ đảng viên dự (%)",
            Source::UnexcusedAbsences => "Số đảng viên vắng không lý do",
            Source::ExcusedStreak => "Số lần vắng có lý do liên tiếp nhiều nhất trong năm",
            Source::DurationMinutes => "Thời lượng (phút)",
            Source::DurationPercent => "Thời lượng so với mức tối thiểu (%)",
            Source::SpeakingShare => "Tỷ lệ đảng viên phát biểu (%)",
            Source::TaskCompletion => "Tỷ lệ hoàn thành nhiệm vụ kỳ trước (%)",
            Source::MaterialsDaysBefore => "Số ngày đăng tài liệu trước buổi sinh hoạt",
            Source::NoticeDaysBefore => "Số ngày thông báo trước buổi sinh hoạt",
            Source::CommitteeMetBefore => "Chi ủy họp trước",
            Source::DraftResolution => "Có dự thảo nghị quyết",
            Source::ResolutionPassed => "Nghị quyết được biểu quyết thông qua",
            Source::MinutesClosed => "Biên bản đã hoàn chỉnh và khóa",
        }
    }

    /// A yes/no figure: 1 when the step was done, else 0.
    pub fn is_flag(self) -> bool {
        matches!(
            self,
            Source::CommitteeMetBefore
                | Source::DraftResolution
                | Source::ResolutionPassed
                | Source::MinutesClosed
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Source::AttendanceRate => "attendance_rate",
            Source::UnexcusedAbsences => "unexcused_absences",
            Source::ExcusedStreak => "excused_streak",
            Source::DurationMinutes => "duration_minutes",
            Source::DurationPercent => "duration_percent",
            Source::SpeakingShare => "speaking_share",
            Source::TaskCompletion => "task_completion",
            Source::MaterialsDaysBefore => "materials_days_before",
            Source::NoticeDaysBefore => "notice_days_before",
            Source::CommitteeMetBefore => "committee_met_before",
            Source::DraftResolution => "draft_resolution",
            Source::ResolutionPassed => "resolution_passed",
            Source::MinutesClosed => "minutes_closed",
        }
    }
}

/// A range of a computed value; either end may be open. Both ends are inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Range {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
}

impl Range {
    pub fn contains(&self, v: f64) -> bool {
        self.min.is_none_or(|m| v >= m) && self.max.is_none_or(|m| v <= m)
    }

    /// "≥ 90", "≤ 3", "từ 40 đến 50", "mọi giá trị".
    pub fn label(&self) -> String {
        let n = |v: f64| {
            let s = format!("{v}");
            s.replace('.', ",")
        };
        match (self.min, self.max) {
            (Some(a), Some(b)) => format!("từ {} đến {}", n(a), n(b)),
            (Some(a), None) => format!("≥ {}", n(a)),
            (None, Some(b)) => format!("≤ {}", n(b)),
            (None, None) => "mọi giá trị".into(),
        }
    }
}

/// One step of a computed criterion: a value in `when` earns `points`. Steps are tried in
/// order; the first that holds wins; none holding earns nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    #[serde(flatten)]
    pub when: Range,
    pub points: Points,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub label: String,
    pub points: Points,
}

/// How a criterion's value is obtained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Input {
    /// Ticked by the scorer: full points or none.
    Check,
    /// Points entered as a number from 0 to the criterion's maximum.
    Number,
    /// One of the listed levels.
    Choice { options: Vec<Choice> },
    /// From the meeting record, through the steps.
    Computed { source: Source, steps: Vec<Step> },
}

impl Input {
    pub fn label(&self) -> &'static str {
        match self {
            Input::Check => "Đánh dấu",
            Input::Number => "Nhập điểm",
            Input::Choice { .. } => "Chọn mức",
            Input::Computed { .. } => "Tính từ biên bản",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    pub code: String,
    pub title: String,
    pub max: Points,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guidance: Option<String>,
    pub input: Input,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub code: String,
    pub title: String,
    pub max: Points,
    pub criteria: Vec<Criterion>,
}

/// A class and the lowest total that reaches it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Band {
    pub code: String,
    pub label: String,
    pub min: Points,
}

/// What makes a gate close.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum GateRule {
    /// Any listed criterion below its maximum.
    FullMarks { criteria: Vec<String> },
    /// A computed value inside the range.
    Fact {
        source: Source,
        #[serde(flatten)]
        when: Range,
    },
}

/// A condition that caps the class at `cap` whatever the total.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gate {
    pub label: String,
    pub cap: String,
    #[serde(flatten)]
    pub rule: GateRule,
}

/// One level of the annual roll-up of a branch (docs/rules.md §2.3 b): every condition given
/// must hold. Levels are tried in order; the last band's class is the fallback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnnualLevel {
    pub class: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_average: Option<Points>,
    /// At least this many months rated `months_class`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_months: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months_class: Option<String>,
    /// No month rated below this class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_month_below: Option<String>,
    #[serde(default)]
    pub every_month_held: bool,
    #[serde(default)]
    pub thematic_every_quarter: bool,
}

/// Minimum durations by meeting kind, in minutes (HD 42: 90; 120 for a combined session).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Durations {
    pub regular: u32,
    pub thematic: u32,
    pub combined: u32,
}

impl Durations {
    pub fn for_kind(&self, kind: MeetingKind) -> u32 {
        match kind {
            MeetingKind::Combined => self.combined,
            MeetingKind::Thematic => self.thematic,
            _ => self.regular,
        }
    }
}

/// The whole rubric: what a file holds and what the database stores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rubric {
    pub code: String,
    pub title: String,
    pub legal_basis: String,
    pub issuer: String,
    /// Where the values come from and how far they are confirmed.
    pub description: String,
    pub kinds: Vec<String>,
    pub effective_from: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_to: Option<NaiveDate>,
    pub total: Points,
    pub minimum_minutes: Durations,
    pub groups: Vec<Group>,
    pub bands: Vec<Band>,
    #[serde(default)]
    pub gates: Vec<Gate>,
    #[serde(default)]
    pub annual: Vec<AnnualLevel>,
}

/// The parts of a rubric stored as one JSON column (the rest are columns of their own).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sheet {
    pub total: Points,
    pub minimum_minutes: Durations,
    pub groups: Vec<Group>,
    pub bands: Vec<Band>,
    #[serde(default)]
    pub gates: Vec<Gate>,
    #[serde(default)]
    pub annual: Vec<AnnualLevel>,
}

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

pub const SCORED_KINDS: [MeetingKind; 3] = [
    MeetingKind::Regular,
    MeetingKind::Thematic,
    MeetingKind::Combined,
];

impl Rubric {
    pub fn sheet(&self) -> Sheet {
        Sheet {
            total: self.total,
            minimum_minutes: self.minimum_minutes.clone(),
            groups: self.groups.clone(),
            bands: self.bands.clone(),
            gates: self.gates.clone(),
            annual: self.annual.clone(),
        }
    }

    pub fn criteria(&self) -> impl Iterator<Item = &Criterion> {
        self.groups.iter().flat_map(|g| g.criteria.iter())
    }

    pub fn criterion(&self, code: &str) -> Option<&Criterion> {
        self.criteria().find(|c| c.code == code)
    }

    /// Bands from the highest to the lowest.
    pub fn bands_desc(&self) -> Vec<&Band> {
        let mut b: Vec<&Band> = self.bands.iter().collect();
        b.sort_by_key(|x| std::cmp::Reverse(x.min));
        b
    }

    /// Position of a class from the top (0 = best); none for an unknown code.
    pub fn rank(&self, class: &str) -> Option<usize> {
        self.bands_desc().iter().position(|b| b.code == class)
    }

    pub fn band_label(&self, class: &str) -> String {
        self.bands
            .iter()
            .find(|b| b.code == class)
            .map(|b| b.label.clone())
            .unwrap_or_else(|| class.to_owned())
    }

    pub fn applies_to(&self, kind: MeetingKind) -> bool {
        self.kinds
            .iter()
            .any(|k| MeetingKind::parse(k) == Some(kind))
    }

    pub fn kinds_label(&self) -> String {
        self.kinds
            .iter()
            .filter_map(|k| MeetingKind::parse(k))
            .map(MeetingKind::label)
            .collect::<Vec<_>>()
            .join("; ")
    }

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

    /// Reads a rubric file: JSON when it starts with `{`, TOML otherwise.
    pub fn parse_file(text: &str) -> Result<Self, String> {
        let t = text.trim_start_matches('\u{feff}').trim();
        if t.is_empty() {
            return Err("Tệp trống.".into());
        }
        if t.starts_with('{') {
            serde_json::from_str(t).map_err(|e| format!("Tệp JSON không đúng mẫu: {e}"))
        } else {
            toml::from_str(t).map_err(|e| format!("Tệp TOML không đúng mẫu: {e}"))
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a rubric serialises")
    }

    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("a rubric serialises")
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A small rubric used by the tests of this module and of scoring: 20 points.
    pub fn sample() -> Rubric {
        Rubric::parse_file(
            r#"
code = "MAU"
title = "Mẫu"
legal_basis = "Thử"
issuer = "Thử"
description = "Dùng trong kiểm thử"
kinds = ["regular", "combined"]
effective_from = "2025-01-01"
total = 20
minimum_minutes = { regular = 90, thematic = 90, combined = 120 }

[[groups]]
code = "a"
title = "Tỷ lệ dự"
max = 6
[[groups.criteria]]
code = "ty_le"
title = "Tỷ lệ dự"
max = 4
input = { type = "computed", source = "attendance_rate", steps = [
  { min = 90, points = 4 }, { min = 75, points = 3 }, { min = 0, points = 1 } ] }
[[groups.criteria]]
code = "khong_vang"
title = "Không vắng không lý do"
max = 2
input = { type = "computed", source = "unexcused_absences", steps = [ { max = 0, points = 2 } ] }

[[groups]]
code = "b"
title = "Tổ chức"
max = 14
[[groups.criteria]]
code = "thoi_luong"
title = "Thời lượng"
max = 4
input = { type = "computed", source = "duration_percent", steps = [
  { min = 100, points = 4 }, { min = 50, points = 2 } ] }
[[groups.criteria]]
code = "noi_dung"
title = "Nội dung"
max = 5.5
input = { type = "number" }
[[groups.criteria]]
code = "phe_binh"
title = "Phê bình"
max = 1.5
input = { type = "check" }
[[groups.criteria]]
code = "quy_trinh"
title = "Quy trình"
max = 3
input = { type = "choice", options = [ { label = "Đủ", points = 3 }, { label = "Thiếu", points = 1 } ] }

[[bands]]
code = "tot"
label = "Tốt"
min = 18
[[bands]]
code = "kha"
label = "Khá"
min = 14
[[bands]]
code = "tb"
label = "Trung bình"
min = 10
[[bands]]
code = "kem"
label = "Kém"
min = 0

[[gates]]
label = "Tốt cần đủ điểm tỷ lệ dự và thời lượng"
cap = "kha"
type = "full_marks"
criteria = ["ty_le", "thoi_luong"]

[[gates]]
label = "Có đảng viên vắng không lý do"
cap = "kha"
type = "fact"
source = "unexcused_absences"
min = 1

[[gates]]
label = "Tỷ lệ dự không quá 50%"
cap = "tb"
type = "fact"
source = "attendance_rate"
max = 50

[[annual]]
class = "tot"
min_average = 18
min_months = 10
months_class = "tot"
no_month_below = "kha"
every_month_held = true
thematic_every_quarter = true
[[annual]]
class = "kha"
min_average = 14
[[annual]]
class = "tb"
min_average = 10
"#,
        )
        .expect("the sample parses")
    }

    #[test]
    fn the_sample_is_valid_and_round_trips_through_both_formats() {
        let r = sample();
        assert_eq!(r.validate(), vec![]);
        assert_eq!(Rubric::parse_file(&r.to_json()).unwrap(), r);
        assert_eq!(Rubric::parse_file(&r.to_toml()).unwrap(), r);
    }

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
    fn steps_and_choices_stay_within_the_criterion() {
        let mut r = sample();
        if let Input::Choice { options } = &mut r.groups[1].criteria[3].input {
            options[0].points = Points(40);
        }
        let p = problems(&r);
        assert!(p.contains("ngoài khoảng 0–3"), "{p}");
        assert!(p.contains("Không mức nào đạt điểm tối đa 3"), "{p}");
    }

    #[test]
    fn points_keep_one_decimal_and_print_with_a_comma() {
        assert_eq!(Points::from_f64(7.5), Some(Points(75)));
        assert_eq!(Points::from_f64(7.25), None);
        assert_eq!(Points(75).to_string(), "7,5");
        assert_eq!(Points(90).to_string(), "9");
        assert!(Rubric::parse_file("total = 1.25").is_err());
        assert!(Rubric::parse_file("").unwrap_err().contains("trống"));
        assert!(
            Rubric::parse_file("{ \"code\": 1 }")
                .unwrap_err()
                .contains("JSON")
        );
    }
}
