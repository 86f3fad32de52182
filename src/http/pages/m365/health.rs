//! Service health: each service's status and the open incidents and advisories.

use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;

use super::M365Page;
use crate::error::AppError;
use crate::services::m365;

pub async fn show(p: M365Page) -> Result<Response, AppError> {
    let h = m365::health(&p.s.ctx.app.db, p.s.actor(), p.customer).await?;
    p.render("pages/m365/health.html", "health", StatusCode::OK, context! { h }).await
}
