//! The customer's landing page.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use minijinja::context;

use crate::error::AppError;
use crate::http::context::PortalPage;
use crate::http::render::page;
use crate::http::AppState;
use crate::policy::Action;
use crate::services::dashboard;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/dashboard", get(show))
}

async fn show(PortalPage(s): PortalPage) -> Result<Response, AppError> {
    let customer = s.session.customer.as_ref().ok_or(AppError::NotFound)?;
    let data = dashboard::of(&s.ctx.app.db, s.actor(), customer, &s.ctx.msp).await?;
    let manage_users = s.actor().may(Action::ManagePortalUsers, s.ctx.features().as_ref());
    Ok(page(
        &s.ctx,
        "/dashboard",
        "pages/dashboard.html",
        StatusCode::OK,
        context! { d => data, manage_users, first_name => s.actor().name.split_whitespace().next().unwrap_or("") },
    ))
}
