//! Licenses: the SKUs, their trend, unused licenses, one SKU's holders, and the form that
//! asks for more.

use std::collections::HashMap;

use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::{Redirect, Response};
use minijinja::{context, Value};

use super::{page_number, pages, query, M365Page};
use crate::error::AppError;
use crate::http::charts::{line_chart, Chart, Series};
use crate::http::forms::submit;
use crate::http::pages::{notice, FormData};
use crate::services::m365::{self, LicenseRequest, TrendPoint};

/// Unused licenses shown on the licenses page; the rest are a click away.
const PREVIEW: i64 = 5;
const PER_PAGE: i64 = 50;

fn trend_chart(id: &str, title: &str, trend: &[TrendPoint]) -> Option<Chart> {
    let (first, last) = (trend.first()?, trend.last()?);
    let desc = format!(
        "Assigned licenses went from {} of {} on {} to {} of {} on {}.",
        first.assigned, first.total, first.day, last.assigned, last.total, last.day
    );
    let days: Vec<String> = trend.iter().map(|p| p.day.clone()).collect();
    let series = [
        Series { label: "Assigned", values: trend.iter().map(|p| p.assigned as f64).collect(), dashed: false },
        Series { label: "Bought", values: trend.iter().map(|p| p.total as f64).collect(), dashed: true },
    ];
    line_chart(id, title, desc, &days, &series, Some((0.0, f64::MAX)), |v| format!("{v:.0}"))
}

async fn render_licenses(p: &M365Page, status: StatusCode, extra: Value) -> Result<Response, AppError> {
    let db = &p.s.ctx.app.db;
    let l = m365::licenses(db, p.s.actor(), p.customer).await?;
    let unused = m365::unused(db, p.s.actor(), p.customer, 1, PREVIEW).await?;
    let features =
        crate::model::Features::from_db(&crate::services::customers::get(db, p.s.actor(), p.customer).await?.features);
    let can_request = !p.console && p.s.actor().may_request_licenses(&features);
    let chart = trend_chart("license-trend", "Licenses over 90 days", &l.trend);
    let local = context! { l, unused, chart, can_request, ..extra };
    p.render("pages/m365/licenses.html", "licenses", status, local).await
}

pub async fn show(p: M365Page, RawQuery(raw): RawQuery) -> Result<Response, AppError> {
    let q = query(raw.as_deref());
    render_licenses(&p, StatusCode::OK, context! { notice => notice(q.get("notice").map(String::as_str)) }).await
}

pub async fn unused(p: M365Page, RawQuery(raw): RawQuery) -> Result<Response, AppError> {
    let q = query(raw.as_deref());
    let u = m365::unused(&p.s.ctx.app.db, p.s.actor(), p.customer, page_number(&q), PER_PAGE).await?;
    let local = context! { pages => pages(u.total, u.per_page), u };
    p.render("pages/m365/unused.html", "licenses", StatusCode::OK, local).await
}

pub async fn sku(p: M365Page, RawQuery(raw): RawQuery) -> Result<Response, AppError> {
    let q = query(raw.as_deref());
    let d = m365::sku(&p.s.ctx.app.db, p.s.actor(), p.customer, p.param("sku"), page_number(&q), PER_PAGE).await?;
    let chart = trend_chart("sku-trend", &format!("{} over 90 days", d.license.product_name), &d.trend);
    let local = context! { pages => pages(d.holders_total, d.per_page), chart, d };
    p.render("pages/m365/license.html", "licenses", StatusCode::OK, local).await
}

/// The "Request additional licenses" form: a support ticket, then its page.
pub async fn request(p: M365Page, FormData(form): FormData<HashMap<String, String>>) -> Result<Response, AppError> {
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let input = LicenseRequest { sku: get("sku"), quantity: get("quantity"), reason: get("reason") };
    let app = &p.s.ctx.app;
    submit(
        m365::request_licenses(&app.db, p.s.actor(), &app.public_url, p.customer, input).await,
        async |t| Ok(Redirect::to(&format!("/tickets/{}?notice=license-requested", t.number)).into_response()),
        async |status, errors| {
            let values: HashMap<&String, &String> = form.iter().filter(|(k, _)| *k != "_csrf").collect();
            render_licenses(&p, status, context! { errors, form => values }).await
        },
    )
    .await
}
