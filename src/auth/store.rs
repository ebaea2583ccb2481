//! Users, their grants, login checks and the failure counts per (name, address).

use std::net::IpAddr;

use crate::error::StoreError;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::lockout::{self, Admission, Failures};
use super::{AccountRefusal, Grant, Role, User, password};
use crate::state::SignInGate;

/// The axum-login backend: loads the user behind a session on every request.
#[derive(Clone)]
pub struct Backend {
    pool: PgPool,
    gate: SignInGate,
}

impl Backend {
    pub fn new(pool: PgPool, gate: SignInGate) -> Self {
        Self { pool, gate }
    }
}

#[derive(Clone)]
pub struct Credentials {
    pub username: String,
    pub password: String,
    /// Where the attempt comes from: failures are counted per (name, address).
    pub address: IpAddr,
}

impl axum_login::AuthnBackend for Backend {
    type User = User;
    type Credentials = Credentials;
    type Error = sqlx::Error;

    async fn authenticate(&self, creds: Credentials) -> Result<Option<User>, sqlx::Error> {
        let attempt = check_login(
            &self.pool,
            &self.gate,
            &creds.username,
            &creds.password,
            creds.address,
        );
        match attempt.await {
            Ok(LoginOutcome::Success(user)) => Ok(Some(*user)),
            Ok(_) => Ok(None),
            Err(e) => Err(sqlx::Error::Protocol(format!("{e:#}"))),
        }
    }

    async fn get_user(&self, user_id: &Uuid) -> Result<Option<User>, sqlx::Error> {
        // Read with the request's session, in the same statement: nothing to ask again.
        if let Some(user) = super::sessions::user_loaded_with_session(*user_id) {
            return Ok(user);
        }
        let user = load_user(&self.pool, *user_id).await;
        // axum-login answers this error with a bare 500: noted for the 503 page (see
        // `sessions::backend`).
        if let Err(err) = &user
            && crate::db::is_unavailable(err)
        {
            crate::web::note_db_unavailable();
        }
        user
    }
}

/// A user with one of their grants (its unit's path and name), as read by a left join:
/// one row per grant, one row without a grant for a user who has none.
pub(super) struct UserRow {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub member_id: Option<Uuid>,
    pub role: Option<Role>,
    pub unit_id: Option<Uuid>,
    pub unit_path: Option<String>,
    pub unit_name: Option<String>,
}

/// The user the rows of [`UserRow`] describe, or `None` for no row.
pub(super) fn user_from_rows(rows: Vec<UserRow>) -> Option<User> {
    let grants = rows
        .iter()
        .filter_map(|r| {
            Some(Grant {
                role: r.role?,
                unit_id: r.unit_id,
                unit_path: r.unit_path.clone(),
                unit_name: r.unit_name.clone(),
            })
        })
        .collect();
    rows.into_iter().next().map(|r| User {
        id: r.id,
        username: r.username,
        display_name: r.display_name,
        member_id: r.member_id,
        grants,
        password_hash: r.password_hash,
    })
}

/// One query: the user and every grant with its unit's path and name.
pub async fn load_user(pool: &PgPool, id: Uuid) -> Result<Option<User>, sqlx::Error> {
    let rows = sqlx::query_as!(
        UserRow,
        r#"SELECT u.id, u.username, u.display_name, u.password_hash, u.member_id,
                  g.role AS "role?: Role", g.unit_id AS "unit_id?",
                  un.path::text AS "unit_path?", un.name AS "unit_name?"
             FROM users u
             LEFT JOIN role_grants g ON g.user_id = u.id
             LEFT JOIN units un ON un.id = g.unit_id
            WHERE u.id = $1 AND u.is_active
            ORDER BY g.id"#,
        id
    )
    .fetch_all(pool)
    .await?;
    Ok(user_from_rows(rows))
}

pub enum LoginOutcome {
    Success(Box<User>),
    /// Unknown user name or wrong password: the two are never told apart.
    Wrong,
    /// Too many wrong passwords for this name from this address.
    Locked {
        until: DateTime<Utc>,
    },
}

/// The name a failure is counted under: as typed, trimmed and in lower case (as accounts
/// are stored), cut to the table's limit — no account has a longer name. A control
/// character (a NUL, which Postgres refuses in text) becomes U+FFFD: no account has either,
/// so such a name takes the unknown name's path, counted, instead of failing in SQL.
fn failure_key(username: &str) -> String {
    username
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .take(100)
        .collect()
}

/// One attempt of `username` from `address`, its password checked by `verify`, under the
/// pair's row lock held until the attempt is recorded: parallel attempts of one pair queue
/// here, so never more than `lockout::MAX_FAILURES` wrong passwords are checked before the
/// lock holds, and a right password is never refused for the failures of attempts still in
/// flight (counting each attempt before its check did that: 16 parallel right passwords
/// locked themselves out). `verify` runs in every case, locked or not, so that the work is
/// the same; while locked its answer is ignored. A right password deletes the pair's row
/// (other addresses' counts stay); a wrong one records `lockout::admit`'s next state.
async fn attempt(
    pool: &PgPool,
    gate: &SignInGate,
    username: &str,
    address: IpAddr,
    verify: impl AsyncFnOnce() -> anyhow::Result<bool>,
) -> anyhow::Result<(Admission, bool)> {
    let address = address.to_string();
    let _slot = gate.enter().await;
    let mut tx = pool.begin().await?;
    // The pair's row, created if missing and locked, in one statement (an INSERT … DO
    // NOTHING then a SELECT … FOR UPDATE found no row when a right password deleted it in
    // between: a 500 under load).
    let row = sqlx::query!(
        "INSERT INTO login_failures AS f (username, address, failures, last_failed_at)
         VALUES ($1, $2::text::inet, 0, now())
         ON CONFLICT (username, address) DO UPDATE SET username = f.username
         RETURNING f.failures, f.locked_until, f.last_failed_at",
        username,
        address
    )
    .fetch_one(&mut *tx)
    .await?;
    let current = Failures {
        count: row.failures,
        locked_until: row.locked_until,
        // A row just inserted has counted nothing yet.
        last_failed_at: (row.failures > 0).then_some(row.last_failed_at),
    };
    let admission = lockout::admit(current, crate::clock::wall_now());
    let right = verify().await?;
    match &admission {
        Admission::Locked { .. } => {}
        Admission::Checked { .. } if right => {
            sqlx::query!(
                "DELETE FROM login_failures WHERE username = $1 AND address = $2::text::inet",
                username,
                address
            )
            .execute(&mut *tx)
            .await?;
        }
        Admission::Checked { next } => {
            sqlx::query!(
                "UPDATE login_failures SET failures = $3, locked_until = $4, last_failed_at = $5
                  WHERE username = $1 AND address = $2::text::inet",
                username,
                address,
                next.count,
                next.locked_until,
                next.last_failed_at.unwrap_or_else(crate::clock::wall_now)
            )
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok((admission, right))
}

/// Checks a sign-in from `address`. Every attempt takes the same steps whatever the name
/// and the password: it is counted (`attempt`, under the name as typed, whether or
/// not an account has it), the account is looked up, and one argon2 hash is checked — the
/// account's, or a dummy one with the same parameters for an unknown name or a system
/// account (`password::verify`), also while the pair is locked, where the result is then
/// ignored. So an unknown name, a wrong password and a locked pair differ neither in the
/// answer nor in the work done; only a right password does more (clearing the count).
pub async fn check_login(
    pool: &PgPool,
    gate: &SignInGate,
    username: &str,
    pw: &str,
    address: IpAddr,
) -> anyhow::Result<LoginOutcome> {
    let key = failure_key(username);
    let row = sqlx::query!(
        "SELECT id, password_hash FROM users WHERE username = $1 AND is_active",
        key
    )
    .fetch_optional(pool)
    .await?;
    let (id, hash) = match row {
        Some(r) => (Some(r.id), Some(r.password_hash)),
        None => (None, None),
    };
    // An unknown name has no account: its "right" password is never right.
    let (admission, right) = attempt(pool, gate, &key, address, async || {
        Ok(password::verify(pw.to_owned(), hash).await? && id.is_some())
    })
    .await?;
    match (admission, id) {
        (Admission::Locked { until }, _) => Ok(LoginOutcome::Locked { until }),
        (Admission::Checked { .. }, Some(id)) if right => {
            let user = load_user(pool, id)
                .await?
                .ok_or_else(|| anyhow::anyhow!("user vanished"))?;
            Ok(LoginOutcome::Success(Box::new(user)))
        }
        (Admission::Checked { next }, _) => Ok(match next.locked_until {
            // This wrong password was the last one allowed.
            Some(until) => LoginOutcome::Locked { until },
            None => LoginOutcome::Wrong,
        }),
    }
}

pub enum CurrentPassword {
    Right,
    Wrong,
    Locked { until: DateTime<Utc> },
}

/// Checks the current password typed on the change-password page, counted exactly as a
/// sign-in of the same account from the same address: someone holding a signed-in session
/// cannot guess the password there either, and a lock earned there holds at the sign-in.
pub async fn verify_current_password(
    pool: &PgPool,
    gate: &SignInGate,
    user: &User,
    pw: &str,
    address: IpAddr,
) -> anyhow::Result<CurrentPassword> {
    let key = failure_key(&user.username);
    let hash = sqlx::query_scalar!("SELECT password_hash FROM users WHERE id = $1", user.id)
        .fetch_one(pool)
        .await?;
    let (admission, right) = attempt(pool, gate, &key, address, async || {
        password::verify(pw.to_owned(), Some(hash)).await
    })
    .await?;
    Ok(match admission {
        Admission::Locked { until } => CurrentPassword::Locked { until },
        Admission::Checked { .. } if right => CurrentPassword::Right,
        Admission::Checked { next } => match next.locked_until {
            Some(until) => CurrentPassword::Locked { until },
            None => CurrentPassword::Wrong,
        },
    })
}

/// A (name, address) pair locked now, for the administrators' list.
pub struct LockedPair {
    pub user_id: Uuid,
    pub username: String,
    pub display_name: String,
    /// The paths of the account's grants' units (`None`: a grant over everything).
    pub grant_paths: Vec<Option<String>>,
    pub address: String,
    pub failures: i32,
    pub locked_until: DateTime<Utc>,
}

/// Every pair of an existing account locked now, latest lock first.
pub async fn locked_pairs(pool: &PgPool) -> Result<Vec<LockedPair>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT u.id, u.username, u.display_name, host(f.address) AS "address!",
                  f.failures, f.locked_until AS "locked_until!",
                  COALESCE((SELECT array_agg(un.path::text)
                              FROM role_grants g LEFT JOIN units un ON un.id = g.unit_id
                             WHERE g.user_id = u.id), '{}') AS "grant_paths!: Vec<Option<String>>"
             FROM login_failures f
             JOIN users u ON u.username = f.username
            WHERE f.locked_until > now()
            ORDER BY f.locked_until DESC, u.username"#
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| LockedPair {
            user_id: r.id,
            username: r.username,
            display_name: r.display_name,
            grant_paths: r.grant_paths,
            address: r.address,
            failures: r.failures,
            locked_until: r.locked_until,
        })
        .collect())
}

/// The account `id` with the paths of its grants' units (`None` in the list: a grant over
/// everything), for deciding who may manage it; `None`: no such account.
pub async fn account_grant_paths(
    pool: &PgPool,
    id: Uuid,
) -> Result<Option<Vec<Option<String>>>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT COALESCE((SELECT array_agg(un.path::text)
                              FROM role_grants g LEFT JOIN units un ON un.id = g.unit_id
                             WHERE g.user_id = u.id), '{}') AS "grant_paths!: Vec<Option<String>>"
             FROM users u WHERE u.id = $1"#,
        id
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| r.grant_paths))
}

/// The name of the account `id`.
pub async fn username_of(pool: &PgPool, id: Uuid) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("SELECT username FROM users WHERE id = $1", id)
        .fetch_optional(pool)
        .await
}

/// The account named `username` (as stored: trimmed, lower case), if any.
pub async fn user_id_by_name(pool: &PgPool, username: &str) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT id FROM users WHERE username = $1",
        failure_key(username)
    )
    .fetch_optional(pool)
    .await
}

/// Clears every failure count and lock of the account `id`, from every address, with its
/// audit row (who unlocked, and which addresses were locked) in the same transaction.
/// Answers how many addresses were locked.
pub async fn unlock_user(pool: &PgPool, id: Uuid, by: Option<Uuid>) -> Result<usize, StoreError> {
    crate::db::transaction(pool, async |tx| {
        let username =
            sqlx::query_scalar!("SELECT username FROM users WHERE id = $1 FOR UPDATE", id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?;
        let cleared = sqlx::query!(
            r#"DELETE FROM login_failures WHERE username = $1
               RETURNING host(address) AS "address!", failures, locked_until"#,
            username
        )
        .fetch_all(&mut *tx)
        .await?;
        let now = crate::clock::wall_now();
        let locked: Vec<&str> = cleared
            .iter()
            .filter(|r| r.locked_until.is_some_and(|u| u > now))
            .map(|r| r.address.as_str())
            .collect();
        crate::audit::record(
            tx,
            crate::audit::Entry {
                user: by,
                action: crate::audit::Action::UserUnlocked,
                entity: "user",
                entity_id: Some(id),
                before: Some(serde_json::json!({
                    "locked_addresses": locked,
                    "failures": cleared.iter().map(|r| r.failures).sum::<i32>(),
                })),
                after: None,
            },
        )
        .await?;
        Ok(locked.len())
    })
    .await
}

/// Forgets pairs without a failure for `lockout::FORGET_AFTER_HOURS` whose lock has run
/// out (the rule would start them afresh anyway): the table stays small.
pub async fn forget_old_failures(pool: &PgPool) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        "DELETE FROM login_failures
          WHERE last_failed_at < now() - make_interval(hours => $1::int)
            AND (locked_until IS NULL OR locked_until < now())",
        lockout::FORGET_AFTER_HOURS as i32
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

pub async fn set_password(pool: &PgPool, user_id: Uuid, new_password: &str) -> anyhow::Result<()> {
    let hash = password::hash(new_password.to_owned()).await?;
    // The new password and its audit row together, or neither.
    crate::db::transaction(pool, async |tx| {
        sqlx::query!(
            "UPDATE users SET password_hash = $2, password_changed_at = now() WHERE id = $1",
            user_id,
            hash
        )
        .execute(&mut *tx)
        .await?;
        crate::audit::record(
            tx,
            crate::audit::Entry {
                user: Some(user_id),
                action: crate::audit::Action::PasswordChanged,
                entity: "user",
                entity_id: Some(user_id),
                before: None,
                after: None,
            },
        )
        .await?;
        Ok(())
    })
    .await
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
    pub member_id: Option<Uuid>,
    pub grants: &'a [(Role, Option<Uuid>)],
}

/// Creates an account with its grants. A refusal is an `AccountRefusal` inside the error (the
/// command line prints its message).
/// Makes an account one nobody can sign in with (a system account that stands for the
/// authors of imported records): it keeps its name on what it wrote.
pub async fn deactivate_user(pool: &PgPool, id: Uuid) -> Result<(), sqlx::Error> {
    // The change and its audit row together, or neither.
    crate::db::transaction(pool, async |tx| {
        sqlx::query!("UPDATE users SET is_active = false WHERE id = $1", id)
            .execute(&mut *tx)
            .await?;
        crate::audit::record(
            tx,
            crate::audit::Entry {
                user: None,
                action: crate::audit::Action::UserDeactivated,
                entity: "user",
                entity_id: Some(id),
                before: Some(serde_json::json!({ "is_active": true })),
                after: Some(serde_json::json!({ "is_active": false })),
            },
        )
        .await?;
        Ok::<_, sqlx::Error>(())
    })
    .await
}

pub async fn create_user(pool: &PgPool, new: NewUser<'_>) -> anyhow::Result<Uuid> {
    let refused = |r: AccountRefusal| anyhow::Error::from(StoreError::from(r));
    let username =
        super::check_new_user(new.username, new.password, new.grants).map_err(refused)?;
    let taken = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM users WHERE username = $1) AS "e!""#,
        username
    )
    .fetch_one(pool)
    .await?;
    if taken {
        return Err(refused(AccountRefusal::UsernameTaken(username)));
    }
    for unit in new.grants.iter().filter_map(|(_, u)| *u) {
        let exists = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM units WHERE id = $1) AS "e!""#,
            unit
        )
        .fetch_one(pool)
        .await?;
        if !exists {
            return Err(refused(AccountRefusal::UnknownUnit(unit)));
        }
    }
    let hash = password::hash(new.password.to_owned()).await?;
    let id = Uuid::now_v7();
    // The user and every grant, or nothing. Two creations of one username at once both pass
    // the check above (the password's hash takes a while): the unique index answers the
    // second with the same refusal.
    let taken = AccountRefusal::UsernameTaken(username.clone());
    let id = crate::db::transaction::<_, StoreError>(pool, async |tx| {
        sqlx::query!(
            "INSERT INTO users (id, username, display_name, password_hash, member_id) VALUES ($1, $2, $3, $4, $5)",
            id,
            username,
            new.display_name.trim(),
            hash,
            new.member_id
        )
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::on_constraint(e, &[("users_username_key", taken)]))?;
        for &(role, unit) in new.grants {
            sqlx::query!(
                "INSERT INTO role_grants (id, user_id, role, unit_id) VALUES ($1, $2, $3, $4)",
                Uuid::now_v7(),
                id,
                role.as_str(),
                unit
            )
            .execute(&mut *tx)
            .await?;
        }
        // Who the account is and what it may do, as created (never the password).
        let grants: Vec<String> = new
            .grants
            .iter()
            .map(|(role, unit)| match unit {
                Some(u) => format!("{role}@{u}"),
                None => role.to_string(),
            })
            .collect();
        crate::audit::record(
            tx,
            crate::audit::Entry {
                user: None,
                action: crate::audit::Action::UserCreated,
                entity: "user",
                entity_id: Some(id),
                before: None,
                after: Some(serde_json::json!({
                    "about": username, "username": username,
                    "display_name": new.display_name.trim(), "grants": grants,
                })),
            },
        )
        .await?;
        Ok(id)
    })
    .await?;
    Ok(id)
}

/// Whether any login exists (an empty production database has none: `serve` then says how
/// to create the first one).
pub async fn any_user(pool: &PgPool) -> sqlx::Result<bool> {
    sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM users) AS "any!""#)
        .fetch_one(pool)
        .await
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_failure_key_is_the_stored_form_of_the_name_without_control_characters() {
        assert_eq!(super::failure_key("  BiThu "), "bithu");
        assert_eq!(super::failure_key("ad\0min\u{7}"), "ad\u{FFFD}min\u{FFFD}");
        assert_eq!(super::failure_key(&"x".repeat(500)).chars().count(), 100);
    }
}
