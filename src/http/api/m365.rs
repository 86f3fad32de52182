//! `/api/portal/customers/{id}/…` for Microsoft 365: the user directory, groups, licenses
//! (and the unused ones), security and service health, as the background sync last stored them.
//! Each endpoint is behind its feature toggle and the caller's role, like the portal pages.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::{path_id, ApiActor, ApiQuery, ErrorBody, ListOf, Paging};
use crate::error::AppError;
use crate::http::AppState;
use crate::services::m365::{
    self, DirectoryInput, Freshness, GroupsInput, LicenseRow, LicenseSummary, M365Group, M365User, Security,
    ServiceHealth, TrendPoint, UnusedLicenses,
};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/portal/customers/{id}/users", get(users))
        .route("/portal/customers/{id}/users/{user}", get(user))
        .route("/portal/customers/{id}/groups", get(groups))
        .route("/portal/customers/{id}/licenses", get(licenses))
        .route("/portal/customers/{id}/licenses/unused", get(unused))
        .route("/portal/customers/{id}/security", get(security))
        .route("/portal/customers/{id}/service-health", get(service_health))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Text in the name, sign-in name, mail address or department.
    /// No control characters.
    #[param(
        max_length = 200,
        pattern = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$",
        example = "chen"
    )]
    pub q: Option<String>,
    /// `enabled` or `disabled`.
    pub status: Option<String>,
    /// `licensed` or `unlicensed`.
    pub license: Option<String>,
    /// Only holders of this SKU (its id).
    pub sku: Option<String>,
    /// `name` (default), `email`, `department`, `job_title`, `office`, `last_sign_in` or
    /// `created`; prefix `-` for descending.
    pub sort: Option<String>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}

/// The customer's Microsoft 365 users (user directory toggle; admin and standard users, staff).
#[utoipa::path(get, path = "/api/portal/customers/{id}/users", tag = "microsoft 365", operation_id = "list_m365_users", security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id"), UserQuery),
    responses((status = 200, body = ListOf<M365User>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn users(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<UserQuery>,
) -> Result<Json<ListOf<M365User>>, AppError> {
    let (page, per_page) = Paging { page: q.page, per_page: q.per_page }.resolve()?;
    let (sort, desc) = sort_of(q.sort);
    let input = DirectoryInput {
        search: q.q.unwrap_or_default(),
        status: q.status.unwrap_or_default(),
        license: q.license.unwrap_or_default(),
        sku: q.sku.unwrap_or_default(),
        sort,
        desc,
        page,
        per_page,
    };
    let d = m365::directory(&app.db, &actor, path_id(&id)?, input).await?;
    Ok(Json(ListOf { items: d.items, total: d.total, page, per_page }))
}

/// `sort=key` ascending, `sort=-key` descending: (key, descending).
fn sort_of(raw: Option<String>) -> (String, bool) {
    let raw = raw.unwrap_or_default();
    raw.strip_prefix('-').map(|k| (k.to_string(), true)).unwrap_or((raw, false))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GroupQuery {
    /// Text in the name or mail address.
    /// No control characters.
    #[param(
        max_length = 200,
        pattern = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$",
        example = "finance"
    )]
    pub q: Option<String>,
    /// `microsoft365`, `distribution`, `mail_security` or `security`.
    pub kind: Option<String>,
    /// `name` (default) or `members`; prefix `-` for descending.
    pub sort: Option<String>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}

/// The customer's Microsoft 365 groups with their direct member counts (user directory
/// toggle; admin and standard users, staff).
#[utoipa::path(get, path = "/api/portal/customers/{id}/groups", tag = "microsoft 365", operation_id = "list_groups", security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id"), GroupQuery),
    responses((status = 200, body = ListOf<M365Group>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn groups(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<GroupQuery>,
) -> Result<Json<ListOf<M365Group>>, AppError> {
    let (page, per_page) = Paging { page: q.page, per_page: q.per_page }.resolve()?;
    let (sort, desc) = sort_of(q.sort);
    let input =
        GroupsInput { search: q.q.unwrap_or_default(), kind: q.kind.unwrap_or_default(), sort, desc, page, per_page };
    let g = m365::groups(&app.db, &actor, path_id(&id)?, input).await?;
    Ok(Json(ListOf { items: g.items, total: g.total, page, per_page }))
}

/// One user of the customer's tenant, by Microsoft Entra object id.
#[utoipa::path(get, path = "/api/portal/customers/{id}/users/{user}", tag = "microsoft 365", operation_id = "get_m365_user", security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id"), ("user" = String, Path, description = "The user's Entra object id")),
    responses((status = 200, body = M365User), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn user(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
    Path((id, user)): Path<(String, String)>,
) -> Result<Json<M365User>, AppError> {
    Ok(Json(m365::user(&app.db, &actor, path_id(&id)?, &user).await?.0))
}

/// The licenses list: one row per SKU, a summary of the paid ones and their 90-day trend.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LicenseList {
    pub items: Vec<LicenseRow>,
    /// Number of SKUs.
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub summary: LicenseSummary,
    /// Paid SKUs, day by day, oldest first.
    pub trend: Vec<TrendPoint>,
    #[serde(flatten)]
    pub freshness: Freshness,
}

/// The customer's licenses per SKU (licenses toggle). Prices and costs appear only when the
/// caller sees costs (cost visibility on and an admin, or staff) and the MSP set a price.
#[utoipa::path(get, path = "/api/portal/customers/{id}/licenses", tag = "microsoft 365", operation_id = "list_licenses", security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id"), Paging),
    responses((status = 200, body = LicenseList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn licenses(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Json<LicenseList>, AppError> {
    let (page, per_page) = paging.resolve()?;
    let l = m365::licenses(&app.db, &actor, path_id(&id)?).await?;
    let total = l.items.len() as i64;
    let items = l.items.into_iter().skip(((page - 1) * per_page) as usize).take(per_page as usize).collect();
    Ok(Json(LicenseList { items, total, page, per_page, summary: l.summary, trend: l.trend, freshness: l.freshness }))
}

/// Licenses nobody uses: held by disabled users, or by users without a sign-in for the MSP's
/// number of days (`reason` says which; without sign-in data only disabled users are listed).
#[utoipa::path(get, path = "/api/portal/customers/{id}/licenses/unused", tag = "microsoft 365", operation_id = "list_unused_licenses", security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id"), Paging),
    responses((status = 200, body = UnusedLicenses), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn unused(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Json<UnusedLicenses>, AppError> {
    let (page, per_page) = paging.resolve()?;
    Ok(Json(m365::unused(&app.db, &actor, path_id(&id)?, page, per_page).await?))
}

/// Secure score and its 90-day history, improvement actions, and active alerts of the
/// severities the MSP shows this customer (security toggle).
#[utoipa::path(get, path = "/api/portal/customers/{id}/security", tag = "microsoft 365", operation_id = "get_security", security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id")),
    responses((status = 200, body = Security), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn security(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Security>, AppError> {
    Ok(Json(m365::security(&app.db, &actor, path_id(&id)?).await?))
}

/// Each Microsoft 365 service's status and the open incidents and advisories (service health toggle).
#[utoipa::path(get, path = "/api/portal/customers/{id}/service-health", tag = "microsoft 365", operation_id = "get_service_health", security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id")),
    responses((status = 200, body = ServiceHealth), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn service_health(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<ServiceHealth>, AppError> {
    Ok(Json(m365::health(&app.db, &actor, path_id(&id)?).await?))
}
