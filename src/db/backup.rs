//! Backup and restore with Postgres's own tools: `pg_dump` in its custom format, and
//! `pg_restore` in one transaction, so that a restore that fails half-way leaves the target
//! as it was. Used by `chibo backup FILE` and `chibo restore FILE [--force]`, on the private
//! cluster or the `DATABASE_URL` database alike.

use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};
use sqlx::PgPool;

/// A Postgres client tool: the one beside the server binaries the private cluster runs
/// (same version), else the one on `PATH`.
fn tool(name: &str) -> PathBuf {
    super::embedded::find_bin_dir()
        .map(|dir| dir.join(name))
        .ok()
        .filter(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from(name))
}

/// Runs a tool with `--verbose`, turning its stderr into one progress line that counts the
/// tables done; answers its last lines when it fails.
fn run_with_progress(mut cmd: Command, verb: &str) -> anyhow::Result<usize> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("không chạy được {program} (cài gói postgresql-client)"))?;
    let mut tables = 0;
    let mut tail: Vec<String> = Vec::new();
    let stderr = child.stderr.take().expect("piped");
    let mut out = std::io::stdout();
    // One line redrawn in a terminal; in a log, only the final count below.
    let live = out.is_terminal();
    for line in BufReader::new(stderr).lines() {
        let line = line.unwrap_or_default();
        // pg_dump: "dumping contents of table …"; pg_restore: "processing data for table …".
        if line.contains("contents of table") || line.contains("data for table") {
            tables += 1;
            if live {
                let _ = write!(out, "\r{verb}: {tables} bảng…");
                let _ = out.flush();
            }
        }
        tail.push(line);
        if tail.len() > 5 {
            tail.remove(0);
        }
    }
    let status = child.wait()?;
    if live {
        let _ = writeln!(out);
    }
    if !status.success() {
        bail!("{program} dừng với lỗi ({status}):\n{}", tail.join("\n"));
    }
    Ok(tables)
}

/// Writes a backup of the database at `url` into `file`: first into `file.partial`, renamed
/// when complete, so that a failed backup never leaves a file that looks whole.
pub fn backup(url: &str, file: &Path) -> anyhow::Result<usize> {
    let partial = partial_path(file);
    let mut cmd = Command::new(tool("pg_dump"));
    cmd.args([
        "--format=custom",
        "--no-owner",
        "--no-privileges",
        "--verbose",
    ])
    .arg("--file")
    .arg(&partial)
    .arg("--dbname")
    .arg(url);
    let result = run_with_progress(cmd, "Đang sao lưu");
    match result {
        Ok(tables) => {
            std::fs::rename(&partial, file)
                .with_context(|| format!("không ghi được {}", file.display()))?;
            Ok(tables)
        }
        Err(err) => {
            let _ = std::fs::remove_file(&partial);
            Err(err)
        }
    }
}

fn partial_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// How many tables the target holds already (its own schema: `public`).
pub async fn tables_in(pool: &PgPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM pg_tables WHERE schemaname = 'public'"#)
        .fetch_one(pool)
        .await
}

/// Restores `file` into the database at `url`, in one transaction. `replace`: drop what is
/// there first (the caller has refused a non-empty target unless told `--force`).
pub fn restore(url: &str, file: &Path, replace: bool) -> anyhow::Result<usize> {
    // Is it a backup at all? Checked before anything is touched.
    let list = Command::new(tool("pg_restore"))
        .arg("--list")
        .arg(file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .with_context(|| "không chạy được pg_restore (cài gói postgresql-client)")?;
    if !list.success() {
        bail!(
            "{} không phải là tệp sao lưu của chibo (pg_dump, định dạng custom).",
            file.display()
        );
    }
    let mut cmd = Command::new(tool("pg_restore"));
    cmd.args([
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        "--verbose",
    ]);
    if replace {
        cmd.args(["--clean", "--if-exists"]);
    }
    cmd.arg("--dbname").arg(url).arg(file);
    run_with_progress(cmd, "Đang khôi phục")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backup_is_written_beside_its_final_name_first() {
        assert_eq!(
            partial_path(Path::new("/tmp/chibo.dump")),
            PathBuf::from("/tmp/chibo.dump.partial")
        );
    }
}
