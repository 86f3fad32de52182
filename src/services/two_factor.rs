//! Turning two-factor sign-in (authenticator-app codes) on and off for one's own account.

use crate::auth::{password, totp};
use crate::db::{self, Db, MspScope};
use crate::error::{AppError, AppResult};
use crate::model::{now, FieldError};
use crate::policy::Actor;

pub async fn enabled(db: &Db, actor: &Actor) -> AppResult<bool> {
    Ok(db::users::totp(db, actor.msp(), actor.user_id).await?.0.is_some())
}

/// What the user needs to add the account to an authenticator app.
pub struct Setup {
    pub secret: String,
    pub qr: Option<String>,
}

/// Starts setting up: a new secret, kept aside until the user proves their app has it.
pub async fn begin(db: &Db, actor: &Actor, issuer: &str) -> AppResult<Setup> {
    if enabled(db, actor).await? {
        return Err(AppError::BadRequest("Two-factor sign-in is already on.".into()));
    }
    let secret = totp::new_secret();
    db::users::set_totp_pending(db, actor.msp(), actor.user_id, &secret).await?;
    Ok(Setup { qr: totp::qr_data_uri(&totp::uri(&secret, issuer, &actor.email)), secret })
}

/// The secret being set up, to show it again when a code was mistyped.
pub async fn pending(db: &Db, actor: &Actor, issuer: &str) -> AppResult<Option<Setup>> {
    let (_, pending, _) = db::users::totp(db, actor.msp(), actor.user_id).await?;
    Ok(pending.map(|secret| Setup { qr: totp::qr_data_uri(&totp::uri(&secret, issuer, &actor.email)), secret }))
}

pub async fn enable(db: &Db, actor: &Actor, code: &str) -> AppResult<()> {
    let (_, pending, _) = db::users::totp(db, actor.msp(), actor.user_id).await?;
    let secret = pending.ok_or_else(|| AppError::BadRequest("Start the set-up again.".into()))?;
    let step = totp::verify(&secret, code, now().unix_timestamp(), None).ok_or_else(|| {
        AppError::from(FieldError::new(
            "code",
            "That code isn't right. Check the time on your phone and try the current code.",
        ))
    })?;
    db::users::set_totp(db, actor.msp(), actor.user_id, Some(&secret), Some(step)).await?;
    Ok(())
}

/// Turning it off needs the password and a current code.
pub async fn disable(db: &Db, actor: &Actor, current_password: &str, code: &str) -> AppResult<()> {
    let user = db::users::get(db, actor.msp(), actor.user_id).await?.ok_or(AppError::NotFound)?;
    let (secret, _, last) = db::users::totp(db, actor.msp(), actor.user_id).await?;
    let secret = secret.ok_or_else(|| AppError::BadRequest("Two-factor sign-in is already off.".into()))?;
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
pub async fn reset(db: &Db, msp: MspScope, user_id: uuid::Uuid) -> AppResult<()> {
    db::users::set_totp(db, msp, user_id, None, None).await?;
    Ok(())
}
