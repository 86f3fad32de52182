//! Security: the secure score and its history, the improvement actions worth most, and the
//! active alerts of the severities the MSP lets the customer see.

use serde::Serialize;

use super::{day_ago, Freshness, Tenant};
use crate::db::m365 as q;
use crate::db::{m365_sync, Db, Ts};
use crate::error::AppResult;
use crate::model::{Feature, Severity, SyncArea};
use crate::policy::Actor;

const FEATURE: Feature = Feature::Security;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Score {
    pub current: f64,
    pub max: f64,
    /// current / max, in percent with one decimal.
    pub percent: f64,
    /// Percentage points gained (or lost) over 30 days, when the history reaches back.
    pub change_30d: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScorePoint {
    /// YYYY-MM-DD
    pub day: String,
    pub current: f64,
    pub max: f64,
}

/// A secure score improvement action with points left to gain.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Improvement {
    pub id: String,
    pub title: String,
    /// Microsoft's rank: 1 is the most worthwhile.
    pub rank: i64,
    pub score: f64,
    pub max_score: f64,
    /// Points still to gain.
    pub remaining: f64,
    pub user_impact: String,
    pub implementation_cost: String,
    pub action_url: String,
    pub remediation: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Alert {
    pub id: String,
    pub title: String,
    /// high, medium, low, informational
    pub severity: String,
    /// new or inProgress (resolved alerts are not listed)
    pub status: String,
    pub source: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub first_seen_at: Ts,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Ts,
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct AlertCounts {
    pub high: i64,
    pub medium: i64,
    pub low: i64,
    pub informational: i64,
}

impl AlertCounts {
    fn of(alerts: &[Alert]) -> AlertCounts {
        let n = |s: &str| alerts.iter().filter(|a| a.severity == s).count() as i64;
        AlertCounts { high: n("high"), medium: n("medium"), low: n("low"), informational: n("informational") }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Security {
    /// Absent before the first secure score was synced.
    pub score: Option<Score>,
    /// Daily scores of the last 90 days, oldest first.
    pub history: Vec<ScorePoint>,
    /// Improvement actions with points left, by rank.
    pub actions: Vec<Improvement>,
    /// Active alerts of the severities the MSP shows this customer, most severe first.
    pub alerts: Vec<Alert>,
    pub alert_counts: AlertCounts,
    /// The severities shown.
    pub severities: Vec<String>,
    #[serde(flatten)]
    pub freshness: Freshness,
}

fn one_decimal(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn share(current: f64, max: f64) -> f64 {
    if max > 0.0 {
        current / max * 100.0
    } else {
        0.0
    }
}

/// The score now, from the history (newest last).
fn score_of(history: &[ScorePoint]) -> Option<Score> {
    let now = history.last()?;
    let month_ago = day_ago(30);
    let then = history.iter().rev().find(|p| p.day <= month_ago);
    Some(Score {
        current: now.current,
        max: now.max,
        percent: one_decimal(share(now.current, now.max)),
        change_30d: then.map(|t| one_decimal(share(now.current, now.max) - share(t.current, t.max))),
    })
}

pub(super) async fn active_alerts(db: &Db, t: &Tenant) -> AppResult<(Vec<Alert>, Vec<String>)> {
    let chosen = Severity::list(&m365_sync::options(db, t.scope).await?.alert_severities);
    let shown = chosen.iter().map(|s| s.key().to_string()).collect();
    let mut alerts: Vec<Alert> = q::alerts(db, t.scope)
        .await?
        .into_iter()
        .filter(|a| {
            !a.status.eq_ignore_ascii_case("resolved")
                && Severity::parse(&a.severity).is_some_and(|s| chosen.contains(&s))
        })
        .map(|a| Alert {
            id: a.id,
            title: a.title,
            severity: a.severity.to_lowercase(),
            status: a.status,
            source: a.source,
            first_seen_at: a.first_seen_at,
            updated_at: a.updated_at,
        })
        .collect();
    // Most severe first; within a severity the newest first (as read).
    alerts.sort_by_key(|a| Severity::parse(&a.severity));
    Ok((alerts, shown))
}

pub(super) async fn history(db: &Db, t: &Tenant) -> AppResult<Vec<ScorePoint>> {
    Ok(q::scores(db, t.scope, &day_ago(89))
        .await?
        .into_iter()
        .map(|(day, current, max)| ScorePoint { day, current, max })
        .collect())
}

pub(super) fn summarise(history: &[ScorePoint], alerts: &[Alert]) -> (Option<Score>, AlertCounts) {
    (score_of(history), AlertCounts::of(alerts))
}

pub async fn security(db: &Db, actor: &Actor, customer_id: crate::model::CustomerId) -> AppResult<Security> {
    let t = Tenant::open(db, actor, customer_id, FEATURE).await?;
    let history = history(db, &t).await?;
    let (alerts, severities) = active_alerts(db, &t).await?;
    let actions = q::controls(db, t.scope)
        .await?
        .into_iter()
        .filter(|c| c.max_score - c.score > 0.0)
        .map(|c| Improvement {
            remaining: one_decimal(c.max_score - c.score),
            id: c.id,
            title: c.title,
            rank: c.rank,
            score: c.score,
            max_score: c.max_score,
            user_impact: c.user_impact,
            implementation_cost: c.implementation_cost,
            action_url: c.action_url,
            remediation: c.remediation,
        })
        .collect();
    let (score, alert_counts) = summarise(&history, &alerts);
    Ok(Security {
        score,
        history,
        actions,
        alert_counts,
        alerts,
        severities,
        freshness: t.freshness(db, &[SyncArea::Security, SyncArea::Alerts]).await?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_change_compares_with_a_month_ago() {
        let point = |days: i64, current: f64| ScorePoint { day: day_ago(days), current, max: 200.0 };
        let s = score_of(&[point(40, 100.0), point(30, 110.0), point(0, 130.0)]).unwrap();
        assert_eq!(s.percent, 65.0);
        assert_eq!(s.change_30d, Some(10.0));
        assert!(score_of(&[point(0, 10.0)]).unwrap().change_30d.is_none());
        assert!(score_of(&[]).is_none());
    }
}
