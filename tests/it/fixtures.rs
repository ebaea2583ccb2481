//! Data for the tests: the demo's names the tests lean on, and builders that make a test's
//! own branch, members and meetings on its private database.
//!
//! The demo stays the smoke data: large, shaped like a real town, generated around the
//! tests' day. A test that needs exact figures ("4 members, 2 present") builds them here
//! instead, so that its numbers depend neither on the generated demo nor on the date.
//!
//! The builders go through the app's own store functions, the code the pages call (the
//! same checks, the same attendance list, the same history rows), with no user behind them
//! (`actor` none, as the demo seeds); only what no store function writes on its own (the
//! times a meeting was held, the minutes of its items) is set with SQL. Each returns the
//! ids it made.
//!
//! ```ignore
//! let branch = fixtures::branch(&app, "Chi bộ Kiểm thử", demo::WARD).await;
//! let ids = fixtures::members(&app, branch, &[(Status::Full, 3), (Status::Probationary, 1)]).await;
//! let m = fixtures::meeting_with(&app, branch, State::Held, &[(ids[0], Presence::Present)]).await;
//! ```

use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

use chibo::meetings::domain as meeting_domain;
use chibo::meetings::store as meeting_store;
use chibo::members::domain as member_domain;
use chibo::members::store as member_store;
use chibo::org::domain::{BranchType, UnitKind};
use chibo::org::store as org_store;

use crate::support::{self, TestApp, months_ago, today};

/// Names in the demo that the tests lean on.
pub mod demo {
    pub const PROVINCE: &str = "Đảng bộ tỉnh Hà Tĩnh";
    /// The town of `thixa`: 30 grassroots committees, 177 branches.
    pub const TOWN: &str = "Đảng bộ thị xã Kỳ Anh";
    /// The ward of `phuong`: 12 branches.
    pub const WARD: &str = "Đảng bộ phường Sông Trí";
    /// Another ward of the town.
    pub const OTHER_WARD: &str = "Đảng bộ phường Hưng Trí";
    /// The branch of `bithu` (its secretary) and `dangvien` (one of its members).
    pub const BRANCH: &str = "Chi bộ Tổ dân phố Hưng Lợi";
    /// Another branch of the same ward.
    pub const NEIGHBOUR: &str = "Chi bộ Tổ dân phố Hưng Hòa";
    /// The post-2025 commune of `xaductho`, directly under the province.
    pub const COMMUNE: &str = "Đảng bộ xã Đức Thọ";
    /// The district closed on 01/07/2025, its communes merged into `COMMUNE`.
    pub const CLOSED_DISTRICT: &str = "Đảng bộ huyện Đức Thọ";
}

/// A member's standing in the party.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Đảng viên chính thức.
    Full,
    /// Đảng viên dự bị.
    Probationary,
}

/// Where a meeting stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Planned: the attendance list is made, nobody marked yet.
    Planned,
    /// Held: times recorded, the minutes still open.
    Held,
    /// Held and the minutes closed (locked).
    Closed,
}

/// A member's mark on the attendance sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    Present,
    Late,
    /// Absent with a reason ("Ốm").
    AbsentExcused,
    AbsentUnexcused,
}

impl Presence {
    fn domain(self) -> meeting_domain::Presence {
        match self {
            Presence::Present => meeting_domain::Presence::Present,
            Presence::Late => meeting_domain::Presence::Late,
            Presence::AbsentExcused => meeting_domain::Presence::AbsentExcused,
            Presence::AbsentUnexcused => meeting_domain::Presence::AbsentUnexcused,
        }
    }
}

/// A new open branch (a tổ dân phố) named `name` under the open committee named `under`,
/// created as an administrator would. It was founded a year before this month (or with its
/// committee, if that is younger), so that meetings of this month and the past year can be
/// planned and its members are listed on them. It has no members and no committee posts.
pub async fn branch(app: &TestApp, name: &str, under: &str) -> Uuid {
    let (parent, founded) = parent_and_founding(app, under, 12).await;
    org_store::create(
        &app.pool,
        None,
        org_store::NewUnit {
            parent_id: Some(parent),
            kind: UnitKind::Branch,
            branch_type: Some(BranchType::ToDanPho),
            name: name.to_owned(),
            valid_from: founded,
        },
    )
    .await
    .unwrap_or_else(|e| panic!("create {name} under {under}: {e:?}"))
}

/// The unit named `under`, and the founding day of a unit created under it: `months`
/// before this month, or with its parent if that is younger.
async fn parent_and_founding(app: &TestApp, under: &str, months: u32) -> (Uuid, NaiveDate) {
    let parent = app.unit_id(under).await;
    let parent_from = org_store::get(&app.pool, parent)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{under} is not a unit"))
        .valid_from;
    (parent, months_ago(months).max(parent_from))
}

/// Creates a grassroots committee (a ward) named `name` under the unit named `under`, founded
/// two years before this month (or with its parent, if younger), as an administrator would.
pub async fn committee(app: &TestApp, name: &str, under: &str) -> Uuid {
    let (parent, founded) = parent_and_founding(app, under, 24).await;
    org_store::create(
        &app.pool,
        None,
        org_store::NewUnit {
            parent_id: Some(parent),
            kind: UnitKind::GrassrootsCommittee,
            branch_type: None,
            name: name.to_owned(),
            valid_from: founded,
        },
    )
    .await
    .unwrap_or_else(|e| panic!("create {name} under {under}: {e:?}"))
}

/// Creates members of `branch`: for each `(status, n)`, `n` members of that status, in the
/// order given; returns their ids in that order. Every name is new in the test binary (a
/// family name, Văn or Thị, and a given name), so a page can be searched for it: see
/// [`name_of`]. Full members were admitted on 01/01/2010 and recognised on 01/01/2011;
/// probationers were admitted 100 days ago (their 12 months are not yet up). None has a
/// card number, a committee post or a login. Their permanent membership starts when the
/// branch was founded (or at the admission, if later), and a "created" event is written,
/// as the add-member form does.
pub async fn members(app: &TestApp, branch: Uuid, groups: &[(Status, usize)]) -> Vec<Uuid> {
    const FAMILY: [&str; 7] = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng"];
    const GIVEN: [&str; 19] = [
        "An", "Bình", "Cường", "Dung", "Giang", "Hà", "Hùng", "Khánh", "Lan", "Long", "Minh",
        "Nga", "Phúc", "Quang", "Sơn", "Thảo", "Tú", "Uyên", "Vinh",
    ];
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let mut ids = Vec::new();
    for &(status, n) in groups {
        for _ in 0..n {
            let i = NEXT.fetch_add(1, Ordering::Relaxed);
            let female = i % 2 == 1;
            let full_name = format!(
                "{} {} {}",
                FAMILY[i % FAMILY.len()],
                if female { "Thị" } else { "Văn" },
                GIVEN[(i / 2) % GIVEN.len()]
            );
            let (birth_date, admission_date, official_date) = match status {
                Status::Full => (
                    d(1970, 1, 1) + chrono::Days::new(i as u64 % 3000),
                    d(2010, 1, 1),
                    Some(d(2011, 1, 1)),
                ),
                Status::Probationary => (
                    d(today().year() - 30, 6, 15),
                    today() - chrono::Days::new(100),
                    None,
                ),
            };
            let record = member_domain::MemberRecord {
                full_name,
                gender: if female {
                    member_domain::Gender::Female
                } else {
                    member_domain::Gender::Male
                },
                birth_date,
                hometown: Some("Kỳ Anh, Hà Tĩnh".into()),
                phone: None,
                card_no: None,
                admission_date,
                admission_decision_date: None,
                official_date,
                status: match status {
                    Status::Full => member_domain::Status::Full,
                    Status::Probationary => member_domain::Status::Probationary,
                },
            };
            let id = member_store::create(
                &app.pool,
                None,
                None,
                branch,
                &record,
                member_domain::EventKind::Created,
                today(),
            )
            .await
            .unwrap_or_else(|e| panic!("create {}: {e:?}", record.full_name));
            ids.push(id);
        }
    }
    ids
}

/// Exempts `member` from party activity (miễn công tác và sinh hoạt đảng) from today, as
/// the exemption form does: they stay in the đảng số but are no longer expected at meetings.
pub async fn exempt(app: &TestApp, member: Uuid) {
    let version = app.member_version(member).await;
    member_store::set_exempt(
        &app.pool,
        None,
        member_store::Step {
            member_id: member,
            version,
            on_date: today(),
            reference: Some("01-QĐ/CB"),
            reason: Some("Tuổi cao, sức yếu"),
        },
        true,
    )
    .await
    .unwrap_or_else(|e| panic!("exempt {member}: {e:?}"));
}

/// A member's full name, as the pages show it.
pub async fn name_of(app: &TestApp, member: Uuid) -> String {
    sqlx::query_scalar("SELECT full_name FROM members WHERE id = $1")
        .bind(member)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// A meeting made by [`meeting`] or [`meeting_with`].
#[derive(Debug, Clone)]
pub struct Meeting {
    pub id: Uuid,
    /// The members expected at it (its attendance base), by id.
    pub expected: Vec<Uuid>,
}

/// This month's regular meeting of `branch` in `state`. Planned: nobody marked yet. Held or
/// closed: every expected member present.
pub async fn meeting(app: &TestApp, branch: Uuid, state: State) -> Meeting {
    let m = plan(app, branch).await;
    let marks: Vec<(Uuid, Presence)> = if state == State::Planned {
        Vec::new()
    } else {
        m.expected
            .iter()
            .map(|&id| (id, Presence::Present))
            .collect()
    };
    finish(app, m, state, &marks).await
}

/// This month's regular meeting of `branch` in `state`, with `marks` on the attendance sheet
/// (members left out stay unmarked). Planned as the planning form does (the agenda from the
/// template, an attendance row for every member the registry lists on the 1st of the
/// month), marked as a tap on the sheet does; held this morning from 07:00 to 08:30 (in
/// Vietnam), before the tests' clock starts at 09:00; closed as the "Khóa biên bản" button
/// does, once every agenda item's minutes are written ("Đã ghi biên bản.").
pub async fn meeting_with(
    app: &TestApp,
    branch: Uuid,
    state: State,
    marks: &[(Uuid, Presence)],
) -> Meeting {
    let m = plan(app, branch).await;
    finish(app, m, state, marks).await
}

async fn plan(app: &TestApp, branch: Uuid) -> Meeting {
    let id = meeting_store::create(
        &app.pool,
        None,
        branch,
        chibo::meetings::forms::NewMeeting {
            kind: meeting_domain::MeetingKind::Regular,
            month: app.this_month(),
            is_model: false,
            topic: None,
            planned_at: None,
            location: Some("Nhà văn hóa".into()),
            copy_last: false,
        },
        support::clock().now(),
    )
    .await
    .unwrap_or_else(|e| panic!("plan this month's meeting of {branch}: {e:?}"));
    let expected = sqlx::query_scalar(
        "SELECT member_id FROM attendance WHERE meeting_id = $1 AND category = 'expected'
          ORDER BY member_id",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    Meeting { id, expected }
}

async fn finish(app: &TestApp, m: Meeting, state: State, marks: &[(Uuid, Presence)]) -> Meeting {
    for &(member, presence) in marks {
        meeting_store::mark(
            &app.pool,
            None,
            m.id,
            member,
            &chibo::meetings::forms::MarkInput {
                presence: presence.domain(),
                reason: (presence == Presence::AbsentExcused).then(|| "Ốm".to_owned()),
            },
            support::clock().now(),
        )
        .await
        .unwrap_or_else(|e| panic!("mark {member} {presence:?}: {e:?}"));
    }
    if state == State::Planned {
        return m;
    }
    sqlx::query(
        "UPDATE meetings
            SET started_at = ($2::date + time '07:00') AT TIME ZONE 'Asia/Ho_Chi_Minh',
                ended_at = ($2::date + time '08:30') AT TIME ZONE 'Asia/Ho_Chi_Minh',
                chair_id = (SELECT member_id FROM attendance WHERE meeting_id = $1
                             ORDER BY member_id LIMIT 1),
                secretary_id = (SELECT member_id FROM attendance WHERE meeting_id = $1
                                 ORDER BY member_id DESC LIMIT 1)
          WHERE id = $1",
    )
    .bind(m.id)
    .bind(today())
    .execute(&app.pool)
    .await
    .unwrap();
    meeting_store::change_state(
        &app.pool,
        None,
        m.id,
        meeting_domain::MeetingState::Held,
        None,
        support::clock().now(),
    )
    .await
    .unwrap_or_else(|e| panic!("hold {}: {e:?}", m.id));
    if state == State::Closed {
        // The minutes close only with every item's minutes written.
        write_item_minutes(app, m.id).await;
        meeting_store::change_state(
            &app.pool,
            None,
            m.id,
            meeting_domain::MeetingState::Closed,
            None,
            support::clock().now(),
        )
        .await
        .unwrap_or_else(|e| panic!("close {}: {e:?}", m.id));
    }
    m
}

/// Writes "Đã ghi biên bản." as the minutes of every agenda item of `meeting` that has
/// none, as a secretary filling the minutes form would, so that the minutes can be closed.
pub async fn write_item_minutes(app: &TestApp, meeting: Uuid) {
    sqlx::query(
        "UPDATE agenda_items SET minutes = 'Đã ghi biên bản.'
          WHERE meeting_id = $1 AND minutes IS NULL AND conclusion IS NULL",
    )
    .bind(meeting)
    .execute(&app.pool)
    .await
    .unwrap();
}

/// Creates a top-level unit (a province beside Hà Tĩnh, e.g. "Đảng bộ tỉnh Nghệ An"), founded
/// on 01/01/2000, as an administrator would.
pub async fn province(app: &TestApp, name: &str) -> Uuid {
    org_store::create(
        &app.pool,
        None,
        org_store::NewUnit {
            parent_id: None,
            kind: UnitKind::Province,
            branch_type: None,
            name: name.to_owned(),
            valid_from: NaiveDate::from_ymd_opt(2000, 1, 1).unwrap(),
        },
    )
    .await
    .unwrap_or_else(|e| panic!("create {name}: {e:?}"))
}

/// Creates a login with one grant (no unit: everything) and the demo password, as the
/// command line's `create-user` does; sign in with `app.login_as(username)`.
pub async fn login(app: &TestApp, username: &str, role: chibo::auth::Role, unit: Option<Uuid>) {
    chibo::auth::store::create_user(
        &app.pool,
        chibo::auth::store::NewUser {
            username,
            display_name: username,
            password: support::DEMO_PASSWORD,
            member_id: None,
            grants: &[(role, unit)],
        },
    )
    .await
    .unwrap_or_else(|e| panic!("create user {username}: {e:?}"));
}

/// Signs `app` in as an administrator of the demo's ward, who keeps the records of every
/// branch of the ward. The ward's supervisor (`phuong`) reads those records but does not
/// write them.
pub async fn login_ward_keeper(app: &TestApp) {
    login_keeper(app, demo::WARD).await;
}

/// Creates `username`, the bí thư of `branch` (keeps its record, scores its meetings), and
/// signs `app` in as them.
pub async fn login_secretary(app: &TestApp, username: &str, branch: Uuid) {
    login(app, username, chibo::auth::Role::Secretary, Some(branch)).await;
    app.login_as(username).await;
}

/// Signs `app` in as an administrator of the unit named `unit` (created on first use).
pub async fn login_keeper(app: &TestApp, unit: &str) {
    let id = app.unit_id(unit).await;
    let name = format!("quantri-{}", &id.simple().to_string()[24..]);
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE username = $1)")
            .bind(&name)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    if !exists {
        login(app, &name, chibo::auth::Role::Admin, Some(id)).await;
    }
    app.login_as(&name).await;
}
