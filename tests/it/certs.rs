//! Certificates and keys for the certificate-credential tests, made at test time with the
//! `openssl` command (nothing of the kind is kept in the repository). Without openssl the
//! tests that need one print a `SKIPPED` line and pass.

use std::path::Path;

use tempfile::TempDir;

/// A self-signed certificate and its RSA key, with what openssl itself says of them.
pub struct TestCert {
    pub cert_pem: String,
    /// PKCS#8 (`BEGIN PRIVATE KEY`).
    pub key_pem: String,
    /// The same key as PKCS#1 (`BEGIN RSA PRIVATE KEY`).
    pub rsa_key_pem: String,
    /// SHA-1 of the certificate's DER, upper-case hex, from `openssl x509 -fingerprint`.
    pub thumbprint: String,
    /// The RSAPublicKey (DER), for checking signatures.
    pub public_key_der: Vec<u8>,
    pub dir: TempDir,
}

/// Runs openssl in `dir`; its stdout, or `None` when it is missing or fails.
pub async fn openssl(dir: &Path, args: &[&str]) -> Option<String> {
    // tokio's Command: std's would block the runtime that serves the test's own servers.
    let out = tokio::process::Command::new("openssl").args(args).current_dir(dir).output().await.ok()?;
    if !out.status.success() {
        panic!("openssl {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// True (after printing the skip line) when there is no openssl to make certificates with.
pub async fn skipped(test: &str) -> bool {
    let found = tokio::process::Command::new("openssl").arg("version").output().await.is_ok_and(|o| o.status.success());
    if !found {
        println!("SKIPPED {test}: the openssl command is not installed, so no test certificate can be made");
    }
    !found
}

/// A new 2048-bit RSA key and a certificate for it, valid for 30 days.
pub async fn generate() -> TestCert {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let req = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem"];
    openssl(d, &[&req[..], &["-days", "30", "-subj", "/CN=portico-test"]].concat()).await.expect("openssl req");
    openssl(d, &["rsa", "-in", "key.pem", "-RSAPublicKey_out", "-outform", "DER", "-out", "pub.der"]).await.unwrap();
    openssl(d, &["rsa", "-in", "key.pem", "-traditional", "-out", "rsa.pem"]).await.unwrap();
    let fingerprint = openssl(d, &["x509", "-in", "cert.pem", "-noout", "-fingerprint", "-sha1"]).await.unwrap();
    let thumbprint = fingerprint.trim().rsplit('=').next().unwrap().replace(':', "").to_uppercase();
    let read = |name: &str| std::fs::read_to_string(d.join(name)).unwrap();
    TestCert {
        cert_pem: read("cert.pem"),
        key_pem: read("key.pem"),
        rsa_key_pem: read("rsa.pem"),
        thumbprint,
        public_key_der: std::fs::read(d.join("pub.der")).unwrap(),
        dir,
    }
}

impl TestCert {
    /// Another key made by openssl in this certificate's folder: `args` after `genpkey`.
    pub async fn other_key(&self, name: &str, args: &[&str]) -> String {
        let mut all = vec!["genpkey", "-out", name];
        all.extend_from_slice(args);
        openssl(self.dir.path(), &all).await.unwrap();
        std::fs::read_to_string(self.dir.path().join(name)).unwrap()
    }

    /// The private key protected by a password.
    pub async fn encrypted_key(&self) -> String {
        let args = ["pkey", "-in", "key.pem", "-aes256", "-passout", "pass:portico", "-out", "locked.pem"];
        openssl(self.dir.path(), &args).await.unwrap();
        std::fs::read_to_string(self.dir.path().join("locked.pem")).unwrap()
    }

    /// The base64 lines of the private key, each of which must never be stored in clear.
    pub fn key_lines(&self) -> Vec<&str> {
        self.key_pem.lines().filter(|l| !l.starts_with("-----") && l.len() > 40).collect()
    }
}
