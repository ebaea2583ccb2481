//! chibo: Party-branch meetings, attendance, minutes and scoring, from one server.

pub mod app;
pub mod audit;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod codes;
pub mod config;
pub mod db;
pub mod demo;
pub mod documents;
pub mod error;
pub mod evaluation;
pub mod home;
pub mod meetings;
pub mod members;
pub mod org;
pub mod rate;
pub mod reports;
pub mod state;
pub mod supervision;
pub mod web;

use std::time::Instant;

use anyhow::Context;
use sqlx::PgPool;
use tracing_subscriber::EnvFilter;

use crate::cli::{Cli, Command};
use crate::clock::Clock;
use crate::config::{DbConfig, ServeConfig};
use crate::db::embedded::{self, EmbeddedPostgres};
use crate::state::AppState;

/// The database this process works on, and the private cluster behind it when there is one.
/// Dropping it stops that cluster.
pub struct Database {
    pub pool: PgPool,
    /// A libpq URL of the same database, for Postgres's own tools (pg_dump, pg_restore).
    url: String,
    embedded: Option<EmbeddedPostgres>,
}

impl Database {
    /// Connects to DATABASE_URL, or starts (and on first use creates) the private cluster.
    pub async fn open(cfg: &DbConfig) -> anyhow::Result<Self> {
        if let Some(url) = &cfg.database_url {
            let options = url.expose().parse().context("DATABASE_URL không hợp lệ")?;
            let pool = db::connect(options, 20).await?;
            return Ok(Self {
                pool,
                url: url.expose().to_owned(),
                embedded: None,
            });
        }
        let dir = cfg.data_dir.clone();
        let server =
            tokio::task::spawn_blocking(move || EmbeddedPostgres::start(&dir, &Default::default()))
                .await??;
        server.ensure_database("chibo").await?;
        let pool = db::connect(server.connect_options("chibo"), 20).await?;
        Ok(Self {
            pool,
            url: server.url("chibo"),
            embedded: Some(server),
        })
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        db::migrate(&self.pool).await?;
        Ok(())
    }

    /// Closes the pool, then stops the private cluster (if any) cleanly.
    pub async fn close(mut self) -> anyhow::Result<()> {
        self.pool.close().await;
        if let Some(mut server) = self.embedded.take() {
            tokio::task::spawn_blocking(move || server.stop()).await??;
        }
        Ok(())
    }
}

fn init_tracing() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn,axum_login=warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    init_tracing();
    let db_cfg = cli.db_config();
    let clock = cli.clock();
    match cli.command {
        Command::Serve {
            addr,
            no_demo,
            demo_password,
            secure_cookies,
            login_burst,
            login_every,
        } => {
            let cfg = ServeConfig {
                addr,
                secure_cookies,
                demo: !no_demo,
                demo_password,
                login_limit: config::LoginLimit {
                    burst: login_burst,
                    every: std::time::Duration::from_secs(login_every),
                },
            };
            serve(&db_cfg, cfg, clock).await
        }
        Command::Migrate => {
            let db = Database::open(&db_cfg).await?;
            db.migrate().await?;
            println!("Đã cập nhật cấu trúc cơ sở dữ liệu.");
            db.close().await
        }
        Command::SeedDemo {
            demo_password,
            extra_towns,
            members_per_town,
            history_months,
        } => {
            let db = Database::open(&db_cfg).await?;
            db.migrate().await?;
            let scale = demo::Scale {
                extra_towns,
                members_per_extra_town: members_per_town,
                history_months,
            };
            let result =
                demo::seed_scaled_if_empty(&db.pool, demo_password.as_ref(), scale, clock.today())
                    .await;
            db.close().await?;
            match result? {
                Some(creds) => demo::print_logins(&creds, None),
                None => println!("Cơ sở dữ liệu đã có dữ liệu; không tạo dữ liệu mẫu."),
            }
            Ok(())
        }
        Command::Backup { file } => backup(&db_cfg, file).await,
        Command::Restore { file, force } => restore(&db_cfg, file, force).await,
        Command::UnlockUser { username } => {
            let db = Database::open(&db_cfg).await?;
            db.migrate().await?;
            let result = unlock_user(&db.pool, &username).await;
            db.close().await?;
            println!("{}", result?);
            Ok(())
        }
        Command::CreateUser {
            username,
            display_name,
            role,
            unit,
            member,
            password,
        } => {
            let db = Database::open(&db_cfg).await?;
            db.migrate().await?;
            let (password, generated) = match password {
                Some(p) => (p.expose().to_owned(), false),
                None => (auth::password::generate(), true),
            };
            let new = auth::store::NewUser {
                username: &username,
                display_name: &display_name,
                password: &password,
                member_id: member,
                grants: &[(role, unit)],
            };
            let result = auth::store::create_user(&db.pool, new).await;
            db.close().await?;
            let id = result?;
            println!("Đã tạo tài khoản {username} ({id}).");
            if generated {
                println!("Mật khẩu: {password}");
            }
            Ok(())
        }
    }
}

/// `chibo unlock-user USERNAME`: the line to print, or the refusal (an unknown name).
async fn unlock_user(pool: &PgPool, username: &str) -> anyhow::Result<String> {
    let Some(id) = auth::store::user_id_by_name(pool, username).await? else {
        let name = username.trim().to_lowercase();
        return Err(error::StoreError::from(auth::AccountRefusal::NoSuchUser(name)).into());
    };
    // From the command line: no signed-in user did it (the audit row has no author).
    let locked = auth::store::unlock_user(pool, id, None).await?;
    Ok(if locked == 0 {
        format!("Tài khoản {username} không bị khóa; đã xóa các lần đăng nhập sai đã đếm.")
    } else {
        format!("Đã mở khóa tài khoản {username} ({locked} địa chỉ).")
    })
}

/// `chibo backup FILE`: the whole database into one file (pg_dump's custom format).
async fn backup(db_cfg: &DbConfig, file: std::path::PathBuf) -> anyhow::Result<()> {
    let started = Instant::now();
    let db = Database::open(db_cfg).await?;
    println!("Sao lưu cơ sở dữ liệu vào {} …", file.display());
    let url = db.url.clone();
    let target = file.clone();
    let result = tokio::task::spawn_blocking(move || db::backup::backup(&url, &target)).await?;
    db.close().await?;
    let tables = result?;
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    println!(
        "Đã sao lưu {tables} bảng vào {} ({:.1} MB, {:.1} giây).",
        file.display(),
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `chibo restore FILE [--force]`: a backup into the database, in one transaction. A
/// database that holds tables already is replaced only when told `--force`.
async fn restore(db_cfg: &DbConfig, file: std::path::PathBuf, force: bool) -> anyhow::Result<()> {
    let started = Instant::now();
    if !file.is_file() {
        anyhow::bail!("Không tìm thấy tệp sao lưu {}.", file.display());
    }
    let db = Database::open(db_cfg).await?;
    let existing = db::backup::tables_in(&db.pool).await?;
    if existing > 0 && !force {
        db.close().await?;
        anyhow::bail!(
            "Cơ sở dữ liệu đích đã có dữ liệu ({existing} bảng): khôi phục sẽ thay thế toàn bộ. \
             Không khôi phục. Chạy lại với --force nếu chắc chắn muốn ghi đè."
        );
    }
    println!("Khôi phục từ {} …", file.display());
    // The pool's connections would hold locks pg_restore --clean must take.
    db.pool.close().await;
    let url = db.url.clone();
    let source = file.clone();
    let result =
        tokio::task::spawn_blocking(move || db::backup::restore(&url, &source, existing > 0))
            .await?;
    db.close().await?;
    let tables = result?;
    println!(
        "Đã khôi phục {tables} bảng từ {} ({:.1} giây).",
        file.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn serve(db_cfg: &DbConfig, cfg: ServeConfig, clock: Clock) -> anyhow::Result<()> {
    let started = Instant::now();
    if db_cfg.database_url.is_none() {
        // Fail early, with the install hint, before anything else happens.
        embedded::find_bin_dir()?;
    }
    let db = Database::open(db_cfg).await?;
    let result = serve_on(&db, &cfg, clock, started).await;
    db.close().await?;
    result
}

async fn serve_on(
    db: &Database,
    cfg: &ServeConfig,
    clock: Clock,
    started: Instant,
) -> anyhow::Result<()> {
    db.migrate().await?;
    if cfg.demo {
        demo::seed_if_empty(&db.pool, cfg.demo_password.as_ref(), clock.today()).await?;
        if let Some(pw) = &cfg.demo_password {
            demo::reset_password(&db.pool, pw).await?;
        }
    }
    let listener = tokio::net::TcpListener::bind(cfg.addr)
        .await
        .with_context(|| format!("không mở được cổng {}", cfg.addr))?;
    let addr = listener.local_addr()?;
    if clock != Clock::system() {
        println!(
            "Đồng hồ của ứng dụng đặt ở ngày {} (CHIBO_TODAY).",
            crate::web::vn_date(clock.today())
        );
    }
    let state =
        AppState::new(db.pool.clone(), clock, cfg.secure_cookies).with_login_limit(cfg.login_limit);
    let shutdown = shutdown_signal()?;
    println!(
        "chibo đang chạy tại http://{addr}  (khởi động {} ms)",
        started.elapsed().as_millis()
    );
    if let Some(creds) = demo::stored_logins(&db.pool).await? {
        demo::print_logins(&creds, Some(addr));
    }
    println!("Nhấn Ctrl-C để dừng.");
    app::serve(listener, state, shutdown).await?;
    // stdout may be gone by now (a closed pipe): this line must not turn a clean stop into a panic.
    use std::io::Write;
    let _ = writeln!(std::io::stdout(), "Đã dừng máy chủ.");
    Ok(())
}

/// Ctrl-C or SIGTERM. The handlers are installed when this is called, not when the future
/// is first polled, so a signal that arrives right after start-up is not lost.
pub fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {},
            _ = int.recv() => {},
        }
    })
}
