//! Accounts as managed by others: a customer's portal users and the MSP's staff.

use time::Duration;

use minijinja::context;

use crate::auth;
use crate::db::invitations::Invitee;
use crate::db::jobs::Effects;
use crate::db::{self, users::UserRow, CustomerScope, Db};
use crate::error::{AppError, AppResult};
use crate::model::RoleName;
use crate::model::{self, now, Email, FieldError, PortalRole, StaffRole};
use crate::policy::{self, Action, Actor};
use crate::services::email;

/// How long an invitation or password-set link stays valid.
pub const INVITE_HOURS: i64 = 72;

/// The mail that carries a password-setting link: an invitation for someone who never
/// signed in, a reset for someone who did.
async fn link_mail(
    db: &Db,
    actor: &Actor,
    public_url: &str,
    scope: CustomerScope,
    to: (&str, &str),
    first_time: bool,
    token: &str,
) -> AppResult<(Effects, String)> {
    let brand = email::brand(db, actor.msp(), public_url).await?;
    let company = db::customers::get(db, scope).await?.map(|c| c.name).unwrap_or_default();
    let url = brand.link(&format!("/invite/{token}"));
    let (key, vars) = if first_time {
        let expires = format!("{INVITE_HOURS} hours");
        (
            email::Kind::Invitation,
            context! { recipient => context! { name => to.1, email => to.0 }, portal => brand.name, company, inviter => actor.name, url => &url, expires },
        )
    } else {
        let expires = format!("{INVITE_HOURS} hours");
        (
            email::Kind::PasswordReset,
            context! { recipient => context! { name => to.1, email => to.0 }, portal => brand.name, url => &url, expires },
        )
    };
    let job = email::compose(db, actor.msp(), &brand, key, to, vars).await?;
    Ok((Effects { jobs: vec![job], ..Default::default() }, url))
}

/// A new single-use link for `user` to set a password, mailed to them; the link (with its raw
/// token) is returned once, to be shown.
async fn issue_link(
    db: &Db,
    actor: &Actor,
    public_url: &str,
    scope: CustomerScope,
    user: &UserRow,
) -> AppResult<String> {
    let token = auth::random_token();
    let t = now();
    let (fx, link) =
        link_mail(db, actor, public_url, scope, (&user.email, &user.name), user.password_hash.is_none(), &token)
            .await?;
    let hash = auth::hash_token(&token);
    db::invitations::insert(
        db,
        scope,
        &hash,
        Invitee::Existing(user.id),
        actor.user_id,
        t,
        t + Duration::hours(INVITE_HOURS),
        &fx,
    )
    .await?;
    Ok(link)
}

/// The scope of a customer whose portal users the actor may manage.
async fn managed_customer(db: &Db, actor: &Actor, customer_id: crate::model::CustomerId) -> AppResult<CustomerScope> {
    let customer = crate::services::customers::get(db, actor, customer_id).await?;
    actor.require(Action::ManagePortalUsers, Some(&model::Features::from_db(&customer.features)))?;
    actor.customer_scope(&customer)
}

async fn reload(db: &Db, actor: &Actor, id: crate::model::UserId) -> AppResult<UserRow> {
    db::users::get(db, actor.msp(), id).await?.ok_or(AppError::NotFound)
}

pub async fn list_portal_users(
    db: &Db,
    actor: &Actor,
    customer_id: crate::model::CustomerId,
) -> AppResult<Vec<UserRow>> {
    let scope = managed_customer(db, actor, customer_id).await?;
    Ok(db::users::list_customer(db, scope).await?)
}

pub struct Invited {
    pub user: UserRow,
    /// The link that sets the password, on the MSP's own host: shown once, and mailed.
    pub link: String,
}

/// Creates a portal user without a password and an invitation link to set one.
pub async fn invite(
    db: &Db,
    actor: &Actor,
    public_url: &str,
    customer_id: crate::model::CustomerId,
    name: &str,
    email: &str,
    role: &str,
) -> AppResult<Invited> {
    let scope = managed_customer(db, actor, customer_id).await?;
    let mut errors = vec![];
    let name = model::text("name", name, 120, true).map_err(|e| errors.push(e)).ok();
    let email = Email::parse("email", email).map_err(|e| errors.push(e)).ok();
    let role = PortalRole::parse(role)
        .ok_or(())
        .map_err(|_| errors.push(FieldError::new("role", "Choose admin, standard or limited.")))
        .ok();
    let (Some(name), Some(email), Some(role)) = (name, email, role) else {
        return Err(AppError::Validation(errors));
    };
    if db::users::find_by_email(db, actor.msp(), email.as_str()).await?.is_some() {
        return Err(FieldError::new("email", "An account with this email address already exists.").into());
    }
    let id = crate::model::UserId::new();
    let new = db::users::NewUser {
        id,
        customer_id: Some(scope.customer_id()),
        email: email.as_str(),
        name: &name,
        role: role.as_str(),
        password_hash: None,
    };
    let token = auth::random_token();
    let t = now();
    let (fx, link) = link_mail(db, actor, public_url, scope, (email.as_str(), &name), true, &token).await?;
    db::invitations::insert(
        db,
        scope,
        &auth::hash_token(&token),
        Invitee::New(&new),
        actor.user_id,
        t,
        t + Duration::hours(INVITE_HOURS),
        &fx,
    )
    .await?;
    let user = db::users::get(db, actor.msp(), id).await?.ok_or(AppError::NotFound)?;
    Ok(Invited { user, link })
}

async fn managed_user(
    db: &Db,
    actor: &Actor,
    customer_id: crate::model::CustomerId,
    user_id: crate::model::UserId,
) -> AppResult<(CustomerScope, UserRow)> {
    let scope = managed_customer(db, actor, customer_id).await?;
    let user = db::users::get_in_customer(db, scope, user_id).await?.ok_or(AppError::NotFound)?;
    Ok((scope, user))
}

/// An admin cannot take away their own admin access (they would lock themselves out).
fn guard_self(actor: &Actor, user: &UserRow, removes_admin: bool) -> AppResult<()> {
    if removes_admin && user.id == actor.user_id {
        return Err(AppError::BadRequest("You can't remove your own admin access. Ask another admin to do it.".into()));
    }
    Ok(())
}

/// Writes a portal user's role and activity, refused when the company would be left without
/// an active admin (checked in the same write, so concurrent changes cannot both pass).
async fn write_portal_access(
    db: &Db,
    actor: &Actor,
    scope: CustomerScope,
    user: &UserRow,
    role: Option<PortalRole>,
    active: Option<bool>,
) -> AppResult<UserRow> {
    let group = db::users::KeepsOne::CustomerAdmins(scope.customer_id());
    if !db::users::set_access(db, actor.msp(), user.id, role.map(PortalRole::as_str), active, group).await? {
        return Err(AppError::BadRequest(
            "This is the company's only active admin. Make someone else an admin first.".into(),
        ));
    }
    reload(db, actor, user.id).await
}

/// What changes on a portal user; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct PortalUserChanges {
    pub role: Option<PortalRole>,
    pub active: Option<bool>,
}

/// Changes a portal user's role and access together: every rule is checked against the
/// account as it will be before anything is written, so a refused change writes nothing.
pub async fn update_portal_user(
    db: &Db,
    actor: &Actor,
    customer_id: crate::model::CustomerId,
    user_id: crate::model::UserId,
    changes: PortalUserChanges,
) -> AppResult<UserRow> {
    let (scope, user) = managed_user(db, actor, customer_id, user_id).await?;
    let role = changes.role.or(PortalRole::parse(user.role.as_str())).unwrap_or(PortalRole::Limited);
    let active = changes.active.unwrap_or(user.active);
    let stays_admin = role == PortalRole::Admin && active;
    guard_self(actor, &user, user.role == RoleName::Admin && !stays_admin)?;
    if !active && user.active && user.id == actor.user_id {
        return Err(AppError::BadRequest("You can't deactivate your own account.".into()));
    }
    // Role and access are written together, with the last-admin check, in one statement.
    write_portal_access(db, actor, scope, &user, changes.role, changes.active).await
}

pub async fn set_portal_role(
    db: &Db,
    actor: &Actor,
    customer_id: crate::model::CustomerId,
    user_id: crate::model::UserId,
    role: &str,
) -> AppResult<UserRow> {
    let role = PortalRole::parse(role)
        .ok_or_else(|| AppError::from(FieldError::new("role", "Choose admin, standard or limited.")))?;
    update_portal_user(db, actor, customer_id, user_id, PortalUserChanges { role: Some(role), active: None }).await
}

pub async fn set_portal_active(
    db: &Db,
    actor: &Actor,
    customer_id: crate::model::CustomerId,
    user_id: crate::model::UserId,
    active: bool,
) -> AppResult<UserRow> {
    update_portal_user(db, actor, customer_id, user_id, PortalUserChanges { role: None, active: Some(active) }).await
}

/// A new link for the user to set a password: a fresh invitation, or a reset by staff.
pub async fn new_password_link(
    db: &Db,
    actor: &Actor,
    public_url: &str,
    customer_id: crate::model::CustomerId,
    user_id: crate::model::UserId,
) -> AppResult<Invited> {
    let (scope, user) = managed_user(db, actor, customer_id, user_id).await?;
    let link = issue_link(db, actor, public_url, scope, &user).await?;
    Ok(Invited { user, link })
}

pub async fn list_staff(db: &Db, actor: &Actor) -> AppResult<Vec<UserRow>> {
    actor.require(Action::UseConsole, None)?;
    Ok(db::users::list_staff(db, actor.msp()).await?)
}

pub struct NewStaff {
    pub user: UserRow,
    /// The initial password, shown once.
    pub password: String,
}

/// Creates a staff account with a generated password (or the one given, e.g. by the CLI).
pub async fn create_staff(
    db: &Db,
    actor: Option<&Actor>,
    msp: db::MspScope,
    name: &str,
    email: &str,
    role: &str,
    password: Option<String>,
) -> AppResult<NewStaff> {
    if let Some(actor) = actor {
        actor.require(Action::ManageStaff, None)?;
    }
    let mut errors = vec![];
    let name = model::text("name", name, 120, true).map_err(|e| errors.push(e)).ok();
    let email = Email::parse("email", email).map_err(|e| errors.push(e)).ok();
    let role = StaffRole::parse(role)
        .ok_or(())
        .map_err(|_| errors.push(FieldError::new("role", "Choose owner, admin or technician.")))
        .ok();
    let (Some(name), Some(email), Some(role)) = (name, email, role) else {
        return Err(AppError::Validation(errors));
    };
    if let Some(actor) = actor {
        if !policy::may_grant_staff_role(actor, role) {
            return Err(AppError::Forbidden);
        }
    }
    let password = password.unwrap_or_else(auth::password::generate);
    auth::password::check_new("password", &password, email.as_str())?;
    if db::users::find_by_email(db, msp, email.as_str()).await?.is_some() {
        return Err(FieldError::new("email", "An account with this email address already exists.").into());
    }
    let hash = auth::password::hash(password.clone()).await;
    let id = crate::model::UserId::new();
    let new = db::users::NewUser {
        id,
        customer_id: None,
        email: email.as_str(),
        name: &name,
        role: role.as_str(),
        password_hash: Some(&hash),
    };
    db::users::insert(db, msp, &new, now()).await?;
    let user = db::users::get(db, msp, id).await?.ok_or(AppError::NotFound)?;
    Ok(NewStaff { user, password })
}

async fn managed_staff(db: &Db, actor: &Actor, user_id: crate::model::UserId) -> AppResult<UserRow> {
    actor.require(Action::ManageStaff, None)?;
    let user = db::users::get(db, actor.msp(), user_id)
        .await?
        .filter(|u| u.customer_id.is_none())
        .ok_or(AppError::NotFound)?;
    if user.id == actor.user_id {
        return Err(AppError::BadRequest("You can't change your own role or access.".into()));
    }
    let current = StaffRole::parse(user.role.as_str()).unwrap_or(StaffRole::Technician);
    if !policy::may_grant_staff_role(actor, current) {
        return Err(AppError::Forbidden);
    }
    Ok(user)
}

pub async fn set_staff_role(db: &Db, actor: &Actor, user_id: crate::model::UserId, role: &str) -> AppResult<UserRow> {
    let user = managed_staff(db, actor, user_id).await?;
    let role = StaffRole::parse(role)
        .ok_or_else(|| AppError::from(FieldError::new("role", "Choose owner, admin or technician.")))?;
    if !policy::may_grant_staff_role(actor, role) {
        return Err(AppError::Forbidden);
    }
    if !db::users::set_access(db, actor.msp(), user.id, Some(role.as_str()), None, db::users::KeepsOne::Owners).await? {
        return Err(AppError::BadRequest("This is the only owner. Make someone else an owner first.".into()));
    }
    reload(db, actor, user.id).await
}

pub async fn set_staff_active(
    db: &Db,
    actor: &Actor,
    user_id: crate::model::UserId,
    active: bool,
) -> AppResult<UserRow> {
    let user = managed_staff(db, actor, user_id).await?;
    if !db::users::set_access(db, actor.msp(), user.id, None, Some(active), db::users::KeepsOne::Owners).await? {
        return Err(AppError::BadRequest("This is the only owner and can't be deactivated.".into()));
    }
    reload(db, actor, user.id).await
}

/// Turns off a portal user's two-factor sign-in (they lost their phone); they set it up again.
pub async fn reset_portal_two_factor(
    db: &Db,
    actor: &Actor,
    customer_id: crate::model::CustomerId,
    user_id: crate::model::UserId,
) -> AppResult<UserRow> {
    let (_, user) = managed_user(db, actor, customer_id, user_id).await?;
    crate::services::two_factor::reset(db, actor.msp(), user.id).await?;
    reload(db, actor, user.id).await
}

/// Lets a standard or limited user see all of the company's tickets (admins always do).
pub async fn set_company_tickets(
    db: &Db,
    actor: &Actor,
    customer_id: crate::model::CustomerId,
    user_id: crate::model::UserId,
    all: bool,
) -> AppResult<UserRow> {
    let (_, user) = managed_user(db, actor, customer_id, user_id).await?;
    db::users::set_company_tickets(db, actor.msp(), user.id, all).await?;
    reload(db, actor, user.id).await
}
