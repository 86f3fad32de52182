//! What the MSP decides per customer: when a license counts as unused, which alerts the
//! customer sees, license and renewal warnings, which alerts notify, and SKU prices.

use serde::Serialize;

use super::{is_free, product_name, Tenant};
use crate::db::m365_sync::{self, OptionsRow};
use crate::db::{m365 as q, Db};
use crate::error::{AppError, AppResult};
use crate::model::{Currency, FieldError, Money, Severity, SyncArea};
use crate::policy::{Action, Actor};

/// Alert severities, most severe first.
/// The severities the options offer, most severe first.
pub const SEVERITIES: [&str; 4] =
    [Severity::ALL[0].key(), Severity::ALL[1].key(), Severity::ALL[2].key(), Severity::ALL[3].key()];

/// A SKU and the price the MSP set for it.
#[derive(Debug, Clone, Serialize)]
pub struct Pricing {
    pub sku_id: String,
    pub product_name: String,
    pub sku_part_number: String,
    pub total: i64,
    pub free: bool,
    pub price: Option<Money>,
}

async fn staff_tenant(db: &Db, actor: &Actor, customer_id: crate::model::CustomerId) -> AppResult<Tenant> {
    let customer = crate::services::customers::get(db, actor, customer_id).await?;
    actor.require(Action::UseConsole, None)?;
    Tenant::of(db, actor, customer).await
}

async fn msp_currency(db: &Db, actor: &Actor) -> AppResult<Currency> {
    Ok(Currency::from_stored(&crate::db::msps::currency(db, actor.msp()).await?))
}

/// The MSP's choices, the SKU prices of a customer and the currency they are in (staff).
pub async fn options(
    db: &Db,
    actor: &Actor,
    customer_id: crate::model::CustomerId,
) -> AppResult<(OptionsRow, Vec<Pricing>, Currency)> {
    let t = staff_tenant(db, actor, customer_id).await?;
    let currency = msp_currency(db, actor).await?;
    let mut prices: Vec<Pricing> = q::skus(db, t.scope)
        .await?
        .into_iter()
        .map(|s| Pricing {
            product_name: product_name(&s.part_number),
            free: is_free(&s.part_number, s.enabled),
            sku_id: s.sku_id,
            sku_part_number: s.part_number,
            total: s.enabled,
            price: s.price_cents.map(|minor| Money::new(minor, currency)),
        })
        .collect();
    prices.sort_by(|a, b| (a.free, &a.product_name).cmp(&(b.free, &b.product_name)));
    Ok((m365_sync::options(db, t.scope).await?, prices, currency))
}

/// The options form as submitted.
#[derive(Debug, Clone, Default)]
pub struct OptionsInput {
    pub unused_days: String,
    pub alert_severities: Vec<String>,
    pub license_threshold: String,
    pub renewal_days: String,
    pub notify_severity: String,
}

fn number(field: &'static str, raw: &str, range: std::ops::RangeInclusive<i64>, errors: &mut Vec<FieldError>) -> i64 {
    match raw.trim().parse::<i64>() {
        Ok(n) if range.contains(&n) => n,
        _ => {
            errors.push(FieldError::new(
                field,
                format!("Enter a whole number from {} to {}.", range.start(), range.end()),
            ));
            0
        }
    }
}

/// Saves the options (staff who manage customers).
pub async fn save_options(
    db: &Db,
    actor: &Actor,
    customer_id: crate::model::CustomerId,
    input: OptionsInput,
) -> AppResult<OptionsRow> {
    let t = staff_tenant(db, actor, customer_id).await?;
    actor.require(Action::ManageCustomers, None)?;
    let mut errors = vec![];
    let unused_days = number("unused_days", &input.unused_days, 7..=365, &mut errors);
    let license_threshold = number("license_threshold", &input.license_threshold, 50..=100, &mut errors);
    let renewal_days = number("renewal_days", &input.renewal_days, 1..=365, &mut errors);
    let chosen: Vec<&str> =
        SEVERITIES.iter().copied().filter(|s| input.alert_severities.iter().any(|c| c == s)).collect();
    if input.alert_severities.iter().any(|c| !SEVERITIES.contains(&c.as_str())) {
        errors.push(FieldError::new("alert_severities", "Choose from high, medium, low and informational."));
    }
    let notify = input.notify_severity.trim();
    if !SEVERITIES.contains(&notify) {
        errors.push(FieldError::new("notify_severity", "Choose a severity."));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let row = OptionsRow {
        unused_days,
        alert_severities: chosen.join(","),
        license_threshold,
        renewal_days,
        notify_severity: notify.to_string(),
    };
    m365_sync::save_options(db, t.scope, &row).await?;
    super::forget(customer_id);
    Ok(row)
}

/// Sets the monthly price per license of the tenant's SKUs (staff who manage customers):
/// (SKU id, amount as typed; empty clears it). Every amount is checked before any is saved.
pub async fn set_prices(
    db: &Db,
    actor: &Actor,
    customer_id: crate::model::CustomerId,
    prices: &[(String, String)],
) -> AppResult<()> {
    let t = staff_tenant(db, actor, customer_id).await?;
    actor.require(Action::ManageCustomers, None)?;
    let skus = q::skus(db, t.scope).await?;
    let currency = msp_currency(db, actor).await?;
    let mut problems = vec![];
    let mut parsed = vec![];
    for (sku, raw) in prices {
        let Some(s) = skus.iter().find(|s| &s.sku_id == sku) else {
            problems.push("A product in the form is no longer in the tenant: reload the page.".to_string());
            continue;
        };
        match Money::parse("prices", raw, currency) {
            Ok(price) => parsed.push((sku.clone(), price.map(Money::minor))),
            Err(e) => problems.push(format!("{}: {}", product_name(&s.part_number), e.message)),
        }
    }
    if !problems.is_empty() {
        return Err(FieldError::new("prices", problems.join(" ")).into());
    }
    q::save_prices(db, t.scope, &parsed).await?;
    super::forget(customer_id);
    Ok(())
}

/// One synced area as staff see it.
#[derive(Debug, Clone, Serialize)]
pub struct AreaStatus {
    pub area: String,
    pub label: &'static str,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_success: Option<crate::db::Ts>,
    pub last_error: Option<String>,
}

/// The state of each area's sync, and when the next one is due (staff).
pub async fn sync_status(
    db: &Db,
    actor: &Actor,
    customer_id: crate::model::CustomerId,
) -> AppResult<(Vec<AreaStatus>, Option<crate::db::Ts>)> {
    let t = staff_tenant(db, actor, customer_id).await?;
    let position = |area: &str| SyncArea::parse(area).map_or(usize::MAX, |a| a as usize);
    let mut areas: Vec<AreaStatus> = crate::db::m365_sync::areas(db, t.scope)
        .await?
        .into_iter()
        .map(|a| (a.area, a.last_success_at, a.last_error))
        .map(|(area, last_success, last_error)| AreaStatus {
            label: SyncArea::parse(&area).map_or("Other", SyncArea::label),
            area,
            last_success,
            last_error,
        })
        .collect();
    areas.sort_by_key(|a| position(&a.area));
    let next = q::tenant_state(db, t.scope).await?.and_then(|(_, next)| next);
    Ok((areas, next))
}
