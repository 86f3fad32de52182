//! Settings: `PORTICO_*` environment variables over an optional `portico.toml`.

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Deserialize;

#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    pub bind: SocketAddr,
    /// Public URL of the default MSP's portal, used in links and to decide `Secure` cookies.
    pub base_url: Option<String>,
    pub data_dir: PathBuf,
    /// Upper bound on database connections held by this instance.
    pub db_pool_size: u32,
    /// How long a session lives without activity, in minutes.
    pub session_idle_minutes: i64,
    /// Sign-in attempts allowed per account (and per IP, times four) in a 15-minute window.
    pub login_attempts: u32,
    pub log: String,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted reverse proxy).
    pub trust_proxy: bool,
    /// Where mail goes out, e.g. `smtp://user:pass@mail.example.com:587?tls=required`.
    /// Without it, mail stays queued.
    pub smtp_url: Option<String>,
    /// The sender when an MSP has not set its own.
    pub smtp_from: String,
    /// Run queued jobs (mail) in this instance.
    pub run_jobs: bool,
    /// The first retry of a failed job waits this many seconds, doubling each time.
    pub job_retry_seconds: i64,
    /// How long a claimed job is held without a renewal; a running job renews it every third
    /// of this, and a crashed instance's job is taken again once it runs out.
    pub job_lease_seconds: i64,
    /// Seals secrets kept in the database (the MSPs' Entra ID client secrets).
    pub secret_key: Option<crate::auth::seal::SealKey>,
    /// When set, `/metrics` answers only `Authorization: Bearer <this>`.
    pub metrics_token: Option<String>,
    /// How often each customer's Microsoft 365 data is synced, in minutes.
    pub sync_minutes: i64,
    /// The most one upload (all files of one form or API call together) may carry, in MB.
    pub max_upload_mb: u64,
    /// Microsoft Graph, without a trailing slash (another cloud, or a fake in tests).
    pub graph_url: String,
    /// The Microsoft Entra ID sign-in service that issues Graph tokens, without a trailing slash.
    pub login_url: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    database_url: Option<String>,
    bind: Option<String>,
    base_url: Option<String>,
    data_dir: Option<String>,
    db_pool_size: Option<u32>,
    session_idle_minutes: Option<i64>,
    login_attempts: Option<u32>,
    log: Option<String>,
    trust_proxy: Option<bool>,
    smtp_url: Option<String>,
    smtp_from: Option<String>,
    run_jobs: Option<bool>,
    job_retry_seconds: Option<i64>,
    job_lease_seconds: Option<i64>,
    max_upload_mb: Option<u64>,
    secret_key: Option<String>,
    metrics_token: Option<String>,
    sync_minutes: Option<i64>,
    graph_url: Option<String>,
    login_url: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database_url: "sqlite://portico.db".into(),
            bind: "127.0.0.1:8080".parse().expect("static address"),
            base_url: None,
            data_dir: PathBuf::from("portico-data"),
            db_pool_size: 16,
            session_idle_minutes: 8 * 60,
            login_attempts: 5,
            log: "info".into(),
            trust_proxy: false,
            smtp_url: None,
            smtp_from: "portal@localhost".into(),
            run_jobs: true,
            job_retry_seconds: 30,
            job_lease_seconds: 300,
            secret_key: None,
            metrics_token: None,
            sync_minutes: 30,
            max_upload_mb: 25,
            graph_url: "https://graph.microsoft.com".into(),
            login_url: "https://login.microsoftonline.com".into(),
        }
    }
}

impl Settings {
    /// Reads `portico.toml` (or the file named by `PORTICO_CONFIG`) if present, then the
    /// environment. Later sources win.
    pub fn load() -> Result<Settings, String> {
        let path = std::env::var("PORTICO_CONFIG").unwrap_or_else(|_| "portico.toml".into());
        let file = match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str::<FileSettings>(&text).map_err(|e| format!("{path}: {e}"))?,
            Err(_) => FileSettings::default(),
        };
        let env = |k: &str| std::env::var(format!("PORTICO_{k}")).ok().filter(|v| !v.is_empty());
        let mut s = Settings::default();
        if let Some(v) = env("DATABASE_URL").or(file.database_url) {
            s.database_url = v;
        }
        if let Some(v) = env("BIND").or(file.bind) {
            s.bind = v.parse().map_err(|_| format!("PORTICO_BIND: not an address: {v}"))?;
        }
        s.base_url = env("BASE_URL").or(file.base_url).map(|u| u.trim_end_matches('/').to_string());
        if let Some(v) = env("DATA_DIR").or(file.data_dir) {
            s.data_dir = PathBuf::from(v);
        }
        if let Some(v) =
            env("DB_POOL_SIZE").map(|v| parse_num("PORTICO_DB_POOL_SIZE", &v)).transpose()?.or(file.db_pool_size)
        {
            s.db_pool_size = v.clamp(1, 200);
        }
        if let Some(v) = env("SESSION_IDLE_MINUTES")
            .map(|v| parse_num("PORTICO_SESSION_IDLE_MINUTES", &v))
            .transpose()?
            .or(file.session_idle_minutes)
        {
            s.session_idle_minutes = v.max(1);
        }
        if let Some(v) =
            env("LOGIN_ATTEMPTS").map(|v| parse_num("PORTICO_LOGIN_ATTEMPTS", &v)).transpose()?.or(file.login_attempts)
        {
            s.login_attempts = v.max(1);
        }
        if let Some(v) = env("TRUST_PROXY").map(|v| v == "1" || v == "true").or(file.trust_proxy) {
            s.trust_proxy = v;
        }
        s.smtp_url = env("SMTP_URL").or(file.smtp_url);
        if let Some(v) = env("SMTP_FROM").or(file.smtp_from) {
            s.smtp_from = v;
        }
        if let Some(v) = env("RUN_JOBS").map(|v| v == "1" || v == "true").or(file.run_jobs) {
            s.run_jobs = v;
        }
        if let Some(v) = env("JOB_RETRY_SECONDS")
            .map(|v| parse_num("PORTICO_JOB_RETRY_SECONDS", &v))
            .transpose()?
            .or(file.job_retry_seconds)
        {
            s.job_retry_seconds = v.clamp(1, 3600);
        }
        if let Some(v) = env("JOB_LEASE_SECONDS")
            .map(|v| parse_num("PORTICO_JOB_LEASE_SECONDS", &v))
            .transpose()?
            .or(file.job_lease_seconds)
        {
            s.job_lease_seconds = v.clamp(3, 3600);
        }
        if let Some(v) =
            env("MAX_UPLOAD_MB").map(|v| parse_num("PORTICO_MAX_UPLOAD_MB", &v)).transpose()?.or(file.max_upload_mb)
        {
            s.max_upload_mb = v.clamp(1, 1024);
        }
        s.metrics_token = env("METRICS_TOKEN").or(file.metrics_token);
        if let Some(v) = env("SECRET_KEY").or(file.secret_key) {
            s.secret_key = Some(crate::auth::seal::SealKey::from_setting(&v)?);
        }
        if let Some(v) =
            env("SYNC_MINUTES").map(|v| parse_num("PORTICO_SYNC_MINUTES", &v)).transpose()?.or(file.sync_minutes)
        {
            s.sync_minutes = v.clamp(5, 24 * 60);
        }
        if let Some(v) = env("GRAPH_URL").or(file.graph_url) {
            s.graph_url = service_url("PORTICO_GRAPH_URL", &v)?;
        }
        if let Some(v) = env("LOGIN_URL").or(file.login_url) {
            s.login_url = service_url("PORTICO_LOGIN_URL", &v)?;
        }
        if let Some(v) = env("LOG").or(file.log) {
            s.log = v;
        }
        Ok(s)
    }

    /// `max_upload_mb` in bytes.
    pub fn max_upload_bytes(&self) -> usize {
        (self.max_upload_mb as usize).saturating_mul(1024 * 1024)
    }

    pub fn secure_cookies(&self) -> bool {
        self.base_url.as_deref().is_some_and(|u| u.starts_with("https://"))
    }
}

/// An `http(s)://` base URL without its trailing slash.
fn service_url(name: &str, v: &str) -> Result<String, String> {
    let v = v.trim().trim_end_matches('/');
    if !(v.starts_with("https://") || v.starts_with("http://")) || v.contains(['?', '#']) {
        return Err(format!("{name}: not an http(s) base URL: {v}"));
    }
    Ok(v.to_string())
}

fn parse_num<T: std::str::FromStr>(name: &str, v: &str) -> Result<T, String> {
    v.parse().map_err(|_| format!("{name}: not a number: {v}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_urls_lose_their_trailing_slash_and_must_be_http() {
        assert_eq!(service_url("X", "https://graph.microsoft.us/").unwrap(), "https://graph.microsoft.us");
        assert_eq!(service_url("X", " http://127.0.0.1:9000 ").unwrap(), "http://127.0.0.1:9000");
        assert!(service_url("X", "graph.microsoft.com").is_err());
        assert!(service_url("X", "https://graph.microsoft.com/?x=1").is_err());
        assert_eq!(Settings::default().graph_url, "https://graph.microsoft.com");
        assert_eq!(Settings::default().login_url, "https://login.microsoftonline.com");
    }
}
