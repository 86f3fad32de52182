//! What a sync tells the customer's people: the wording of tenant alerts, and which are new.

use time::Duration;

use crate::db::m365_sync as store;
use crate::db::{self, CustomerScope, Db};
use crate::error::AppResult;
use crate::integrations::graph;
use crate::model::now;
use crate::model::{Feature, Severity, SyncArea};

use super::Report;

/// After a sync, what the customer's people should hear of, each occurrence once: new or
/// updated incidents and advisories, SKUs at the threshold or out of seats, renewals coming
/// up, and security alerts at or above the MSP's chosen severity.
pub(super) async fn tell_tenant_news(
    db: &Db,
    scope: CustomerScope,
    public_url: &str,
    report: &Report,
) -> AppResult<()> {
    use crate::services::notify::TenantAlert;
    let synced = |area: SyncArea| report.areas.iter().any(|(a, r)| *a == area && r.is_ok());
    let options = store::options(db, scope).await?;
    let t = now();
    let mut candidates: Vec<(String, TenantAlert)> = vec![];
    if synced(SyncArea::Health) {
        for i in db::m365::open_issues(db, scope).await? {
            let kind = if i.classification == "incident" { "Service incident" } else { "Service advisory" };
            let (service, title, update) = (i.service, i.title, i.latest_update);
            candidates.push((
                format!("issue:{}:{}", i.id, i.updated_at.unix_timestamp()),
                TenantAlert {
                    category: "service_alerts",
                    feature: Feature::ServiceHealth,
                    kind: kind.into(),
                    title: format!("{service}: {title}"),
                    detail: update,
                    link: "/service-health",
                },
            ));
        }
    }
    if synced(SyncArea::Licenses) {
        for s in db::m365::skus(db, scope).await? {
            let (sku, part, total, assigned, renewal) = (s.sku_id, s.part_number, s.enabled, s.consumed, s.renewal_at);
            let name = graph::product_name(&part).unwrap_or(&part).to_string();
            if total > 0 && assigned * 100 >= total * options.license_threshold {
                let full = assigned >= total;
                let level = if full { "full" } else { "near" };
                candidates.push((
                    format!("sku:{sku}:{level}:{total}"),
                    TenantAlert {
                        category: "license_alerts",
                        feature: Feature::Licenses,
                        kind: "License alert".into(),
                        title: if full {
                            format!("{name}: no licenses left")
                        } else {
                            format!("{name}: {assigned} of {total} in use")
                        },
                        detail: format!(
                            "{assigned} of {total} {name} licenses are assigned. Ask us for more before you run out."
                        ),
                        link: "/licenses",
                    },
                ));
            }
            if let Some(at) = renewal.filter(|at| *at > t && *at - t <= Duration::days(options.renewal_days)) {
                candidates.push((
                    format!("renewal:{sku}:{}", at.date()),
                    TenantAlert {
                        category: "license_alerts",
                        feature: Feature::Licenses,
                        kind: "Renewal".into(),
                        title: format!("{name} renews on {}", at.date()),
                        detail: format!("{total} {name} licenses renew on {}.", at.date()),
                        link: "/licenses",
                    },
                ));
            }
        }
    }
    if synced(SyncArea::Alerts) {
        let floor = Severity::parse(&options.notify_severity).unwrap_or(Severity::High);
        for a in db::m365::alerts(db, scope).await?.into_iter().filter(|a| a.status != "resolved") {
            let (id, title, severity, source) = (a.id, a.title, a.severity, a.source);
            if Severity::parse(&severity).is_some_and(|s| s.at_least(floor)) {
                candidates.push((
                    format!("alert:{id}"),
                    TenantAlert {
                        category: "security_alerts",
                        feature: Feature::Security,
                        kind: format!("Security alert ({severity})"),
                        title,
                        detail: if source.is_empty() { String::new() } else { format!("Reported by {source}.") },
                        link: "/security",
                    },
                ));
            }
        }
    }
    let mut fresh = vec![];
    for (key, alert) in candidates {
        if store::first_notice(db, scope, &key, t).await? {
            fresh.push(alert);
        }
    }
    let fx = crate::services::notify::tenant_alerts(db, scope, public_url, &fresh).await?;
    Ok(crate::db::jobs::write(db, &fx, t).await?)
}
