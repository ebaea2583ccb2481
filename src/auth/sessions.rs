//! Sessions in Postgres, for tower-sessions.
//!
//! Written here rather than taken from tower-sessions-sqlx-store: that crate turns on sqlx's
//! `time` feature, and with both `time` and `chrono` on, sqlx's checked macros map every
//! `date` column to `time::Date`; the rest of chibo uses chrono. The store is small: one
//! table (see the migrations), the record kept as JSON, expired rows deleted hourly.
//!
//! A signed-in request costs one statement, not two: loading a session also reads the user
//! it names, with their grants, and leaves that user in a slot of the request's task
//! ([`with_session_user_slot`], around the session layer), where the axum-login backend's
//! `get_user` of the same request takes it. Nothing is cached across requests, so every
//! request sees the user and grants as they are when it starts.

use std::cell::RefCell;

use async_trait::async_trait;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::Role;
use super::store::{UserRow, user_from_rows};
use tower_sessions::SessionStore;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion};

#[derive(Debug, Clone)]
pub struct PgSessionStore {
    pool: PgPool,
}

impl PgSessionStore {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

/// The user read with the request's session: the id the session names, and the user if
/// that account exists and is active.
type Loaded = Option<(Uuid, Option<super::User>)>;

tokio::task_local! {
    static SESSION_USER: RefCell<Loaded>;
}

/// Runs the request with a slot for the user its session load reads (a middleware around
/// the session layer).
pub async fn with_session_user_slot(req: Request, next: Next) -> Response {
    SESSION_USER.scope(RefCell::new(None), next.run(req)).await
}

/// The user `id` as read with this request's session, taken from the slot (once); `None`
/// outside a request, or when the session named someone else or nobody.
pub fn user_loaded_with_session(id: Uuid) -> Option<Option<super::User>> {
    SESSION_USER
        .try_with(|slot| {
            let mut slot = slot.borrow_mut();
            match slot.take() {
                Some((named, user)) if named == id => Some(user),
                other => {
                    *slot = other;
                    None
                }
            }
        })
        .ok()
        .flatten()
}

/// The key under which axum-login keeps its data in the session record (its default; the
/// session load's SQL names it too).
const AUTH_DATA_KEY: &str = "axum-login.data";

fn backend(err: sqlx::Error) -> session_store::Error {
    // tower-sessions answers a store error with a bare 500: noted, so that the error page
    // middleware says 503 "database unavailable" instead when that is the cause.
    if crate::db::is_unavailable(&err) {
        crate::web::note_db_unavailable();
    }
    session_store::Error::Backend(err.to_string())
}

fn expiry(record: &Record) -> DateTime<Utc> {
    DateTime::from_timestamp(record.expiry_date.unix_timestamp(), 0)
        .unwrap_or_else(crate::clock::wall_now)
}

/// Only the data is kept as JSON: the id and the expiry have columns of their own (the id
/// is an i128, which JSON cannot hold).
fn encode(record: &Record) -> session_store::Result<serde_json::Value> {
    serde_json::to_value(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))
}

#[async_trait]
impl SessionStore for PgSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A fresh random id colliding is astronomically unlikely; if it happens, draw again
        // rather than overwrite someone else's session.
        loop {
            let inserted = sqlx::query!(
                "INSERT INTO sessions (id, record, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
                record.id.to_string(),
                encode(record)?,
                expiry(record)
            )
            .execute(&self.pool)
            .await
            .map_err(backend)?
            .rows_affected();
            if inserted == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        sqlx::query!(
            "INSERT INTO sessions (id, record, expires_at) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET record = excluded.record, expires_at = excluded.expires_at",
            record.id.to_string(),
            encode(record)?,
            expiry(record)
        )
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        // The session, and the active user it names with a row per grant (one statement).
        // A user id that is not a UUID names nobody.
        let rows = sqlx::query!(
            r#"SELECT s.record, s.expires_at,
                      u.id AS "user_id?", u.username AS "username?", u.display_name AS "display_name?",
                      u.password_hash AS "password_hash?", u.member_id AS "member_id?",
                      g.role AS "role?: Role", g.unit_id AS "unit_id?",
                      un.path::text AS "unit_path?", un.name AS "unit_name?"
                 FROM sessions s
                 LEFT JOIN users u
                        ON u.id = CASE WHEN s.record -> 'axum-login.data' ->> 'user_id' ~ '^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$'
                                       THEN (s.record -> 'axum-login.data' ->> 'user_id')::uuid END
                       AND u.is_active
                 LEFT JOIN role_grants g ON g.user_id = u.id
                 LEFT JOIN units un ON un.id = g.unit_id
                WHERE s.id = $1 AND s.expires_at > now()
                ORDER BY g.id"#,
            id.to_string()
        )
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let decode = |e: String| session_store::Error::Decode(e);
        let record = Record {
            id: *id,
            data: serde_json::from_value(first.record.clone())
                .map_err(|e| decode(e.to_string()))?,
            expiry_date: time::OffsetDateTime::from_unix_timestamp(first.expires_at.timestamp())
                .map_err(|e| decode(e.to_string()))?,
        };
        let named = first
            .record
            .get(AUTH_DATA_KEY)
            .and_then(|d| d.get("user_id"))
            .and_then(|u| u.as_str())
            .and_then(|u| Uuid::parse_str(u).ok());
        if let Some(named) = named {
            let user_rows: Vec<UserRow> = rows
                .into_iter()
                .filter_map(|r| {
                    Some(UserRow {
                        id: r.user_id?,
                        username: r.username?,
                        display_name: r.display_name?,
                        password_hash: r.password_hash?,
                        member_id: r.member_id,
                        role: r.role,
                        unit_id: r.unit_id,
                        unit_path: r.unit_path,
                        unit_name: r.unit_name,
                    })
                })
                .collect();
            let user = user_from_rows(user_rows);
            // Outside a request's slot (a session read elsewhere): nothing kept.
            let _ = SESSION_USER.try_with(|slot| *slot.borrow_mut() = Some((named, user)));
        }
        Ok(Some(record))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query!("DELETE FROM sessions WHERE id = $1", id.to_string())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for PgSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        sqlx::query!("DELETE FROM sessions WHERE expires_at <= now()")
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
