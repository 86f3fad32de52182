//! The tenant's groups.

use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;

use super::{filters, page_number, pages, query, M365Page};
use crate::error::AppError;
use crate::services::m365::{self, GroupsInput};

const PER_PAGE: i64 = 50;

pub async fn list(p: M365Page, RawQuery(raw): RawQuery) -> Result<Response, AppError> {
    let q = query(raw.as_deref());
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let input = GroupsInput {
        search: get("q"),
        kind: get("kind"),
        sort: get("sort"),
        desc: get("dir") == "desc",
        page: page_number(&q),
        per_page: PER_PAGE,
    };
    let g = m365::groups(&p.s.ctx.app.db, p.s.actor(), p.customer, input).await?;
    let filtered = ["q", "kind"].iter().any(|k| !get(k).is_empty());
    let local = context! {
        pages => pages(g.total, g.per_page), dir => if get("dir") == "desc" { "desc" } else { "asc" },
        filters => filters(&q), query => q, filtered, g,
    };
    p.render("pages/m365/groups.html", "groups", StatusCode::OK, local).await
}
