//! Settings from flags and the environment. Secrets never reach a log line: their Debug
//! output is redacted.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

/// A string that must not be logged (a database URL with a password, a demo password).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

/// Where the data lives: an existing server, or the private cluster in `data_dir`.
#[derive(Debug, Clone)]
pub struct DbConfig {
    pub database_url: Option<Secret>,
    pub data_dir: PathBuf,
}

/// How many sign-in attempts (POST /login) one client address may make: `burst` at once,
/// then one more every `every`. Beyond it the answer is 429, before any password is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimit {
    pub burst: u32,
    pub every: std::time::Duration,
}

impl Default for LoginLimit {
    /// Ten at once, then ten a minute: an office behind one address signs in at the start
    /// of a meeting without waiting, a guesser gets 600 tries an hour at most over every
    /// name (and five per name before the lock-out, see `auth::lockout`).
    fn default() -> Self {
        Self {
            burst: 10,
            every: std::time::Duration::from_secs(6),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub addr: SocketAddr,
    /// Mark the session cookie Secure (set when served over https behind a proxy).
    pub secure_cookies: bool,
    /// Fill demo data into an empty database: `Some` when asked (`--demo`/`--no-demo`),
    /// `None` for the default (only the private cluster of a fresh data directory).
    pub demo: Option<bool>,
    pub demo_password: Option<Secret>,
    pub login_limit: LoginLimit,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_in_debug_output() {
        let cfg = DbConfig {
            database_url: Some(Secret::new("postgres://u:hunter2@db/x")),
            data_dir: "data".into(),
        };
        let shown = format!("{cfg:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("redacted"));
    }
}
