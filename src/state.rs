//! What every handler is given: the database pool and the application clock. It sits at the
//! bottom of the module tree, so that features take it without importing the composition
//! root (`app`).

use std::sync::Arc;

use sqlx::PgPool;
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::clock::Clock;
use crate::config::LoginLimit;

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub clock: Clock,
    pub secure_cookies: bool,
    /// Sign-in attempts allowed per client address (`auth` applies it to POST /login).
    pub login_limit: LoginLimit,
    /// The sign-ins that may hold a connection at once, sized from the pool.
    pub sign_ins: SignInGate,
}

impl AppState {
    pub fn new(pool: PgPool, clock: Clock, secure_cookies: bool) -> Self {
        Self {
            sign_ins: SignInGate::for_pool(&pool),
            pool,
            clock,
            secure_cookies,
            login_limit: LoginLimit::default(),
        }
    }

    /// The same state with another sign-in rate limit (the server's flags; tests).
    pub fn with_login_limit(mut self, login_limit: LoginLimit) -> Self {
        self.login_limit = login_limit;
        self
    }
}

/// The sign-in attempts that may hold a database connection at once (`auth::store` holds
/// one, in a transaction with the pair's row locked, while the argon2 hash is checked): no
/// more than there are cores to hash on, and never more than half of the pool. A burst of
/// sign-ins waits here holding no connection; without the bound it idled in open
/// transactions until the pool was empty and every other page answered 503.
#[derive(Clone)]
pub struct SignInGate {
    slots: Arc<Semaphore>,
}

impl SignInGate {
    pub fn for_pool(pool: &PgPool) -> Self {
        let half = (pool.options().get_max_connections() / 2).max(1) as usize;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            slots: Arc::new(Semaphore::new(cores.min(half))),
        }
    }

    /// Waits for a slot, held until the permit is dropped.
    pub async fn enter(&self) -> Option<SemaphorePermit<'_>> {
        // The semaphore is never closed: `None` cannot happen, and would only skip the bound.
        self.slots.acquire().await.ok()
    }
}
