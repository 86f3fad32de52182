//! The Microsoft 365 sync: reads a customer's tenant through Graph and stores it, area by
//! area. An area that fails (no permission for alerts, say) is recorded and keeps what its
//! last good sync stored; the others still sync. Users go by delta rounds once a full read
//! has been made, with a full read once a day for last sign-in times (delta rounds do not
//! carry them).

use std::collections::{HashMap, HashSet};

use time::{Duration, OffsetDateTime};

use crate::db::m365_sync::{
    self as store, AlertRecord, AppCredential, ControlRecord, GroupRecord, IssueRecord, SkuRecord, UserRecord,
};
use crate::db::{self, CustomerScope, Db};
use crate::error::{AppError, AppResult};
use crate::integrations::graph::{
    self, ClientCertificate, ClientCredential, ClientSecret, GraphClient, GraphError, SignInAvailability,
    TenantCredentials, User, UserChange,
};
use crate::model::now;
use crate::model::Feature;

/// Full reads of users happen at least this often, for sign-in times.
const FULL_READ_EVERY: Duration = Duration::hours(24);

/// The areas of a sync, in the order the console lists them (`users_full` is the daily full
/// read of users).
pub const AREAS: &[&str] = &["users", "users_full", "licenses", "security", "alerts", "health", "groups"];

/// What one sync did, per area.
#[derive(Debug, Default)]
pub struct Report {
    /// (area, Ok(what changed) or Err(why it failed))
    pub areas: Vec<(&'static str, Result<String, String>)>,
    /// The change log lines written.
    pub changes: Vec<String>,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.areas.iter().all(|(_, r)| r.is_ok())
    }
}

/// The tenant credentials of a customer: its tenant id and the MSP's app registration.
pub async fn credentials(
    db: &Db,
    key: Option<&crate::auth::seal::SealKey>,
    scope: CustomerScope,
) -> AppResult<TenantCredentials> {
    let customer = db::customers::get(db, scope).await?.ok_or(AppError::NotFound)?;
    let tenant = customer
        .m365_tenant_id
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| AppError::BadRequest("This customer has no Microsoft 365 tenant ID yet.".into()))?;
    let app = store::app(db, scope.msp()).await?.ok_or_else(|| {
        AppError::BadRequest("The Microsoft 365 app registration is not set up (console: Microsoft 365).".into())
    })?;
    let key = key.ok_or_else(|| {
        AppError::BadRequest("PORTICO_SECRET_KEY is not set, so the client secret or private key can't be read.".into())
    })?;
    let credential: ClientCredential = match app.credential {
        AppCredential::Secret { sealed, .. } => {
            ClientSecret::new(key.open(&sealed).map_err(AppError::BadRequest)?).into()
        }
        AppCredential::Certificate { key_sealed, thumbprint, .. } => {
            let pem = key.open(&key_sealed).map_err(AppError::BadRequest)?;
            ClientCertificate::from_stored(&pem, &thumbprint)
                .map_err(|e| AppError::BadRequest(format!("The stored certificate credential can't be used: {e}")))?
                .into()
        }
    };
    Ok(TenantCredentials::new(&tenant, &app.client_id, credential))
}

fn describe(e: &GraphError) -> String {
    e.to_string()
}

/// Syncs one customer now and plans its next run.
pub async fn sync_customer(
    db: &Db,
    graph: &GraphClient,
    key: Option<&crate::auth::seal::SealKey>,
    scope: CustomerScope,
    every: Duration,
    public_url: &str,
) -> AppResult<Report> {
    let started = now();
    store::set_next_sync(db, scope, Some(started + every)).await?;
    let creds = match credentials(db, key, scope).await {
        Ok(c) => c,
        Err(AppError::BadRequest(why)) => {
            for area in AREAS {
                store::record_area(db, scope, area, Some(&why), None, started).await?;
            }
            crate::services::m365::forget(scope.customer_id);
            return Ok(Report { areas: AREAS.iter().map(|a| (*a, Err(why.clone()))).collect(), changes: vec![] });
        }
        Err(e) => return Err(e),
    };
    let mut report = Report::default();
    let users = sync_users(db, graph, &creds, scope, started).await;
    let users = match users {
        Ok((summary, changes)) => {
            report.changes = changes;
            Ok(summary)
        }
        Err(e) => Err(e),
    };
    record(db, scope, "users", users, &mut report).await?;
    let r = sync_licenses(db, graph, &creds, scope, started).await;
    record(db, scope, "licenses", r, &mut report).await?;
    let r = sync_security(db, graph, &creds, scope).await;
    record(db, scope, "security", r, &mut report).await?;
    let r = sync_alerts(db, graph, &creds, scope).await;
    record(db, scope, "alerts", r, &mut report).await?;
    let r = sync_health(db, graph, &creds, scope).await;
    record(db, scope, "health", r, &mut report).await?;
    let r = sync_groups(db, graph, &creds, scope).await;
    record(db, scope, "groups", r, &mut report).await?;
    crate::services::m365::forget(scope.customer_id);
    tell_tenant_news(db, scope, public_url, &report).await?;
    Ok(report)
}

const SEVERITIES: &[&str] = &["informational", "low", "medium", "high"];

fn severity_rank(s: &str) -> usize {
    SEVERITIES.iter().position(|x| *x == s).unwrap_or(0)
}

/// After a sync, what the customer's people should hear of, each occurrence once: new or
/// updated incidents and advisories, SKUs at the threshold or out of seats, renewals coming
/// up, and security alerts at or above the MSP's chosen severity.
async fn tell_tenant_news(db: &Db, scope: CustomerScope, public_url: &str, report: &Report) -> AppResult<()> {
    use crate::services::notify::TenantAlert;
    let synced = |area: &str| report.areas.iter().any(|(a, r)| *a == area && r.is_ok());
    let options = store::options(db, scope).await?;
    let t = now();
    let mut candidates: Vec<(String, TenantAlert)> = vec![];
    if synced("health") {
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
    if synced("licenses") {
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
    if synced("alerts") {
        let floor = severity_rank(&options.notify_severity);
        for a in db::m365::alerts(db, scope).await?.into_iter().filter(|a| a.status != "resolved") {
            let (id, title, severity, source) = (a.id, a.title, a.severity, a.source);
            if severity_rank(&severity) >= floor && SEVERITIES.contains(&severity.as_str()) {
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

/// An area's outcome: a Graph failure is the area's error; a database failure stops the sync.
enum Failure {
    Graph(GraphError),
    Db(AppError),
}

impl From<GraphError> for Failure {
    fn from(e: GraphError) -> Self {
        Failure::Graph(e)
    }
}

impl From<crate::db::DbError> for Failure {
    fn from(e: crate::db::DbError) -> Self {
        Failure::Db(e.into())
    }
}

async fn record(
    db: &Db,
    scope: CustomerScope,
    area: &'static str,
    result: Result<String, Failure>,
    report: &mut Report,
) -> AppResult<()> {
    match result {
        Ok(summary) => {
            store::record_area(db, scope, area, None, None, now()).await?;
            report.areas.push((area, Ok(summary)));
        }
        Err(Failure::Graph(e)) => {
            let why = describe(&e);
            tracing::warn!(area, customer = %scope.customer_id, error = %why, "Microsoft 365 sync area failed");
            store::record_area(db, scope, area, Some(&why), None, now()).await?;
            report.areas.push((area, Err(why)));
        }
        Err(Failure::Db(e)) => return Err(e),
    }
    Ok(())
}

fn user_record(u: User) -> UserRecord {
    UserRecord {
        display_name: u.display_name.clone().unwrap_or_else(|| u.user_principal_name.clone().unwrap_or_default()),
        upn: u.user_principal_name.unwrap_or_default(),
        mail: u.mail,
        enabled: u.account_enabled.unwrap_or(true),
        job_title: u.job_title,
        department: u.department,
        office: u.office_location,
        mobile: u.mobile_phone,
        created_at: u.created_date_time,
        last_sign_in_at: u.last_sign_in.time(),
        licenses: u.assigned_licenses.into_iter().map(|l| l.sku_id.to_lowercase()).collect(),
        id: u.id,
    }
}

/// A delta round's record laid over the stored one: the properties it left out are unchanged.
fn patched(old: &UserRecord, u: User) -> UserRecord {
    let sent = u.sent;
    let named = u.display_name.is_some();
    let new = user_record(u);
    let keep = |was: &Option<String>, now: Option<String>, sent: bool| if sent { now } else { was.clone() };
    let upn = if sent.user_principal_name { new.upn } else { old.upn.clone() };
    UserRecord {
        display_name: match (sent.display_name, named) {
            (true, true) => new.display_name,
            (true, false) => upn.clone(),
            (false, _) => old.display_name.clone(),
        },
        upn,
        mail: keep(&old.mail, new.mail, sent.mail),
        enabled: if sent.account_enabled { new.enabled } else { old.enabled },
        job_title: keep(&old.job_title, new.job_title, sent.job_title),
        department: keep(&old.department, new.department, sent.department),
        office: keep(&old.office, new.office, sent.office_location),
        mobile: keep(&old.mobile, new.mobile, sent.mobile_phone),
        created_at: if sent.created_date_time { new.created_at } else { old.created_at },
        last_sign_in_at: new.last_sign_in_at.or(old.last_sign_in_at),
        licenses: if sent.assigned_licenses { new.licenses } else { old.licenses.clone() },
        id: new.id,
    }
}

/// Before and after, to tell what changed.
struct Ledger {
    users: HashMap<String, (String, bool)>,
    licenses: HashSet<(String, String)>,
    changes: Vec<(&'static str, String, String)>,
    sku_names: HashMap<String, String>,
}

impl Ledger {
    async fn load(db: &Db, scope: CustomerScope) -> Result<Ledger, Failure> {
        let users = store::user_states(db, scope).await?.into_iter().map(|(id, name, on)| (id, (name, on))).collect();
        let licenses = store::license_pairs(db, scope).await?.into_iter().collect();
        let sku_names = store::sku_parts(db, scope)
            .await?
            .into_iter()
            .map(|(id, part)| (id, graph::product_name(&part).unwrap_or(&part).to_string()))
            .collect();
        Ok(Ledger { users, licenses, changes: vec![], sku_names })
    }

    fn sku(&self, id: &str) -> String {
        self.sku_names.get(id).cloned().unwrap_or_else(|| graph::product_name(id).unwrap_or(id).to_string())
    }

    /// Compares a user as read now with what was stored.
    fn saw(&mut self, u: &UserRecord, first_read: bool) {
        match self.users.get(&u.id) {
            None if !first_read => self.changes.push(("user_added", u.display_name.clone(), String::new())),
            Some((_, was_on)) if *was_on && !u.enabled => {
                self.changes.push(("user_disabled", u.display_name.clone(), String::new()))
            }
            Some((_, was_on)) if !*was_on && u.enabled => {
                self.changes.push(("user_enabled", u.display_name.clone(), String::new()))
            }
            _ => {}
        }
        if first_read {
            return;
        }
        let before: HashSet<&String> =
            self.licenses.iter().filter(|(user, _)| *user == u.id).map(|(_, sku)| sku).collect();
        let now: HashSet<&String> = u.licenses.iter().collect();
        let added: Vec<String> = now.difference(&before).map(|s| self.sku(s)).collect();
        let removed: Vec<String> = before.difference(&now).map(|s| self.sku(s)).collect();
        for s in added {
            self.changes.push(("license_added", u.display_name.clone(), s));
        }
        for s in removed {
            self.changes.push(("license_removed", u.display_name.clone(), s));
        }
    }
}

async fn sync_users(
    db: &Db,
    graph: &GraphClient,
    creds: &TenantCredentials,
    scope: CustomerScope,
    started: OffsetDateTime,
) -> Result<(String, Vec<String>), Failure> {
    let areas = store::areas(db, scope).await?;
    let state = areas.iter().find(|a| a.area == "users");
    let link = state.and_then(|a| a.delta_link.clone());
    let full_due = state.and_then(|a| a.last_success_at).is_none_or(|t| started - t > FULL_READ_EVERY)
        || areas
            .iter()
            .find(|a| a.area == "users_full")
            .and_then(|a| a.last_success_at)
            .is_none_or(|t| started - t > FULL_READ_EVERY);
    let mut ledger = Ledger::load(db, scope).await?;
    let first_read = ledger.users.is_empty();
    let mut read = 0usize;
    let removed;
    let summary;
    if let (Some(link), false) = (link.as_deref(), full_due) {
        let mut pages = graph.users_delta(creds, Some(link))?;
        let mut gone = vec![];
        loop {
            let page = match pages.next_page().await {
                Ok(Some(p)) => p,
                Ok(None) => break,
                Err(GraphError::DeltaExpired { .. }) => {
                    store::clear_delta(db, scope, "users").await?;
                    return Box::pin(sync_users(db, graph, creds, scope, started)).await;
                }
                Err(e) => return Err(e.into()),
            };
            let mut changed = vec![];
            for change in page {
                match change {
                    UserChange::Upsert(u) => changed.push(u),
                    UserChange::Removed { id, .. } => gone.push(id),
                }
            }
            let ids: Vec<String> = changed.iter().map(|u| u.id.clone()).collect();
            let stored: HashMap<String, UserRecord> =
                store::stored_users(db, scope, &ids).await?.into_iter().map(|u| (u.id.clone(), u)).collect();
            let mut batch = vec![];
            for u in changed {
                let r = match stored.get(&u.id) {
                    Some(old) => patched(old, u),
                    None => user_record(u),
                };
                ledger.saw(&r, false);
                batch.push(r);
            }
            read += batch.len();
            store::upsert_users(db, scope, &batch, started, false).await?;
        }
        let names = store::remove_users(db, scope, &gone).await?;
        removed = names.len();
        ledger.changes.extend(names.into_iter().map(|n| ("user_deleted", n, String::new())));
        let next = pages.delta_link().map(str::to_string);
        store::record_area(db, scope, "users", None, next.as_deref(), now()).await?;
        summary = format!("{read} changed, {removed} removed (delta)");
    } else {
        let mut pages = graph.users(creds).await?;
        let sign_ins = pages.sign_in() == SignInAvailability::Available;
        while let Some(page) = pages.next_page().await? {
            let batch: Vec<UserRecord> = page
                .into_iter()
                .map(|u| {
                    let r = user_record(u);
                    ledger.saw(&r, first_read);
                    r
                })
                .collect();
            read += batch.len();
            store::upsert_users(db, scope, &batch, started, first_read).await?;
        }
        // Only a complete read may remove anyone.
        let names = store::remove_unseen_users(db, scope, started).await?;
        removed = names.len();
        ledger.changes.extend(names.into_iter().map(|n| ("user_deleted", n, String::new())));
        store::set_sign_ins(db, scope, sign_ins).await?;
        // A fresh delta round from now on: page through it for its link.
        let mut delta = graph.users_delta(creds, None)?;
        while delta.next_page().await?.is_some() {}
        let next = delta.delta_link().map(str::to_string);
        store::record_area(db, scope, "users", None, next.as_deref(), now()).await?;
        store::record_area(db, scope, "users_full", None, None, now()).await?;
        summary =
            format!("{read} read, {removed} removed{}", if sign_ins { "" } else { " (last sign-in not available)" });
    }
    let lines: Vec<String> = ledger
        .changes
        .iter()
        .map(|(k, u, d)| if d.is_empty() { format!("{k}: {u}") } else { format!("{k}: {u} ({d})") })
        .collect();
    let changes: Vec<(&str, String, String)> = ledger.changes.clone();
    store::add_changes(db, scope, &changes, now()).await?;
    Ok((summary, lines))
}

async fn sync_licenses(
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
        Err(e) => tracing::warn!(customer = %scope.customer_id, error = %e, "renewal dates not read"),
    }
    Ok(format!("{} SKUs", records.len()))
}

async fn sync_security(
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

async fn sync_alerts(
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

async fn sync_health(
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

async fn sync_groups(
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

/// The job kind of a customer's sync.
pub const JOB_KIND: &str = "m365_sync";

/// The Graph application permissions the app registration needs, with what each is for.
pub const PERMISSIONS: &[(&str, &str)] = &[
    ("User.Read.All", "users and their licenses"),
    ("AuditLog.Read.All", "last sign-in (needs Entra ID P1/P2 in the tenant)"),
    ("Organization.Read.All", "licenses and subscriptions"),
    ("SecurityEvents.Read.All", "Secure Score and improvement actions"),
    ("SecurityAlert.Read.All", "security alerts"),
    ("ServiceHealth.Read.All", "service health"),
    ("GroupMember.Read.All", "groups and their members"),
];

pub fn area_label(area: &str) -> &'static str {
    match area {
        "users" => "Users (changes)",
        "users_full" => "Users (full read, sign-ins)",
        "licenses" => "Licenses",
        "security" => "Secure Score",
        "alerts" => "Security alerts",
        "health" => "Service health",
        "groups" => "Groups",
        _ => "Other",
    }
}

/// The job payload: which customer to sync.
#[derive(serde::Serialize, serde::Deserialize)]
struct SyncJob {
    msp_id: uuid::Uuid,
    customer_id: uuid::Uuid,
}

fn job(scope: CustomerScope) -> crate::db::jobs::NewJob {
    crate::db::jobs::NewJob {
        id: crate::model::new_id(),
        msp_id: Some(scope.msp_id),
        kind: JOB_KIND,
        payload: serde_json::to_string(&SyncJob { msp_id: scope.msp_id, customer_id: scope.customer_id })
            .expect("serialisable"),
        summary: format!("sync {}", scope.customer_id),
        max_attempts: 3,
    }
}

/// Staff ask for a sync now: it is queued for the job runner.
pub async fn request(db: &Db, actor: &crate::policy::Actor, customer_id: uuid::Uuid) -> AppResult<()> {
    let c = crate::services::customers::get(db, actor, customer_id).await?;
    actor.require(crate::policy::Action::UseConsole, None)?;
    if c.m365_tenant_id.as_deref().is_none_or(|t| t.trim().is_empty()) {
        return Err(AppError::BadRequest("Enter the customer's Microsoft 365 tenant ID first.".into()));
    }
    let scope = actor.customer_scope(c.id)?;
    let fx = crate::db::jobs::Effects { jobs: vec![job(scope)], ..Default::default() };
    Ok(crate::db::jobs::write(db, &fx, now()).await?)
}

/// Queues a sync for every customer whose turn it is; each customer's next run moves on
/// when it is queued, so instances never queue one twice.
pub async fn schedule_due(db: &Db, every: Duration) -> AppResult<usize> {
    let t = now();
    let due = store::due(db, t, 100).await?;
    let mut queued = 0;
    for (msp_id, customer_id) in due {
        let scope = CustomerScope { msp_id, customer_id };
        if store::claim_turn(db, scope, t, t + every).await? {
            crate::db::jobs::write(db, &crate::db::jobs::Effects { jobs: vec![job(scope)], ..Default::default() }, t)
                .await?;
            queued += 1;
        }
    }
    Ok(queued)
}

/// Runs a queued sync job (the job runner calls this).
pub async fn run_job(
    db: &Db,
    graph: &GraphClient,
    key: Option<&crate::auth::seal::SealKey>,
    every: Duration,
    public_url: &str,
    payload: &str,
) -> Result<(), (bool, String)> {
    let job: SyncJob = serde_json::from_str(payload).map_err(|e| (true, format!("unreadable job: {e}")))?;
    let scope = CustomerScope { msp_id: job.msp_id, customer_id: job.customer_id };
    match sync_customer(db, graph, key, scope, every, public_url).await {
        Ok(_) => Ok(()),
        Err(AppError::NotFound) => Err((true, "the customer no longer exists".into())),
        Err(e) => Err((false, e.to_string())),
    }
}

/// A customer's sync as the console shows it.
pub struct Status {
    pub customer_id: uuid::Uuid,
    pub customer_name: String,
    pub tenant: Option<String>,
    pub next_sync_at: Option<OffsetDateTime>,
    pub sign_ins: bool,
    pub areas: Vec<store::AreaRow>,
    /// A sync is waiting in the queue.
    pub queued: bool,
}

pub async fn status(db: &Db, actor: &crate::policy::Actor, customer_id: uuid::Uuid) -> AppResult<Status> {
    let c = crate::services::customers::get(db, actor, customer_id).await?;
    let scope = actor.customer_scope(c.id)?;
    let row = db::customers::get(db, scope).await?.ok_or(AppError::NotFound)?;
    let (sign_ins, next_sync_at) = db::m365::tenant_state(db, scope).await?.unwrap_or((true, None));
    let mut areas = store::areas(db, scope).await?;
    areas.sort_by_key(|a| AREAS.iter().position(|x| *x == a.area).unwrap_or(AREAS.len()));
    let queued = store::sync_queued(db, scope, JOB_KIND).await?;
    Ok(Status {
        customer_id: c.id,
        customer_name: c.name,
        tenant: row.m365_tenant_id,
        next_sync_at,
        sign_ins,
        areas,
        queued,
    })
}

/// Every customer of the actor's MSP with its tenant and sync state.
pub async fn connections(db: &Db, actor: &crate::policy::Actor) -> AppResult<Vec<store::ConnectionRow>> {
    actor.require(crate::policy::Action::UseConsole, None)?;
    Ok(store::connections(db, actor.msp()).await?)
}

/// "Test connection": a token, then the first page of each area, each reported on its own
/// with what is missing (wrong tenant id, consent not granted, a permission …).
pub async fn test_connection(
    db: &Db,
    graph: &GraphClient,
    key: Option<&crate::auth::seal::SealKey>,
    actor: &crate::policy::Actor,
    customer_id: uuid::Uuid,
) -> AppResult<Vec<(&'static str, Result<String, String>)>> {
    let c = crate::services::customers::get(db, actor, customer_id).await?;
    actor.require(crate::policy::Action::UseConsole, None)?;
    let scope = actor.customer_scope(c.id)?;
    let creds = match credentials(db, key, scope).await {
        Ok(c) => c,
        Err(AppError::BadRequest(why)) => return Ok(vec![("Setup", Err(why))]),
        Err(e) => return Err(e),
    };
    if let Err(e) = graph.access_token(&creds).await {
        return Ok(vec![("Sign-in to the tenant", Err(describe(&e)))]);
    }
    let mut out: Vec<(&'static str, Result<String, String>)> =
        vec![("Sign-in to the tenant", Ok("token issued".into()))];
    let users = match graph.users(&creds).await {
        Ok(p) => Ok(match p.sign_in() {
            SignInAvailability::Available => "readable, with last sign-in".to_string(),
            SignInAvailability::NotLicensed => "readable; last sign-in not available (no Entra ID P1/P2)".into(),
            SignInAvailability::PermissionMissing => "readable; last sign-in needs AuditLog.Read.All".into(),
        }),
        Err(e) => Err(describe(&e)),
    };
    out.push(("Users", users));
    let first = |r: Result<Option<usize>, GraphError>| {
        r.map(|n| format!("readable ({} on the first page)", n.unwrap_or(0))).map_err(|e| describe(&e))
    };
    out.push(("Licenses", first(graph.subscribed_skus(&creds).next_page().await.map(|p| p.map(|v| v.len())))));
    out.push(("Secure Score", first(graph.secure_scores(&creds, 1).next_page().await.map(|p| p.map(|v| v.len())))));
    out.push(("Security alerts", first(graph.alerts(&creds).next_page().await.map(|p| p.map(|v| v.len())))));
    out.push(("Service health", first(graph.service_health(&creds).next_page().await.map(|p| p.map(|v| v.len())))));
    out.push(("Groups", first(graph.groups(&creds).next_page().await.map(|p| p.map(|v| v.len())))));
    Ok(out)
}
