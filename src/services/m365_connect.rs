//! Connecting an MSP to Microsoft 365: its multi-tenant Entra ID app (client id and either a
//! sealed client secret or a certificate whose private key is sealed), and the admin-consent
//! link each customer's admin opens.

use crate::auth::seal::SealKey;
use crate::db::m365_apps::{self, AppCredential};
use crate::db::{self, Db};
use crate::error::{AppError, AppResult};
use crate::integrations::graph::{CertificateError, ClientCertificate};
use crate::model::{self, FieldError};
use crate::policy::{Action, Actor};

/// The longest certificate PEM accepted (a chain of a few certificates).
pub const MAX_CERTIFICATE_PEM: usize = 32 * 1024;
/// The longest private key PEM accepted (a 4096-bit key is about 3.3 kB).
const MAX_PRIVATE_KEY_PEM: usize = 16 * 1024;

/// A certificate this close to its expiry is flagged in the console and the API.
const CERTIFICATE_WARNING_DAYS: i64 = 30;

/// What the console shows of the app registration: never the secret or the private key.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AppStatus {
    pub client_id: String,
    /// How the app signs in: `secret` or `certificate`.
    #[schema(example = "certificate")]
    pub credential: String,
    /// The last characters of the client secret, to tell which one is stored; null for a certificate.
    pub secret_hint: Option<String>,
    /// The certificate's SHA-1 thumbprint in hex, as Entra ID lists it under Certificates & secrets;
    /// null for a secret.
    pub certificate_thumbprint: Option<String>,
    /// When the certificate expires (RFC 3339); null for a secret.
    pub certificate_expires_at: Option<String>,
    /// `valid`, `expiring` (within 30 days: upload its successor to the app registration and
    /// here) or `expired` (Entra ID refuses it; nothing syncs); null for a secret.
    #[schema(example = "valid")]
    pub certificate_state: Option<String>,
    /// Whole days until the certificate expires (negative once it has); null for a secret.
    pub certificate_days_left: Option<i64>,
    pub updated_at: String,
}

pub async fn status(db: &Db, actor: &Actor) -> AppResult<Option<AppStatus>> {
    actor.require(Action::UseConsole, None)?;
    Ok(m365_apps::app(db, actor.msp()).await?.map(|a| {
        let (credential, secret_hint, certificate_thumbprint, expires_at) = match a.credential {
            AppCredential::Secret { hint, .. } => ("secret", Some(hint), None, None),
            AppCredential::Certificate { thumbprint, expires_at, .. } => {
                ("certificate", None, Some(thumbprint), expires_at)
            }
        };
        let days_left = expires_at.map(|t| (t - model::now()).whole_days());
        let state = expires_at.map(|t| match t - model::now() {
            left if left <= time::Duration::ZERO => "expired",
            left if left <= time::Duration::days(CERTIFICATE_WARNING_DAYS) => "expiring",
            _ => "valid",
        });
        AppStatus {
            client_id: a.client_id,
            credential: credential.into(),
            secret_hint,
            certificate_thumbprint,
            certificate_expires_at: expires_at.map(model::rfc3339),
            certificate_state: state.map(String::from),
            certificate_days_left: days_left,
            updated_at: model::rfc3339(a.updated_at),
        }
    }))
}

/// An application (client) id is a GUID.
pub fn parse_client_id(raw: &str) -> Result<String, FieldError> {
    let v = raw.trim().to_lowercase();
    if uuid::Uuid::parse_str(&v).is_ok() && v.len() == 36 {
        Ok(v)
    } else {
        Err(FieldError::new("client_id", "Enter the application (client) ID: a GUID like 1b2c3d4e-…"))
    }
}

/// An app registration as submitted. The console says which kind of credential was chosen
/// (the other kind's fields are ignored); the API leaves `kind` out and sends the fields of
/// exactly one kind.
#[derive(Debug, Default, Clone, Copy)]
pub struct AppInput<'a> {
    pub client_id: &'a str,
    /// `secret` or `certificate`; `None` to tell from the fields sent.
    pub kind: Option<&'a str>,
    pub client_secret: Option<&'a str>,
    pub certificate_pem: Option<&'a str>,
    pub private_key_pem: Option<&'a str>,
}

/// A credential as checked, before it is sealed.
enum Checked {
    Secret(String),
    Certificate(ClientCertificate),
}

fn check_credential(input: &AppInput, errors: &mut Vec<FieldError>) -> Option<Checked> {
    let cert_sent = input.certificate_pem.is_some() || input.private_key_pem.is_some();
    let kind = match (input.kind, input.client_secret.is_some(), cert_sent) {
        (Some(k @ ("secret" | "certificate")), _, _) => k,
        (Some(_), _, _) => {
            errors.push(FieldError::new("credential", "Choose a client secret or a certificate."));
            return None;
        }
        (None, true, false) => "secret",
        (None, false, true) => "certificate",
        (None, both, _) => {
            let message = if both {
                "Send either client_secret, or certificate_pem with private_key_pem — not both."
            } else {
                "Send client_secret, or certificate_pem with private_key_pem."
            };
            errors.push(FieldError::new("client_secret", message));
            errors.push(FieldError::new("certificate_pem", message));
            return None;
        }
    };
    if kind == "secret" {
        let secret = input.client_secret.unwrap_or("").trim();
        if secret.len() < 8 || secret.len() > 200 || secret.chars().any(char::is_control) {
            errors.push(FieldError::new("client_secret", "Paste the client secret's value (not its ID)."));
            return None;
        }
        return Some(Checked::Secret(secret.to_string()));
    }
    let (cert, key) = (input.certificate_pem.unwrap_or(""), input.private_key_pem.unwrap_or(""));
    let mut too_long = false;
    if cert.len() > MAX_CERTIFICATE_PEM {
        errors.push(FieldError::new("certificate_pem", "This is too long for a certificate. Paste one certificate."));
        too_long = true;
    }
    if key.len() > MAX_PRIVATE_KEY_PEM {
        errors.push(FieldError::new("private_key_pem", "This is too long for a private key. Paste one key."));
        too_long = true;
    }
    if too_long {
        return None;
    }
    match ClientCertificate::from_pem(cert, key) {
        Ok(c) => match c.not_after() {
            Some(end) if end <= model::now() => {
                let day = end.date();
                errors.push(FieldError::new(
                    "certificate_pem",
                    format!("This certificate expired on {day}. Create a new one and upload it to Entra ID too."),
                ));
                None
            }
            _ => Some(Checked::Certificate(c)),
        },
        Err(problems) => {
            errors.extend(problems.into_iter().map(|p| match p {
                CertificateError::Certificate(m) => FieldError::new("certificate_pem", m),
                CertificateError::PrivateKey(m) => FieldError::new("private_key_pem", m),
            }));
            None
        }
    }
}

/// Stores the app registration; the secret or private key is sealed and never shown again.
pub async fn save(db: &Db, actor: &Actor, key: Option<&SealKey>, input: AppInput<'_>) -> AppResult<AppStatus> {
    actor.require(Action::ManageM365, None)?;
    let mut errors = vec![];
    let client_id = parse_client_id(input.client_id).map_err(|e| errors.push(e)).ok();
    let credential = check_credential(&input, &mut errors);
    let (Some(client_id), Some(credential)) = (client_id, credential) else {
        return Err(AppError::Validation(errors));
    };
    let key = key.ok_or_else(|| {
        AppError::BadRequest(
            "Set PORTICO_SECRET_KEY on the server first: client secrets and private keys are stored sealed with it."
                .into(),
        )
    })?;
    let stored = match credential {
        Checked::Secret(secret) => {
            let hint: String = secret.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
            AppCredential::Secret { sealed: key.seal(&secret), hint: format!("…{hint}") }
        }
        Checked::Certificate(c) => AppCredential::Certificate {
            key_sealed: key.seal(c.expose_private_key_pem()),
            thumbprint: c.thumbprint_hex(),
            expires_at: c.not_after(),
        },
    };
    m365_apps::save_app(db, actor.msp(), &client_id, &stored, model::now()).await?;
    status(db, actor).await?.ok_or(AppError::NotFound)
}

/// The link a customer's Global Administrator opens to grant the app's permissions in their tenant.
pub fn consent_url(login_url: &str, tenant: &str, client_id: &str) -> String {
    format!("{}/{tenant}/adminconsent?client_id={client_id}", login_url.trim_end_matches('/'))
}

/// The consent link for one customer, when both its tenant and the app are known.
pub async fn consent_for(
    db: &Db,
    actor: &Actor,
    login_url: &str,
    customer_id: crate::model::CustomerId,
) -> AppResult<Option<String>> {
    let customer = crate::services::customers::get(db, actor, customer_id).await?;
    actor.require(Action::UseConsole, None)?;
    let app = m365_apps::app(db, actor.msp()).await?;
    let scope = actor.customer_scope(&customer)?;
    let tenant = db::customers::get(db, scope).await?.and_then(|c| c.m365_tenant_id).filter(|t| !t.is_empty());
    Ok(match (tenant, app) {
        (Some(t), Some(a)) => Some(consent_url(login_url, &t, &a.client_id)),
        _ => None,
    })
}
