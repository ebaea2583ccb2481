//! Sessions in Postgres, for tower-sessions.
//!
//! Written here rather than taken from tower-sessions-sqlx-store: that crate turns on sqlx's
//! `time` feature, and with both `time` and `chrono` on, sqlx's checked macros map every
//! `date` column to `time::Date`; the rest of chibo uses chrono. The store is small: one
//! table (see the migrations), the record kept as JSON, expired rows deleted hourly.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
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
        let row = sqlx::query!(
            "SELECT record, expires_at FROM sessions WHERE id = $1 AND expires_at > now()",
            id.to_string()
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let decode = |e: String| session_store::Error::Decode(e);
        Ok(Some(Record {
            id: *id,
            data: serde_json::from_value(row.record).map_err(|e| decode(e.to_string()))?,
            expiry_date: time::OffsetDateTime::from_unix_timestamp(row.expires_at.timestamp())
                .map_err(|e| decode(e.to_string()))?,
        }))
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
