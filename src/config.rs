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

#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub addr: SocketAddr,
    /// Mark the session cookie Secure (set when served over https behind a proxy).
    pub secure_cookies: bool,
    /// Fill demo data into an empty database: `Some` when asked (`--demo`/`--no-demo`),
    /// `None` for the default (only the private cluster of a fresh data directory).
    pub demo: Option<bool>,
    pub demo_password: Option<Secret>,
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
