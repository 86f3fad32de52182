//! The customer's landing page.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use minijinja::{context, Environment, Value};

use crate::error::AppError;
use crate::http::context::PortalPage;
use crate::http::render::page;
use crate::http::AppState;
use crate::policy::Action;
use crate::services::dashboard;
use crate::services::m365::Summary;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/dashboard", get(show))
}

async fn show(PortalPage(s): PortalPage) -> Result<Response, AppError> {
    let customer = s.session.customer.as_ref().ok_or(AppError::NotFound)?;
    let mut data = dashboard::of(&s.ctx.app.db, s.actor(), customer, &s.ctx.msp).await?;
    let tiles = match data.microsoft_365.summary.take() {
        Some(m) => Some(drawn(&s.ctx.app.templates, &m)?),
        None => None,
    };
    let manage_users = s.actor().may(Action::ManagePortalUsers, s.ctx.features().as_ref());
    Ok(page(
        &s.ctx,
        "/dashboard",
        "pages/dashboard.html",
        StatusCode::OK,
        context! { d => data, tiles, manage_users, first_name => s.actor().name.split_whitespace().next().unwrap_or("") },
    ))
}

/// The Microsoft 365 tiles as drawn from one read of the summary. The summary is reused for
/// a few seconds, and drawing its tiles was most of the cost of a dashboard view.
static DRAWN: LazyLock<Mutex<HashMap<u64, (Instant, Value)>>> = LazyLock::new(Default::default);
const KEEP_FOR: Duration = Duration::from_secs(15);

fn drawn(env: &Environment<'static>, m: &Summary) -> Result<Value, AppError> {
    if let Some((_, v)) = DRAWN.lock().unwrap_or_else(|e| e.into_inner()).get(&m.read) {
        return Ok(v.clone());
    }
    let v = draw(env, m).map_err(|e| AppError::Internal(format!("dashboard tiles: {e}")))?;
    let mut all = DRAWN.lock().unwrap_or_else(|e| e.into_inner());
    if all.len() >= 1024 {
        all.retain(|_, (at, _)| at.elapsed() < KEEP_FOR);
    }
    all.insert(m.read, (Instant::now(), v.clone()));
    Ok(v)
}

fn draw(env: &Environment<'static>, m: &Summary) -> Result<Value, minijinja::Error> {
    let common = env.get_template("partials/m365.html")?.render_captured(())?;
    let common = common.state();
    let tiles = env.get_template("partials/m365_tiles.html")?.render_captured(())?;
    let tiles = tiles.state();
    let tile = |name: &str, part: Option<Value>| -> Result<Option<Value>, minijinja::Error> {
        part.map(|p| tiles.call_macro(name, &[p, Value::from("")]).map(Value::from_safe_string)).transpose()
    };
    Ok(context! {
        as_of => Value::from_safe_string(common.call_macro("as_of", &[Value::from_serialize(&m.freshness)])?),
        users => tile("users", m.users.as_ref().map(Value::from_serialize))?,
        licenses => tile("licenses", m.licenses.as_ref().map(Value::from_serialize))?,
        security => tile("security", m.security.as_ref().map(Value::from_serialize))?,
        health => tile("health", m.service_health.as_ref().map(Value::from_serialize))?,
    })
}
