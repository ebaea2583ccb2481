//! Argon2id password hashing. Hashing takes tens of milliseconds of CPU on purpose, so it
//! always runs on its own threads (one per core), never on the async worker threads.

use std::sync::LazyLock;

use anyhow::anyhow;
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use rand::Rng;

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 128;

fn hash_blocking(password: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow!("argon2: {e}"))
}

fn verify_blocking(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).ok().is_some_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash of nothing anyone knows, checked when the user name does not exist so that
/// "no such user" takes as long as "wrong password".
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_blocking("chibo-dummy-password-for-timing").unwrap_or_default());

/// Computes the dummy hash now (on the blocking pool), at start-up: otherwise the first
/// unknown name would also pay for hashing it, and answer slower than a wrong password.
pub async fn warm_up() {
    let _ = tokio::task::spawn_blocking(|| LazyLock::force(&DUMMY_HASH).len()).await;
}

/// How many hashes run at once: one per core.
fn hashing_threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Work for the hashing threads.
type Job = Box<dyn FnOnce() + Send>;

/// Hashes run on their own threads, one per core, never on tokio's blocking pool. Each hash
/// takes 19 MiB (argon2's default memory cost); on the blocking pool, which grows to
/// hundreds of threads under a burst of sign-ins, every thread kept its own allocator arena
/// of it: a minute of logins at 64 connections took chibo from 52 MB to 763 MB, and a flood
/// of them could take much more. On a fixed set of threads the memory is bounded, and more
/// threads would not hash faster anyway. The queue waits in front of them.
static HASHERS: LazyLock<std::sync::mpsc::Sender<Job>> = LazyLock::new(|| {
    let (jobs, queue) = std::sync::mpsc::channel::<Job>();
    let queue = std::sync::Arc::new(std::sync::Mutex::new(queue));
    for i in 0..hashing_threads() {
        let queue = queue.clone();
        std::thread::Builder::new()
            .name(format!("argon2-{i}"))
            .spawn(move || {
                loop {
                    // The lock is released before the job runs.
                    let job = queue.lock().unwrap_or_else(|p| p.into_inner()).recv();
                    let Ok(job) = job else { return };
                    // A panicking job fails its own request (its answer is dropped), not the
                    // thread.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                }
            })
            .expect("spawn a hashing thread");
    }
    jobs
});

/// Runs `work` (a hash or a verification) on a hashing thread.
async fn hashing<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> anyhow::Result<T> {
    let (answer, answered) = tokio::sync::oneshot::channel();
    HASHERS
        .send(Box::new(move || {
            let _ = answer.send(work());
        }))
        .map_err(|_| anyhow!("the hashing threads are gone"))?;
    answered
        .await
        .map_err(|_| anyhow!("a password hash failed (panicked)"))
}

pub async fn hash(password: String) -> anyhow::Result<String> {
    hashing(move || hash_blocking(&password)).await?
}

/// Verifies against `hash`, or burns the same time against a dummy when there is none.
pub async fn verify(password: String, hash: Option<String>) -> anyhow::Result<bool> {
    hashing(move || match hash {
        Some(h) => verify_blocking(&password, &h),
        None => {
            let _ = verify_blocking(&password, &DUMMY_HASH);
            false
        }
    })
    .await
}

/// A password to hand out: 14 characters without look-alikes (no 0/O, 1/l/I).
pub fn generate() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..14)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Rules for a new password; the message is shown beside the field.
pub fn check_new(password: &str) -> Result<(), &'static str> {
    let len = password.chars().count();
    if len < MIN_LEN {
        Err("Mật khẩu mới phải có ít nhất 8 ký tự.")
    } else if len > MAX_LEN {
        Err("Mật khẩu mới không được dài quá 128 ký tự.")
    } else if password.trim().is_empty() {
        Err("Mật khẩu mới không được chỉ gồm khoảng trắng.")
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Many sign-ins at once queue for the hashing threads, and every one gets its own
    /// answer, on one of those threads (never on the blocking pool, whose threads grow).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_hashes_queue_for_the_hashing_threads_and_each_gets_its_answer() {
        let runs = (0..12).map(|i| {
            tokio::spawn(async move {
                let pw = format!("mật khẩu số {i}");
                let h = hash(pw.clone()).await.unwrap();
                let ok = verify(pw, Some(h.clone())).await.unwrap();
                let wrong = verify(format!("khác {i}"), Some(h)).await.unwrap();
                let on = hashing(|| std::thread::current().name().map(str::to_owned))
                    .await
                    .unwrap();
                (ok, wrong, on)
            })
        });
        for run in runs.collect::<Vec<_>>() {
            let (ok, wrong, on) = run.await.unwrap();
            assert!(ok && !wrong);
            assert!(on.is_some_and(|n| n.starts_with("argon2-")));
        }
    }

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let h = hash_blocking("mật khẩu dài").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_blocking("mật khẩu dài", &h));
        assert!(!verify_blocking("mat khau dai", &h));
        assert!(!verify_blocking("x", "not a hash"));
    }

    /// An unknown name is checked against the dummy with the real parameters: a hash that
    /// failed to parse would answer at once and tell the names apart.
    #[test]
    fn the_dummy_hash_costs_what_a_real_one_does() {
        let real = hash_blocking("mật khẩu dài").unwrap();
        let params = |h: &str| h.rsplitn(3, '$').nth(2).map(str::to_owned);
        assert!(PasswordHash::new(&DUMMY_HASH).is_ok(), "{}", *DUMMY_HASH);
        assert_eq!(params(&DUMMY_HASH), params(&real));
        assert!(params(&real).unwrap().starts_with("$argon2id$"));
    }

    #[test]
    fn generated_passwords_pass_the_rules_and_differ() {
        let a = generate();
        assert!(check_new(&a).is_ok());
        assert_ne!(a, generate());
    }

    #[test]
    fn new_password_rules() {
        assert!(check_new("short").is_err());
        assert!(check_new("        ").is_err());
        assert!(check_new(&"x".repeat(129)).is_err());
        assert!(check_new("đủ tám ký tự").is_ok());
    }
}
