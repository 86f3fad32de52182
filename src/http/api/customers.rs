//! `/api/portal/customers`: the customers a caller may see, their toggles and dashboards.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use super::{path_id, ApiActor, ApiJson, ApiQuery, ListOf, Paging};
use crate::db::customers::CustomerSort;
use crate::error::AppError;
use crate::http::AppState;
use crate::model::{Features, Patch};
use crate::services::customers::{self, Customer, CustomerChanges};
use crate::services::dashboard::{self, Dashboard};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/portal/customers", get(list).post(create))
        .route("/portal/customers/{id}", get(show).patch(update))
        .route("/portal/customers/{id}/dashboard", get(show_dashboard))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomerQuery {
    /// Only customers whose name contains this text.
    /// No control characters.
    #[param(
        max_length = 120,
        pattern = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$",
        example = "contoso"
    )]
    pub q: Option<String>,
    /// `name` (default), `users`, `status` or `created`; prefix `-` for descending.
    pub sort: Option<String>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}

/// Toggles to change; absent ones keep their value.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeaturesPatch {
    #[serde(default)]
    #[schema(inline)]
    pub user_directory: Patch<bool>,
    #[serde(default)]
    #[schema(inline)]
    pub licenses: Patch<bool>,
    #[serde(default)]
    #[schema(inline)]
    pub cost_visibility: Patch<bool>,
    #[serde(default)]
    #[schema(inline)]
    pub security: Patch<bool>,
    #[serde(default)]
    #[schema(inline)]
    pub service_health: Patch<bool>,
    #[serde(default)]
    #[schema(inline)]
    pub tickets: Patch<bool>,
}

impl FeaturesPatch {
    fn apply(self, base: Features) -> Features {
        Features {
            user_directory: self.user_directory.or(base.user_directory),
            licenses: self.licenses.or(base.licenses),
            cost_visibility: self.cost_visibility.or(base.cost_visibility),
            security: self.security.or(base.security),
            service_health: self.service_health.or(base.service_health),
            tickets: self.tickets.or(base.tickets),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Relecloud", "m365_tenant_id": "relecloud.onmicrosoft.com", "features": {"security": false}}))]
pub struct NewCustomer {
    pub name: String,
    pub m365_tenant_id: Option<String>,
    /// Toggles to set; every feature is on unless switched off here.
    pub features: Option<FeaturesPatch>,
}

/// Fields to change; absent ones keep their value. `null` clears only `m365_tenant_id`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"features": {"security": false}}))]
pub struct CustomerPatch {
    #[serde(default)]
    #[schema(inline)]
    pub name: Patch<String>,
    /// A tenant id or `*.onmicrosoft.com` domain; `null` unlinks the tenant.
    #[serde(default)]
    #[schema(inline)]
    pub m365_tenant_id: Patch<Option<String>>,
    #[serde(default)]
    #[schema(inline)]
    pub active: Patch<bool>,
    #[serde(default)]
    #[schema(inline)]
    pub features: Patch<FeaturesPatch>,
}

fn parse_sort(s: &str) -> Option<(CustomerSort, bool)> {
    let (desc, key) = match s.strip_prefix('-') {
        Some(k) => (true, k),
        None => (false, s),
    };
    CustomerSort::parse(key).map(|k| (k, desc))
}

/// Customers the caller may see: all of the MSP's for staff, their own for portal users.
#[utoipa::path(get, path = "/api/portal/customers", tag = "customers", operation_id = "list_customers", security(("bearer" = [])), params(CustomerQuery),
    responses((status = 200, body = ListOf<Customer>), (status = 400, body = super::ErrorBody), (status = 401, body = super::ErrorBody),
              (status = 422, body = super::ErrorBody, description = "`q` is too long or holds control characters.")))]
pub async fn list(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<CustomerQuery>,
) -> Result<Json<ListOf<Customer>>, AppError> {
    let (page, per_page) = Paging { page: q.page, per_page: q.per_page }.resolve()?;
    let sort = parse_sort(q.sort.as_deref().unwrap_or("name")).ok_or_else(|| {
        AppError::BadRequest("sort must be name, users, status or created, optionally prefixed by -.".into())
    })?;
    let (rows, total) = customers::list(&app.db, &actor, q.q.as_deref().unwrap_or(""), sort, page, per_page).await?;
    let items = rows.into_iter().map(|r| r.customer.into()).collect();
    Ok(Json(ListOf { items, total, page, per_page }))
}

/// Creates a customer (staff owner or admin).
#[utoipa::path(post, path = "/api/portal/customers", tag = "customers", operation_id = "create_customer", security(("bearer" = [])), request_body = NewCustomer,
    responses((status = 201, body = Customer, description = "The new customer; its `id` opens it.", links(
                  ("get_customer" = (operation_id = "get_customer", parameters(("id" = "$response.body#/id")))),
                  ("update_customer" = (operation_id = "update_customer", parameters(("id" = "$response.body#/id")))),
                  ("create_ticket" = (operation_id = "create_ticket", parameters(("id" = "$response.body#/id")))),
                  ("list_tickets" = (operation_id = "list_tickets", parameters(("id" = "$response.body#/id")))),
              )), (status = 400, body = super::ErrorBody), (status = 401, body = super::ErrorBody),
              (status = 403, body = super::ErrorBody), (status = 415, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn create(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
    ApiJson(n): ApiJson<NewCustomer>,
) -> Result<(StatusCode, Json<Customer>), AppError> {
    let features = n.features.map(|f| f.apply(Features::default()));
    let c = customers::create(&app.db, &actor, &n.name, n.m365_tenant_id.as_deref().unwrap_or(""), features).await?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

/// One customer.
#[utoipa::path(get, path = "/api/portal/customers/{id}", tag = "customers", operation_id = "get_customer", security(("bearer" = [])), params(("id" = String, Path, description = "Customer id")),
    responses((status = 200, body = Customer), (status = 401, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn show(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Customer>, AppError> {
    Ok(Json(customers::get(&app.db, &actor, path_id(&id)?).await?.into()))
}

/// Changes a customer: name, tenant, active, feature toggles (staff owner or admin).
#[utoipa::path(patch, path = "/api/portal/customers/{id}", tag = "customers", operation_id = "update_customer", security(("bearer" = [])), params(("id" = String, Path, description = "Customer id")),
    request_body = CustomerPatch,
    responses((status = 200, body = Customer), (status = 400, body = super::ErrorBody), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody),
              (status = 404, body = super::ErrorBody), (status = 415, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn update(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(p): ApiJson<CustomerPatch>,
) -> Result<Json<Customer>, AppError> {
    let id = path_id(&id)?;
    let current = customers::get(&app.db, &actor, id).await?;
    let changes = CustomerChanges {
        name: p.name.into_option(),
        m365_tenant_id: p.m365_tenant_id.into_option().map(Option::unwrap_or_default),
        active: p.active.into_option(),
        features: p.features.into_option().map(|f| f.apply(Features::from_db(&current.features))),
    };
    Ok(Json(customers::update(&app.db, &actor, id, changes).await?.into()))
}

/// The customer's dashboard figures.
#[utoipa::path(get, path = "/api/portal/customers/{id}/dashboard", tag = "customers", operation_id = "get_dashboard", security(("bearer" = [])), params(("id" = String, Path, description = "Customer id")),
    responses((status = 200, body = Dashboard), (status = 401, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn show_dashboard(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Dashboard>, AppError> {
    Ok(Json(dashboard::for_customer(&app.db, &actor, path_id(&id)?).await?))
}
