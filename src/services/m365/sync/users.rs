//! The users area: full reads and delta rounds, and the change log they leave.

use std::collections::{HashMap, HashSet};

use time::{Duration, OffsetDateTime};

use crate::db::m365_sync::{self as store, UserRecord};
use crate::db::{CustomerScope, Db};
use crate::integrations::graph::{
    self, GraphClient, GraphError, SignInAvailability, TenantCredentials, User, UserChange,
};
use crate::model::{now, SyncArea};

use super::engine::Failure;

/// Full reads of users happen at least this often, for sign-in times.
const FULL_READ_EVERY: Duration = Duration::hours(24);

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

pub(super) async fn sync_users(
    db: &Db,
    graph: &GraphClient,
    creds: &TenantCredentials,
    scope: CustomerScope,
    started: OffsetDateTime,
) -> Result<(String, Vec<String>), Failure> {
    let areas = store::areas(db, scope).await?;
    let state = areas.iter().find(|a| a.area == SyncArea::Users.key());
    let link = state.and_then(|a| a.delta_link.clone());
    let full_due = state.and_then(|a| a.last_success_at).is_none_or(|t| started - t > FULL_READ_EVERY)
        || areas
            .iter()
            .find(|a| a.area == SyncArea::UsersFull.key())
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
        store::record_area(db, scope, SyncArea::Users.key(), None, next.as_deref(), now()).await?;
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
        store::record_area(db, scope, SyncArea::Users.key(), None, next.as_deref(), now()).await?;
        store::record_area(db, scope, SyncArea::UsersFull.key(), None, None, now()).await?;
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
