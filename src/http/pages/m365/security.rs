//! Security: secure score with its history, improvement actions and alerts.

use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;

use super::M365Page;
use crate::error::AppError;
use crate::http::charts::{line_chart, Series};
use crate::services::m365;

pub async fn show(p: M365Page) -> Result<Response, AppError> {
    let sec = m365::security(&p.s.ctx.app.db, p.s.actor(), p.customer).await?;
    let percent = |current: f64, max: f64| if max > 0.0 { current / max * 100.0 } else { 0.0 };
    let chart = match (sec.history.first(), sec.history.last()) {
        (Some(first), Some(last)) => {
            let desc = format!(
                "Secure score went from {:.1}% on {} to {:.1}% on {}.",
                percent(first.current, first.max),
                first.day,
                percent(last.current, last.max),
                last.day
            );
            let days: Vec<String> = sec.history.iter().map(|h| h.day.clone()).collect();
            let values = sec.history.iter().map(|h| percent(h.current, h.max)).collect();
            let series = [Series { label: "Secure score", values, dashed: false }];
            line_chart("score-trend", "Secure score over 90 days", desc, &days, &series, Some((0.0, 100.0)), |v| {
                format!("{v:.0}%")
            })
        }
        _ => None,
    };
    let points = (sec.actions.iter().map(|a| a.remaining).sum::<f64>() * 10.0).round() / 10.0;
    p.render("pages/m365/security.html", "security", StatusCode::OK, context! { sec, chart, points }).await
}
