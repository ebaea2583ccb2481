//! The binary as a user runs it: `chibo serve` on a private cluster, stopped by SIGTERM.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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

/// Starts `chibo serve`, returns the child and every line it printed up to "Ctrl-C".
fn start(dir: &Path) -> (std::process::Child, Vec<String>, Duration) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_chibo"))
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .env_remove("DATABASE_URL")
        .env("CHIBO_DEMO_PASSWORD", "mat-khau-demo-cli")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
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
    // Keep reading, so that what the server prints while stopping has somewhere to go.
    std::thread::spawn(move || reader.for_each(drop));
    (child, lines, started.elapsed())
}

/// A server that is stopped however the test ends: a failed assertion must not leave a
/// `chibo serve` (and its cluster) running after the suite.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            // SAFETY: signalling our own child.
            unsafe { libc::kill(self.0.id() as i32, libc::SIGTERM) };
            let _ = self.0.wait();
        }
    }
}

fn stop(child: &mut std::process::Child) {
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful exit: {status}");
}

#[test]
fn serve_starts_a_private_cluster_with_demo_logins_and_leaves_nothing_behind() {
    let tmp = tempfile::Builder::new()
        .prefix("chibo-cli-")
        .tempdir()
        .unwrap();
    // As root the cluster runs as the 'postgres' user, who must be able to reach it.
    std::fs::set_permissions(
        tmp.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let dir = tmp.path().join("data");

    let (mut child, lines, _) = start(&dir);
    let out = lines.join("\n");
    assert!(
        out.contains("chibo đang chạy tại http://127.0.0.1:"),
        "{out}"
    );
    for user in ["admin", "thixa", "phuong", "bithu", "dangvien"] {
        assert!(
            out.contains(&format!("  {user} ")),
            "login {user} printed: {out}"
        );
    }
    assert!(out.contains("Mật khẩu chung: mat-khau-demo-cli"));
    assert!(
        dir.join("PG_VERSION").exists(),
        "the cluster lives under --data-dir"
    );
    assert!(!postgres_on(&dir).is_empty());
    stop(&mut child);
    assert!(
        postgres_on(&dir).is_empty(),
        "no postgres left after SIGTERM"
    );

    // The second start reuses the data (no new demo) and still prints the logins.
    let (mut child, lines, _) = start(&dir);
    let out = lines.join("\n");
    assert!(out.contains("Mật khẩu chung: mat-khau-demo-cli"), "{out}");
    stop(&mut child);
    assert!(postgres_on(&dir).is_empty());
}

#[test]
fn without_postgres_binaries_the_error_says_how_to_install_them() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_chibo"))
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(tmp.path().join("data"))
        .env_remove("DATABASE_URL")
        .env("PG_BIN_DIR", tmp.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("apt-get install -y postgresql"), "{err}");
}

/// Runs `chibo ARGS… --data-dir DIR` to the end on the tests' day; answers (success, stdout, stderr).
fn chibo(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_chibo"))
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .args(["--today", &crate::support::iso(crate::support::today())])
        .env_remove("DATABASE_URL")
        .env("CHIBO_DEMO_PASSWORD", "mat-khau-demo-cli")
        .env("RUST_LOG", "warn")
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// What the province's administrator sees on the pages of `dir`'s server: the home page and
/// the town's dashboard, as text.
async fn figures_served_from(dir: &Path) -> Vec<String> {
    let child = Command::new(env!("CARGO_BIN_EXE_chibo"))
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .args(["--today", &crate::support::iso(crate::support::today())])
        .env_remove("DATABASE_URL")
        .env("CHIBO_DEMO_PASSWORD", "mat-khau-demo-cli")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut server = Running(child);
    let mut addr = None;
    let mut reader = BufReader::new(server.0.stdout.take().unwrap()).lines();
    for line in reader.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.split("http://").nth(1)
            && addr.is_none()
        {
            addr = rest.split_whitespace().next().map(str::to_owned);
        }
        if line.contains("Ctrl-C") {
            break;
        }
    }
    std::thread::spawn(move || reader.for_each(drop));
    let addr: std::net::SocketAddr = addr.expect("address printed").parse().unwrap();
    let client = crate::support::client(addr);
    let r = client
        .post(format!("http://{addr}/login"))
        .form(&[("username", "admin"), ("password", "mat-khau-demo-cli")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::SEE_OTHER);
    let mut pages = Vec::new();
    for path in ["/", "/admin"] {
        let mut r = client
            .get(format!("http://{addr}{path}"))
            .send()
            .await
            .unwrap();
        // The administrator's home is the province's own page.
        if r.status() == reqwest::StatusCode::SEE_OTHER {
            let to = r.headers()["location"].to_str().unwrap().to_owned();
            r = client
                .get(format!("http://{addr}{to}"))
                .send()
                .await
                .unwrap();
        }
        assert_eq!(r.status(), reqwest::StatusCode::OK, "{path}");
        let html = r.text().await.unwrap();
        // Follow the first unit card: the province's own page with its figures.
        if path == "/admin"
            && let Some(id) = html
                .split("href=\"/units/")
                .nth(1)
                .and_then(|s| s.split('"').next())
        {
            let r = client
                .get(format!("http://{addr}/dashboard/{id}"))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), reqwest::StatusCode::OK, "dashboard");
            pages.push(crate::support::text(&r.text().await.unwrap()));
        }
        pages.push(crate::support::text(&html));
    }
    stop(&mut server.0);
    pages
}

#[tokio::test(flavor = "multi_thread")]
async fn a_backup_restores_into_a_fresh_data_directory_with_the_same_figures() {
    let tmp = tempfile::Builder::new()
        .prefix("chibo-backup-")
        .tempdir()
        .unwrap();
    std::fs::set_permissions(
        tmp.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let first = tmp.path().join("first");
    let second = tmp.path().join("second");
    let file = tmp.path().join("chibo.dump");
    let file_arg = file.to_str().unwrap();

    let (ok, _, err) = chibo(&first, &["seed-demo"]);
    assert!(ok, "{err}");
    let (ok, out, err) = chibo(&first, &["backup", file_arg]);
    assert!(ok, "{err}");
    assert!(out.contains("Đã sao lưu") && file.is_file(), "{out}");
    assert!(!tmp.path().join("chibo.dump.partial").exists());

    let (ok, out, err) = chibo(&second, &["restore", file_arg]);
    assert!(ok, "{err}");
    assert!(out.contains("Đã khôi phục"), "{out}");
    // Over a database that holds data: refused, in words, without --force.
    let (ok, _, err) = chibo(&second, &["restore", file_arg]);
    assert!(!ok);
    assert!(
        err.contains("đã có dữ liệu") && err.contains("--force"),
        "{err}"
    );
    // Not a backup: refused before anything is touched.
    let junk = tmp.path().join("junk.dump");
    std::fs::write(&junk, "không phải tệp sao lưu").unwrap();
    let (ok, _, err) = chibo(&second, &["restore", junk.to_str().unwrap(), "--force"]);
    assert!(!ok && err.contains("không phải là tệp sao lưu"), "{err}");

    let original = figures_served_from(&first).await;
    let restored = figures_served_from(&second).await;
    assert_eq!(original.len(), 3);
    assert!(
        original[0].contains("Đảng bộ tỉnh Hà Tĩnh"),
        "{}",
        original[0]
    );
    assert_eq!(restored, original, "the same pages show the same figures");
    assert!(postgres_on(&first).is_empty() && postgres_on(&second).is_empty());
}
