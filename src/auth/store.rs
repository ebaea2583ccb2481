//! Users, their grants, login checks and the lock-out counter.

use crate::error::StoreError;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::{AccountRefusal, Grant, LOCKOUT_MINUTES, MAX_FAILED_LOGINS, Role, User, password};

/// The axum-login backend: loads the user behind a session on every request.
#[derive(Clone)]
pub struct Backend {
    pool: PgPool,
}

impl Backend {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

#[derive(Clone)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl axum_login::AuthnBackend for Backend {
    type User = User;
    type Credentials = Credentials;
    type Error = sqlx::Error;

    async fn authenticate(&self, creds: Credentials) -> Result<Option<User>, sqlx::Error> {
        match check_login(&self.pool, &creds.username, &creds.password).await {
            Ok(LoginOutcome::Success(user)) => Ok(Some(*user)),
            Ok(_) => Ok(None),
            Err(e) => Err(sqlx::Error::Protocol(format!("{e:#}"))),
        }
    }

    async fn get_user(&self, user_id: &Uuid) -> Result<Option<User>, sqlx::Error> {
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

/// One query: the user and every grant with its unit's path and name (a row per grant; one
/// row without a grant for a user who has none).
pub async fn load_user(pool: &PgPool, id: Uuid) -> Result<Option<User>, sqlx::Error> {
    let rows = sqlx::query!(
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
    Ok(rows.into_iter().next().map(|r| User {
        id: r.id,
        username: r.username,
        display_name: r.display_name,
        member_id: r.member_id,
        grants,
        password_hash: r.password_hash,
    }))
}

pub enum LoginOutcome {
    Success(Box<User>),
    /// Unknown user name or wrong password: the two are never told apart.
    Wrong,
    Locked {
        until: DateTime<Utc>,
    },
}

/// Checks a login attempt and keeps the failure counter: after MAX_FAILED_LOGINS wrong
/// passwords in a row the account is locked for LOCKOUT_MINUTES, and while it is locked the
/// password is not even checked.
pub async fn check_login(pool: &PgPool, username: &str, pw: &str) -> anyhow::Result<LoginOutcome> {
    let username = username.trim().to_lowercase();
    let row = sqlx::query!(
        "SELECT id, password_hash, locked_until FROM users WHERE username = $1 AND is_active",
        username
    )
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else {
        password::verify(pw.to_owned(), None).await?;
        return Ok(LoginOutcome::Wrong);
    };
    if let Some(until) = row.locked_until.filter(|t| *t > crate::clock::wall_now()) {
        // The hash is checked all the same, so that a locked account answers in the time a
        // wrong password does (and the page says the same: see `handlers::login`).
        password::verify(pw.to_owned(), Some(row.password_hash)).await?;
        return Ok(LoginOutcome::Locked { until });
    }
    if password::verify(pw.to_owned(), Some(row.password_hash)).await? {
        sqlx::query!(
            "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1",
            row.id
        )
        .execute(pool)
        .await?;
        let user = load_user(pool, row.id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("user vanished"))?;
        return Ok(LoginOutcome::Success(Box::new(user)));
    }
    // Counted in one statement so that parallel attempts cannot slip past the limit. A lock
    // that has run out starts the count again.
    let locked = sqlx::query_scalar!(
        r#"UPDATE users
              SET failed_logins = CASE WHEN locked_until IS NOT NULL AND locked_until <= now()
                                       THEN 1 ELSE failed_logins + 1 END,
                  locked_until = CASE
                      WHEN (CASE WHEN locked_until IS NOT NULL AND locked_until <= now()
                                 THEN 1 ELSE failed_logins + 1 END) >= $2
                      THEN now() + make_interval(mins => $3::int) END
            WHERE id = $1
        RETURNING locked_until"#,
        row.id,
        MAX_FAILED_LOGINS,
        LOCKOUT_MINUTES as i32
    )
    .fetch_one(pool)
    .await?;
    Ok(match locked {
        Some(until) => LoginOutcome::Locked { until },
        None => LoginOutcome::Wrong,
    })
}

pub async fn verify_current_password(
    pool: &PgPool,
    user_id: Uuid,
    pw: &str,
) -> anyhow::Result<bool> {
    let hash = sqlx::query_scalar!("SELECT password_hash FROM users WHERE id = $1", user_id)
        .fetch_one(pool)
        .await?;
    password::verify(pw.to_owned(), Some(hash)).await
}

pub async fn set_password(pool: &PgPool, user_id: Uuid, new_password: &str) -> anyhow::Result<()> {
    let hash = password::hash(new_password.to_owned()).await?;
    // The new password and its audit row together, or neither.
    crate::db::transaction(pool, async |tx| {
        sqlx::query!(
            "UPDATE users SET password_hash = $2, password_changed_at = now(), failed_logins = 0,
                              locked_until = NULL
              WHERE id = $1",
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
