//! `/api/portal/customers/{id}/portal-users` and `/api/portal/staff`: the accounts the console
//! manages — a customer's portal users (list, invite, change role, deactivate) and the MSP's
//! staff (listed with their ids, e.g. to assign a ticket).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{path_id, ApiActor, ApiJson, ApiQuery, ErrorBody, ListOf, Paging};
use crate::db::users::UserRow;
use crate::error::AppError;
use crate::http::AppState;
use crate::model::{Patch, PortalRole, StaffRole};
use crate::services::users::{self, Invited, PortalUserChanges};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/portal/customers/{id}/portal-users", get(list).post(invite))
        .route("/portal/customers/{id}/portal-users/{user}", patch(update))
        .route("/portal/staff", get(staff))
}

/// Where a portal user stands: `invited` (no password set yet), `active` or `deactivated`.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AccountStatus {
    Invited,
    Active,
    Deactivated,
}

impl AccountStatus {
    fn of(u: &UserRow) -> AccountStatus {
        match (u.active, u.password_hash.is_some()) {
            (false, _) => AccountStatus::Deactivated,
            (true, false) => AccountStatus::Invited,
            (true, true) => AccountStatus::Active,
        }
    }
}

/// A person of a customer who signs in to the portal.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"id": "0193a5c2-8f10-7b6e-a4d2-5c1e9f3b7a20", "customer_id": "0193a5c2-7d1e-7c4a-9b3f-2e8d4c6a1f05",
    "name": "Megan Bowen", "email": "megan@contoso.test", "role": "standard", "active": true, "status": "active",
    "two_factor": false, "company_tickets": false, "last_sign_in_at": "2026-11-30T08:12:45Z", "created_at": "2026-09-01T10:00:00Z"}))]
pub struct PortalUser {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub name: String,
    pub email: String,
    pub role: PortalRole,
    /// Whether the account may sign in.
    pub active: bool,
    pub status: AccountStatus,
    /// Two-factor sign-in is on.
    pub two_factor: bool,
    /// A standard or limited user who sees all of the company's tickets (admins always do).
    pub company_tickets: bool,
    #[schema(value_type = Option<String>, format = DateTime)]
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_sign_in_at: Option<time::OffsetDateTime>,
    #[schema(value_type = String, format = DateTime)]
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
}

impl From<UserRow> for PortalUser {
    fn from(u: UserRow) -> Self {
        PortalUser {
            status: AccountStatus::of(&u),
            id: u.id.0,
            customer_id: u.customer_id.map(uuid::Uuid::from).unwrap_or_default(),
            role: PortalRole::parse(u.role.as_str()).unwrap_or(PortalRole::Limited),
            name: u.name,
            email: u.email,
            active: u.active,
            two_factor: u.totp_on,
            company_tickets: u.company_tickets,
            last_sign_in_at: u.last_sign_in_at,
            created_at: u.created_at,
        }
    }
}

/// A member of the MSP's staff.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"id": "0193a5c2-6b2a-7f01-8e44-1d7c3b9a0e11", "name": "Tomás Herrera", "email": "tech@northwind.test",
    "role": "technician", "active": true, "two_factor": false, "last_sign_in_at": "2026-12-01T07:58:02Z"}))]
pub struct StaffMember {
    /// What `assignee_id` of a ticket takes.
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub role: StaffRole,
    pub active: bool,
    pub two_factor: bool,
    #[schema(value_type = Option<String>, format = DateTime)]
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_sign_in_at: Option<time::OffsetDateTime>,
}

impl From<UserRow> for StaffMember {
    fn from(u: UserRow) -> Self {
        StaffMember {
            id: u.id.0,
            role: StaffRole::parse(u.role.as_str()).unwrap_or(StaffRole::Technician),
            name: u.name,
            email: u.email,
            active: u.active,
            two_factor: u.totp_on,
            last_sign_in_at: u.last_sign_in_at,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Diego Siciliani", "email": "diego@contoso.test", "role": "standard"}))]
pub struct NewPortalUser {
    pub name: String,
    pub email: String,
    pub role: PortalRole,
}

/// A new portal user and the link, mailed to them, that sets their password.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Invitation {
    pub user: PortalUser,
    /// Valid for 72 hours and once; shown only in this answer, to pass on by hand if needed.
    #[schema(example = "https://portal.northwind.test/invite/3q2-Ym9vdHN0cmFwLXRva2Vu")]
    pub invitation_url: String,
}

/// Fields to change; absent ones keep their value, neither may be `null`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role": "admin"}))]
pub struct PortalUserPatch {
    #[serde(default)]
    #[schema(inline)]
    pub role: Patch<PortalRole>,
    /// `false` deactivates (the account can no longer sign in), `true` reactivates.
    #[serde(default)]
    #[schema(inline)]
    pub active: Patch<bool>,
}

/// The customer's portal users, by name (staff, and the customer's admins).
#[utoipa::path(get, path = "/api/portal/customers/{id}/portal-users", tag = "accounts", operation_id = "list_portal_users", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Customer id"), Paging),
    responses((status = 200, body = ListOf<PortalUser>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Json<ListOf<PortalUser>>, AppError> {
    let (page, per_page) = paging.resolve()?;
    let rows = users::list_portal_users(&app.db, &actor, path_id(&id)?).await?;
    Ok(Json(ListOf::page_of(rows, page, per_page)))
}

/// Invites a portal user (staff, and the customer's admins): the account is made without a
/// password and the invitation mailed. 422 for a name, address or role that will not do, or
/// an address that already has an account.
#[utoipa::path(post, path = "/api/portal/customers/{id}/portal-users", tag = "accounts", operation_id = "invite_portal_user", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Customer id")), request_body = NewPortalUser,
    responses((status = 201, body = Invitation, description = "The new user and their invitation link.", links(
                  ("update_portal_user" = (operation_id = "update_portal_user", parameters(("id" = "$request.path.id"), ("user" = "$response.body#/user/id")))),
              )),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn invite(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(n): ApiJson<NewPortalUser>,
) -> Result<(StatusCode, Json<Invitation>), AppError> {
    let customer = path_id(&id)?;
    let Invited { user, link: url } =
        users::invite(&app.db, &actor, &app.public_url, customer, &n.name, &n.email, n.role.as_str()).await?;
    Ok((StatusCode::CREATED, Json(Invitation { user: user.into(), invitation_url: url })))
}

/// Changes a portal user's role or access (staff, and the customer's admins). The company
/// keeps one active admin and an admin cannot demote or deactivate themselves: such a change
/// is a 400 and writes nothing.
#[utoipa::path(patch, path = "/api/portal/customers/{id}/portal-users/{user}", tag = "accounts", operation_id = "update_portal_user", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Customer id"), ("user" = Uuid, Path, description = "Portal user id")), request_body = PortalUserPatch,
    responses((status = 200, body = PortalUser), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
    Path((id, user)): Path<(String, String)>,
    ApiJson(p): ApiJson<PortalUserPatch>,
) -> Result<Json<PortalUser>, AppError> {
    let changes = PortalUserChanges { role: p.role.into_option(), active: p.active.into_option() };
    let u = users::update_portal_user(&app.db, &actor, path_id(&id)?, path_id(&user)?, changes).await?;
    Ok(Json(u.into()))
}

/// The MSP's staff, by name, with their ids (staff only).
#[utoipa::path(get, path = "/api/portal/staff", tag = "accounts", operation_id = "list_staff", security(("bearer" = [])), params(Paging),
    responses((status = 200, body = ListOf<StaffMember>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
pub async fn staff(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Json<ListOf<StaffMember>>, AppError> {
    let (page, per_page) = paging.resolve()?;
    let rows = users::list_staff(&app.db, &actor).await?;
    Ok(Json(ListOf::page_of(rows, page, per_page)))
}
