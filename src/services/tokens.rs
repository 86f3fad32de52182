//! API tokens: created for a user, shown once, stored hashed, revocable.

use uuid::Uuid;

use crate::auth;
use crate::db::{self, Db, MspScope};
use crate::error::{AppError, AppResult};
use crate::model::{self, now};
use crate::policy::{Action, Actor};

/// Tokens look like `ptc_<43 url-safe characters>`; the prefix identifies one in lists.
const SCHEME: &str = "ptc_";

pub struct NewToken {
    pub id: Uuid,
    pub token: String,
}

/// Makes a token acting as `user_id` (checked to be in `msp`).
pub async fn create_for(db: &Db, msp: MspScope, user_id: crate::model::UserId, name: &str) -> AppResult<NewToken> {
    let name = model::text("name", name, 80, true)?;
    let user = db::users::get(db, msp, user_id).await?.ok_or(AppError::NotFound)?;
    if !user.active {
        return Err(AppError::BadRequest("That account is deactivated.".into()));
    }
    let token = format!("{SCHEME}{}", auth::random_token());
    let id = model::new_id();
    let hash = auth::hash_token(&token);
    let row = db::tokens::NewToken { id, user_id: user.id, name: &name, hash: &hash, prefix: &token[..12] };
    db::tokens::insert(db, msp, &row, now()).await?;
    Ok(NewToken { id, token })
}

/// The console's "new token": acting as the signed-in staff member.
pub async fn create(db: &Db, actor: &Actor, name: &str) -> AppResult<NewToken> {
    actor.require(Action::ManageApiTokens, None)?;
    create_for(db, actor.msp(), actor.user_id, name).await
}

pub async fn list(db: &Db, actor: &Actor) -> AppResult<Vec<db::tokens::TokenRow>> {
    actor.require(Action::ManageApiTokens, None)?;
    Ok(db::tokens::list(db, actor.msp()).await?)
}

pub async fn revoke(db: &Db, actor: &Actor, id: Uuid) -> AppResult<()> {
    actor.require(Action::ManageApiTokens, None)?;
    if db::tokens::revoke(db, actor.msp(), id, now()).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// The actor a bearer token acts as on a host of `served` (the MSP of the request's host);
/// `Unauthorized` for anything not live, or a token of another MSP, which is then not marked
/// as used either.
pub async fn authenticate(db: &Db, served: MspScope, raw: &str) -> AppResult<Actor> {
    if !raw.starts_with(SCHEME) || raw.len() > 100 {
        return Err(AppError::Unauthorized);
    }
    let owner = db::tokens::owner(db, &auth::hash_token(raw)).await?.ok_or(AppError::Unauthorized)?;
    let msp = MspScope(owner.msp_id);
    if msp != served {
        return Err(AppError::Unauthorized);
    }
    let user = db::users::get(db, msp, owner.user_id).await?.filter(|u| u.active).ok_or(AppError::Unauthorized)?;
    let actor = crate::services::actor_of(&user)?;
    if let Some(scope) = actor.own_customer() {
        if !db::customers::get(db, scope).await?.is_some_and(|c| c.active) {
            return Err(AppError::Unauthorized);
        }
    }
    db::tokens::touch(db, msp, owner.id, now()).await?;
    Ok(actor)
}
