//! Demo Microsoft 365 tenants, written through the sync's own SQL as if a sync had just
//! run: a deterministic directory (people, shared mailboxes, leavers, the inactive and the
//! never-signed-in), SKUs with 90 days of history, secure score, improvement actions,
//! alerts, service health, groups, a change log and the sync state.

mod changes;
mod directory;
mod groups;
mod health;
mod licenses;
mod rng;
mod security;

use time::{Duration, OffsetDateTime};

use crate::db::m365_sync as w;
use crate::db::{CustomerScope, Db};
use crate::error::AppResult;
use crate::model::now;
use rng::Rng;

/// A SKU of a demo tenant: who gets it, how much headroom it has, how it grew.
struct DemoSku {
    part: &'static str,
    sku_id: &'static str,
    /// Units bought beyond what is assigned today.
    headroom: i64,
    /// Assigned 90 days ago = today's minus this.
    growth: i64,
    /// Units bought during the last 90 days (the total steps up 40 days ago).
    bought: i64,
    renewal_days: i64,
    /// Monthly price per license in cents, when the MSP set one.
    price: Option<i64>,
}

const SPB: &str = "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46";
const BASIC: &str = "3b555118-da6a-4418-894f-7df1e2096870";
const STANDARD: &str = "f245ecc8-75af-4f8e-b61f-27d8114de5f3";
const E3_OFFICE: &str = "6fd2c87f-b296-42f0-b197-1e91e994b900";
const E3: &str = "05e9a617-0261-4cee-bb44-138d3ef5d965";
const EXCHANGE: &str = "4b9405b0-7788-4568-add1-99614e613b69";
const POWER_BI: &str = "f8a1db68-be16-40ed-86d5-cb42ce701560";
const FLOW: &str = "f30db892-07e9-47e9-837c-80727f46fd3d";
const ENTRA_P1: &str = "078d2b04-f1bd-4111-bbd4-b4b1b354cef4";
const VISIO: &str = "c5928f49-12ba-48f7-ada3-0d743a3601d5";
const PROJECT: &str = "53818b1b-4a27-454b-8896-0dba576410e6";

/// One demo tenant.
struct DemoTenant {
    domain: &'static str,
    seed: u64,
    people: usize,
    sign_ins: bool,
    offices: &'static [&'static str],
    /// The SKU everyone gets, and the one front-line departments get instead.
    main: &'static str,
    frontline: Option<&'static str>,
    skus: &'static [DemoSku],
    /// Secure score: maximum, and the share achieved 90 days ago and today (percent).
    score: (f64, f64, f64),
}

const fn sku(part: &'static str, sku_id: &'static str, headroom: i64, growth: i64, renewal_days: i64) -> DemoSku {
    DemoSku { part, sku_id, headroom, growth, bought: 0, renewal_days, price: None }
}

const CONTOSO: DemoTenant = DemoTenant {
    domain: "contoso.com",
    seed: 0xC0_7050,
    people: 294,
    sign_ins: true,
    offices: &["London", "Manchester", "Edinburgh", "Remote"],
    main: SPB,
    frontline: Some(BASIC),
    skus: &[
        DemoSku { bought: 20, price: Some(1880), ..sku("SPB", SPB, 28, 14, 21) },
        DemoSku { price: Some(540), ..sku("O365_BUSINESS_ESSENTIALS", BASIC, 15, 3, 140) },
        DemoSku { price: Some(1190), ..sku("POWER_BI_PRO", POWER_BI, 1, 6, 140) },
        DemoSku { price: Some(1310), ..sku("VISIOCLIENT", VISIO, 3, 1, 140) },
        DemoSku { price: Some(2620), ..sku("PROJECTPROFESSIONAL", PROJECT, 4, 0, 140) },
        sku("FLOW_FREE", FLOW, 9_960, 6, 300),
    ],
    score: (274.0, 51.0, 63.5),
};

const FABRIKAM: DemoTenant = DemoTenant {
    domain: "fabrikam.com",
    seed: 0xFAB_41CA,
    people: 116,
    sign_ins: true,
    offices: &["Seattle", "Denver", "Remote"],
    main: E3,
    frontline: None,
    skus: &[
        sku("SPE_E3", E3, 16, 7, 17),
        sku("EXCHANGESTANDARD", EXCHANGE, 5, 2, 200),
        sku("POWER_BI_PRO", POWER_BI, 0, 3, 200),
        sku("AAD_PREMIUM", ENTRA_P1, 4, 0, 200),
    ],
    score: (302.0, 44.0, 58.0),
};

const ADATUM: DemoTenant = DemoTenant {
    domain: "adatum.com",
    seed: 0xADA_7000,
    people: 57,
    sign_ins: false,
    offices: &["Amsterdam", "Rotterdam"],
    main: STANDARD,
    frontline: None,
    skus: &[
        sku("O365_BUSINESS_PREMIUM", STANDARD, 3, 4, 90),
        sku("ENTERPRISEPACK", E3_OFFICE, 2, 0, 9),
        sku("EXCHANGESTANDARD", EXCHANGE, 4, 1, 250),
    ],
    score: (236.0, 38.0, 41.0),
};

/// Seeds the demo tenant of the customer at `index` (Contoso, Fabrikam, Adatum), unless
/// its tenant data is already there. Returns whether anything was written.
pub async fn seed(db: &Db, scope: CustomerScope, index: usize) -> AppResult<bool> {
    let Some(t) = [&CONTOSO, &FABRIKAM, &ADATUM].get(index).copied() else { return Ok(false) };
    write(db, scope, t).await
}

/// A tenant of `people` users (plus shared mailboxes) with Contoso's SKUs, for the
/// benchmark of a large customer.
pub async fn seed_large(db: &Db, scope: CustomerScope, people: usize) -> AppResult<bool> {
    let t = DemoTenant { domain: "northwindtraders.com", seed: 0x4E_0D7A, people, ..CONTOSO };
    write(db, scope, &t).await
}

async fn write(db: &Db, scope: CustomerScope, t: &DemoTenant) -> AppResult<bool> {
    if !w::areas(db, scope).await?.is_empty() {
        return Ok(false);
    }
    let at = now();
    let mut rng = Rng(t.seed);
    let users = directory::directory(t, &mut rng, at);
    w::upsert_users(db, scope, &users, at, true).await?;
    w::set_sign_ins(db, scope, t.sign_ins).await?;
    licenses::licenses(db, scope, t, &users, at).await?;
    security::security(db, scope, t, &mut rng, at).await?;
    health::health(db, scope, at).await?;
    groups::groups(db, scope, t, &mut rng, users.len() as i64).await?;
    changes::changes(db, scope, t, &users, at).await?;
    for (area, minutes) in [
        ("users", 12),
        ("licenses", 12),
        ("users_full", 12),
        ("security", 11),
        ("alerts", 11),
        ("health", 4),
        ("groups", 11),
    ] {
        w::record_area(db, scope, area, None, None, at - Duration::minutes(minutes)).await?;
    }
    Ok(true)
}

fn days_ago(at: OffsetDateTime, days: u64, rng: &mut Rng) -> OffsetDateTime {
    at - Duration::days(days as i64) - Duration::minutes(rng.below(600) as i64)
}

fn day(t: OffsetDateTime) -> String {
    t.date().to_string()
}
