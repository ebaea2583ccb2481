//! The rubric's document types: points, the figures computed from the record, criteria and
//! their groups, bands, gates, the annual levels; and what a rubric answers about itself.

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
    /// Expected members present who spoke ÷ expected members present, in percent: attached
    /// members and exempt members who came are guests of the count, not its base.
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

/// How far a number of the rubric is confirmed (docs/rules.md §2.2): read in the official
/// text, taken from a secondary source (a summary, another body's implementation), or
/// assumed by whoever wrote the rubric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    Official,
    Secondary,
    /// Also what a document written before provenance existed reads as: a number nobody
    /// vouched for is not confirmed.
    #[default]
    Assumed,
}

impl Confidence {
    pub const ALL: [Confidence; 3] = [
        Confidence::Official,
        Confidence::Secondary,
        Confidence::Assumed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Official => "official",
            Confidence::Secondary => "secondary",
            Confidence::Assumed => "assumed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Confidence::Official => "Văn bản chính thức",
            Confidence::Secondary => "Nguồn thứ cấp",
            Confidence::Assumed => "Giả định, cần đối chiếu",
        }
    }
}

/// What a rubric with any assumed number says at the top of its pages and its sheet.
pub const ASSUMED_LINE: &str = "Một số mức điểm là giả định, cần đối chiếu với văn bản gốc.";

/// The marker of a number that is not official: its footnote and its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    pub number: usize,
    pub title: String,
}

/// Where a number (a group's weight, a criterion's points and steps, a band's threshold, a
/// gate) comes from: its confidence and the citation (document and article, URL, or
/// "common elsewhere: …").
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Provenance {
    #[serde(default)]
    pub confidence: Confidence,
    #[serde(default)]
    pub source: String,
}

impl Provenance {
    pub fn is_official(&self) -> bool {
        self.confidence == Confidence::Official
    }

    /// "Nguồn thứ cấp: …", for a marker's title or a footnote.
    pub fn label(&self) -> String {
        if self.source.trim().is_empty() {
            format!("{} (chưa ghi nguồn)", self.confidence.label())
        } else {
            format!("{}: {}", self.confidence.label(), self.source.trim())
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
    #[serde(default)]
    pub provenance: Provenance,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub code: String,
    pub title: String,
    pub max: Points,
    #[serde(default)]
    pub provenance: Provenance,
    pub criteria: Vec<Criterion>,
}

/// A class and the lowest total that reaches it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Band {
    pub code: String,
    pub label: String,
    pub min: Points,
    #[serde(default)]
    pub provenance: Provenance,
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
    #[serde(default)]
    pub provenance: Provenance,
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

    /// Every provenance of the rubric, in the order a reader meets them: groups with their
    /// criteria, then bands, then gates.
    pub fn provenances(&self) -> impl Iterator<Item = &Provenance> {
        self.groups
            .iter()
            .flat_map(|g| {
                std::iter::once(&g.provenance).chain(g.criteria.iter().map(|c| &c.provenance))
            })
            .chain(self.bands.iter().map(|b| &b.provenance))
            .chain(self.gates.iter().map(|g| &g.provenance))
    }

    /// Some number is assumed: the sheet and the form say so in one line at the top.
    pub fn has_assumed(&self) -> bool {
        self.provenances()
            .any(|p| p.confidence == Confidence::Assumed)
    }

    /// The line at the top of the form, the rubric page and the printed sheet.
    pub fn assumed_line(&self) -> Option<&'static str> {
        self.has_assumed().then_some(ASSUMED_LINE)
    }

    /// The distinct sources of the numbers that are not official, numbered from 1 in the
    /// order a reader meets them: the footnotes of the printed sheet and the form.
    pub fn footnotes(&self) -> Vec<Provenance> {
        let mut out: Vec<Provenance> = Vec::new();
        for p in self.provenances().filter(|p| !p.is_official()) {
            if !out.contains(p) {
                out.push(p.clone());
            }
        }
        out
    }

    /// The footnote number (1-based) of a provenance; none for an official number.
    pub fn footnote(&self, p: &Provenance) -> Option<usize> {
        if p.is_official() {
            return None;
        }
        self.footnotes().iter().position(|f| f == p).map(|i| i + 1)
    }

    /// The marker shown beside a number that is not official: its footnote number and the
    /// source for the marker's title.
    pub fn marker(&self, p: &Provenance) -> Option<Marker> {
        self.footnote(p).map(|number| Marker {
            number,
            title: p.label(),
        })
    }

    pub fn kinds_label(&self) -> String {
        self.kinds
            .iter()
            .filter_map(|k| MeetingKind::parse(k))
            .map(MeetingKind::label)
            .collect::<Vec<_>>()
            .join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn footnotes_number_the_distinct_sources_that_are_not_official() {
        let mut r = crate::evaluation::rubric::tests::sample();
        // The sample: group a secondary, ty_le official, band tốt assumed, gate 0 secondary;
        // the rest have no provenance (assumed, no source).
        let notes = r.footnotes();
        assert_eq!(notes[0].source, "Một bản tóm tắt (thử)");
        assert_eq!(r.footnote(&r.groups[0].criteria[0].provenance), None);
        assert_eq!(r.footnote(&r.groups[0].provenance), Some(1));
        assert_eq!(r.footnote(&r.groups[0].criteria[1].provenance), Some(2));
        assert_eq!(
            r.footnote(&r.groups[1].provenance),
            Some(2),
            "same source, same note"
        );
        assert_eq!(notes.len(), 4);
        assert!(r.has_assumed());
        let official = Provenance {
            confidence: Confidence::Official,
            source: "Văn bản".into(),
        };
        for g in &mut r.groups {
            g.provenance = official.clone();
            for c in &mut g.criteria {
                c.provenance = official.clone();
            }
        }
        for b in &mut r.bands {
            b.provenance = official.clone();
        }
        for g in &mut r.gates {
            g.provenance = official.clone();
        }
        assert!(!r.has_assumed());
        assert!(r.footnotes().is_empty());
    }
}
