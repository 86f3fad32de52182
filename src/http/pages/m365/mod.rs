//! Microsoft 365 pages: in the portal for the user's own company (`/users`, `/groups`,
//! `/licenses`, `/security`, `/service-health`) and in the console under a customer
//! (`/msp/customers/{id}/m365/…`). One set of handlers and templates serves both; `base`
//! is where the customer's pages live.

mod groups;
mod health;
mod licenses;
mod security;
mod settings;
mod users;

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Value};

use crate::error::AppError;
use crate::http::context::Signed;
use crate::http::render::page;
use crate::http::AppState;
use crate::policy::Action;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/users", get(users::list))
        .route("/users/{user}", get(users::show))
        .route("/groups", get(groups::list))
        .route("/licenses", get(licenses::show))
        .route("/licenses/unused", get(licenses::unused))
        .route("/licenses/request", post(licenses::request))
        .route("/licenses/{sku}", get(licenses::sku))
        .route("/security", get(security::show))
        .route("/service-health", get(health::show))
        .route("/msp/customers/{id}/m365", get(settings::overview))
        .route("/msp/customers/{id}/m365/users", get(users::list))
        .route("/msp/customers/{id}/m365/users/{user}", get(users::show))
        .route("/msp/customers/{id}/m365/groups", get(groups::list))
        .route("/msp/customers/{id}/m365/licenses", get(licenses::show))
        .route("/msp/customers/{id}/m365/licenses/unused", get(licenses::unused))
        .route("/msp/customers/{id}/m365/licenses/{sku}", get(licenses::sku))
        .route("/msp/customers/{id}/m365/security", get(security::show))
        .route("/msp/customers/{id}/m365/service-health", get(health::show))
        .route("/msp/customers/{id}/m365/settings", get(settings::show))
        .route("/msp/customers/{id}/m365/settings/options", post(settings::save_options))
        .route("/msp/customers/{id}/m365/settings/prices", post(settings::save_prices))
}

/// A Microsoft 365 page request: for the portal user's own company, or (console) for the
/// customer in the path. Staff on a portal path and customers on a console path get 404.
pub struct M365Page {
    pub s: Signed,
    pub customer: crate::model::CustomerId,
    pub console: bool,
    /// "" in the portal, `/msp/customers/{id}/m365` in the console.
    pub base: String,
    /// The path the navigation marks as current.
    nav: String,
    pub params: HashMap<String, String>,
}

impl FromRequestParts<Arc<AppState>> for M365Page {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Response> {
        let s = Signed::from_request_parts(parts, state).await?;
        let params =
            Path::<HashMap<String, String>>::from_request_parts(parts, state).await.map(|p| p.0).unwrap_or_default();
        let path = parts.uri.path().to_string();
        let not_found = || AppError::NotFound.into_response();
        let console = s.actor().may(Action::UseConsole, None);
        if path.starts_with("/msp/") {
            let customer = params
                .get("id")
                .and_then(|id| crate::model::CustomerId::parse(id))
                .filter(|_| console)
                .ok_or_else(not_found)?;
            let base = format!("/msp/customers/{customer}/m365");
            Ok(M365Page { s, customer, console: true, base, nav: "/msp/customers".into(), params })
        } else {
            let customer = s.actor().customer_id.filter(|_| !console).ok_or_else(not_found)?;
            Ok(M365Page { s, customer, console: false, base: String::new(), nav: path, params })
        }
    }
}

/// The console's tabs under a customer: (path below the base, label, section key).
const TABS: [(&str, &str, &str); 7] = [
    ("", "Overview", "overview"),
    ("/users", "Users", "users"),
    ("/groups", "Groups", "groups"),
    ("/licenses", "Licenses", "licenses"),
    ("/security", "Security", "security"),
    ("/service-health", "Service health", "health"),
    ("/settings", "Settings", "settings"),
];

impl M365Page {
    pub fn param(&self, key: &str) -> &str {
        self.params.get(key).map(String::as_str).unwrap_or("")
    }

    /// Renders a page with what every Microsoft 365 page shares as `m`: where it is, the
    /// customer (console) and the tabs.
    pub async fn render(
        &self,
        template: &str,
        section: &str,
        status: StatusCode,
        local: Value,
    ) -> Result<Response, AppError> {
        let customer = if self.console {
            let c = crate::services::customers::get(&self.s.ctx.app.db, self.s.actor(), self.customer).await?;
            Some(context! { id => c.id, name => c.name })
        } else {
            None
        };
        let tabs: Vec<Value> = TABS
            .iter()
            .map(|(path, label, key)| context! { href => format!("{}{path}", self.base), label, current => *key == section })
            .collect();
        let m = context! { console => self.console, base => self.base, section, customer, tabs };
        Ok(page(&self.s.ctx, &self.nav, template, status, context! { m, ..local }))
    }
}

/// A page's query string as a map; unparseable ones read as empty.
fn query(raw: Option<&str>) -> HashMap<String, String> {
    serde_urlencoded::from_str(raw.unwrap_or("")).unwrap_or_default()
}

/// The query's filters (all but sort, direction, page and notice), for sort and page links.
fn filters(q: &HashMap<String, String>) -> String {
    let mut keep: Vec<(&String, &String)> =
        q.iter().filter(|(k, v)| !matches!(k.as_str(), "sort" | "dir" | "page" | "notice") && !v.is_empty()).collect();
    keep.sort();
    serde_urlencoded::to_string(&keep).unwrap_or_default()
}

fn page_number(q: &HashMap<String, String>) -> i64 {
    q.get("page").and_then(|p| p.parse::<i64>().ok()).unwrap_or(1).clamp(1, 100_000)
}

fn pages(total: i64, per_page: i64) -> i64 {
    ((total + per_page - 1) / per_page).max(1)
}
