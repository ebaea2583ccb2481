//! The figures of a meeting: what its record says, and what a rubric reads from it.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::evaluation::rubric::{Rubric, Source};
use crate::meetings::domain::MeetingKind;
use crate::rate::Rate;

/// The computed figures of one meeting; a figure the record cannot give is absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Facts(pub HashMap<Source, f64>);

impl Facts {
    pub fn get(&self, s: Source) -> Option<f64> {
        self.0.get(&s).copied()
    }

    pub fn set(&mut self, s: Source, v: Option<f64>) {
        match v {
            Some(v) => {
                self.0.insert(s, v);
            }
            None => {
                self.0.remove(&s);
            }
        }
    }
}

/// What the meeting record says, before a rubric turns it into figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    pub kind: MeetingKind,
    pub closed: bool,
    pub day: Option<NaiveDate>,
    pub base: i64,
    pub present: i64,
    pub unexcused: i64,
    /// Expected members present who spoke (the speaking share is over `present`, the
    /// attendance base's attendees: docs/rules.md §2.3).
    pub spoke: i64,
    pub minutes: Option<f64>,
    pub committee_met_on: Option<NaiveDate>,
    pub notice_sent_on: Option<NaiveDate>,
    pub materials_posted_on: Option<NaiveDate>,
    pub draft_resolution_on: Option<NaiveDate>,
    pub completion: Option<f64>,
    pub excused_streak: i64,
    pub resolution_passed: bool,
}

/// The figures a rubric reads from a meeting record (docs/rules.md §9.2). Steps not taken count
/// as −1 day ("not posted"), so that a rule "at least 1 day before" fails without asking.
pub fn facts(r: &Rubric, rec: &Record) -> Facts {
    // Rates as the pages show them (one decimal), so that a meeting shown at 90,0% meets a
    // rule "từ 90%".
    let pct = |a: i64, b: i64| Rate::of(a, b).map(Rate::percent);
    let flag = |b: bool| Some(if b { 1.0 } else { 0.0 });
    let days_before = |d: Option<NaiveDate>| match (d, rec.day) {
        (Some(d), Some(day)) => Some((day - d).num_days() as f64),
        (None, Some(_)) => Some(-1.0),
        _ => None,
    };
    let minimum = r.minimum_minutes.for_kind(rec.kind);
    let mut f = Facts::default();
    f.set(Source::AttendanceRate, pct(rec.present, rec.base));
    f.set(Source::UnexcusedAbsences, Some(rec.unexcused as f64));
    f.set(Source::ExcusedStreak, Some(rec.excused_streak as f64));
    f.set(Source::DurationMinutes, rec.minutes.map(f64::round));
    f.set(
        Source::DurationPercent,
        rec.minutes
            .map(|m| (100.0 * m.round() / f64::from(minimum.max(1)) * 10.0).round() / 10.0),
    );
    f.set(Source::SpeakingShare, pct(rec.spoke, rec.present));
    f.set(
        Source::TaskCompletion,
        rec.completion
            .and_then(|c| Rate::of_fraction(c / 100.0))
            .map(Rate::percent),
    );
    f.set(
        Source::MaterialsDaysBefore,
        days_before(rec.materials_posted_on),
    );
    f.set(Source::NoticeDaysBefore, days_before(rec.notice_sent_on));
    f.set(
        Source::CommitteeMetBefore,
        flag(matches!((rec.committee_met_on, rec.day), (Some(c), Some(d)) if c <= d)),
    );
    f.set(
        Source::DraftResolution,
        flag(rec.draft_resolution_on.is_some()),
    );
    f.set(Source::ResolutionPassed, flag(rec.resolution_passed));
    f.set(Source::MinutesClosed, flag(rec.closed));
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::rubric::tests::sample;

    #[test]
    fn figures_come_from_the_record_with_the_rubric_s_minimum() {
        let r = sample();
        let day = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        let rec = Record {
            kind: MeetingKind::Combined,
            closed: false,
            day: Some(day),
            base: 20,
            present: 17,
            unexcused: 1,
            spoke: 9,
            minutes: Some(90.0),
            committee_met_on: day.pred_opt(),
            notice_sent_on: None,
            materials_posted_on: Some(day - chrono::Days::new(2)),
            draft_resolution_on: None,
            completion: None,
            excused_streak: 4,
            resolution_passed: true,
        };
        let f = facts(&r, &rec);
        assert_eq!(f.get(Source::AttendanceRate), Some(85.0));
        assert_eq!(f.get(Source::UnexcusedAbsences), Some(1.0));
        assert_eq!(f.get(Source::ExcusedStreak), Some(4.0));
        // A combined session's minimum is 120 minutes in this rubric: 90 is 75 %.
        assert_eq!(f.get(Source::DurationPercent), Some(75.0));
        // 9 of the 17 expected members present.
        assert_eq!(f.get(Source::SpeakingShare), Some(52.9));
        assert_eq!(f.get(Source::TaskCompletion), None, "no task was reviewed");
        assert_eq!(f.get(Source::MaterialsDaysBefore), Some(2.0));
        assert_eq!(f.get(Source::NoticeDaysBefore), Some(-1.0), "never sent");
        assert_eq!(f.get(Source::CommitteeMetBefore), Some(1.0));
        assert_eq!(f.get(Source::DraftResolution), Some(0.0));
        assert_eq!(f.get(Source::ResolutionPassed), Some(1.0));
        assert_eq!(f.get(Source::MinutesClosed), Some(0.0));
        let nobody = facts(&r, &Record::default());
        assert_eq!(nobody.get(Source::AttendanceRate), None, "nobody expected");
        assert_eq!(
            nobody.get(Source::DurationMinutes),
            None,
            "times not recorded"
        );
    }
}
