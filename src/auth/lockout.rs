//! The lock-out rule, pure: when wrong passwords lock a (user name, client address) pair
//! out, and for how long. The store keeps the count (`login_failures`) and applies it.
//!
//! - Every attempt is counted *before* its password is checked, under the pair's row
//!   lock: however many attempts arrive at once, no more than [`MAX_FAILURES`] passwords
//!   are ever checked before the lock holds.
//! - The [`MAX_FAILURES`]th attempt in a row locks the pair for [`FIRST_LOCK_MINUTES`]; each
//!   attempt after a lock ran out (one per lock) doubles it, up to [`LONGEST_LOCK_HOURS`]. A
//!   right password clears the pair; a pair whose last failure is [`FORGET_AFTER_HOURS`] old
//!   starts again from nothing.
//! - The pair, not the account: an attacker's address locks itself out of a name, never
//!   the name's owner signing in from another address. Sign-ins and the change-password
//!   page's current password count alike.

use chrono::{DateTime, Duration, Utc};

/// Wrong passwords in a row, from one address for one name, before the pair is locked.
pub const MAX_FAILURES: i32 = 5;
/// The first lock; each further one doubles.
pub const FIRST_LOCK_MINUTES: i64 = 15;
/// No lock lasts longer than this.
pub const LONGEST_LOCK_HOURS: i64 = 24;
/// A pair with no failure for this long is forgotten.
pub const FORGET_AFTER_HOURS: i64 = 24;

/// What is stored for one (name, address) pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Failures {
    pub count: i32,
    pub locked_until: Option<DateTime<Utc>>,
    pub last_failed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Locked: the password is not to be trusted, even a right one.
    Locked { until: DateTime<Utc> },
    /// The password may be checked; `next` is the pair as it must be stored first (this
    /// attempt counted, as if it were wrong: a right one clears the pair afterwards).
    Checked { next: Failures },
}

/// How long the pair is locked after `count` attempts in a row; `None`: not locked.
pub fn lock_for(count: i32) -> Option<Duration> {
    if count < MAX_FAILURES {
        return None;
    }
    let doublings = (count - MAX_FAILURES).min(16) as u32;
    let minutes = FIRST_LOCK_MINUTES.saturating_mul(1_i64 << doublings);
    Some(Duration::minutes(minutes.min(LONGEST_LOCK_HOURS * 60)))
}

/// Decides one attempt of the pair in state `current` at `now`.
pub fn admit(current: Failures, now: DateTime<Utc>) -> Admission {
    if let Some(until) = current.locked_until.filter(|u| *u > now) {
        return Admission::Locked { until };
    }
    let forgotten = current
        .last_failed_at
        .is_none_or(|t| now - t >= Duration::hours(FORGET_AFTER_HOURS));
    let count = if forgotten { 1 } else { current.count + 1 };
    Admission::Checked {
        next: Failures {
            count,
            locked_until: lock_for(count).map(|d| now + d),
            last_failed_at: Some(now),
        },
    }
}

/// Whole minutes left until `until` (rounded up, at least 1), as a page says them.
pub fn minutes_left(until: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    let secs = (until - now).num_seconds().max(1);
    (secs + 59) / 60
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap() + Duration::minutes(minutes)
    }

    fn run(mut state: Failures, attempts: i32, now: DateTime<Utc>) -> Failures {
        for _ in 0..attempts {
            match admit(state, now) {
                Admission::Checked { next } => state = next,
                Admission::Locked { .. } => {}
            }
        }
        state
    }

    #[test]
    fn the_fifth_attempt_in_a_row_locks_for_a_quarter_of_an_hour() {
        let four = run(Failures::default(), 4, at(0));
        assert_eq!(four.count, 4);
        assert_eq!(four.locked_until, None);
        let Admission::Checked { next } = admit(four, at(0)) else {
            panic!("the fifth password is still checked");
        };
        assert_eq!(next.count, 5);
        assert_eq!(next.locked_until, Some(at(15)));
        // Locked: not counted, not checked, until the lock runs out.
        assert_eq!(admit(next, at(14)), Admission::Locked { until: at(15) });
        assert_eq!(run(next, 100, at(14)), next);
    }

    #[test]
    fn each_attempt_after_a_lock_doubles_it_up_to_a_day() {
        assert_eq!(lock_for(4), None);
        assert_eq!(lock_for(5), Some(Duration::minutes(15)));
        assert_eq!(lock_for(6), Some(Duration::minutes(30)));
        assert_eq!(lock_for(7), Some(Duration::minutes(60)));
        assert_eq!(lock_for(11), Some(Duration::hours(16)));
        assert_eq!(lock_for(12), Some(Duration::hours(24)));
        assert_eq!(lock_for(i32::MAX), Some(Duration::hours(24)));
        let locked = run(Failures::default(), 5, at(0));
        let Admission::Checked { next } = admit(locked, at(15)) else {
            panic!("the lock has run out");
        };
        assert_eq!((next.count, next.locked_until), (6, Some(at(45))));
    }

    #[test]
    fn a_day_without_failure_forgets_the_pair() {
        let four = run(Failures::default(), 4, at(0));
        let Admission::Checked { next } = admit(four, at(24 * 60)) else {
            panic!("not locked");
        };
        assert_eq!((next.count, next.locked_until), (1, None));
        let Admission::Checked { next } = admit(four, at(24 * 60 - 1)) else {
            panic!("not locked");
        };
        assert_eq!(next.count, 5);
    }

    #[test]
    fn minutes_left_round_up() {
        assert_eq!(minutes_left(at(15), at(0)), 15);
        assert_eq!(
            minutes_left(at(15), at(0) + Duration::seconds(61)),
            14,
            "13 min 59 s left: 14"
        );
        assert_eq!(minutes_left(at(0), at(1)), 1);
    }
}
