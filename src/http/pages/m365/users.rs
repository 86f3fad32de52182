//! The user directory and one user's page.

use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;

use super::{filters, page_number, pages, query, M365Page};
use crate::error::AppError;
use crate::model::Feature;
use crate::policy::Action;
use crate::services::m365::{self, DirectoryInput};

const PER_PAGE: i64 = 50;

pub async fn list(p: M365Page, RawQuery(raw): RawQuery) -> Result<Response, AppError> {
    let q = query(raw.as_deref());
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let input = DirectoryInput {
        search: get("q"),
        status: get("status"),
        license: get("license"),
        sku: get("sku"),
        sort: get("sort"),
        desc: get("dir") == "desc",
        page: page_number(&q),
        per_page: PER_PAGE,
    };
    let d = m365::directory(&p.s.ctx.app.db, p.s.actor(), p.customer, input).await?;
    let filtered = ["q", "status", "license", "sku"].iter().any(|k| !get(k).is_empty());
    let local = context! {
        pages => pages(d.total, d.per_page), dir => if get("dir") == "desc" { "desc" } else { "asc" },
        filters => filters(&q), query => q, filtered, d,
    };
    p.render("pages/m365/users.html", "users", StatusCode::OK, local).await
}

pub async fn show(p: M365Page) -> Result<Response, AppError> {
    let (user, freshness) = m365::user(&p.s.ctx.app.db, p.s.actor(), p.customer, p.param("user")).await?;
    let features = p.s.ctx.features();
    let tickets = !p.console && p.s.actor().may(Action::UseFeature(Feature::Tickets), features.as_ref());
    let licenses = p.console || p.s.actor().may(Action::UseFeature(Feature::Licenses), features.as_ref());
    let local = context! { u => user, freshness, tickets, licenses };
    p.render("pages/m365/user.html", "users", StatusCode::OK, local).await
}
