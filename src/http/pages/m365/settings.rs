//! Console only: a customer's Microsoft 365 overview (the dashboard tiles and the state of
//! the sync) and the MSP's settings for it (options and prices).

use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{context, Value};

use super::M365Page;
use crate::error::AppError;
use crate::http::forms::submit;
use crate::http::pages::{notice, FormData, NoticeQuery};
use crate::policy::Action;
use crate::services::m365::{self, OptionsInput, SEVERITIES};

pub async fn overview(p: M365Page) -> Result<Response, AppError> {
    let db = &p.s.ctx.app.db;
    let c = crate::services::customers::get(db, p.s.actor(), p.customer).await?;
    let summary = m365::summary(db, p.s.actor(), &c).await?;
    let (areas, next_sync) = m365::sync_status(db, p.s.actor(), p.customer).await?;
    let next_sync = next_sync.map(crate::model::rfc3339);
    let local = context! { summary, areas, next_sync, tenant => c.m365_tenant_id };
    p.render("pages/m365/overview.html", "overview", StatusCode::OK, local).await
}

async fn render_settings(p: &M365Page, status: StatusCode, extra: Value) -> Result<Response, AppError> {
    let (options, prices, currency) = m365::options(&p.s.ctx.app.db, p.s.actor(), p.customer).await?;
    let shown: Vec<String> = options.alert_severities.split(',').map(str::to_string).collect();
    let can_edit = p.s.actor().may(Action::ManageCustomers, None);
    let o = context! {
        unused_days => options.unused_days, license_threshold => options.license_threshold,
        renewal_days => options.renewal_days, notify_severity => options.notify_severity, shown,
    };
    let currency = context! { code => currency.code(), name => currency.name(), example => currency.example() };
    let local = context! { o, prices, currency, severities => SEVERITIES, can_edit, ..extra };
    p.render("pages/m365/settings.html", "settings", status, local).await
}

pub async fn show(
    p: M365Page,
    axum::extract::Query(q): axum::extract::Query<NoticeQuery>,
) -> Result<Response, AppError> {
    render_settings(&p, StatusCode::OK, context! { notice => notice(q.notice.as_deref()) }).await
}

pub async fn save_options(p: M365Page, FormData(form): FormData<Vec<(String, String)>>) -> Result<Response, AppError> {
    let get = |k: &str| form.iter().find(|(f, _)| f == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let input = OptionsInput {
        unused_days: get("unused_days"),
        alert_severities: form.iter().filter(|(k, _)| k == "alert_severities").map(|(_, v)| v.clone()).collect(),
        license_threshold: get("license_threshold"),
        renewal_days: get("renewal_days"),
        notify_severity: get("notify_severity"),
    };
    submit(
        m365::save_options(&p.s.ctx.app.db, p.s.actor(), p.customer, input).await,
        async |_| Ok(crate::http::pages::see_other(&format!("{}/settings", p.base), "saved")),
        async |status, errors| {
            let values: std::collections::HashMap<&str, &str> =
                form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let shown: Vec<&str> =
                form.iter().filter(|(k, _)| k == "alert_severities").map(|(_, v)| v.as_str()).collect();
            render_settings(&p, status, context! { errors, form => values, shown }).await
        },
    )
    .await
}

pub async fn save_prices(p: M365Page, FormData(form): FormData<Vec<(String, String)>>) -> Result<Response, AppError> {
    let prices: Vec<(String, String)> =
        form.iter().filter_map(|(k, v)| k.strip_prefix("price:").map(|sku| (sku.to_string(), v.clone()))).collect();
    let saved = m365::set_prices(&p.s.ctx.app.db, p.s.actor(), p.customer, &prices).await;
    submit(
        saved,
        async |()| Ok(crate::http::pages::see_other(&format!("{}/settings", p.base), "prices-saved")),
        async |status, price_errors| {
            let typed: std::collections::HashMap<String, String> = prices.into_iter().collect();
            render_settings(&p, status, context! { price_errors, typed }).await
        },
    )
    .await
}
