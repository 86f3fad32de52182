//! The client-credentials token endpoint: a client secret, or a certificate's client assertion.

use axum::http::StatusCode;
use axum::response::Response;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

use super::http::{json_response, token_error};
use super::{Shared, CLIENT_ID, JWT_BEARER, SECRET, TENANT, TENANT_DOMAIN};

impl Shared {
    pub(super) fn token(&self, path: &str, body: &[u8]) -> Response {
        let tenant = path.trim_start_matches('/').split('/').next().unwrap_or("");
        let form: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
        let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("");
        if !tenant.eq_ignore_ascii_case(TENANT) && !tenant.eq_ignore_ascii_case(TENANT_DOMAIN) {
            return token_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                90002,
                &format!(
                    "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are \
                     signing into the correct cloud."
                ),
            );
        }
        if field("grant_type") != "client_credentials" {
            return token_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                70003,
                "The app requested an unsupported grant type.",
            );
        }
        if field("client_id") != CLIENT_ID {
            return token_error(
                StatusCode::BAD_REQUEST,
                "unauthorized_client",
                700016,
                &format!(
                    "Application with identifier '{}' was not found in the directory 'Contoso'. This can happen if \
                     the application has not been installed by the administrator of the tenant or consented to by \
                     any user in the tenant. You may have sent your authentication request to the wrong tenant.",
                    field("client_id")
                ),
            );
        }
        let assertion = field("client_assertion");
        if !assertion.is_empty() {
            if field("client_assertion_type") != JWT_BEARER {
                return token_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    50027,
                    "JWT token is invalid or malformed. The client_assertion_type is not supported.",
                );
            }
            let audience = format!("{}/{tenant}/oauth2/v2.0/token", self.url);
            if let Some(refused) = self.assertion_refusal(assertion, &audience) {
                return refused;
            }
        } else if field("client_secret").is_empty() {
            return token_error(
                StatusCode::BAD_REQUEST,
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            );
        } else if field("client_secret") != SECRET {
            return token_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                7000215,
                &format!(
                    "Invalid client secret provided. Ensure the secret being sent in the request is the client \
                     secret value, not the client secret ID, for a secret added to app '{CLIENT_ID}'."
                ),
            );
        } else {
            self.state.lock().unwrap().secrets_sent += 1;
        }
        if field("scope") != format!("{}/.default", self.url) {
            return token_error(
                StatusCode::BAD_REQUEST,
                "invalid_scope",
                1002012,
                "The provided value for scope is not valid. Client credential flows must have a scope value \
                 with /.default suffixed to the resource identifier (application ID URI).",
            );
        }
        let mut t = self.state.lock().unwrap();
        t.tokens_issued += 1;
        let token = format!("eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.fake-{}.sig", t.tokens_issued);
        t.tokens.insert(token.clone());
        let body = json!({
            "token_type": "Bearer",
            "expires_in": self.spec.token_lifetime,
            "ext_expires_in": self.spec.token_lifetime,
            "access_token": token,
        });
        json_response(StatusCode::OK, &body)
    }

    /// Entra ID's refusal of a client assertion, if any. It must be a JWT signed RS256 by the
    /// key of one of the app's certificates (named by the SHA-1 thumbprint in `x5t`), for this
    /// token endpoint, issued by and about the app, and not expired.
    fn assertion_refusal(&self, jwt: &str, audience: &str) -> Option<Response> {
        let refuse = |code: u64, text: String| token_error(StatusCode::UNAUTHORIZED, "invalid_client", code, &text);
        let malformed =
            || token_error(StatusCode::BAD_REQUEST, "invalid_request", 50027, "JWT token is invalid or malformed.");
        let parts: Vec<&str> = jwt.split('.').collect();
        let [header, claims, signature] = parts[..] else { return Some(malformed()) };
        let json = |part: &str| -> Option<Value> { serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).ok()?).ok() };
        let (Some(h), Some(c), Ok(sig)) = (json(header), json(claims), URL_SAFE_NO_PAD.decode(signature)) else {
            return Some(malformed());
        };
        if h["alg"] != "RS256" || h["typ"] != "JWT" {
            return Some(refuse(
                700027,
                format!("Client assertion contains an unsupported signing algorithm '{}'.", h["alg"]),
            ));
        }
        let x5t = h["x5t"].as_str().and_then(|t| URL_SAFE_NO_PAD.decode(t).ok()).unwrap_or_default();
        let hex: String = x5t.iter().map(|b| format!("{b:02X}")).collect();
        let key = {
            let t = self.state.lock().unwrap();
            t.certificates.iter().find(|(thumbprint, _)| thumbprint[..] == x5t[..]).map(|(_, key)| key.clone())
        };
        let Some(key) = key else {
            return Some(refuse(
                700027,
                format!(
                    "The certificate with identifier used to sign the client assertion is not registered on \
                     application. [Reason - The key was not found., Thumbprint of key used by client: '{hex}', \
                     Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys \
                     for app Id '{CLIENT_ID}'.]"
                ),
            ));
        };
        let signed = format!("{header}.{claims}");
        let verified = ring::signature::UnparsedPublicKey::new(&ring::signature::RSA_PKCS1_2048_8192_SHA256, &key)
            .verify(signed.as_bytes(), &sig);
        if verified.is_err() {
            return Some(refuse(
                700027,
                format!(
                    "Client assertion contains an invalid signature. [Reason - The provided signature value did \
                     not match the expected signature value., Thumbprint of key used by client: '{hex}']"
                ),
            ));
        }
        if c["aud"] != audience {
            return Some(refuse(
                700027,
                format!("Client assertion failed validation: the audience '{}' is not '{audience}'.", c["aud"]),
            ));
        }
        if c["iss"] != CLIENT_ID || c["sub"] != CLIENT_ID {
            return Some(refuse(
                700027,
                format!("Client assertion failed validation: iss and sub must be the client id '{CLIENT_ID}'."),
            ));
        }
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        let (exp, nbf) = (c["exp"].as_u64().unwrap_or(0), c["nbf"].as_u64().unwrap_or(u64::MAX));
        if exp <= now || nbf > now + 300 {
            return Some(refuse(
                700024,
                format!(
                    "Client assertion is not within its valid time range. Current time: {now}, expiry time of \
                     assertion {exp}."
                ),
            ));
        }
        if c["jti"].as_str().is_none_or(str::is_empty) {
            return Some(malformed());
        }
        self.state.lock().unwrap().assertions.push((h, c));
        None
    }
}
