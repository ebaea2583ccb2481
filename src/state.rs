//! What every handler is given: the database pool and the application clock. It sits at the
//! bottom of the module tree, so that features take it without importing the composition
//! root (`app`).

use sqlx::PgPool;

use crate::clock::Clock;

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub clock: Clock,
    pub secure_cookies: bool,
}

impl AppState {
    pub fn new(pool: PgPool, clock: Clock, secure_cookies: bool) -> Self {
        Self {
            pool,
            clock,
            secure_cookies,
        }
    }
}
