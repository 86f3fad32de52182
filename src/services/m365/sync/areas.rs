//! The areas read whole each sync: licenses, Secure Score, alerts, service health, groups.

use std::collections::HashMap;

use time::OffsetDateTime;

use crate::db::m365_sync::{self as store, AlertRecord, ControlRecord, GroupRecord, IssueRecord, SkuRecord};
use crate::db::{CustomerScope, Db};
use crate::integrations::graph::{GraphClient, TenantCredentials};
use crate::model::now;

use super::engine::Failure;

pub(super) async fn sync_licenses(
    db: &Db,
    graph: &GraphClient,
    creds: &TenantCredentials,
    scope: CustomerScope,
    started: OffsetDateTime,
) -> Result<String, Failure> {
    let skus = graph.subscribed_skus(creds).collect_all().await?;
    let records: Vec<SkuRecord> = skus
        .iter()
        .map(|s| SkuRecord {
            sku_id: s.sku_id.to_lowercase(),
            part_number: s.sku_part_number.clone(),
            capability_status: s
                .capability_status
                .as_ref()
                .map(|c| c.as_str().to_lowercase())
                .unwrap_or_else(|| "enabled".into()),
            enabled: s.prepaid_units.enabled,
            suspended: s.prepaid_units.suspended,
            warning: s.prepaid_units.warning,
            consumed: s.consumed_units,
        })
        .collect();
    let day = started.date().to_string();
    store::replace_skus(db, scope, &records, &day, started).await?;
    // Renewal dates are a second read; without them the licenses still count.
    match graph.subscriptions(creds).collect_all().await {
        Ok(subs) => {
            let mut next: HashMap<String, OffsetDateTime> = HashMap::new();
            for s in subs {
                if let Some(at) = s.next_lifecycle_date_time {
                    let e = next.entry(s.sku_id.to_lowercase()).or_insert(at);
                    *e = (*e).min(at);
                }
            }
            let list: Vec<(String, Option<OffsetDateTime>)> = next.into_iter().map(|(k, v)| (k, Some(v))).collect();
            store::set_renewals(db, scope, &list).await?;
        }
        Err(e) => tracing::warn!(customer = %scope.customer_id(), error = %e, "renewal dates not read"),
    }
    Ok(format!("{} SKUs", records.len()))
}

pub(super) async fn sync_security(
    db: &Db,
    graph: &GraphClient,
    creds: &TenantCredentials,
    scope: CustomerScope,
) -> Result<String, Failure> {
    let scores = graph.secure_scores(creds, 90).collect_all().await?;
    let days: Vec<(String, f64, f64)> = scores
        .iter()
        .filter_map(|s| Some((s.created_date_time?.date().to_string(), s.current_score, s.max_score)))
        .collect();
    store::upsert_scores(db, scope, &days).await?;
    let latest = scores.iter().max_by_key(|s| s.created_date_time);
    let profiles = graph.control_profiles(creds).collect_all().await?;
    let controls: Vec<ControlRecord> = profiles
        .into_iter()
        .filter(|p| !p.deprecated)
        .map(|p| {
            let score = latest
                .and_then(|s| s.control_scores.iter().find(|c| c.control_name == p.id))
                .and_then(|c| c.score)
                .unwrap_or(0.0);
            ControlRecord {
                title: p.title.clone().unwrap_or_else(|| p.id.clone()),
                max_score: p.max_score.unwrap_or(0.0),
                score,
                rank: p.rank.unwrap_or(i64::MAX / 2),
                user_impact: p.user_impact.as_ref().map(|i| i.as_str().to_lowercase()).unwrap_or_default(),
                implementation_cost: p
                    .implementation_cost
                    .as_ref()
                    .map(|i| i.as_str().to_lowercase())
                    .unwrap_or_default(),
                action_url: p.action_url.clone().unwrap_or_default(),
                remediation: p.remediation.clone().unwrap_or_default(),
                id: p.id,
            }
        })
        .collect();
    store::replace_controls(db, scope, &controls).await?;
    Ok(format!("{} score days, {} actions", days.len(), controls.len()))
}

pub(super) async fn sync_alerts(
    db: &Db,
    graph: &GraphClient,
    creds: &TenantCredentials,
    scope: CustomerScope,
) -> Result<String, Failure> {
    let alerts = graph.alerts(creds).collect_all().await?;
    let records: Vec<AlertRecord> = alerts
        .into_iter()
        .map(|a| {
            let first = a.created_date_time.unwrap_or_else(now);
            AlertRecord {
                title: a.title.unwrap_or_else(|| "Security alert".into()),
                severity: a.severity.as_ref().map(|s| s.as_str().to_lowercase()).unwrap_or_else(|| "other".into()),
                status: a.status.as_ref().map(|s| s.as_str().to_lowercase()).unwrap_or_else(|| "other".into()),
                source: a.service_source.unwrap_or_default(),
                first_seen_at: first,
                updated_at: a.last_update_date_time.unwrap_or(first),
                id: a.id,
            }
        })
        .collect();
    store::replace_alerts(db, scope, &records).await?;
    Ok(format!("{} alerts", records.len()))
}

pub(super) async fn sync_health(
    db: &Db,
    graph: &GraphClient,
    creds: &TenantCredentials,
    scope: CustomerScope,
) -> Result<String, Failure> {
    let services = graph.service_health(creds).collect_all().await?;
    let issues = graph.service_issues(creds).collect_all().await?;
    let overview: Vec<(String, String)> = services
        .into_iter()
        .map(|s| (s.service, s.status.as_ref().map(|x| x.as_str().to_string()).unwrap_or_else(|| "other".into())))
        .collect();
    let records: Vec<IssueRecord> = issues
        .into_iter()
        .filter(|i| !i.is_resolved)
        .map(|i| {
            let started = i.start_date_time.unwrap_or_else(now);
            IssueRecord {
                latest_update: i.latest_post().unwrap_or_default().to_string(),
                service: i.service.clone().unwrap_or_default(),
                title: i.title.clone().unwrap_or_default(),
                classification: i
                    .classification
                    .as_ref()
                    .map(|c| c.as_str().to_lowercase())
                    .unwrap_or_else(|| "other".into()),
                status: i.status.as_ref().map(|s| s.as_str().to_string()).unwrap_or_else(|| "other".into()),
                started_at: started,
                updated_at: i.last_modified_date_time.unwrap_or(started),
                resolved: i.is_resolved,
                id: i.id,
            }
        })
        .collect();
    store::replace_health(db, scope, &overview, &records).await?;
    Ok(format!("{} services, {} open issues", overview.len(), records.len()))
}

pub(super) async fn sync_groups(
    db: &Db,
    graph: &GraphClient,
    creds: &TenantCredentials,
    scope: CustomerScope,
) -> Result<String, Failure> {
    let groups = graph.groups(creds).collect_all().await?;
    let mut records = Vec::with_capacity(groups.len());
    for g in groups {
        let members = graph.group_member_count(creds, &g.id).await? as i64;
        let kind = if g.is_microsoft_365() {
            "microsoft365"
        } else if g.mail_enabled == Some(true) && g.security_enabled == Some(true) {
            "mail_security"
        } else if g.mail_enabled == Some(true) {
            "distribution"
        } else {
            "security"
        };
        records.push(GroupRecord {
            name: g.display_name.clone().unwrap_or_default(),
            kind: kind.into(),
            mail: g.mail.clone(),
            members,
            id: g.id,
        });
    }
    store::replace_groups(db, scope, &records).await?;
    Ok(format!("{} groups", records.len()))
}
