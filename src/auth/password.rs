//! Argon2id password hashing. Hashing takes tens of milliseconds of CPU on purpose, so it
//! always runs on the blocking pool, never on the async worker threads.

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

pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_blocking(&password)).await?
}

/// Verifies against `hash`, or burns the same time against a dummy when there is none.
pub async fn verify(password: String, hash: Option<String>) -> anyhow::Result<bool> {
    Ok(tokio::task::spawn_blocking(move || match hash {
        Some(h) => verify_blocking(&password, &h),
        None => {
            let _ = verify_blocking(&password, &DUMMY_HASH);
            false
        }
    })
    .await?)
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
