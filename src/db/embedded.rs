//! A private Postgres cluster started from the system's binaries.
//!
//! Used when no DATABASE_URL is given (`chibo serve` on a fresh machine) and by the
//! integration tests. No crate does this offline and as root, so it lives here:
//! - the binaries come from `$PG_BIN_DIR`, else the highest `/usr/lib/postgresql/*/bin`;
//! - Postgres refuses to run as root, so as root the cluster belongs to the `postgres`
//!   system user and `initdb`/`postgres` run with that uid/gid;
//! - the server listens on a Unix socket only (no TCP), so `trust` authentication is safe
//!   behind the 0700 data directory;
//! - `postgres` runs as a child in its own process group (a Ctrl-C in the terminal reaches
//!   the app, which then stops the database in order) with `PR_SET_PDEATHSIG`, so no server
//!   outlives the app even if the app is killed.
//!
//! The one module allowed `unsafe`: the uid/gid look-up, setuid before exec, the
//! parent-death signal and the liveness probe are libc calls with no safe wrapper in std.
#![allow(unsafe_code)]

use std::ffi::CString;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use sqlx::postgres::PgConnectOptions;

/// The database role `initdb` creates; it owns everything in the cluster.
pub const SUPERUSER: &str = "app";
/// Sockets live in a directory; the full socket path must stay under ~107 bytes.
const MAX_SOCKET_DIR_LEN: usize = 90;

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Turn off fsync and friends: for throw-away test clusters only.
    pub unsafe_fast: bool,
    /// Load pg_stat_statements, so that the statements each database ran can be counted
    /// (the tests that check no page issues a statement per row).
    pub statement_stats: bool,
}

/// A running cluster. Stop it with [`EmbeddedPostgres::stop`]; if the process dies first,
/// the kernel's parent-death signal stops it.
#[derive(Debug)]
pub struct EmbeddedPostgres {
    data_dir: PathBuf,
    socket_dir: PathBuf,
    options: Options,
    pid: u32,
    keeper: Option<std::thread::JoinHandle<std::io::Result<std::process::ExitStatus>>>,
}

/// Who runs the server: ourselves, or the `postgres` system user when we are root.
#[derive(Debug, Clone, Copy)]
struct RunAs {
    uid: u32,
    gid: u32,
    switch: bool,
}

fn run_as() -> anyhow::Result<RunAs> {
    // SAFETY: geteuid/getegid have no preconditions.
    let (euid, egid) = unsafe { (libc::geteuid(), libc::getegid()) };
    if euid != 0 {
        return Ok(RunAs {
            uid: euid,
            gid: egid,
            switch: false,
        });
    }
    let name = CString::new("postgres").expect("static string");
    // SAFETY: getpwnam returns a pointer into static storage or null; we copy out at once.
    let pw = unsafe { libc::getpwnam(name.as_ptr()) };
    if pw.is_null() {
        bail!(
            "chibo đang chạy với quyền root nhưng máy không có người dùng hệ thống 'postgres'. \
             Cài PostgreSQL: apt-get install -y postgresql (hoặc chạy bằng một người dùng thường)."
        );
    }
    // SAFETY: pw is non-null and points to a valid passwd struct.
    let (uid, gid) = unsafe { ((*pw).pw_uid, (*pw).pw_gid) };
    Ok(RunAs {
        uid,
        gid,
        switch: true,
    })
}

/// Finds `initdb`/`postgres`: `$PG_BIN_DIR`, else the highest `/usr/lib/postgresql/*/bin`.
pub fn find_bin_dir() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("PG_BIN_DIR") {
        let dir = PathBuf::from(dir);
        if dir.join("postgres").is_file() && dir.join("initdb").is_file() {
            return Ok(dir);
        }
        bail!(
            "PG_BIN_DIR={} không chứa initdb và postgres. Cài PostgreSQL bằng: \
             sudo apt-get install -y postgresql — hoặc bỏ PG_BIN_DIR để dùng /usr/lib/postgresql.",
            dir.display()
        );
    }
    let mut best: Option<(u32, PathBuf)> = None;
    if let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") {
        for entry in entries.flatten() {
            let Some(version) = entry
                .file_name()
                .to_str()
                .and_then(|v| v.parse::<u32>().ok())
            else {
                continue;
            };
            let bin = entry.path().join("bin");
            if bin.join("postgres").is_file()
                && bin.join("initdb").is_file()
                && best.as_ref().is_none_or(|(v, _)| version > *v)
            {
                best = Some((version, bin));
            }
        }
    }
    best.map(|(_, dir)| dir).ok_or_else(|| {
        anyhow!(
            "Không tìm thấy PostgreSQL trên máy này (đã tìm /usr/lib/postgresql/*/bin). \
             Cài bằng: sudo apt-get install -y postgresql — hoặc đặt PG_BIN_DIR, \
             hoặc đặt DATABASE_URL để dùng một máy chủ có sẵn."
        )
    })
}

impl EmbeddedPostgres {
    /// Initialises the cluster in `data_dir` if needed and starts it. Blocks until it
    /// accepts connections.
    pub fn start(data_dir: &Path, options: &Options) -> anyhow::Result<Self> {
        Self::launch(data_dir, options, false)
    }

    /// Whether the server ended by itself (crashed, or killed) rather than by [`Self::stop`].
    pub fn has_exited(&self) -> bool {
        self.keeper.as_ref().is_some_and(|k| k.is_finished())
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Starts the server again on the same data directory after it died, blocking until it
    /// accepts connections (its log is appended to, so the crash stays readable). Fails
    /// while the dead server's backends still hold its shared memory: the caller retries.
    pub fn restart(&mut self) -> anyhow::Result<()> {
        if let Some(keeper) = self.keeper.take() {
            let status = keeper.join();
            tracing::warn!("PostgreSQL (pid {}) ended: {status:?}", self.pid);
        }
        *self = Self::launch(&self.data_dir, &self.options, true)?;
        Ok(())
    }

    fn launch(data_dir: &Path, options: &Options, append_log: bool) -> anyhow::Result<Self> {
        let bin = find_bin_dir()?;
        let who = run_as()?;
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("không tạo được thư mục dữ liệu {}", data_dir.display()))?;
        let data_dir = data_dir
            .canonicalize()
            .with_context(|| format!("không đọc được {}", data_dir.display()))?;
        prepare_dir(&data_dir, who)?;

        let socket_dir = socket_dir_for(&data_dir, who)?;
        if !data_dir.join("PG_VERSION").exists() {
            initdb(&bin, &data_dir, &socket_dir, who, options)?;
        }
        // A previous run that was killed may leave its server running (it stops by itself once
        // it notices its parent is gone, but not instantly): wait for its pid file to go.
        wait_for_stale_server(&data_dir);

        let log_path = data_dir.join("server.log");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(append_log)
            .truncate(!append_log)
            .open(&log_path)
            .with_context(|| format!("không tạo được {}", log_path.display()))?;
        let mut cmd = Command::new(bin.join("postgres"));
        cmd.arg("-D").arg(&data_dir);
        cmd.arg("-c")
            .arg(format!("unix_socket_directories={}", socket_dir.display()));
        if options.unsafe_fast {
            for setting in [
                "fsync=off",
                "synchronous_commit=off",
                "full_page_writes=off",
            ] {
                cmd.arg("-c").arg(setting);
            }
        }
        if options.statement_stats {
            for setting in [
                "shared_preload_libraries=pg_stat_statements",
                // Every test's database keeps its own entries: room for all of a run's.
                "pg_stat_statements.max=100000",
                "pg_stat_statements.track_utility=off",
            ] {
                cmd.arg("-c").arg(setting);
            }
        }
        cmd.stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .process_group(0);
        configure_child(&mut cmd, who);

        // The parent-death signal fires when the *thread* that forked the child ends, so the
        // child is spawned and waited for by a thread of its own that lives exactly as long.
        let (tx, rx) = std::sync::mpsc::channel();
        let keeper = std::thread::Builder::new().name("postgres".into()).spawn(
            move || -> std::io::Result<std::process::ExitStatus> {
                let mut child = match cmd.spawn() {
                    Ok(child) => child,
                    Err(err) => {
                        let _ = tx.send(Err(err));
                        return Ok(std::process::ExitStatus::default());
                    }
                };
                let _ = tx.send(Ok(child.id()));
                child.wait()
            },
        )?;
        let pid = rx
            .recv()?
            .with_context(|| format!("không chạy được {}", bin.join("postgres").display()))?;
        let mut server = Self {
            data_dir,
            socket_dir,
            options: options.clone(),
            pid,
            keeper: Some(keeper),
        };

        let deadline = Instant::now() + Duration::from_secs(60);
        while !server.ready() {
            if server.keeper.as_ref().is_some_and(|k| k.is_finished()) {
                let status = server.keeper.take().map(|k| k.join());
                let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                bail!("PostgreSQL dừng ngay khi khởi động ({status:?}):\n{log}");
            }
            if Instant::now() > deadline {
                bail!(
                    "PostgreSQL không sẵn sàng sau 60 giây ({})",
                    server.data_dir.display()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(server)
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Creates the database `name` in the cluster unless it exists.
    pub async fn ensure_database(&self, name: &str) -> anyhow::Result<()> {
        use sqlx::{ConnectOptions, Connection};
        let mut conn = self.connect_options("postgres").connect().await?;
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
                .bind(name)
                .fetch_one(&mut conn)
                .await?;
        if !exists {
            // A name of ours, never user input: quoted, not bound (CREATE DATABASE takes none).
            sqlx::query(&format!("CREATE DATABASE \"{name}\""))
                .execute(&mut conn)
                .await?;
        }
        conn.close().await?;
        Ok(())
    }

    /// Connection options for `database` as the cluster's superuser, over the socket.
    pub fn connect_options(&self, database: &str) -> PgConnectOptions {
        PgConnectOptions::new()
            .socket(&self.socket_dir)
            .username(SUPERUSER)
            .database(database)
    }

    /// A libpq-style URL for tools (psql, sqlx macros).
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://{SUPERUSER}@localhost/{database}?host={}",
            self.socket_dir.display()
        )
    }

    /// Fast shutdown (SIGINT): active connections are closed, the cluster is left clean.
    pub fn stop(&mut self) -> anyhow::Result<()> {
        let Some(keeper) = self.keeper.take() else {
            return Ok(());
        };
        // SAFETY: signalling our own child, which the keeper thread has not yet reaped.
        unsafe {
            libc::kill(self.pid as libc::pid_t, libc::SIGINT);
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        while !keeper.is_finished() {
            if Instant::now() > deadline {
                // SAFETY: as above; SIGQUIT is Postgres's immediate shutdown.
                unsafe {
                    libc::kill(self.pid as libc::pid_t, libc::SIGQUIT);
                }
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        keeper
            .join()
            .map_err(|_| anyhow!("postgres keeper thread panicked"))??;
        Ok(())
    }

    /// The server has written "ready" into its pid file and its socket exists.
    fn ready(&self) -> bool {
        self.socket_dir.join(".s.PGSQL.5432").exists()
            && std::fs::read_to_string(self.data_dir.join("postmaster.pid")).is_ok_and(|s| {
                // Line 1 is the server's pid (so a stale file from a killed run never counts),
                // line 8 its status.
                s.lines()
                    .next()
                    .is_some_and(|l| l.trim() == self.pid.to_string())
                    && s.lines().nth(7).is_some_and(|l| l.trim() == "ready")
            })
    }
}

impl Drop for EmbeddedPostgres {
    fn drop(&mut self) {
        if let Err(err) = self.stop() {
            tracing::warn!("stopping PostgreSQL: {err:#}");
        }
    }
}

fn wait_for_stale_server(data_dir: &Path) {
    let pid_file = data_dir.join("postmaster.pid");
    let deadline = Instant::now() + Duration::from_secs(15);
    while let Ok(content) = std::fs::read_to_string(&pid_file) {
        let pid: i32 = content
            .lines()
            .next()
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or(0);
        // SAFETY: signal 0 only checks that the process exists.
        let alive = pid > 0 && unsafe { libc::kill(pid, 0) } == 0;
        if !alive || Instant::now() > deadline {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn prepare_dir(dir: &Path, who: RunAs) -> anyhow::Result<()> {
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    if who.switch {
        chown_recursive(dir, who)?;
    }
    Ok(())
}

fn chown_recursive(dir: &Path, who: RunAs) -> anyhow::Result<()> {
    std::os::unix::fs::lchown(dir, Some(who.uid), Some(who.gid))
        .with_context(|| format!("không đổi được chủ sở hữu {}", dir.display()))?;
    if dir.is_dir() && !dir.is_symlink() {
        for entry in std::fs::read_dir(dir)? {
            chown_recursive(&entry?.path(), who)?;
        }
    }
    Ok(())
}

/// The data directory itself when its path is short enough for a socket, else a private
/// directory under the system's temp dir named after it.
fn socket_dir_for(data_dir: &Path, who: RunAs) -> anyhow::Result<PathBuf> {
    if data_dir.as_os_str().len() <= MAX_SOCKET_DIR_LEN {
        return Ok(data_dir.to_path_buf());
    }
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    data_dir.hash(&mut h);
    let dir = std::env::temp_dir().join(format!("chibo-pg-{:016x}", h.finish()));
    std::fs::create_dir_all(&dir)?;
    prepare_dir(&dir, who)?;
    Ok(dir)
}

fn initdb(
    bin: &Path,
    data_dir: &Path,
    socket_dir: &Path,
    who: RunAs,
    options: &Options,
) -> anyhow::Result<()> {
    let mut cmd = Command::new(bin.join("initdb"));
    cmd.arg("-D").arg(data_dir).args([
        "-U",
        SUPERUSER,
        "--auth=trust",
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
    ]);
    if options.unsafe_fast {
        cmd.arg("--no-sync");
    }
    cmd.stdin(Stdio::null());
    configure_child(&mut cmd, who);
    let out = cmd
        .output()
        .with_context(|| format!("không chạy được {}", bin.join("initdb").display()))?;
    if !out.status.success() {
        let hint = if who.switch {
            "\nGợi ý: khi chạy bằng root, người dùng 'postgres' phải đi qua được mọi thư mục cha \
             của thư mục dữ liệu; hãy chọn --data-dir ở nơi khác (ví dụ /var/lib/chibo)."
        } else {
            ""
        };
        bail!(
            "initdb thất bại ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr),
            hint
        );
    }
    // Socket only, no TCP: nothing but processes that can enter the 0700 directory connect.
    let conf = format!(
        "\n# chibo: private cluster\nlisten_addresses = ''\nunix_socket_directories = '{}'\n\
         max_connections = 200\nshared_buffers = 256MB\nwork_mem = 16MB\n",
        socket_dir.display()
    );
    use std::io::Write;
    std::fs::OpenOptions::new()
        .append(true)
        .open(data_dir.join("postgresql.conf"))?
        .write_all(conf.as_bytes())?;
    Ok(())
}

fn configure_child(cmd: &mut Command, who: RunAs) {
    if who.switch {
        // std also drops root's supplementary groups before switching.
        cmd.uid(who.uid).gid(who.gid);
    }
    // std runs pre_exec hooks after switching uid, so the parent-death signal survives:
    // Linux clears it on credential changes made *after* it is set.
    // SAFETY: prctl is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGINT) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}
