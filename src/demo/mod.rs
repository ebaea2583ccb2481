//! Demo data, generated on first start (not a fixture file): a town shaped like Kỳ Anh in
//! the seed articles (30 grassroots committees, 177 branches, 4,317 members) under the
//! province, and the post-2025 shape beside it: the former Đức Thọ district, closed on
//! 01/07/2025, whose communes merged into a new commune directly under the province.
//! The people are fictional; the generator is seeded, so every run makes the same data.

mod history;
mod names;
mod people;
mod scores;
mod units;

use people::*;
use units::*;

use std::net::SocketAddr;

use chrono::{Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::PgPool;
use uuid::Uuid;

use crate::auth::{Role, password};
use crate::config::Secret;
use crate::members::domain::{Lifecycle, Status};
use crate::org::domain::{BranchType, UnitKind};
use crate::org::store as org_store;

/// The fixed demo logins: user name, who they are.
pub const LOGINS: &[(&str, &str)] = &[
    ("admin", "Quản trị viên, Đảng bộ tỉnh Hà Tĩnh"),
    ("thixa", "Cấp ủy, Đảng bộ thị xã Kỳ Anh"),
    ("phuong", "Cấp ủy, Đảng bộ phường Sông Trí"),
    (
        "bithu",
        "Bí thư, Chi bộ Tổ dân phố Hưng Lợi (phường Sông Trí)",
    ),
    ("dangvien", "Đảng viên, Chi bộ Tổ dân phố Hưng Lợi"),
    ("xaductho", "Cấp ủy, Đảng bộ xã Đức Thọ (sau sắp xếp 2025)"),
];

/// How many members the Kỳ Anh town has, as in seed 000.
pub const TOWN_MEMBERS: usize = 4317;

/// The demo logins as a start prints them. The password is known only when this process
/// has it (just generated, or given as CHIBO_DEMO_PASSWORD): the database keeps its hash.
#[derive(Debug, Clone)]
pub struct DemoLogins {
    pub password: Option<String>,
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid demo date")
}

/// The demo's logins, when the database holds the demo. A database seeded before the
/// password was kept as a hash still has it in clear: it is hashed now, and printed this
/// last time.
pub async fn stored_logins(pool: &PgPool) -> anyhow::Result<Option<DemoLogins>> {
    let Some(stored) = sqlx::query_scalar!("SELECT password FROM demo_info")
        .fetch_optional(pool)
        .await?
    else {
        return Ok(None);
    };
    if is_hash(&stored) {
        return Ok(Some(DemoLogins { password: None }));
    }
    let hash = password::hash(stored.clone()).await?;
    sqlx::query!("UPDATE demo_info SET password = $1", hash)
        .execute(pool)
        .await?;
    Ok(Some(DemoLogins {
        password: Some(stored),
    }))
}

fn is_hash(stored: &str) -> bool {
    stored.starts_with("$argon2")
}

/// Said loudly when a start has just filled the demo: the data is fictional, and the
/// logins share one password.
pub fn print_demo_banner() {
    let rule = "=".repeat(78);
    println!("{rule}");
    println!("  DỮ LIỆU MẪU (DEMO): đã tạo dữ liệu mẫu với đảng viên hư cấu và các tài khoản");
    println!("  dùng chung một mật khẩu. Chỉ để dùng thử — không dùng cho dữ liệu thật.");
    println!("  (Demo data: fictional members, shared-password logins. Not for production.)");
    println!("{rule}");
}

pub fn print_logins(creds: &DemoLogins, addr: Option<SocketAddr>) {
    if let Some(addr) = addr {
        println!("Đăng nhập tại http://{addr}/login bằng một trong các tài khoản mẫu:");
    } else {
        println!("Tài khoản mẫu:");
    }
    for (user, who) in LOGINS {
        println!("  {user:<10} {who}");
    }
    match &creds.password {
        Some(pw) => println!("  Mật khẩu chung: {pw}"),
        None => println!(
            "  Mật khẩu chung: đã in ở lần khởi động đầu tiên (không lưu ở dạng đọc được); \
             đặt CHIBO_DEMO_PASSWORD để đổi."
        ),
    }
}

/// Sets the demo logins' password (when CHIBO_DEMO_PASSWORD changes between starts).
pub async fn reset_password(pool: &PgPool, pw: &Secret) -> anyhow::Result<()> {
    let Some(stored) = sqlx::query_scalar!("SELECT password FROM demo_info")
        .fetch_optional(pool)
        .await?
    else {
        return Ok(());
    };
    let same = if is_hash(&stored) {
        password::verify(pw.expose().to_owned(), Some(stored)).await?
    } else {
        stored == pw.expose()
    };
    if same {
        return Ok(());
    }
    let hash = password::hash(pw.expose().to_owned()).await?;
    let names: Vec<String> = LOGINS.iter().map(|(u, _)| (*u).to_owned()).collect();
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "UPDATE users SET password_hash = $1 WHERE username = ANY($2)",
        hash,
        &names
    )
    .execute(&mut *tx)
    .await?;
    // A new password starts the demo logins' failure counts afresh.
    sqlx::query!(
        "DELETE FROM login_failures WHERE username = ANY($1)",
        &names
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!("UPDATE demo_info SET password = $1", hash)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Fills the demo into an empty database; does nothing if any unit exists.
/// The data is generated around `today`, so that it looks current.
pub async fn seed_if_empty(
    pool: &PgPool,
    pw: Option<&Secret>,
    today: NaiveDate,
) -> anyhow::Result<Option<DemoLogins>> {
    seed_scaled_if_empty(pool, pw, Scale::default(), today).await
}

/// As [`seed_if_empty`], with extra towns for province-scale benchmarks.
pub async fn seed_scaled_if_empty(
    pool: &PgPool,
    pw: Option<&Secret>,
    scale: Scale,
    today: NaiveDate,
) -> anyhow::Result<Option<DemoLogins>> {
    let has_units = sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM units) AS "e!""#)
        .fetch_one(pool)
        .await?;
    if has_units {
        return Ok(None);
    }
    let password = pw
        .map(|p| p.expose().to_owned())
        .unwrap_or_else(password::generate);
    // Checked before anything is written: the logins are created last.
    password::check_new(&password)
        .map_err(|m| anyhow::anyhow!("CHIBO_DEMO_PASSWORD không dùng được: {m}"))?;
    let started = std::time::Instant::now();
    seed(pool, &password, scale, today).await?;
    // Fresh statistics after the bulk load: until autovacuum gets to it, the planner would
    // take the new tables for nearly empty (a ward's approval queue scanned every waiting
    // sheet of the province: 29 ms instead of 1.6 ms).
    sqlx::query("ANALYZE").execute(pool).await?;
    tracing::info!(
        "demo data generated in {} ms",
        started.elapsed().as_millis()
    );
    Ok(Some(DemoLogins {
        password: Some(password),
    }))
}

/// How much demo to make: the town of the seed articles, or a province for benchmarks.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    /// Towns beside Kỳ Anh (10 make a province of ~2,000 branches).
    pub extra_towns: usize,
    pub members_per_extra_town: usize,
    /// Months of meeting history before the current month.
    pub history_months: u32,
}

impl Default for Scale {
    fn default() -> Self {
        Self {
            extra_towns: 0,
            members_per_extra_town: 9_500,
            history_months: 12,
        }
    }
}

const OTHER_TOWNS: &[&str] = &[
    "Cẩm Xuyên",
    "Thạch Hà",
    "Can Lộc",
    "Hương Sơn",
    "Hương Khê",
    "Nghi Xuân",
    "Vũ Quang",
    "Lộc Hà",
    "Hồng Lĩnh",
    "Thành phố Hà Tĩnh",
];

async fn seed(
    pool: &PgPool,
    demo_password: &str,
    scale: Scale,
    today: NaiveDate,
) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(1193);
    let mut units = Units::default();

    let province = units.add(
        None,
        UnitKind::Province,
        None,
        "Đảng bộ tỉnh Hà Tĩnh".into(),
        d(1991, 9, 1),
    );
    let town_from = d(2015, 4, 10);
    let (town, song_tri, town_branches) = add_town(
        &mut units,
        province,
        "Đảng bộ thị xã Kỳ Anh",
        None,
        town_from,
    );
    let hung_loi = town_branches[0].0;

    // Before 2025: Đức Thọ district with its communes. After: one commune under the province.
    let district = units.add(
        Some(province),
        UnitKind::UpperCommittee,
        None,
        "Đảng bộ huyện Đức Thọ".into(),
        d(1991, 9, 1),
    );
    let mut old_communes = Vec::new();
    let mut duc_tho_branches = Vec::new();
    for (commune, branches) in names::DUC_THO_OLD {
        let c = units.add(
            Some(district),
            UnitKind::GrassrootsCommittee,
            None,
            (*commune).into(),
            d(1991, 9, 1),
        );
        old_communes.push(c);
        for b in *branches {
            let bt = if b.starts_with("Tổ") {
                BranchType::ToDanPho
            } else {
                BranchType::Thon
            };
            let u = units.add(
                Some(c),
                UnitKind::Branch,
                Some(bt),
                format!("Chi bộ {b}"),
                d(2000, 1, 1),
            );
            duc_tho_branches.push((u, bt));
        }
    }
    let reform = d(2025, 7, 1);
    let new_commune = units.add(
        Some(province),
        UnitKind::UpperCommittee,
        None,
        "Đảng bộ xã Đức Thọ".into(),
        reform,
    );

    // Members: the town's 4,317 shared among its branches, residential branches larger.
    let mut members: Vec<MemberSpec> = Vec::with_capacity(TOWN_MEMBERS + 400);
    add_members(
        &mut rng,
        &units,
        &town_branches,
        TOWN_MEMBERS,
        today,
        &mut members,
    );
    for (b, bt) in &duc_tho_branches {
        for _ in 0..rng.random_range(18..34) {
            let seq = members.len();
            members.push(make_member(
                &mut rng,
                seq,
                units.0[*b].id,
                *bt,
                units.0[*b].valid_from,
                today,
            ));
        }
    }
    for i in 0..scale.extra_towns {
        let name = OTHER_TOWNS[i % OTHER_TOWNS.len()];
        let tag = if i < OTHER_TOWNS.len() {
            name.to_owned()
        } else {
            format!("{name} {i}")
        };
        let (_, _, branches) = add_town(
            &mut units,
            province,
            &format!("Đảng bộ {tag}"),
            Some(&tag),
            town_from,
        );
        add_members(
            &mut rng,
            &units,
            &branches,
            scale.members_per_extra_town,
            today,
            &mut members,
        );
    }
    // The demo secretary and member of Hưng Lợi: full members of working age.
    let hung_loi_id = units.0[hung_loi].id;
    let mut in_hung_loi = members
        .iter()
        .enumerate()
        .filter(|(_, m)| {
            m.branch == hung_loi_id
                && m.status == Status::Full
                && m.lifecycle_state == Lifecycle::Active
        })
        .map(|(i, _)| i);
    let secretary_idx = in_hung_loi.next().expect("Hưng Lợi has full members");
    let member_idx = in_hung_loi.next().expect("Hưng Lợi has two full members");

    let mut tx = pool.begin().await?;
    insert_units(&mut tx, &units.0).await?;
    insert_members(&mut tx, &members).await?;
    insert_posts(&mut tx, &members).await?;
    // A few members attached temporarily to another branch of the town (work or study away).
    let mut temp_member = Vec::new();
    let mut temp_unit = Vec::new();
    let mut temp_from = Vec::new();
    for _ in 0..40 {
        let m = &members[rng.random_range(0..TOWN_MEMBERS)];
        let (b, _) = town_branches[rng.random_range(0..town_branches.len())];
        if units.0[b].id == m.branch || temp_member.contains(&m.id) {
            continue;
        }
        let from = random_date(
            &mut rng,
            today - Duration::days(300),
            today - Duration::days(10),
        );
        // As the transfer form allows: an active member, after joining the branch.
        if m.lifecycle_state != Lifecycle::Active || from < m.joined {
            continue;
        }
        temp_member.push(m.id);
        temp_unit.push(units.0[b].id);
        temp_from.push(from);
    }
    sqlx::query!(
        "INSERT INTO memberships (id, member_id, unit_id, kind, valid_from, reference)
         SELECT uuid_v7(), m, u, 'temporary', f, 'Giấy giới thiệu sinh hoạt tạm thời'
           FROM unnest($1::uuid[], $2::uuid[], $3::date[]) AS t(m, u, f)",
        &temp_member,
        &temp_unit,
        &temp_from
    )
    .execute(&mut *tx)
    .await?;
    // Attached elsewhere, they are away from their own branch (as a transfer records it).
    sqlx::query!(
        "UPDATE members m SET lifecycle_state = 'away', state_since = t.f
           FROM unnest($1::uuid[], $2::date[]) AS t(m, f)
          WHERE m.id = t.m AND m.lifecycle_state = 'active'",
        &temp_member,
        &temp_from
    )
    .execute(&mut *tx)
    .await?;
    insert_history(&mut tx).await?;
    history::seed(&mut tx, today, scale.history_months).await?;
    // Only its hash: the password is printed by the start that generated it, never stored.
    let demo_hash = password::hash(demo_password.to_owned()).await?;
    sqlx::query!("INSERT INTO demo_info (password) VALUES ($1)", demo_hash)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;

    // The 2025 reorganisation, through the same code an administrator would use.
    for c in &old_communes {
        let unit = org_store::get(pool, units.0[*c].id)
            .await?
            .expect("just inserted");
        org_store::merge(
            pool,
            None,
            unit.id,
            unit.version,
            units.0[new_commune].id,
            reform,
        )
        .await?;
    }
    let district_unit = org_store::get(pool, units.0[district].id)
        .await?
        .expect("just inserted");
    org_store::close(
        pool,
        None,
        district_unit.id,
        district_unit.version,
        reform,
        &[],
    )
    .await?;

    let u = |i: usize| Some(units.0[i].id);
    // (user name, display name, member record, grant)
    type Login<'a> = (&'a str, String, Option<Uuid>, (Role, Option<Uuid>));
    let logins: [Login; 6] = [
        (
            "admin",
            "Quản trị viên tỉnh".into(),
            None,
            (Role::Admin, u(province)),
        ),
        (
            "thixa",
            "Ban Tổ chức Thị ủy Kỳ Anh".into(),
            None,
            (Role::Supervisor, u(town)),
        ),
        (
            "phuong",
            "Đảng ủy phường Sông Trí".into(),
            None,
            (Role::Supervisor, u(song_tri)),
        ),
        (
            "bithu",
            members[secretary_idx].full_name.clone(),
            Some(members[secretary_idx].id),
            (Role::Secretary, u(hung_loi)),
        ),
        (
            "dangvien",
            members[member_idx].full_name.clone(),
            Some(members[member_idx].id),
            (Role::Member, u(hung_loi)),
        ),
        (
            "xaductho",
            "Đảng ủy xã Đức Thọ".into(),
            None,
            (Role::Supervisor, u(new_commune)),
        ),
    ];
    for (username, display_name, member_id, grant) in logins {
        crate::auth::store::create_user(
            pool,
            crate::auth::store::NewUser {
                username,
                display_name: &display_name,
                password: demo_password,
                member_id,
                grants: &[grant],
            },
        )
        .await?;
    }
    // Scores last: the supervisors who approved them are the logins above.
    scores::seed(pool, today, 1193).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    #[test]
    fn shares_add_up_and_every_branch_can_meet() {
        let s = apportion(4317, &[30, 10, 1, 25, 7]);
        assert_eq!(s.iter().sum::<usize>(), 4317);
        assert!(s.iter().all(|n| *n >= 3));
        assert_eq!(apportion(15, &[1, 1, 100]).iter().sum::<usize>(), 15);
    }

    #[test]
    fn the_demo_town_has_the_seed_shape() {
        let committees = names::KY_ANH_WARDS.len() + names::KY_ANH_OTHERS.len();
        let branches: usize = names::KY_ANH_WARDS
            .iter()
            .map(|(_, _, g)| g.len())
            .sum::<usize>()
            + names::KY_ANH_OTHERS
                .iter()
                .map(|(_, b)| b.len())
                .sum::<usize>();
        assert_eq!((committees, branches), (30, 177));
    }

    #[test]
    fn generated_members_respect_the_party_rules() {
        let mut rng = StdRng::seed_from_u64(7);
        let today = d(2026, 11, 22);
        for i in 0..2000 {
            let m = make_member(
                &mut rng,
                i,
                Uuid::nil(),
                if i % 2 == 0 {
                    BranchType::Thon
                } else {
                    BranchType::CoQuan
                },
                d(2015, 4, 10),
                today,
            );
            let age_at_admission = m.admission_date.year() - m.birth_date.year();
            assert!(
                age_at_admission >= 18,
                "{} admitted at {age_at_admission}",
                m.full_name
            );
            assert!(m.admission_date <= today);
            assert_eq!(m.status == Status::Full, m.official_date.is_some());
            if let Some(o) = m.official_date {
                assert!(o >= m.admission_date + Duration::days(365) && o <= today);
            }
            assert!(
                (3..=4).contains(&m.full_name.split(' ').count()),
                "{}",
                m.full_name
            );
            assert!(m.joined >= m.admission_date);
        }
    }
}
