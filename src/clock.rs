//! The application clock: the only source of "now" and "today" for rules, pages and records.
//!
//! Production runs on the system time. A demo (`CHIBO_TODAY`) or a test pins the date: the
//! clock then starts at 09:00 (Vietnam) of that day and runs on from there, so that records
//! written one after another keep their order while the day stays the pinned one for the
//! length of any test run. Sessions and login lock-outs are not domain time: they run on the
//! real time (tower-sessions and SQL `now()`), since they guard against real attackers.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;

/// Vietnam's time zone: every "today" and every shown time is in it, whatever the server's.
pub const ZONE: chrono_tz::Tz = Ho_Chi_Minh;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Clock {
    /// Added to the system time: zero in production.
    offset: TimeDelta,
}

impl Clock {
    /// The system time.
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock whose day is `date`: it reads 09:00 of that day now and runs on from there.
    pub fn starting_on(date: NaiveDate) -> Self {
        let start = date
            .and_time(NaiveTime::from_hms_opt(9, 0, 0).expect("09:00"))
            .and_local_timezone(ZONE)
            .single()
            .expect("Vietnam has no daylight saving time")
            .with_timezone(&Utc);
        Self {
            offset: start - system_now(),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        system_now() + self.offset
    }

    /// Today in Vietnam.
    pub fn today(&self) -> NaiveDate {
        self.now().with_timezone(&ZONE).date_naive()
    }

    /// The first day of this month in Vietnam.
    pub fn this_month(&self) -> NaiveDate {
        let today = self.today();
        today.with_day(1).unwrap_or(today)
    }
}

/// The real time, whatever the application clock says: for session expiry and login
/// lock-outs only, which guard against real attackers and are kept by SQL `now()` too.
pub fn wall_now() -> DateTime<Utc> {
    system_now()
}

// The one reading of the system clock in src/ (clippy.toml forbids it elsewhere).
#[allow(clippy::disallowed_methods)]
fn system_now() -> DateTime<Utc> {
    Utc::now()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_pinned_clock_reads_its_day_and_runs_on() {
        for date in [
            d(2027, 1, 1),
            d(2027, 3, 31),
            d(2028, 2, 29),
            d(2026, 12, 1),
        ] {
            let clock = Clock::starting_on(date);
            assert_eq!(clock.today(), date);
            assert_eq!(clock.this_month(), date.with_day(1).unwrap());
            let a = clock.now();
            let b = clock.now();
            assert!(b >= a, "time does not run backwards");
        }
    }

    #[test]
    fn the_system_clock_is_vietnam_time() {
        let clock = Clock::system();
        let vn = system_now().with_timezone(&ZONE).date_naive();
        // Either side of midnight while the test runs: one day apart at most.
        assert!((clock.today() - vn).num_days().abs() <= 1);
    }
}
