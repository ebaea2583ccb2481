//! The row kept for each branch-month (`branch_months`, migration 024: what dashboards and
//! trends read instead of joining meetings and score sheets) against a recomputation from
//! the meetings and sheets, done here in Rust apart from the database's own rebuild, after
//! every step of a random sequence of what people do through the pages: ticks, "all
//! present", the minutes' times and chair, holding, closing and reopening, thematic meetings
//! planned and held in the same months, the self-score saved, agreed and sent up, returned,
//! approved and the approval withdrawn by the ward. Some steps run as batches of parallel
//! requests (the regular and a thematic meeting of one month changed at once, a tick
//! beside a state change).
//!
//! The sequence comes from a fixed seed (`CHIBO_TEST_SEED` names another); a failure
//! prints the seed and the step, and the same seed replays it (a step is chosen from the
//! state it is sent in, which after a batch can depend on the order its requests ran in).
//! No step deletes a meeting or changes its kind: no page does.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use reqwest::StatusCode;
use uuid::Uuid;

use crate::fixtures::demo::WARD;
use crate::fixtures::{self, Status};
use crate::support::{Rng, TestApp, created_id, iso, month_value, months_ago, seed_or};

const SEED: u64 = 0xb4a9_c40d_2026_1204;
const STEPS: usize = 200;
const BATCH: usize = 8;

/// One branch-month as the table keeps it, or as recomputed here.
#[derive(Debug, Clone, PartialEq, Default, sqlx::FromRow)]
struct Kept {
    month: NaiveDate,
    meeting_id: Option<Uuid>,
    meeting_kind: Option<String>,
    meeting_state: Option<String>,
    started_at: Option<DateTime<Utc>>,
    ended_at: Option<DateTime<Utc>>,
    materials_posted_on: Option<NaiveDate>,
    expected_count: i32,
    present_count: i32,
    unexcused_count: i32,
    dang_so_count: i32,
    rubric_id: Option<Uuid>,
    total_tenths: Option<i32>,
    class: Option<String>,
    sheet_state: Option<String>,
    sheet_updated_at: Option<DateTime<Utc>>,
    capped_by: Vec<String>,
    thematic_held: bool,
}

#[derive(Debug, sqlx::FromRow)]
struct MeetingRow {
    id: Uuid,
    month: NaiveDate,
    kind: String,
    state: String,
    started_at: Option<DateTime<Utc>>,
    ended_at: Option<DateTime<Utc>>,
    materials_posted_on: Option<NaiveDate>,
    expected_count: i32,
    present_count: i32,
    unexcused_count: i32,
    dang_so_count: i32,
}

#[derive(Debug, sqlx::FromRow)]
struct SheetRow {
    meeting_id: Uuid,
    rubric_id: Uuid,
    total_tenths: i32,
    class: String,
    approved_class: Option<String>,
    state: String,
    updated_at: DateTime<Utc>,
    capped_by: Vec<String>,
}

/// The branch's months recomputed from its meetings and branch sheets: a month with a
/// regular, combined or thematic meeting has a row; its regular (or combined) meeting and
/// that meeting's sheet fill it; a thematic or combined meeting held marks it.
async fn recomputed(app: &TestApp, branch: Uuid) -> BTreeMap<NaiveDate, Kept> {
    let meetings: Vec<MeetingRow> = sqlx::query_as(
        "SELECT id, month, kind, state, started_at, ended_at, materials_posted_on,
                expected_count, present_count, unexcused_count, dang_so_count
           FROM meetings WHERE unit_id = $1",
    )
    .bind(branch)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let sheets: Vec<SheetRow> = sqlx::query_as(
        "SELECT e.meeting_id, e.rubric_id, e.total_tenths, e.class, e.approved_class, e.state,
                e.updated_at, e.capped_by
           FROM evaluations e JOIN meetings m ON m.id = e.meeting_id
          WHERE m.unit_id = $1 AND e.scorer = 'branch'",
    )
    .bind(branch)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let mut months = BTreeMap::new();
    for m in meetings
        .iter()
        .filter(|m| ["regular", "combined", "thematic"].contains(&m.kind.as_str()))
    {
        let row = months.entry(m.month).or_insert_with(|| Kept {
            month: m.month,
            ..Kept::default()
        });
        if m.kind != "regular" && m.state != "planned" {
            row.thematic_held = true;
        }
        if m.kind == "thematic" {
            continue;
        }
        row.meeting_id = Some(m.id);
        row.meeting_kind = Some(m.kind.clone());
        row.meeting_state = Some(m.state.clone());
        row.started_at = m.started_at;
        row.ended_at = m.ended_at;
        row.materials_posted_on = m.materials_posted_on;
        row.expected_count = m.expected_count;
        row.present_count = m.present_count;
        row.unexcused_count = m.unexcused_count;
        row.dang_so_count = m.dang_so_count;
        if let Some(s) = sheets.iter().find(|s| s.meeting_id == m.id) {
            row.rubric_id = Some(s.rubric_id);
            row.total_tenths = Some(s.total_tenths);
            row.class = Some(s.approved_class.clone().unwrap_or_else(|| s.class.clone()));
            row.sheet_state = Some(s.state.clone());
            row.sheet_updated_at = Some(s.updated_at);
            row.capped_by = s.capped_by.clone();
        }
    }
    months
}

async fn kept(app: &TestApp, branch: Uuid) -> BTreeMap<NaiveDate, Kept> {
    let rows: Vec<Kept> = sqlx::query_as(
        "SELECT month, meeting_id, meeting_kind, meeting_state, started_at, ended_at,
                materials_posted_on, expected_count, present_count, unexcused_count, dang_so_count,
                rubric_id, total_tenths, class, sheet_state, sheet_updated_at, capped_by, thematic_held
           FROM branch_months WHERE unit_id = $1",
    )
    .bind(branch)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    rows.into_iter().map(|r| (r.month, r)).collect()
}

/// What a step does; each is one request as a page sends it.
#[derive(Debug, Clone, Copy)]
enum Op {
    Tick {
        meeting: Uuid,
        member: Uuid,
        presence: &'static str,
    },
    AllPresent {
        meeting: Uuid,
    },
    /// The minutes' times (on `day`), chair and minute taker, every item marked as having
    /// nothing to record.
    Minutes {
        meeting: Uuid,
        day: NaiveDate,
    },
    State {
        meeting: Uuid,
        to: &'static str,
    },
    Save {
        meeting: Uuid,
    },
    /// A step of the sheet: agree, submit (the branch); return, approve, withdraw (the ward).
    Sheet {
        meeting: Uuid,
        step: &'static str,
    },
    /// A thematic meeting of `month` (sequential only: its id is needed afterwards).
    PlanThematic {
        month: NaiveDate,
    },
}

impl Op {
    fn name(&self) -> &'static str {
        match self {
            Op::Tick { .. } => "tick",
            Op::AllPresent { .. } => "all present",
            Op::Minutes { .. } => "minutes",
            Op::State { to: "held", .. } => "held",
            Op::State { to: "closed", .. } => "closed",
            Op::State { .. } => "state",
            Op::Save { .. } => "sheet saved",
            Op::Sheet { step, .. } => step,
            Op::PlanThematic { .. } => "thematic planned",
        }
    }

    /// Steps the ward takes; the rest are the branch keeper's.
    fn by_ward(&self) -> bool {
        matches!(
            self,
            Op::Sheet {
                step: "return" | "approve" | "withdraw",
                ..
            }
        )
    }
}

struct World {
    keeper: TestApp,
    ward: TestApp,
    branch: Uuid,
    months: [NaiveDate; 2],
    meetings: Vec<Uuid>,
    regular: Vec<Uuid>,
    /// The month each meeting was planned in.
    month_of: std::collections::HashMap<Uuid, NaiveDate>,
    people: Vec<Uuid>,
}

impl World {
    async fn choose(&self, rng: &mut Rng, sequential: bool) -> Op {
        let meeting = rng.pick(&self.meetings);
        let regular = rng.pick(&self.regular);
        match rng.below(100) {
            0..=29 => Op::Tick {
                meeting,
                member: rng.pick(&self.people),
                presence: rng.pick(&["present", "late", "absent_excused", "absent_unexcused"]),
            },
            30..=36 => Op::AllPresent { meeting },
            37..=46 => {
                let month = self.meeting_month(meeting);
                Op::Minutes {
                    meeting,
                    day: month + chrono::Days::new(rng.below(27) as u64),
                }
            }
            47..=58 => Op::State {
                meeting,
                to: rng.pick(&["held", "held", "closed", "closed"]),
            },
            // Mostly the step the sheet's state offers (as its page does), else any.
            59..=93 if rng.chance(75) => {
                let state = crate::evaluation::branch_sheet(&self.keeper, regular)
                    .await
                    .map(|s| s.0);
                match state.as_deref() {
                    None | Some("returned") => Op::Save { meeting: regular },
                    Some("draft") => Op::Sheet {
                        meeting: regular,
                        step: "agree",
                    },
                    Some("agreed") => Op::Sheet {
                        meeting: regular,
                        step: "submit",
                    },
                    Some("submitted") => Op::Sheet {
                        meeting: regular,
                        step: rng.pick(&["approve", "approve", "return"]),
                    },
                    _ => Op::Sheet {
                        meeting: regular,
                        step: "withdraw",
                    },
                }
            }
            59..=66 => Op::Save { meeting: regular },
            67..=93 => Op::Sheet {
                meeting: regular,
                step: rng.pick(&["agree", "submit", "return", "approve", "withdraw"]),
            },
            94..=99 if sequential && self.meetings.len() < 5 => Op::PlanThematic {
                month: rng.pick(&self.months),
            },
            _ => Op::AllPresent { meeting },
        }
    }

    fn meeting_month(&self, meeting: Uuid) -> NaiveDate {
        self.month_of[&meeting]
    }

    async fn version(&self, meeting: Uuid) -> i32 {
        self.keeper.meeting_version(meeting).await
    }

    async fn sheet_version(&self, meeting: Uuid) -> String {
        crate::evaluation::branch_sheet(&self.keeper, meeting)
            .await
            .map(|s| s.3.to_string())
            .unwrap_or_default()
    }

    /// The request `op` sends, read from the state it is sent in (as a page would show it).
    async fn request(&self, op: Op) -> (String, Vec<(String, String)>) {
        let own = |xs: Vec<(&str, String)>| -> Vec<(String, String)> {
            xs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
        };
        match op {
            Op::Tick {
                meeting,
                member,
                presence,
            } => {
                let mut form = vec![("presence", presence.to_owned())];
                if presence == "absent_excused" {
                    form.push(("reason", "Đi công tác".to_owned()));
                }
                (
                    format!("/meetings/{meeting}/attendance/{member}"),
                    own(form),
                )
            }
            Op::AllPresent { meeting } => (
                format!("/meetings/{meeting}/all-present"),
                own(vec![("version", self.version(meeting).await.to_string())]),
            ),
            Op::Minutes { meeting, day } => (
                format!("/meetings/{meeting}/minutes"),
                own(vec![
                    ("version", self.version(meeting).await.to_string()),
                    ("started_at", format!("{}T19:00", iso(day))),
                    ("ended_at", format!("{}T20:30", iso(day))),
                    ("chair_id", self.people[0].to_string()),
                    ("secretary_id", self.people[1].to_string()),
                    ("materials_posted_on", iso(day)),
                    (chibo::meetings::forms::REST_EMPTY, "1".to_owned()),
                ]),
            ),
            Op::State { meeting, to } => (
                format!("/meetings/{meeting}/state"),
                own(vec![
                    ("to", to.to_owned()),
                    ("reason", "Bổ sung biên bản".to_owned()),
                ]),
            ),
            Op::Save { meeting } => {
                let version = self.sheet_version(meeting).await;
                (
                    format!("/meetings/{meeting}/evaluation"),
                    crate::evaluation::full_form(&version)
                        .into_iter()
                        .chain([
                            ("o-tai_lieu", "2".to_owned()),
                            ("r-tai_lieu", "Tài liệu đã phát bản giấy".to_owned()),
                            // No earlier meeting's tasks to compute it from: judged.
                            ("o-hoan_thanh", "9".to_owned()),
                            ("r-hoan_thanh", "Kỳ trước họp ngoài hệ thống".to_owned()),
                        ])
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect(),
                )
            }
            Op::Sheet { meeting, step } => {
                let present: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM attendance WHERE meeting_id = $1 AND category = 'expected'
                        AND full_member AND presence IN ('present', 'late')",
                )
                .bind(meeting)
                .fetch_one(&self.keeper.pool)
                .await
                .unwrap();
                (
                    format!("/meetings/{meeting}/evaluation/step"),
                    own(vec![
                        ("step", step.to_owned()),
                        ("version", self.sheet_version(meeting).await),
                        ("votes_for", present.to_string()),
                        ("comment", "Xem lại điểm điều hành".to_owned()),
                    ]),
                )
            }
            Op::PlanThematic { month } => (
                format!("/meetings/new?unit={}", self.branch),
                own(vec![
                    ("kind", "thematic".to_owned()),
                    ("month", month_value(month)),
                    (
                        "planned_at",
                        format!("{}T08:00", iso(month + chrono::Days::new(14))),
                    ),
                    (
                        "topic",
                        "Học tập và làm theo tư tưởng Hồ Chí Minh".to_owned(),
                    ),
                    ("agenda", "template".to_owned()),
                ]),
            ),
        }
    }

    fn client(&self, op: Op) -> &TestApp {
        if op.by_ward() {
            &self.ward
        } else {
            &self.keeper
        }
    }

    async fn check(&self, at: &str) {
        let (kept, recomputed) = (
            kept(&self.keeper, self.branch).await,
            recomputed(&self.keeper, self.branch).await,
        );
        assert_eq!(
            kept.keys().collect::<Vec<_>>(),
            recomputed.keys().collect::<Vec<_>>(),
            "{at}: the months kept"
        );
        for (month, row) in &recomputed {
            assert_eq!(&kept[month], row, "{at}: month {month} kept ≠ recomputed");
        }
    }
}

fn expect(status: StatusCode, op: Op, at: &str) {
    // A step the record's state does not allow is refused (422), a line not on the list is
    // not found (404): never a 5xx.
    assert!(
        [
            StatusCode::SEE_OTHER,
            StatusCode::UNPROCESSABLE_ENTITY,
            StatusCode::NOT_FOUND,
        ]
        .contains(&status),
        "{at}: {op:?} answered {status}"
    );
}

/// Property: after every step of a random sequence of writes to the meetings and sheets of
/// a branch's two months, one at a time or eight at once, the kept rows equal the
/// recomputation.
#[tokio::test]
async fn the_kept_branch_months_equal_a_recomputation_after_every_step() {
    let seed = seed_or(SEED);
    let mut rng = Rng(seed | 1);
    let keeper = TestApp::spawn().await;
    let branch = fixtures::branch(&keeper, "Chi bộ Tổ dân phố Tổng Hợp", WARD).await;
    // The branch's bí thư keeps its record and scores it; the ward reviews the score.
    fixtures::login_secretary(&keeper, "bithu-tonghop", branch).await;
    let ward = keeper.other_browser();
    ward.login_as("phuong").await;
    let people = fixtures::members(
        &keeper,
        branch,
        &[(Status::Full, 9), (Status::Probationary, 2)],
    )
    .await;
    // Two past months: every day of them has passed, whatever the tests' date.
    let months = [months_ago(2), months_ago(1)];
    let mut regular = Vec::new();
    for month in months {
        let r = keeper
            .plan_meeting(
                branch,
                &[
                    ("kind", "regular"),
                    ("month", &month_value(month)),
                    ("agenda", "template"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        regular.push(created_id(&r, "/meetings/"));
    }
    let mut world = World {
        keeper,
        ward,
        branch,
        months,
        meetings: regular.clone(),
        month_of: regular.iter().copied().zip(months).collect(),
        regular,
        people,
    };
    world.check(&format!("seed {seed:#x}, planned")).await;
    let mut accepted = BTreeMap::<&str, usize>::new();
    for step in 1..=STEPS {
        let at = format!("seed {seed:#x}, step {step}/{STEPS}");
        if rng.chance(20) {
            let mut ops = Vec::with_capacity(BATCH);
            for _ in 0..BATCH {
                ops.push(world.choose(&mut rng, false).await);
            }
            let mut sent = tokio::task::JoinSet::new();
            for (i, &op) in ops.iter().enumerate() {
                let (path, form) = world.request(op).await;
                let app = world.client(op);
                let (client, url) = (app.client.clone(), app.url(&path));
                sent.spawn(async move {
                    (
                        i,
                        client.post(url).form(&form).send().await.unwrap().status(),
                    )
                });
            }
            for (i, status) in sent.join_all().await {
                expect(status, ops[i], &format!("{at} (batch)"));
                *accepted.entry(ops[i].name()).or_default() +=
                    usize::from(status == StatusCode::SEE_OTHER);
            }
            world.check(&format!("{at}, after the batch {ops:?}")).await;
            continue;
        }
        let op = world.choose(&mut rng, true).await;
        let (path, form) = world.request(op).await;
        let r = world.client(op).post_form(&path, &form).await;
        let status = r.status();
        expect(status, op, &at);
        *accepted.entry(op.name()).or_default() += usize::from(status == StatusCode::SEE_OTHER);
        if let (Op::PlanThematic { month }, StatusCode::SEE_OTHER) = (op, status) {
            let id = created_id(&r, "/meetings/");
            world.meetings.push(id);
            world.month_of.insert(id, month);
        }
        world.check(&format!("{at}, after {op:?}")).await;
    }
    // The sequence did what it is for: the kept row went through every kind of change.
    for kind in [
        "tick",
        "minutes",
        "held",
        "closed",
        "sheet saved",
        "agree",
        "submit",
        "approve",
        "return",
        "withdraw",
        "thematic planned",
    ] {
        assert!(
            accepted.get(kind).copied().unwrap_or(0) > 0,
            "seed {seed:#x}: no {kind} was carried out: {accepted:?}"
        );
    }
    // And the database's own rebuild (the migration's backfill) agrees with what it kept.
    let before = kept(&world.keeper, branch).await;
    sqlx::query("SELECT rebuild_branch_months()")
        .execute(&world.keeper.pool)
        .await
        .unwrap();
    assert_eq!(
        kept(&world.keeper, branch).await,
        before,
        "seed {seed:#x}: rebuilt"
    );
}

/// Plans the regular and the thematic meeting of `month` for `branch` (as the signed-in
/// user of `app`), the thematic one on the 10th.
async fn plan_both(app: &TestApp, branch: Uuid, month: NaiveDate) -> [Uuid; 2] {
    let mut ids = [Uuid::nil(); 2];
    for (i, kind) in ["regular", "thematic"].into_iter().enumerate() {
        let r = app
            .plan_meeting(
                branch,
                &[
                    ("kind", kind),
                    ("month", &month_value(month)),
                    (
                        "planned_at",
                        &format!("{}T08:00", iso(month + chrono::Days::new(9))),
                    ),
                    ("topic", "Chuyên đề năm"),
                    ("agenda", "template"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "plan {kind}");
        ids[i] = created_id(&r, "/meetings/");
    }
    ids
}

/// Two people hold the month's regular meeting and its thematic meeting at the same
/// moment, many times over: each transaction's trigger reads the other's meeting, so the
/// row must end with both (a lost update would keep only one).
#[tokio::test]
async fn two_meetings_of_a_month_changed_at_once_both_reach_the_kept_row() {
    let app = TestApp::spawn().await;
    fixtures::login_ward_keeper(&app).await;
    let month = months_ago(1);
    for round in 0..6 {
        let branch = fixtures::branch(&app, &format!("Chi bộ Song Song {round}"), WARD).await;
        let people = fixtures::members(&app, branch, &[(Status::Full, 4)]).await;
        let ids = plan_both(&app, branch, month).await;
        for id in ids {
            let v = app.meeting_version(id).await.to_string();
            let r = app
                .post(&format!("/meetings/{id}/all-present"), &[("version", &v)])
                .await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
            let v = app.meeting_version(id).await.to_string();
            let day = iso(month + chrono::Days::new(9));
            let r = app
                .post(
                    &format!("/meetings/{id}/minutes"),
                    &[
                        ("version", v.as_str()),
                        ("started_at", &format!("{day}T19:00")),
                        ("ended_at", &format!("{day}T20:30")),
                        ("chair_id", &people[0].to_string()),
                        ("secretary_id", &people[1].to_string()),
                    ],
                )
                .await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "minutes of {id}");
        }
        let mut sent = tokio::task::JoinSet::new();
        for &id in &ids {
            let (client, url) = (
                app.client.clone(),
                app.url(&format!("/meetings/{id}/state")),
            );
            sent.spawn(async move {
                client
                    .post(url)
                    .form(&[("to", "held")])
                    .send()
                    .await
                    .unwrap()
                    .status()
            });
        }
        for status in sent.join_all().await {
            assert_eq!(status, StatusCode::SEE_OTHER, "round {round}: held");
        }
        let row = &kept(&app, branch).await[&month];
        assert_eq!(
            (
                row.meeting_state.as_deref(),
                row.thematic_held,
                row.present_count
            ),
            (Some("held"), true, 4),
            "round {round}: both meetings held, as the row keeps them"
        );
        assert_eq!(kept(&app, branch).await, recomputed(&app, branch).await);
    }
}

/// The same race, made to happen every time: one transaction holds the month's regular
/// meeting and has not committed yet when a second holds its thematic meeting. The second
/// waits for the first (on the kept row), then must read the first's change: the row ends
/// with both meetings held, not with what the second saw before it waited.
#[tokio::test]
async fn a_writer_that_waited_for_another_reads_its_change() {
    let app = TestApp::spawn().await;
    let branch = fixtures::branch(&app, "Chi bộ Chờ Nhau", WARD).await;
    fixtures::members(&app, branch, &[(Status::Full, 3)]).await;
    fixtures::login_secretary(&app, "bithu-chonhau", branch).await;
    let month = months_ago(1);
    let [regular, thematic] = plan_both(&app, branch, month).await;
    let hold = "UPDATE meetings SET state = 'held', started_at = now() - interval '2 hours',
                       ended_at = now() - interval '1 hour' WHERE id = $1";
    let mut first = app.pool.begin().await.unwrap();
    sqlx::query(hold)
        .bind(regular)
        .execute(&mut *first)
        .await
        .unwrap();
    let pool = app.pool.clone();
    let second = tokio::spawn(async move {
        let mut tx = pool.begin().await.unwrap();
        sqlx::query(hold)
            .bind(thematic)
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    });
    // Until the second transaction waits on a lock the first holds (a wait that never
    // comes, as without any lock, fails here rather than hanging).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        assert!(
            std::time::Instant::now() < deadline,
            "the second writer never waited for the first"
        );
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap();
        if waiting > 0 {
            break;
        }
        tokio::task::yield_now().await;
    }
    first.commit().await.unwrap();
    second.await.unwrap();
    let row = &kept(&app, branch).await[&month];
    assert_eq!(
        (row.meeting_state.as_deref(), row.thematic_held),
        (Some("held"), true),
        "both meetings held, as the row keeps them"
    );
    assert_eq!(kept(&app, branch).await, recomputed(&app, branch).await);
}
