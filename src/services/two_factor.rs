//! Turning two-factor sign-in (authenticator-app codes) on and off for one's own account.

use crate::auth::seal::{self, SealKey};
use crate::auth::{password, totp};
use crate::db::{self, Db, MspScope};
use crate::error::{AppError, AppResult};
use crate::model::{now, FieldError};
use crate::policy::Actor;

/// A secret as stored: sealed when the installation has `PORTICO_SECRET_KEY`.
fn to_store(key: Option<&SealKey>, secret: &str) -> String {
    key.map(|k| k.seal(secret)).unwrap_or_else(|| secret.to_string())
}

/// A stored secret as the authenticator has it. One stored before the installation had a key
/// is plain, and still works (it is sealed when next set up).
pub fn from_store(key: Option<&SealKey>, stored: &str) -> AppResult<String> {
    if !seal::is_sealed(stored) {
        return Ok(stored.to_string());
    }
    let key = key
        .ok_or_else(|| AppError::Internal("a two-factor secret is sealed but PORTICO_SECRET_KEY is not set".into()))?;
    key.open(stored).map_err(|e| AppError::Internal(format!("two-factor secret: {e}")))
}

pub async fn enabled(db: &Db, actor: &Actor) -> AppResult<bool> {
    Ok(db::users::totp(db, actor.msp(), actor.user_id).await?.0.is_some())
}

/// What the user needs to add the account to an authenticator app.
pub struct Setup {
    pub secret: String,
    pub qr: Option<String>,
}

/// Starts setting up: a new secret, kept aside until the user proves their app has it.
pub async fn begin(db: &Db, key: Option<&SealKey>, actor: &Actor, issuer: &str) -> AppResult<Setup> {
    if enabled(db, actor).await? {
        return Err(AppError::BadRequest("Two-factor sign-in is already on.".into()));
    }
    let secret = totp::new_secret();
    db::users::set_totp_pending(db, actor.msp(), actor.user_id, &to_store(key, &secret)).await?;
    Ok(Setup { qr: totp::qr_data_uri(&totp::uri(&secret, issuer, &actor.email)), secret })
}

/// The secret being set up, to show it again when a code was mistyped.
pub async fn pending(db: &Db, key: Option<&SealKey>, actor: &Actor, issuer: &str) -> AppResult<Option<Setup>> {
    let (_, pending, _) = db::users::totp(db, actor.msp(), actor.user_id).await?;
    let Some(stored) = pending else { return Ok(None) };
    let secret = from_store(key, &stored)?;
    Ok(Some(Setup { qr: totp::qr_data_uri(&totp::uri(&secret, issuer, &actor.email)), secret }))
}

pub async fn enable(db: &Db, key: Option<&SealKey>, actor: &Actor, code: &str) -> AppResult<()> {
    let (_, pending, _) = db::users::totp(db, actor.msp(), actor.user_id).await?;
    let stored = pending.ok_or_else(|| AppError::BadRequest("Start the set-up again.".into()))?;
    let secret = from_store(key, &stored)?;
    let step = totp::verify(&secret, code, now().unix_timestamp(), None).ok_or_else(|| {
        AppError::from(FieldError::new(
            "code",
            "That code isn't right. Check the time on your phone and try the current code.",
        ))
    })?;
    db::users::set_totp(db, actor.msp(), actor.user_id, Some(&to_store(key, &secret)), Some(step)).await?;
    Ok(())
}

/// Turning it off needs the password and a current code.
pub async fn disable(
    db: &Db,
    key: Option<&SealKey>,
    actor: &Actor,
    current_password: &str,
    code: &str,
) -> AppResult<()> {
    let user = db::users::get(db, actor.msp(), actor.user_id).await?.ok_or(AppError::NotFound)?;
    let (secret, _, last) = db::users::totp(db, actor.msp(), actor.user_id).await?;
    let stored = secret.ok_or_else(|| AppError::BadRequest("Two-factor sign-in is already off.".into()))?;
    let secret = from_store(key, &stored)?;
    if !password::verify(current_password.to_string(), user.password_hash).await {
        return Err(FieldError::new("current_password", "That isn't your current password.").into());
    }
    if totp::verify(&secret, code, now().unix_timestamp(), last).is_none() {
        return Err(FieldError::new("code", "That code isn't right.").into());
    }
    db::users::set_totp(db, actor.msp(), actor.user_id, None, None).await?;
    Ok(())
}

/// For the operator (CLI) when someone lost their phone.
pub async fn reset(db: &Db, msp: MspScope, user_id: crate::model::UserId) -> AppResult<()> {
    db::users::set_totp(db, msp, user_id, None, None).await?;
    Ok(())
}
