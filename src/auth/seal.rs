//! Sealing secrets stored in the database (an MSP's Entra ID client secret or private key,
//! each person's authenticator secret) with the key from `PORTICO_SECRET_KEY`: ChaCha20-Poly1305
//! with a fresh nonce per value.

use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::ChaCha20Poly1305;
use sha2::{Digest, Sha256};

const PREFIX: &str = "v1:";

#[derive(Clone)]
pub struct SealKey(chacha20poly1305::Key);

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealKey(***)")
    }
}

/// Whether `stored` is a sealed value (a TOTP secret stored before there was a key is not).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

impl SealKey {
    /// Any string of at least 32 characters (e.g. `openssl rand -base64 48`); the key is its SHA-256.
    pub fn from_setting(raw: &str) -> Result<SealKey, String> {
        if raw.chars().count() < 32 {
            return Err("PORTICO_SECRET_KEY must be at least 32 characters (try `openssl rand -base64 48`)".into());
        }
        let digest = Sha256::digest(raw.as_bytes());
        Ok(SealKey(*chacha20poly1305::Key::from_slice(&digest)))
    }

    pub fn seal(&self, plain: &str) -> String {
        let cipher = ChaCha20Poly1305::new(&self.0);
        let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = cipher.encrypt(&nonce, plain.as_bytes()).expect("sealing in memory cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!("{PREFIX}{}", base64::engine::general_purpose::STANDARD.encode(out))
    }

    /// The plain text, or an error when the value was sealed with another key or altered.
    pub fn open(&self, sealed: &str) -> Result<String, String> {
        let raw = sealed
            .strip_prefix(PREFIX)
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .filter(|b| b.len() > 12)
            .ok_or("the stored secret is not readable")?;
        let (nonce, body) = raw.split_at(12);
        let plain = ChaCha20Poly1305::new(&self.0)
            .decrypt(chacha20poly1305::Nonce::from_slice(nonce), body)
            .map_err(|_| "the stored secret was sealed with another PORTICO_SECRET_KEY".to_string())?;
        String::from_utf8(plain).map_err(|_| "the stored secret is not text".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_opens_only_with_the_same_key() {
        let key = SealKey::from_setting("an-example-key-that-is-long-enough-1234").unwrap();
        let sealed = key.seal("client-secret~value");
        assert!(sealed.starts_with("v1:") && !sealed.contains("client-secret"));
        assert_ne!(sealed, key.seal("client-secret~value"), "a fresh nonce each time");
        assert_eq!(key.open(&sealed).unwrap(), "client-secret~value");
        let other = SealKey::from_setting("another-example-key-that-is-long-enough").unwrap();
        assert!(other.open(&sealed).is_err());
        assert!(key.open("v1:AAAA").is_err() && key.open("plain").is_err());
        assert!(SealKey::from_setting("short").is_err());
    }
}
