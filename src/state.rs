//! What every handler is given: the database pool and the application clock. It sits at the
//! bottom of the module tree, so that features take it without importing the composition
//! root (`app`).

use sqlx::PgPool;

use crate::clock::Clock;
use crate::config::LoginLimit;

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub clock: Clock,
    pub secure_cookies: bool,
    /// Sign-in attempts allowed per client address (`auth` applies it to POST /login).
    pub login_limit: LoginLimit,
}

impl AppState {
    pub fn new(pool: PgPool, clock: Clock, secure_cookies: bool) -> Self {
        Self {
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
