//! Who a meeting lists, as the registry held them on the meeting's day (docs/rules.md §3.5,
//! §4.2): the day a list is taken for, a member's line on it, and what changes when the
//! meeting moves to another day.

use chrono::NaiveDate;
use uuid::Uuid;

use super::Category;
use crate::members::domain::{Lifecycle, Status, status_on};

/// The day a meeting's list (and its figures) are taken for: the day it started, else the
/// day it is planned for, else the first of its month. Local dates, in Vietnam.
pub fn list_day(
    started: Option<NaiveDate>,
    planned: Option<NaiveDate>,
    month: NaiveDate,
) -> NaiveDate {
    started.or(planned).unwrap_or(month)
}

/// A member's line on a meeting's list: where they stand and whether they may vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listed {
    pub member_id: Uuid,
    pub category: Category,
    /// Chính thức on the day (a dự bị member attends but does not vote).
    pub full_member: bool,
}

impl Listed {
    /// The line of a member whose membership of the branch covers `day`: their life-cycle
    /// state that day (`None` before the first period of their history reads as active: the
    /// member was admitted and nothing else was recorded yet), whether the membership is
    /// temporary, and the day they were recognised as chính thức, if they were.
    pub fn on(
        day: NaiveDate,
        member_id: Uuid,
        state: Option<Lifecycle>,
        temporary_here: bool,
        official_date: Option<NaiveDate>,
    ) -> Self {
        Listed {
            member_id,
            category: Category::of(state.unwrap_or(Lifecycle::Active), temporary_here),
            full_member: status_on(official_date, day) == Status::Full,
        }
    }
}

/// A line of a list as it stands, and whether the member has been marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    pub listed: Listed,
    pub marked: bool,
}

/// What taking the list again on a new day changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Relist {
    /// Members the branch holds on the new day who are not on the list yet.
    pub add: Vec<Listed>,
    /// Unmarked lines whose category or vote changes on the new day.
    pub renew: Vec<Listed>,
    /// Unmarked members the branch does not hold on the new day.
    pub drop: Vec<Uuid>,
}

impl Relist {
    pub fn is_empty(&self) -> bool {
        self.add.is_empty() && self.renew.is_empty() && self.drop.is_empty()
    }
}

/// The list follows the meeting's day while its members are unmarked: when the day changes,
/// every unmarked line is taken again from the registry on the new day (added, renewed or
/// dropped). A marked line is the record of what happened and stays as it is.
pub fn relist(current: &[Line], on_new_day: &[Listed]) -> Relist {
    let mut out = Relist::default();
    for new in on_new_day {
        match current.iter().find(|l| l.listed.member_id == new.member_id) {
            None => out.add.push(*new),
            Some(line) if !line.marked && line.listed != *new => out.renew.push(*new),
            Some(_) => {}
        }
    }
    for line in current.iter().filter(|l| !l.marked) {
        if !on_new_day
            .iter()
            .any(|n| n.member_id == line.listed.member_id)
        {
            out.drop.push(line.listed.member_id);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn listed(n: u128, category: Category, full_member: bool) -> Listed {
        Listed {
            member_id: id(n),
            category,
            full_member,
        }
    }

    #[test]
    fn a_list_is_taken_on_the_day_held_else_planned_else_the_first_of_the_month() {
        let month = d(2026, 3, 1);
        assert_eq!(
            list_day(Some(d(2026, 3, 12)), Some(d(2026, 3, 10)), month),
            d(2026, 3, 12)
        );
        assert_eq!(list_day(None, Some(d(2026, 3, 10)), month), d(2026, 3, 10));
        assert_eq!(list_day(None, None, month), month);
    }

    #[test]
    fn a_members_line_is_their_standing_on_the_day() {
        let recognised = Some(d(2026, 3, 15));
        // Recognised on 15/03: dự bị in January, chính thức from that day.
        let january = Listed::on(
            d(2026, 1, 10),
            id(1),
            Some(Lifecycle::Active),
            false,
            recognised,
        );
        assert_eq!(january, listed(1, Category::Expected, false));
        let march = Listed::on(
            d(2026, 3, 15),
            id(1),
            Some(Lifecycle::Active),
            false,
            recognised,
        );
        assert_eq!(march, listed(1, Category::Expected, true));
        // Away (or exempt) on the day: listed apart; attached here: attached, whatever the state.
        let away = Listed::on(
            d(2026, 7, 1),
            id(2),
            Some(Lifecycle::Away),
            false,
            recognised,
        );
        assert_eq!(away.category, Category::Away);
        let exempt = Listed::on(d(2026, 7, 1), id(2), Some(Lifecycle::Exempt), false, None);
        assert_eq!(exempt, listed(2, Category::Exempt, false));
        let attached = Listed::on(
            d(2026, 7, 1),
            id(3),
            Some(Lifecycle::Away),
            true,
            recognised,
        );
        assert_eq!(attached.category, Category::Attached);
        // Before any recorded period: active.
        let unrecorded = Listed::on(d(2026, 7, 1), id(4), None, false, recognised);
        assert_eq!(unrecorded.category, Category::Expected);
    }

    #[test]
    fn moving_the_day_retakes_the_unmarked_lines_and_keeps_the_marked_ones() {
        let current = [
            // Marked present as expected: kept, though the member is exempt on the new day.
            Line {
                listed: listed(1, Category::Expected, true),
                marked: true,
            },
            // Unmarked and exempt on the new day: renewed.
            Line {
                listed: listed(2, Category::Expected, true),
                marked: false,
            },
            // Unmarked, the same on the new day: untouched.
            Line {
                listed: listed(3, Category::Expected, false),
                marked: false,
            },
            // Unmarked, no longer in the branch on the new day: dropped.
            Line {
                listed: listed(4, Category::Expected, true),
                marked: false,
            },
            // Marked, no longer in the branch on the new day: kept.
            Line {
                listed: listed(5, Category::Expected, true),
                marked: true,
            },
        ];
        let new_day = [
            listed(1, Category::Exempt, true),
            listed(2, Category::Exempt, true),
            listed(3, Category::Expected, false),
            // Joined before the new day: added.
            listed(6, Category::Expected, false),
        ];
        let r = relist(&current, &new_day);
        assert_eq!(r.add, vec![listed(6, Category::Expected, false)]);
        assert_eq!(r.renew, vec![listed(2, Category::Exempt, true)]);
        assert_eq!(r.drop, vec![id(4)]);
        assert!(!r.is_empty());
        let same: Vec<Listed> = current.iter().map(|l| l.listed).collect();
        assert!(
            relist(&current, &same).is_empty(),
            "the same day changes nothing"
        );
    }
}
