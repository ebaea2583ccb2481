//! The command line: `chibo serve | migrate | seed-demo | backup | restore | create-user |
//! unlock-user`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use uuid::Uuid;

use crate::auth::Role;
use crate::clock::Clock;
use crate::config::{DbConfig, Secret};

#[derive(Debug, Parser)]
#[command(
    name = "chibo",
    version,
    about = "Sinh hoạt chi bộ: họp, điểm danh, biên bản, chấm điểm"
)]
pub struct Cli {
    /// Use this Postgres server instead of the private cluster under --data-dir.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<Secret>,

    /// Where the private Postgres cluster lives when DATABASE_URL is not set.
    #[arg(long, env = "CHIBO_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,

    /// Run on this day (yyyy-mm-dd) instead of today: for demos and rehearsals. The demo
    /// data of an empty database is generated around it.
    #[arg(long, env = "CHIBO_TODAY", global = true)]
    pub today: Option<chrono::NaiveDate>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the web server (migrates; fills demo data only when asked, or into the private
    /// cluster of a fresh data directory).
    Serve {
        #[arg(long, env = "CHIBO_ADDR", default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Fill demo data (fictional members, shared-password logins) into an empty
        /// database. The default only for the private cluster of a fresh --data-dir.
        #[arg(long, conflicts_with = "no_demo")]
        demo: bool,
        /// Never fill demo data, not even into a fresh --data-dir.
        #[arg(long)]
        no_demo: bool,
        /// Password of the demo logins (generated and printed when unset).
        #[arg(long, env = "CHIBO_DEMO_PASSWORD", hide_env_values = true)]
        demo_password: Option<Secret>,
        /// Send the session cookie only over https.
        #[arg(long, env = "CHIBO_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Sign-in attempts one client address may make at once (then --login-every).
        #[arg(long, env = "CHIBO_LOGIN_BURST", default_value_t = 10,
              value_parser = clap::value_parser!(u32).range(1..=100_000))]
        login_burst: u32,
        /// Seconds after which one address may make one more sign-in attempt.
        #[arg(long, env = "CHIBO_LOGIN_EVERY", default_value_t = 6,
              value_parser = clap::value_parser!(u64).range(1..=3600))]
        login_every: u64,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Fill the demo organisation, members and logins into an empty database.
    SeedDemo {
        #[arg(long, env = "CHIBO_DEMO_PASSWORD", hide_env_values = true)]
        demo_password: Option<Secret>,
        /// Towns to add beside Kỳ Anh, for a province-scale benchmark (10: ~2,000 branches).
        #[arg(long, default_value_t = 0)]
        extra_towns: usize,
        /// Members of each extra town (9,500 with 10 towns: ~100,000 in the province).
        #[arg(long, default_value_t = 9_500)]
        members_per_town: usize,
        /// Months of meeting history to generate (60: five years, for the benchmarks).
        #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=120))]
        history_months: u32,
    },
    /// Write a backup of the whole database into FILE (pg_dump, custom format).
    Backup { file: PathBuf },
    /// Restore a backup made by `chibo backup`, in one transaction. A database that already
    /// holds data is refused unless --force (which replaces everything in it).
    Restore {
        file: PathBuf,
        #[arg(long)]
        force: bool,
    },
    /// Clear every failed-sign-in count and lock of an account, from every address.
    UnlockUser { username: String },
    /// Create a login. The password comes from CHIBO_NEW_PASSWORD, or is generated and printed.
    CreateUser {
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: String,
        /// admin, supervisor, secretary, deputy, committee or member.
        #[arg(long)]
        role: Role,
        /// The unit the role applies to (required except for a system-wide admin).
        #[arg(long)]
        unit: Option<Uuid>,
        /// The member record of this person (role "member").
        #[arg(long)]
        member: Option<Uuid>,
        #[arg(long, env = "CHIBO_NEW_PASSWORD", hide_env_values = true)]
        password: Option<Secret>,
    },
}

impl Cli {
    pub fn clock(&self) -> Clock {
        self.today
            .map(Clock::starting_on)
            .unwrap_or_else(Clock::system)
    }

    pub fn db_config(&self) -> DbConfig {
        DbConfig {
            database_url: self.database_url.clone(),
            data_dir: self.data_dir.clone(),
        }
    }
}
