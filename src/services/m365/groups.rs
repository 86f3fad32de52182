//! The tenant's groups: Microsoft 365 groups, distribution lists and security groups, with
//! their direct member counts, read-only. Behind the user directory's toggle.

use serde::Serialize;

use super::directory::one_of;
use super::{Freshness, Tenant};
use crate::db::m365::{self as q, GroupFilter, GroupRow, GroupSort};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::model::Feature;
use crate::model::{self, FieldError, SyncArea};
use crate::policy::Actor;

const FEATURE: Feature = Feature::UserDirectory;

/// The kinds of group the sync stores, as Microsoft Graph tells them apart: `groupTypes`
/// contains `Unified` (Microsoft 365), else by `mailEnabled` and `securityEnabled`.
pub const KINDS: [(&str, &str); 4] = [
    ("microsoft365", "Microsoft 365"),
    ("distribution", "Distribution list"),
    ("mail_security", "Mail-enabled security"),
    ("security", "Security"),
];

fn kind_label(kind: &str) -> String {
    KINDS.iter().find(|(k, _)| *k == kind).map(|(_, l)| *l).unwrap_or(kind).to_string()
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct M365Group {
    /// The group's Microsoft Entra object id.
    pub id: String,
    pub name: String,
    /// `microsoft365`, `distribution`, `mail_security` or `security`.
    pub kind: String,
    /// The kind as people call it, e.g. "Distribution list".
    pub kind_label: String,
    /// The group's mail address (absent for groups that take no mail).
    pub mail: Option<String>,
    /// Direct members (people, devices and nested groups).
    pub members: i64,
}

impl From<GroupRow> for M365Group {
    fn from(g: GroupRow) -> M365Group {
        M365Group {
            kind_label: kind_label(&g.kind),
            id: g.id,
            name: g.name,
            kind: g.kind,
            mail: g.mail,
            members: g.members,
        }
    }
}

/// A kind to filter by, with how many groups of it the tenant has.
#[derive(Debug, Clone, Serialize)]
pub struct KindChoice {
    pub key: &'static str,
    pub label: &'static str,
    pub count: i64,
}

/// What a groups list asks for, as the caller gave it.
#[derive(Debug, Clone, Default)]
pub struct GroupsInput {
    pub search: String,
    /// A key of `KINDS`, or empty.
    pub kind: String,
    /// `name` (or empty) or `members`.
    pub sort: String,
    pub desc: bool,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Groups {
    pub items: Vec<M365Group>,
    /// Groups matching the filters.
    pub total: i64,
    /// Groups in the tenant, whatever the filters.
    pub all: i64,
    pub page: i64,
    pub per_page: i64,
    pub sort: &'static str,
    pub kinds: Vec<KindChoice>,
    /// The customer is linked to a Microsoft 365 tenant (without one the list is empty).
    pub connected: bool,
    pub freshness: Freshness,
}

/// One page of the tenant's groups.
pub async fn groups(
    db: &Db,
    actor: &Actor,
    customer_id: crate::model::CustomerId,
    input: GroupsInput,
) -> AppResult<Groups> {
    let t = Tenant::open(db, actor, customer_id, FEATURE).await?;
    let keys: Vec<&str> = KINDS.iter().map(|(k, _)| *k).collect();
    let mut errors: Vec<FieldError> = vec![];
    let mut check = |r: Result<String, FieldError>| r.map_err(|e| errors.push(e)).unwrap_or_default();
    let filter = GroupFilter {
        search: check(model::text("q", &input.search, 200, false)),
        kind: check(one_of("kind", &input.kind, &keys)),
    };
    let sort = match input.sort.as_str() {
        "" => GroupSort::Name,
        s => GroupSort::parse(s).ok_or_else(|| {
            let keys: Vec<&str> = GroupSort::KEYS.iter().map(|(k, _)| *k).collect();
            AppError::BadRequest(format!("sort must be one of {}.", keys.join(", ")))
        })?,
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let (page, per_page) = (input.page.max(1), input.per_page.clamp(1, 200));
    let connected = t.customer.m365_tenant_id.as_deref().is_some_and(|id| !id.is_empty());
    // Groups a sync stored before the tenant was unlinked are no longer the customer's.
    let (rows, total, counts) = if connected {
        let (rows, total) =
            q::groups(db, t.scope, &filter, (sort, input.desc), per_page, (page - 1) * per_page).await?;
        (rows, total, q::group_kinds(db, t.scope).await?)
    } else {
        (vec![], 0, vec![])
    };
    let kinds = KINDS
        .iter()
        .map(|(key, label)| {
            let count = counts.iter().find(|(k, _)| k == key).map(|(_, n)| *n).unwrap_or(0);
            KindChoice { key, label, count }
        })
        .collect();
    Ok(Groups {
        items: rows.into_iter().map(M365Group::from).collect(),
        total,
        all: counts.iter().map(|(_, n)| n).sum(),
        page,
        per_page,
        sort: sort.key(),
        kinds,
        connected,
        freshness: t.freshness(db, &[SyncArea::Groups]).await?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_have_labels_and_unknown_ones_keep_their_key() {
        assert_eq!(kind_label("mail_security"), "Mail-enabled security");
        assert_eq!(kind_label("dynamic"), "dynamic");
    }
}
