//! The demo's members: names, dates and statuses drawn the way a real roll looks, their
//! committee posts, and their insert.

use crate::members::domain::{Gender, Lifecycle, PostRole, Status};
use crate::org::domain::BranchType;
use chrono::{Datelike, Duration, NaiveDate};
use rand::Rng;
use rand::rngs::StdRng;
use uuid::Uuid;

use super::*;

pub(super) struct MemberSpec {
    pub(super) id: Uuid,
    pub(super) full_name: String,
    pub(super) gender: Gender,
    pub(super) birth_date: NaiveDate,
    pub(super) hometown: &'static str,
    pub(super) card_no: String,
    pub(super) admission_date: NaiveDate,
    pub(super) official_date: Option<NaiveDate>,
    pub(super) status: Status,
    pub(super) lifecycle_state: Lifecycle,
    /// The day the life-cycle state began, when the member is not simply active.
    pub(super) state_since: Option<NaiveDate>,
    pub(super) branch: Uuid,
    pub(super) joined: NaiveDate,
}

pub(super) fn pick_weighted<'a>(rng: &mut StdRng, items: &'a [(&'a str, u32)]) -> &'a str {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.random_range(0..total);
    for (item, w) in items {
        if x < *w {
            return item;
        }
        x -= w;
    }
    items[0].0
}

pub(super) fn pick<'a>(rng: &mut StdRng, items: &'a [&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

pub(super) fn random_date(rng: &mut StdRng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(0);
    from + Duration::days(rng.random_range(0..=span))
}

/// One fictional member of a branch of the given type.
pub(super) fn make_member(
    rng: &mut StdRng,
    seq: usize,
    branch: Uuid,
    branch_type: BranchType,
    branch_from: NaiveDate,
    today: NaiveDate,
) -> MemberSpec {
    let residential = matches!(branch_type, BranchType::Thon | BranchType::ToDanPho);
    let female_share = match branch_type {
        BranchType::SuNghiep => 0.6,
        BranchType::LucLuongVuTrang => 0.1,
        _ => 0.35,
    };
    let female = rng.random_bool(female_share);
    let full_name = format!(
        "{} {} {}",
        pick_weighted(rng, names::FAMILY),
        pick(
            rng,
            if female {
                names::MIDDLE_FEMALE
            } else {
                names::MIDDLE_MALE
            }
        ),
        pick(
            rng,
            if female {
                names::GIVEN_FEMALE
            } else {
                names::GIVEN_MALE
            }
        ),
    );
    // Residential branches are older: many retired members.
    let (oldest, youngest) = if residential {
        (1938, 2002)
    } else {
        (1966, 2002)
    };
    let birth_date = random_date(rng, d(oldest, 1, 1), d(youngest, 12, 31));
    let recent_admission = birth_date.year() >= 1986 && rng.random_bool(0.07);
    let adult = birth_date
        .with_year(birth_date.year() + 18)
        .unwrap_or(birth_date + Duration::days(365 * 18));
    let last_settled = today - Duration::days(400);
    let admission_date = if recent_admission || adult > last_settled {
        // Probationers: admitted within the last year or so (a few overdue for recognition).
        random_date(
            rng,
            adult.max(today - Duration::days(420)),
            today - Duration::days(20),
        )
    } else {
        let age = rng.random_range(19..=38);
        let earliest = birth_date
            .with_year(birth_date.year() + age)
            .unwrap_or(birth_date + Duration::days(365 * age as i64))
            .min(last_settled);
        random_date(
            rng,
            earliest,
            (earliest + Duration::days(365 * 3)).min(last_settled),
        )
    };
    let year_on = admission_date
        .with_year(admission_date.year() + 1)
        .unwrap_or(admission_date + Duration::days(365));
    // Recognition usually comes within weeks of the 12 months; a few are left overdue.
    let recognised = year_on + Duration::days(rng.random_range(0..40));
    let (status, official_date) =
        if recognised <= today && !(recent_admission && rng.random_bool(0.3)) {
            (Status::Full, Some(recognised))
        } else {
            (Status::Probationary, None)
        };
    let age = today.year() - birth_date.year();
    let lifecycle_state = if age >= 78 && rng.random_bool(0.4) {
        Lifecycle::Exempt
    } else {
        Lifecycle::Active
    };
    // A bijection on 8-digit numbers, so card numbers are unique without looking sequential.
    let card_no = format!(
        "{:08}",
        (seq as u64 * 7919 + 1_234_567) % 90_000_000 + 10_000_000
    );
    let joined = admission_date.max(branch_from);
    // Exempted for age: from the 78th birthday (within the last years for most), never before
    // joining the branch, and at least two months ago.
    let state_since = (lifecycle_state == Lifecycle::Exempt).then(|| {
        birth_date
            .checked_add_months(chrono::Months::new(78 * 12))
            .unwrap_or(today)
            .min(today - Duration::days(60))
            .max(joined)
    });
    MemberSpec {
        id: Uuid::now_v7(),
        full_name,
        gender: if female { Gender::Female } else { Gender::Male },
        birth_date,
        hometown: pick(rng, names::HOMETOWNS),
        card_no,
        admission_date,
        official_date,
        status,
        lifecycle_state,
        state_since,
        branch,
        joined,
    }
}

/// Shares `total` among `weights`, every share at least 3 (a branch needs 3 members).
pub(super) fn apportion(total: usize, weights: &[u32]) -> Vec<usize> {
    let sum: u32 = weights.iter().sum();
    let mut shares: Vec<usize> = weights
        .iter()
        .map(|w| ((*w as usize * total) / sum as usize).max(3))
        .collect();
    let mut i = 0;
    let n = shares.len();
    while shares.iter().sum::<usize>() < total {
        shares[i % n] += 1;
        i += 1;
    }
    while shares.iter().sum::<usize>() > total {
        let j = i % n;
        if shares[j] > 3 {
            shares[j] -= 1;
        }
        i += 1;
    }
    shares
}

/// Generates `total` members shared among `branches`, residential branches larger.
pub(super) fn add_members(
    rng: &mut StdRng,
    units: &Units,
    branches: &[(usize, BranchType)],
    total: usize,
    today: NaiveDate,
    members: &mut Vec<MemberSpec>,
) {
    let weights: Vec<u32> = branches
        .iter()
        .map(|(_, bt)| {
            if matches!(*bt, BranchType::Thon | BranchType::ToDanPho) {
                rng.random_range(18..42)
            } else {
                rng.random_range(7..20)
            }
        })
        .collect();
    for ((b, bt), n) in branches.iter().zip(apportion(total, &weights)) {
        for _ in 0..n {
            let seq = members.len();
            let unit = &units.0[*b];
            members.push(make_member(rng, seq, unit.id, *bt, unit.valid_from, today));
        }
    }
}

/// Every branch's committee for the 2025–2030 term, from its full, active members in the
/// order they were generated: the first is bí thư (so the demo secretary of Hưng Lợi holds
/// the post), the second phó bí thư, and branches of 9 or more full members elect a chi ủy.
pub(super) async fn insert_posts(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    members: &[MemberSpec],
) -> anyhow::Result<()> {
    let mut by_branch: std::collections::HashMap<Uuid, Vec<&MemberSpec>> = Default::default();
    for m in members
        .iter()
        .filter(|m| m.status == Status::Full && m.lifecycle_state == Lifecycle::Active)
    {
        by_branch.entry(m.branch).or_default().push(m);
    }
    let (mut units, mut people, mut roles, mut froms) = (vec![], vec![], vec![], vec![]);
    let congress = d(2025, 8, 15);
    for (branch, full) in by_branch {
        let posts = if full.len() >= 9 { 5 } else { 2 };
        for (i, m) in full.iter().take(posts).enumerate() {
            units.push(branch);
            people.push(m.id);
            roles.push(
                match i {
                    0 => PostRole::Secretary,
                    1 => PostRole::DeputySecretary,
                    _ => PostRole::CommitteeMember,
                }
                .as_str()
                .to_owned(),
            );
            froms.push(congress.max(m.joined));
        }
    }
    sqlx::query!(
        "INSERT INTO committee_roles (unit_id, member_id, role, term, valid_from)
         SELECT u, m, r, '2025–2030', f FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::date[]) AS x(u, m, r, f)",
        &units,
        &people,
        &roles,
        &froms
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(super) async fn insert_members(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    members: &[MemberSpec],
) -> anyhow::Result<()> {
    let ids: Vec<Uuid> = members.iter().map(|m| m.id).collect();
    let names: Vec<String> = members.iter().map(|m| m.full_name.clone()).collect();
    let genders: Vec<String> = members.iter().map(|m| m.gender.to_string()).collect();
    let births: Vec<NaiveDate> = members.iter().map(|m| m.birth_date).collect();
    let towns: Vec<String> = members.iter().map(|m| m.hometown.to_owned()).collect();
    let cards: Vec<String> = members.iter().map(|m| m.card_no.clone()).collect();
    let admissions: Vec<NaiveDate> = members.iter().map(|m| m.admission_date).collect();
    let officials: Vec<Option<NaiveDate>> = members.iter().map(|m| m.official_date).collect();
    let statuses: Vec<String> = members.iter().map(|m| m.status.to_string()).collect();
    let states: Vec<String> = members
        .iter()
        .map(|m| m.lifecycle_state.to_string())
        .collect();
    let since: Vec<Option<NaiveDate>> = members.iter().map(|m| m.state_since).collect();
    let branches: Vec<Uuid> = members.iter().map(|m| m.branch).collect();
    let joined: Vec<NaiveDate> = members.iter().map(|m| m.joined).collect();
    sqlx::query!(
        "INSERT INTO members (id, full_name, gender, birth_date, hometown, card_no, admission_date,
                              official_date, status, lifecycle_state, state_since)
         SELECT i, n, g, b, h, c, a, o, s, l, ss
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::date[], $5::text[], $6::text[], $7::date[],
                       $8::date[], $9::text[], $10::text[], $11::date[]) AS x(i, n, g, b, h, c, a, o, s, l, ss)",
        &ids,
        &names,
        &genders,
        &births,
        &towns,
        &cards,
        &admissions,
        &officials as &[Option<NaiveDate>],
        &statuses,
        &states,
        &since as &[Option<NaiveDate>]
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "INSERT INTO memberships (id, member_id, unit_id, kind, valid_from)
         SELECT uuid_v7(), m, u, 'permanent', f FROM unnest($1::uuid[], $2::uuid[], $3::date[]) AS x(m, u, f)",
        &ids,
        &branches,
        &joined
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The history of the demo's life-cycle changes, as the registry's own steps write it: the
/// dated periods of every member's state (active from the admission, then the state begun on
/// `state_since`: the demo changes a member's state at most once) and the event of each
/// exemption and temporary transfer. Runs once the states are final.
pub(super) async fn insert_history(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
) -> anyhow::Result<()> {
    sqlx::query!(
        "INSERT INTO member_states (member_id, state, valid_from, valid_to)
         SELECT id, 'active', admission_date, state_since FROM members
          WHERE state_since IS NULL OR state_since > admission_date
         UNION ALL
         SELECT id, lifecycle_state, state_since, NULL FROM members WHERE state_since IS NOT NULL"
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        r#"INSERT INTO member_events (member_id, unit_id, kind, on_date, reference, reason, before, after)
           SELECT m.id, home.unit_id, 'exempted', m.state_since, NULL, 'Tuổi cao, sức yếu',
                  '{"lifecycle_state": "active"}', '{"lifecycle_state": "exempt"}'
             FROM members m
             JOIN memberships home ON home.member_id = m.id AND home.kind = 'permanent'
            WHERE m.lifecycle_state = 'exempt'
           UNION ALL
           SELECT m.id, home.unit_id, 'temporary_transfer', m.state_since, host.reference, NULL,
                  jsonb_build_object('branch', home.unit_id),
                  jsonb_build_object('branch', host.unit_id, 'permanent', false)
             FROM members m
             JOIN memberships home ON home.member_id = m.id AND home.kind = 'permanent'
             JOIN memberships host ON host.member_id = m.id AND host.kind = 'temporary'
            WHERE m.lifecycle_state = 'away'"#
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
