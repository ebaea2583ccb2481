//! The binary in production: no demo data in a DATABASE_URL database unless asked, a stop
//! that no half-sent request can hold open, and a private cluster that is restarted when
//! its postmaster dies.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::Connection;

/// A running `chibo serve`: the child, what it printed up to "Ctrl-C", its address, and
/// everything it writes from then on (the log, stdout and stderr).
struct Served {
    child: Child,
    out: String,
    addr: std::net::SocketAddr,
    stderr: Arc<Mutex<String>>,
}

fn serve(args: &[&str], env: &[(&str, &str)]) -> Served {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_chibo"));
    cmd.arg("serve")
        .args(["--addr", "127.0.0.1:0"])
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("CHIBO_DEMO_PASSWORD")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let stderr = Arc::new(Mutex::new(String::new()));
    let mut err = child.stderr.take().unwrap();
    let sink = stderr.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = err.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    let mut lines = Vec::new();
    let mut reader = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in reader.by_ref() {
        let line = line.unwrap();
        let done = line.contains("Ctrl-C");
        lines.push(line);
        if done {
            break;
        }
    }
    // The log (stdout) from then on, kept for the assertions.
    let sink = stderr.clone();
    std::thread::spawn(move || {
        for line in reader.map_while(Result::ok) {
            let mut log = sink.lock().unwrap();
            log.push_str(&line);
            log.push('\n');
        }
    });
    let out = lines.join("\n");
    let addr = out
        .split("chibo đang chạy tại http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| {
            panic!(
                "no address printed: {out}\n{}",
                stderr.lock().unwrap().as_str()
            )
        })
        .parse()
        .unwrap();
    Served {
        child,
        out,
        addr,
        stderr,
    }
}

/// Never leave a `chibo serve` running, whichever way a test ends (a failed assertion
/// included): killed on drop when it has not already exited.
impl Drop for Served {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Served {
    /// SIGTERM, then the exit status and how long the process took to end (killed and
    /// failed after `bound`).
    fn terminate_within(&mut self, bound: Duration) -> (std::process::ExitStatus, Duration) {
        let started = Instant::now();
        // SAFETY: signalling our own child.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (status, started.elapsed());
            }
            if started.elapsed() > bound {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "chibo still running {bound:?} after SIGTERM\n{}",
                    self.stderr.lock().unwrap().as_str()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn get(&self, path: &str) -> Option<u16> {
        let mut s = std::net::TcpStream::connect(self.addr).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        )
        .ok()?;
        let mut answer = String::new();
        s.read_to_string(&mut answer).ok()?;
        answer.split_whitespace().nth(1)?.parse().ok()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_on_an_empty_database_url_migrates_without_demo_says_how_to_create_a_login_and_seeds_only_with_demo()
 {
    let db = crate::support::empty_database().await;
    let mut served = serve(
        &[],
        &[
            ("DATABASE_URL", db.url.as_str()),
            ("CHIBO_DEMO_PASSWORD", "mat-khau-khong-dung"),
        ],
    );
    let out = served.out.clone();
    assert!(out.contains("chưa có tài khoản"), "{out}");
    assert!(out.contains("chibo create-user"), "{out}");
    assert!(!out.contains("Mật khẩu chung"), "{out}");
    assert!(!out.contains("DỮ LIỆU MẪU"), "{out}");
    let (status, _) = served.terminate_within(Duration::from_secs(20));
    assert!(status.success(), "{status}");

    let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
    let migrated: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert!(migrated > 0, "migrated");
    for table in ["units", "members", "users", "demo_info"] {
        let sql = format!("SELECT count(*) FROM {table}");
        let n: i64 = sqlx::query_scalar(&sql).fetch_one(&mut conn).await.unwrap();
        assert_eq!(n, 0, "{table}: no demo data in a DATABASE_URL database");
    }

    // Asked for: `--demo` fills the still empty database, says so loudly, prints the logins.
    let mut served = serve(
        &["--demo"],
        &[
            ("DATABASE_URL", db.url.as_str()),
            ("CHIBO_DEMO_PASSWORD", "mat-khau-demo-hoi"),
        ],
    );
    let out = served.out.clone();
    assert!(out.contains("DỮ LIỆU MẪU"), "{out}");
    assert!(out.contains("Mật khẩu chung: mat-khau-demo-hoi"), "{out}");
    assert!(!out.contains("chưa có tài khoản"), "{out}");
    let (status, _) = served.terminate_within(Duration::from_secs(20));
    assert!(status.success(), "{status}");
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert!(users > 0, "the demo logins");
    conn.close().await.unwrap();
}

#[tokio::test]
async fn the_demo_password_is_stored_only_as_a_hash() {
    let app = crate::support::TestApp::spawn().await;
    let stored: String = sqlx::query_scalar("SELECT password FROM demo_info")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(stored.starts_with("$argon2"), "{stored}");
    assert!(!stored.contains(crate::support::DEMO_PASSWORD));
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_ends_the_server_within_its_deadline_while_a_client_holds_half_a_request() {
    let db = crate::support::empty_database().await;
    let mut served = serve(&[], &[("DATABASE_URL", db.url.as_str())]);
    let mut half = std::net::TcpStream::connect(served.addr).unwrap();
    half.write_all(b"GET / HT").unwrap();
    // A whole request on a second connection: answered, so the first one (accepted before
    // it) is open on the server's side, waiting for the rest of its request line.
    assert_eq!(served.get("/healthz"), Some(200));
    let (status, took) = served.terminate_within(Duration::from_secs(30));
    assert!(status.success(), "exit status {status}");
    assert!(
        took < chibo::app::SHUTDOWN_GRACE + Duration::from_secs(5),
        "took {took:?}"
    );
    drop(half);
}

/// Postgres servers whose command line names `dir`.
fn postgres_on(dir: &Path) -> Vec<i32> {
    let needle = dir.to_string_lossy().into_owned();
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
                .is_ok_and(|c| c.contains("postgres") && c.contains(&needle))
        })
        .collect()
}

fn postmaster_pid(dir: &Path) -> i32 {
    std::fs::read_to_string(dir.join("postmaster.pid"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn a_killed_postmaster_is_restarted_and_requests_recover_without_a_restart_by_hand() {
    let tmp = tempfile::Builder::new()
        .prefix("chibo-heal-")
        .tempdir()
        .unwrap();
    // As root the cluster runs as the 'postgres' user, who must be able to reach it.
    std::fs::set_permissions(
        tmp.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let dir = tmp.path().join("data");
    let mut served = serve(&["--no-demo", "--data-dir", dir.to_str().unwrap()], &[]);
    assert_eq!(served.get("/readyz"), Some(200));
    let dir = dir.canonicalize().unwrap();
    let first = postmaster_pid(&dir);

    // SAFETY: killing the test's own grandchild, the cluster's postmaster.
    assert_eq!(unsafe { libc::kill(first, libc::SIGKILL) }, 0);
    let killed = Instant::now();
    // Ready again: a new postmaster has written its pid file, the database answers, and
    // the server has said so (its log is read on another thread: it may come a moment
    // after the first ready answer).
    let recovered = loop {
        let restarted = std::fs::read_to_string(dir.join("postmaster.pid"))
            .ok()
            .and_then(|s| s.lines().next().and_then(|l| l.trim().parse::<i32>().ok()))
            .is_some_and(|pid| pid != first);
        let said = served
            .stderr
            .lock()
            .unwrap()
            .contains("PostgreSQL đã chạy lại");
        if restarted && said && served.get("/readyz") == Some(200) {
            break killed.elapsed();
        }
        assert!(
            killed.elapsed() < Duration::from_secs(60),
            "no recovery within a minute\n{}",
            served.stderr.lock().unwrap().as_str()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let second = postmaster_pid(&dir);
    assert_ne!(first, second, "a new postmaster");
    let log = served.stderr.lock().unwrap().clone();
    assert!(log.contains("đã dừng bất ngờ"), "{log}");
    eprintln!("postmaster killed: ready again after {recovered:?}");

    let (status, _) = served.terminate_within(Duration::from_secs(30));
    assert!(status.success(), "{status}");
    assert!(postgres_on(&dir).is_empty(), "no postgres left");
}
