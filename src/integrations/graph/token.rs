//! App-only access tokens from Entra ID (the OAuth 2.0 client-credentials grant, with a client
//! secret or a certificate's signed client assertion), cached per tenant and application
//! until shortly before they expire. Secrets, keys and tokens never reach a log line or an
//! error message: their `Debug` is redacted and errors carry only Entra ID's own codes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::certificate::ClientCertificate;
use super::client::GraphClient;
use super::error::{Area, GraphError, TokenError};

/// Refresh a cached token this long before it expires (at most half its lifetime).
const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// An app registration's client secret. Its `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientSecret(String);

impl ClientSecret {
    pub fn new(secret: impl Into<String>) -> ClientSecret {
        ClientSecret(secret.into())
    }

    /// The secret itself, for storing it (encrypted) or sending it to Entra ID.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientSecret(***)")
    }
}

/// How an app registration proves who it is to Entra ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientCredential {
    Secret(ClientSecret),
    Certificate(ClientCertificate),
}

impl From<ClientSecret> for ClientCredential {
    fn from(secret: ClientSecret) -> Self {
        ClientCredential::Secret(secret)
    }
}

impl From<ClientCertificate> for ClientCredential {
    fn from(certificate: ClientCertificate) -> Self {
        ClientCredential::Certificate(certificate)
    }
}

/// How Portico signs in to one customer's tenant: the tenant (GUID or `contoso.onmicrosoft.com`)
/// and an app registration consented there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantCredentials {
    pub tenant_id: String,
    pub client_id: String,
    pub credential: ClientCredential,
}

impl TenantCredentials {
    pub fn new(tenant_id: &str, client_id: &str, credential: impl Into<ClientCredential>) -> TenantCredentials {
        TenantCredentials {
            tenant_id: tenant_id.trim().into(),
            client_id: client_id.trim().into(),
            credential: credential.into(),
        }
    }

    fn cache_key(&self) -> (String, String) {
        (self.tenant_id.to_ascii_lowercase(), self.client_id.to_ascii_lowercase())
    }
}

/// A bearer token for Microsoft Graph. Its `Debug` does not show it.
#[derive(Clone)]
pub struct AccessToken {
    value: Arc<str>,
    expires_at: Instant,
}

impl AccessToken {
    pub fn expires_at(&self) -> Instant {
        self.expires_at
    }

    pub(super) fn bearer(&self) -> &str {
        &self.value
    }
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessToken").field("value", &"***").field("expires_at", &self.expires_at).finish()
    }
}

struct Cached {
    token: AccessToken,
    refresh_at: Instant,
    /// The credential the token was issued for: another secret or certificate for the same
    /// app is a miss.
    credential_hash: [u8; 32],
}

/// One slot per (tenant, client id); a slot's lock makes concurrent callers wait for one
/// token request instead of each sending their own.
#[derive(Default)]
pub(super) struct TokenCache {
    slots: Mutex<HashMap<(String, String), Slot>>,
}

type Slot = Arc<tokio::sync::Mutex<Option<Cached>>>;

impl TokenCache {
    fn slot(&self, creds: &TenantCredentials) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.entry(creds.cache_key()).or_default().clone()
    }
}

fn credential_hash(credential: &ClientCredential) -> [u8; 32] {
    let mut hash = Sha256::new();
    match credential {
        ClientCredential::Secret(s) => {
            hash.update(b"secret\0");
            hash.update(s.expose().as_bytes());
        }
        ClientCredential::Certificate(c) => {
            hash.update(b"certificate\0");
            hash.update(c.identity());
        }
    }
    hash.finalize().into()
}

/// A tenant is a GUID or a domain name; anything else is refused before it reaches a URL.
fn valid_tenant(tenant: &str) -> bool {
    !tenant.is_empty()
        && tenant.len() <= 255
        && tenant.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        && !tenant.starts_with('.')
}

impl GraphClient {
    /// A token for the tenant: the cached one while it has more than a few minutes left,
    /// otherwise a new one from Entra ID (which also checks the credentials).
    pub async fn access_token(&self, creds: &TenantCredentials) -> Result<AccessToken, GraphError> {
        let slot = self.inner.tokens.slot(creds);
        let mut cached = slot.lock().await;
        let hash = credential_hash(&creds.credential);
        if let Some(c) = cached.as_ref() {
            if c.credential_hash == hash && Instant::now() < c.refresh_at {
                return Ok(c.token.clone());
            }
        }
        let (token, lifetime) = self.request_token(creds).await?;
        let margin = REFRESH_MARGIN.min(lifetime / 2);
        *cached = Some(Cached { token: token.clone(), refresh_at: token.expires_at - margin, credential_hash: hash });
        Ok(token)
    }

    /// Forgets the tenant's cached token (Graph refused it).
    pub(super) async fn forget_token(&self, creds: &TenantCredentials) {
        *self.inner.tokens.slot(creds).lock().await = None;
    }

    async fn request_token(&self, creds: &TenantCredentials) -> Result<(AccessToken, Duration), GraphError> {
        if !valid_tenant(&creds.tenant_id) {
            return Err(
                TokenError::TenantNotFound { tenant: creds.tenant_id.clone(), code: "not a tenant ID".into() }.into()
            );
        }
        let url = format!("{}/{}/oauth2/v2.0/token", self.inner.login_url, creds.tenant_id);
        // The scope names the Graph instance itself, so national clouds get their own.
        let scope = format!("{}/.default", self.inner.graph_url);
        let mut form = vec![
            ("client_id", creds.client_id.clone()),
            ("scope", scope),
            ("grant_type", "client_credentials".to_string()),
        ];
        match &creds.credential {
            ClientCredential::Secret(secret) => form.push(("client_secret", secret.expose().to_string())),
            ClientCredential::Certificate(cert) => {
                // One assertion per token request: its ten minutes cover the request's retries
                // unless Entra ID throttles for longer, which then fails as out of time.
                let assertion = cert.assertion(&creds.client_id, &url, unix_now()).ok_or(TokenError::CannotSign)?;
                form.push(("client_assertion_type", JWT_BEARER.to_string()));
                form.push(("client_assertion", assertion));
            }
        }
        let sent_at = Instant::now();
        let (status, body) = self.send(Area::Token, || self.inner.http.post(&url).form(&form)).await?;
        if status.is_success() {
            let parsed: TokenBody = serde_json::from_slice(&body)
                .map_err(|e| GraphError::Invalid { area: Area::Token, message: format!("token response: {e}") })?;
            let lifetime = Duration::from_secs(parsed.expires_in.unwrap_or(0));
            let token = AccessToken { value: parsed.access_token.into(), expires_at: sent_at + lifetime };
            return Ok((token, lifetime));
        }
        Err(token_error(creds, status.as_u16(), &body).into())
    }
}

/// `client_assertion_type` for a signed JWT (RFC 7523).
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

fn unix_now() -> u64 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

#[derive(Deserialize)]
struct TokenBody {
    access_token: String,
    /// Seconds; a number from the v2.0 endpoint, a string from older ones.
    #[serde(default, deserialize_with = "seconds")]
    expires_in: Option<u64>,
}

fn seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumOrText {
        Num(u64),
        Text(String),
    }
    Ok(match Option::<NumOrText>::deserialize(d)? {
        Some(NumOrText::Num(n)) => Some(n),
        Some(NumOrText::Text(t)) => t.trim().parse().ok(),
        None => None,
    })
}

#[derive(Deserialize, Default)]
struct TokenErrorBody {
    #[serde(default)]
    error: String,
    #[serde(default)]
    error_description: String,
    #[serde(default)]
    error_codes: Vec<u64>,
}

/// Turns Entra ID's error answer into what the MSP must fix. Entra ID puts the specific
/// cause in an `AADSTS` code (in `error_codes`, and at the start of `error_description`).
fn token_error(creds: &TenantCredentials, status: u16, body: &[u8]) -> TokenError {
    let parsed: TokenErrorBody = serde_json::from_slice(body).unwrap_or_default();
    let number = parsed.error_codes.first().copied().or_else(|| aadsts_number(&parsed.error_description));
    let code = number.map(|n| format!("AADSTS{n}")).unwrap_or_else(|| parsed.error.clone());
    match number {
        // 90002: tenant not found; 900023: not a valid tenant identifier.
        Some(90002 | 900023) => TokenError::TenantNotFound { tenant: creds.tenant_id.clone(), code },
        Some(700016) => {
            TokenError::AppNotInTenant { tenant: creds.tenant_id.clone(), client_id: creds.client_id.clone(), code }
        }
        Some(7000215) => TokenError::InvalidSecret { code },
        Some(7000222) => TokenError::SecretExpired { code },
        // 700027: the assertion's certificate is not on the app, or its signature is wrong.
        Some(700027) => {
            let thumbprint = match &creds.credential {
                ClientCredential::Certificate(c) => c.thumbprint_hex(),
                ClientCredential::Secret(_) => "(none sent)".into(),
            };
            TokenError::CertificateRefused { thumbprint, code }
        }
        // 700024: the assertion is not within its valid time range.
        Some(700024) => TokenError::AssertionOutOfTime { code },
        _ => {
            // The first line only: the rest is trace and correlation ids.
            let description = parsed.error_description.lines().next().unwrap_or("").chars().take(300).collect();
            let error = if parsed.error.is_empty() { format!("HTTP {status}") } else { parsed.error };
            TokenError::Refused { error, description }
        }
    }
}

fn aadsts_number(description: &str) -> Option<u64> {
    let rest = &description[description.find("AADSTS")? + 6..];
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds() -> TenantCredentials {
        TenantCredentials::new("contoso.onmicrosoft.com", "app-1", ClientSecret::new("s3cret"))
    }

    #[test]
    fn entra_codes_say_what_is_wrong() {
        let e = |body: &str| token_error(&creds(), 400, body.as_bytes());
        assert!(matches!(
            e(r#"{"error":"invalid_request","error_description":"AADSTS90002: Tenant 'x' not found.\r\nTrace ID: 1","error_codes":[90002]}"#),
            TokenError::TenantNotFound { code, .. } if code == "AADSTS90002"
        ));
        assert!(matches!(
            e(r#"{"error":"unauthorized_client","error_description":"AADSTS700016: Application with identifier 'app-1' was not found in the directory 'Contoso'."}"#),
            TokenError::AppNotInTenant { code, .. } if code == "AADSTS700016"
        ));
        assert!(matches!(
            e(
                r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.","error_codes":[7000215]}"#
            ),
            TokenError::InvalidSecret { .. }
        ));
        assert!(matches!(
            e(
                r#"{"error":"invalid_client","error_description":"AADSTS7000222: The provided client secret keys are expired."}"#
            ),
            TokenError::SecretExpired { .. }
        ));
        let refused = e(
            r#"{"error":"invalid_client","error_description":"AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application.","error_codes":[700027]}"#,
        );
        assert!(matches!(&refused, TokenError::CertificateRefused { code, .. } if code == "AADSTS700027"));
        assert!(matches!(
            e(
                r#"{"error":"invalid_client","error_description":"AADSTS700024: Client assertion is not within its valid time range."}"#
            ),
            TokenError::AssertionOutOfTime { .. }
        ));
        let other = e(r#"{"error":"invalid_scope","error_description":"AADSTS1002012: bad scope\r\nTrace ID: abc"}"#);
        assert_eq!(other.to_string(), "Entra ID refused the token request: invalid_scope: AADSTS1002012: bad scope");
        assert!(matches!(e("<html>oops</html>"), TokenError::Refused { error, .. } if error == "HTTP 400"));
    }

    #[test]
    fn messages_do_not_contain_the_secret() {
        let c = creds();
        assert_eq!(format!("{c:?}").matches("s3cret").count(), 0);
        let err = token_error(&c, 401, br#"{"error":"invalid_client","error_codes":[7000215]}"#);
        assert!(!err.to_string().contains("s3cret"));
        let token = AccessToken { value: "eyJ-token".into(), expires_at: Instant::now() };
        assert!(!format!("{token:?}").contains("eyJ"));
    }

    #[test]
    fn tenants_are_guids_or_domains() {
        assert!(valid_tenant("contoso.onmicrosoft.com"));
        assert!(valid_tenant("72f988bf-86f1-41af-91ab-2d7cd011db47"));
        assert!(!valid_tenant("../common"));
        assert!(!valid_tenant("a/b"));
        assert!(!valid_tenant(""));
        assert!(!valid_tenant("x?y"));
    }

    #[test]
    fn expires_in_may_be_text() {
        let b: TokenBody = serde_json::from_str(r#"{"access_token":"t","expires_in":"3599"}"#).unwrap();
        assert_eq!(b.expires_in, Some(3599));
        let b: TokenBody =
            serde_json::from_str(r#"{"access_token":"t","expires_in":3599,"ext_expires_in":3599}"#).unwrap();
        assert_eq!(b.expires_in, Some(3599));
    }
}
