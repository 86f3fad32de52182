//! argon2id password hashing and the password rules.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::model::FieldError;

pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 256;

/// Passwords too common to allow, whatever their length.
const COMMON: &[&str] = &[
    "password",
    "password1",
    "password12",
    "password123",
    "password1234",
    "passw0rd",
    "123456789",
    "1234567890",
    "12345678910",
    "qwertyuiop",
    "qwerty1234",
    "qwerty12345",
    "iloveyou12",
    "welcome123",
    "welcome1234",
    "letmein123",
    "admin12345",
    "administrator",
    "changeme123",
    "football123",
    "baseball123",
    "sunshine123",
    "1q2w3e4r5t",
    "1qaz2wsx3edc",
    "zaq12wsxcde",
    "abc1234567",
    "abcdefghij",
    "princess123",
    "trustno1234",
    "superman123",
    "monkey12345",
    "dragon12345",
    "master12345",
    "000000000",
    "0000000000",
    "1111111111",
    "aaaaaaaaaa",
    "qwertyqwerty",
    "michael123",
    "portico-demo",
    "portalpassword",
    "letmeinplease",
    "summer2025",
    "summer2026",
    "winter2025",
    "winter2026",
    "spring2026",
    "autumn2026",
];

/// Checks the rules for a new password.
pub fn check_new(field: &'static str, password: &str, email: &str) -> Result<(), FieldError> {
    let n = password.chars().count();
    if n < MIN_LENGTH {
        return Err(FieldError::new(field, format!("Use at least {MIN_LENGTH} characters.")));
    }
    if n > MAX_LENGTH {
        return Err(FieldError::new(field, format!("Use at most {MAX_LENGTH} characters.")));
    }
    let lower = password.to_lowercase();
    if COMMON.contains(&lower.as_str())
        || lower == email.to_lowercase()
        || lower.chars().all(|c| c == lower.chars().next().unwrap_or(' '))
    {
        return Err(FieldError::new(field, "That password is too easy to guess. Choose another."));
    }
    Ok(())
}

/// Hashes on a blocking thread: argon2 is deliberately slow.
pub async fn hash(password: String) -> String {
    tokio::task::spawn_blocking(move || hash_now(&password)).await.expect("hashing thread")
}

pub fn hash_now(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2 with default parameters").to_string()
}

/// Verifies against `hash`, or against a fixed dummy when there is none, so the time taken
/// does not reveal whether an account exists.
pub async fn verify(password: String, hash: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let dummy = dummy_hash();
        let stored = hash.as_deref().unwrap_or(dummy);
        let ok = PasswordHash::new(stored)
            .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
            .unwrap_or(false);
        ok && hash.is_some()
    })
    .await
    .unwrap_or(false)
}

fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_now("not a real password"))
}

/// A readable generated password for the CLI.
pub fn generate() -> String {
    let t = super::random_token();
    t.chars().filter(|c| c.is_ascii_alphanumeric()).take(20).collect()
}
