//! Demo groups: Microsoft 365, distribution and security groups with member counts.

use super::rng::Rng;
use super::DemoTenant;
use crate::db::m365_sync::{self as w, GroupRecord};
use crate::db::{CustomerScope, Db};
use crate::error::AppResult;

pub(super) async fn groups(db: &Db, scope: CustomerScope, t: &DemoTenant, rng: &mut Rng, people: i64) -> AppResult<()> {
    let list: &[(&str, &str, bool)] = &[
        ("All Company", "microsoft365", true),
        ("Sales", "microsoft365", true),
        ("Marketing", "microsoft365", true),
        ("Finance", "microsoft365", true),
        ("Engineering", "microsoft365", true),
        ("Customer Service", "microsoft365", true),
        ("Leadership Team", "microsoft365", true),
        ("Office Move 2025", "microsoft365", true),
        ("sales-leads", "distribution", true),
        ("invoices-team", "distribution", true),
        ("newsletter", "distribution", true),
        ("VPN Users", "security", false),
        ("Finance Share Access", "security", false),
        ("Intune Pilot Devices", "security", false),
        ("Global Admins (break glass)", "mail_security", true),
    ];
    let groups: Vec<GroupRecord> = list
        .iter()
        .map(|(name, kind, mail)| {
            let local = name.to_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), "");
            GroupRecord {
                id: rng.guid(),
                name: (*name).into(),
                kind: (*kind).into(),
                mail: mail.then(|| format!("{local}@{}", t.domain)),
                members: if *name == "All Company" { people } else { 2 + rng.below(40) as i64 },
            }
        })
        .collect();
    w::replace_groups(db, scope, &groups).await?;
    Ok(())
}
