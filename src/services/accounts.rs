//! Signing in and out, sessions, password changes and invitations.

use std::net::IpAddr;

use time::Duration;

use crate::auth::{self, password, ratelimit::IpLimiter};
use crate::db::{self, login_attempts, sessions, users, Db, MspScope};
use crate::error::{AppError, AppResult};
use crate::model::{now, Email, FieldError};
use crate::policy::Actor;

/// Which door a sign-in came through: staff sign in at `/msp`, customers at `/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Door {
    Portal,
    Console,
}

pub struct SignedIn {
    pub actor: Actor,
    pub session_token: String,
    /// The password was right but a second factor is still to be given: the session only
    /// lets the user enter the code.
    pub pending_mfa: bool,
}

/// How long a sign-in may wait for its second factor.
const PENDING_MFA_MINUTES: i64 = 10;

/// The window over which failed sign-ins are counted.
const WINDOW_MINUTES: i64 = 15;

/// What a sign-in form carries, and where it came from.
#[derive(Clone, Copy)]
pub struct Credentials<'a> {
    pub door: Door,
    pub email: &'a str,
    pub password: &'a str,
    pub ip: IpAddr,
}

/// The limits a sign-in is held to.
pub struct Limits<'a> {
    pub per_ip: &'a IpLimiter,
    pub per_account: u32,
    pub idle_minutes: i64,
    /// Opens sealed two-factor secrets.
    pub key: Option<&'a crate::auth::seal::SealKey>,
}

pub async fn sign_in(db: &Db, msp: MspScope, limits: &Limits<'_>, creds: &Credentials<'_>) -> AppResult<SignedIn> {
    let bad =
        || AppError::Validation(vec![FieldError::new("email", "That email and password don't match an account.")]);
    let Credentials { door, email, password, ip } = *creds;
    limits.per_ip.hit(ip).map_err(|retry_after| AppError::TooManyRequests { retry_after })?;
    let email = Email::parse("email", email).map_err(|_| bad())?;
    if password.is_empty() || password.len() > crate::auth::password::MAX_LENGTH * 4 {
        return Err(bad());
    }
    let t = now();
    let since = t - Duration::minutes(WINDOW_MINUTES);
    let (failures, oldest) = login_attempts::failures_since(db, msp, email.as_str(), since).await?;
    if failures >= limits.per_account as i64 {
        let until = oldest.unwrap_or(t) + Duration::minutes(WINDOW_MINUTES);
        return Err(AppError::TooManyRequests { retry_after: (until - t).whole_seconds().max(1) as u64 });
    }
    let user = users::find_by_email(db, msp, email.as_str()).await?;
    let hash = user.as_ref().filter(|u| u.active).and_then(|u| u.password_hash.clone());
    let ok = crate::auth::password::verify(password.to_string(), hash).await;
    let right_door = user.as_ref().is_some_and(|u| (u.customer_id.is_none()) == (door == Door::Console));
    login_attempts::record(db, msp, email.as_str(), &ip.to_string(), ok && right_door, t).await?;
    let user = match user {
        Some(u) if ok && right_door => u,
        Some(u) if ok => {
            let other = if u.customer_id.is_none() { "the staff console at /msp" } else { "the customer portal" };
            return Err(AppError::Validation(vec![FieldError::new(
                "email",
                format!("This account signs in at {other}."),
            )]));
        }
        _ => return Err(bad()),
    };
    let actor = crate::services::actor_of(&user)?;
    if let Some(scope) = actor.own_customer() {
        if !db::customers::get(db, scope).await?.is_some_and(|c| c.active) {
            return Err(AppError::Validation(vec![FieldError::new(
                "email",
                "Portal access for your company is switched off. Contact your IT provider.",
            )]));
        }
    }
    if users::totp(db, msp, user.id).await?.0.is_some() {
        let token = auth::random_token();
        let expires = t + Duration::minutes(PENDING_MFA_MINUTES);
        sessions::insert_pending(db, msp, &auth::hash_token(&token), user.id, &auth::random_token(), t, expires)
            .await?;
        return Ok(SignedIn { actor, session_token: token, pending_mfa: true });
    }
    users::touch_sign_in(db, msp, user.id, t).await?;
    let session_token = start_session(db, &actor, limits.idle_minutes).await?;
    Ok(SignedIn { actor, session_token, pending_mfa: false })
}

/// A fresh session id for the actor: a new one at every sign-in, so a session id planted
/// before sign-in is worthless after it.
pub async fn start_session(db: &Db, actor: &Actor, idle_minutes: i64) -> AppResult<String> {
    let token = auth::random_token();
    let t = now();
    sessions::insert(
        db,
        actor.msp(),
        &auth::hash_token(&token),
        actor.user_id,
        &auth::random_token(),
        t,
        t + Duration::minutes(idle_minutes),
    )
    .await?;
    Ok(token)
}

/// A live session: who it belongs to and its CSRF token.
pub struct Session {
    pub actor: Actor,
    /// The portal user's customer (`None` for staff).
    pub customer: Option<db::customers::CustomerRow>,
    pub csrf: String,
    pub token_hash: String,
    /// Unread notifications when the session was read.
    pub unread: i64,
}

/// Looks up a session cookie on this MSP; slides its expiry at most once a minute.
pub async fn session(db: &Db, msp: MspScope, token: &str, idle_minutes: i64) -> AppResult<Option<Session>> {
    let t = now();
    let token_hash = auth::hash_token(token);
    let Some(s) = sessions::get(db, msp, &token_hash, t).await? else {
        return Ok(None);
    };
    let user = &s.user;
    if !user.active {
        return Ok(None);
    }
    let actor = crate::services::actor_of(user)?;
    let customer = s.customer();
    if actor.own_customer().is_some() && !customer.as_ref().is_some_and(|c| c.active) {
        return Ok(None);
    }
    if t - s.last_seen_at > Duration::minutes(1) {
        sessions::extend(db, msp, &token_hash, t, t + Duration::minutes(idle_minutes)).await?;
    }
    Ok(Some(Session { actor, customer, csrf: s.csrf_token, token_hash, unread: s.unread }))
}

pub async fn sign_out(db: &Db, msp: MspScope, token_hash: &str) -> AppResult<()> {
    sessions::delete(db, msp, token_hash).await?;
    Ok(())
}

/// Changes the actor's own password, ending every other session of theirs; returns the
/// new session token that replaces the current one.
pub async fn change_password(
    db: &Db,
    actor: &Actor,
    current: &str,
    new: &str,
    confirm: &str,
    idle_minutes: i64,
) -> AppResult<String> {
    let user = users::get(db, actor.msp(), actor.user_id).await?.ok_or(AppError::NotFound)?;
    if !password::verify(current.to_string(), user.password_hash.clone()).await {
        return Err(FieldError::new("current_password", "That isn't your current password.").into());
    }
    password::check_new("new_password", new, &user.email)?;
    if new != confirm {
        return Err(FieldError::new("confirm_password", "The two new passwords don't match.").into());
    }
    let hash = password::hash(new.to_string()).await;
    users::set_password(db, actor.msp(), actor.user_id, &hash, None).await?;
    start_session(db, actor, idle_minutes).await
}

/// Sets a password directly (CLI); ends all the account's sessions.
pub async fn set_password(
    db: &Db,
    msp: MspScope,
    user_id: crate::model::UserId,
    email: &str,
    new: &str,
) -> AppResult<()> {
    password::check_new("password", new, email)?;
    let hash = password::hash(new.to_string()).await;
    users::set_password(db, msp, user_id, &hash, None).await?;
    Ok(())
}

/// What an invitation link leads to, if it is still good.
pub struct Invitation {
    pub user: db::users::UserRow,
}

pub async fn invitation(db: &Db, msp: MspScope, token: &str) -> AppResult<Invitation> {
    let inv = db::invitations::get(db, msp, &auth::hash_token(token)).await?;
    let gone = || {
        AppError::BadRequest(
            "This link has expired or has already been used. Ask your administrator for a new one.".into(),
        )
    };
    let inv = inv.ok_or_else(gone)?;
    if inv.used_at.is_some() || inv.expires_at <= now() {
        return Err(gone());
    }
    let user = users::get(db, msp, inv.user_id).await?.ok_or_else(gone)?;
    Ok(Invitation { user })
}

/// Accepts an invitation (or password-reset link): sets the password and signs the user in.
pub async fn accept_invitation(
    db: &Db,
    msp: MspScope,
    token: &str,
    new: &str,
    confirm: &str,
    idle_minutes: i64,
) -> AppResult<SignedIn> {
    let inv = invitation(db, msp, token).await?;
    password::check_new("new_password", new, &inv.user.email)?;
    if new != confirm {
        return Err(FieldError::new("confirm_password", "The two passwords don't match.").into());
    }
    let hash = password::hash(new.to_string()).await;
    if !db::invitations::accept(db, msp, &auth::hash_token(token), inv.user.id, &hash, now()).await? {
        return Err(AppError::BadRequest("This link has expired or has already been used.".into()));
    }
    let actor = crate::services::actor_of(&inv.user)?;
    let session_token = start_session(db, &actor, idle_minutes).await?;
    Ok(SignedIn { actor, session_token, pending_mfa: false })
}

/// Finishes a sign-in that waits for its second factor: checks the code (counted against
/// the same per-account limit as passwords) and swaps the pending session for a real one.
pub async fn complete_second_factor(
    db: &Db,
    msp: MspScope,
    limits: &Limits<'_>,
    pending_token: &str,
    code: &str,
    ip: IpAddr,
) -> AppResult<SignedIn> {
    let expired = || AppError::BadRequest("Your sign-in has expired. Please sign in again.".into());
    limits.per_ip.hit(ip).map_err(|retry_after| AppError::TooManyRequests { retry_after })?;
    let t = now();
    let pending_hash = auth::hash_token(pending_token);
    let user_id = sessions::pending_user(db, msp, &pending_hash, t).await?.ok_or_else(expired)?;
    let user = users::get(db, msp, user_id.into()).await?.filter(|u| u.active).ok_or_else(expired)?;
    let since = t - Duration::minutes(WINDOW_MINUTES);
    let (failures, oldest) = login_attempts::failures_since(db, msp, &user.email, since).await?;
    if failures >= limits.per_account as i64 {
        let until = oldest.unwrap_or(t) + Duration::minutes(WINDOW_MINUTES);
        return Err(AppError::TooManyRequests { retry_after: (until - t).whole_seconds().max(1) as u64 });
    }
    let (stored, _, last) = users::totp(db, msp, user.id).await?;
    let secret = stored.map(|s| crate::services::two_factor::from_store(limits.key, &s)).transpose()?;
    let step = secret.as_deref().and_then(|s| auth::totp::verify(s, code, t.unix_timestamp(), last));
    let ok = match step {
        Some(step) => users::use_totp_step(db, msp, user.id, step).await?,
        None => false,
    };
    login_attempts::record(db, msp, &user.email, &ip.to_string(), ok, t).await?;
    if !ok {
        return Err(FieldError::new(
            "code",
            "That code isn't right. Enter the current code from your authenticator app.",
        )
        .into());
    }
    sessions::delete(db, msp, &pending_hash).await?;
    users::touch_sign_in(db, msp, user.id, t).await?;
    let actor = crate::services::actor_of(&user)?;
    let session_token = start_session(db, &actor, limits.idle_minutes).await?;
    Ok(SignedIn { actor, session_token, pending_mfa: false })
}

/// Changes the name the actor is shown by.
pub async fn rename(db: &Db, actor: &Actor, name: &str) -> AppResult<()> {
    let name = crate::model::text("name", name, 120, true)?;
    users::set_name(db, actor.msp(), actor.user_id, &name).await?;
    Ok(())
}

/// How long a "forgot password" link works.
pub const RESET_MINUTES: i64 = 60;
/// Links one account may be sent per hour; more requests are answered the same, silently.
const RESETS_PER_HOUR: i64 = 3;

/// Mails a single-use link to choose a new password, if the address has a live account.
/// The caller answers the same whatever happens, so the answer reveals no account.
pub async fn forgot_password(
    db: &Db,
    msp: MspScope,
    public_url: &str,
    ip_limit: &IpLimiter,
    ip: IpAddr,
    raw: &str,
) -> AppResult<()> {
    let email = Email::parse("email", raw)?;
    if let Err(wait) = ip_limit.hit(ip) {
        return Err(AppError::TooManyRequests { retry_after: wait });
    }
    let Some(user) = users::find_by_email(db, msp, email.as_str()).await? else { return Ok(()) };
    if !user.active {
        return Ok(());
    }
    if let Some(c) = user.customer_id {
        let live = db::customers::find(db, msp, c).await?.is_some_and(|c| c.active);
        if !live {
            return Ok(());
        }
    }
    let t = now();
    if db::password_resets::recent_count(db, msp, user.id, t - Duration::hours(1)).await? >= RESETS_PER_HOUR {
        return Ok(());
    }
    let token = auth::random_token();
    let brand = crate::services::email::brand(db, msp, public_url).await?;
    let vars = minijinja::context! {
        recipient => minijinja::context! { name => user.name, email => user.email },
        portal => brand.name, url => brand.link(&format!("/reset/{token}")), expires => "1 hour",
    };
    let kind = crate::services::email::Kind::PasswordReset;
    let job = crate::services::email::compose(db, msp, &brand, kind, (&user.email, &user.name), vars).await?;
    let fx = db::jobs::Effects { jobs: vec![job], ..Default::default() };
    let expires = t + Duration::minutes(RESET_MINUTES);
    db::password_resets::insert(db, msp, &auth::hash_token(&token), user.id, t, expires, &fx).await?;
    Ok(())
}

fn reset_gone() -> AppError {
    AppError::BadRequest("This link has expired or has already been used. Ask for a new one below.".into())
}

/// The account a reset link is for, while the link is good.
pub async fn reset_link(db: &Db, msp: MspScope, token: &str) -> AppResult<db::users::UserRow> {
    let id = db::password_resets::user_of(db, msp, &auth::hash_token(token), now()).await?.ok_or_else(reset_gone)?;
    users::get(db, msp, id.into()).await?.filter(|u| u.active).ok_or_else(reset_gone)
}

/// Sets the new password through a reset link; every session of the account ends. Returns
/// the account, so the caller can send its owner to the right sign-in page.
pub async fn reset_password(
    db: &Db,
    msp: MspScope,
    token: &str,
    new: &str,
    confirm: &str,
) -> AppResult<db::users::UserRow> {
    let user = reset_link(db, msp, token).await?;
    password::check_new("new_password", new, &user.email)?;
    if new != confirm {
        return Err(FieldError::new("confirm_password", "The two passwords don't match.").into());
    }
    let hash = password::hash(new.to_string()).await;
    if !db::password_resets::redeem(db, msp, &auth::hash_token(token), user.id, &hash, now()).await? {
        return Err(reset_gone());
    }
    Ok(user)
}
