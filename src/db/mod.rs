//! The connection pool, migrations and the private cluster used when no DATABASE_URL is set.

pub mod backup;
pub mod embedded;

use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgConnection, PgPool};

pub static MIGRATOR: Migrator = sqlx::migrate!();

/// How long a request waits for a connection: with the database away, the user reads the
/// 503 page after this long rather than a spinner for the old 10 s.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);

/// Whether `err` says the database cannot be reached (it is down, restarting, refusing
/// connections, or the pool waited too long), rather than that a query is wrong: the
/// first is a 503 that heals by itself, the second a 500 to fix.
pub fn is_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            // 08: connection exception; 57P01-03: the server shutting down or starting;
            // 53300: too many connections; 55000 with this wording: the database was
            // closed to connections (ALTER DATABASE … ALLOW_CONNECTIONS false).
            code.starts_with("08")
                || code.starts_with("57P")
                || code == "53300"
                || (code == "55000" && db.message().contains("accepting connections"))
        }),
        _ => false,
    }
}

/// As [`is_unavailable`], for an error that may wrap a sqlx error anywhere in its chain.
pub fn is_unavailable_any(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|e| e.downcast_ref::<sqlx::Error>())
        .any(is_unavailable)
}

/// Opens a pool. Statement logging is at debug level only: queries may carry personal data.
///
/// Every statement is prepared once per connection (sqlx caches it) and planned once, for
/// any parameters (`plan_cache_mode = force_generic_plan`). Left to choose, Postgres kept
/// re-planning most of a page's statements on every execution (a custom plan each time:
/// 0.2–1.2 ms apiece, more than running them), which cost a branch's home page 30 % of its
/// time (5.2 → 3.6 ms, measured on the province-scale demo). A statement whose generic
/// plan is bad is written so that it is not (`bench/README.md` tells how to find one).
pub async fn connect(options: PgConnectOptions, max_connections: u32) -> anyhow::Result<PgPool> {
    use sqlx::ConnectOptions;
    let options = options
        .log_statements(log::LevelFilter::Debug)
        .log_slow_statements(log::LevelFilter::Warn, Duration::from_millis(500))
        .application_name("chibo")
        .options([("plan_cache_mode", "force_generic_plan")]);
    let pool = PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await?;
    Ok(pool)
}

pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    MIGRATOR.run(pool).await?;
    Ok(())
}

/// Whether the database answers within `within` (the readiness check).
pub async fn healthy(pool: &PgPool, within: Duration) -> Result<(), sqlx::Error> {
    let probe = sqlx::query_scalar!("SELECT 1 AS \"one!\"").fetch_one(pool);
    match tokio::time::timeout(within, probe).await {
        Ok(answer) => answer.map(drop),
        Err(_) => Err(sqlx::Error::PoolTimedOut),
    }
}

/// The shape of every change: one transaction around `work`, committed when it answers
/// `Ok`, rolled back (by dropping it) when it answers `Err`. A store's `work` locks the
/// row it changes first (`SELECT … FOR UPDATE`, checking the form's version), then checks
/// what only the database knows, then writes, with its audit or history row.
pub async fn transaction<T, E>(
    pool: &PgPool,
    work: impl AsyncFnOnce(&mut PgConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<sqlx::Error>,
{
    let mut tx = pool.begin().await?;
    let value = work(&mut tx).await?;
    tx.commit().await?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database that is away is a 503 that heals by itself; a query that is wrong stays a
    /// 500 to fix.
    #[test]
    fn unavailable_means_the_database_cannot_be_reached_not_that_a_query_is_wrong() {
        assert!(is_unavailable(&sqlx::Error::PoolTimedOut));
        assert!(is_unavailable(&sqlx::Error::PoolClosed));
        assert!(is_unavailable(&sqlx::Error::Io(std::io::Error::from(
            std::io::ErrorKind::ConnectionRefused
        ))));
        assert!(!is_unavailable(&sqlx::Error::RowNotFound));
        assert!(!is_unavailable(&sqlx::Error::ColumnNotFound("x".into())));
        let wrapped = anyhow::Error::from(sqlx::Error::PoolTimedOut).context("loading a page");
        assert!(is_unavailable_any(&wrapped));
        assert!(!is_unavailable_any(&anyhow::anyhow!("a bug")));
    }
}
