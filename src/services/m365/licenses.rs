//! Licenses: per SKU what was bought, what is assigned and what it costs; the trend; the
//! licenses nobody uses; and asking for more (a support ticket).

use std::collections::BTreeMap;

use serde::Serialize;

use super::{day_ago, is_free, product_name, Freshness, LicenseRef, M365User, Tenant};
use crate::db::m365::{self as q, SkuRow, UserFilter, UserSort};
use crate::db::{m365_sync, Db, Ts};
use crate::error::{AppError, AppResult};
use crate::model::{self, now, Currency, Entered, Feature, FieldError, Money, SyncArea};
use crate::policy::{Action, Actor};
use crate::services::tickets::{self, NewTicketInput};

const FEATURE: Feature = Feature::Licenses;
const AREAS: &[SyncArea] = &[SyncArea::Licenses];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LicenseRow {
    pub sku_id: String,
    pub sku_part_number: String,
    pub product_name: String,
    /// Units bought and active (the subscription's enabled prepaid units).
    pub total: i64,
    /// Units assigned to users.
    pub assigned: i64,
    /// Units left to assign (never below zero).
    pub available: i64,
    /// Assigned as a share of total, in percent (rounded down; 100 when over).
    pub utilisation_percent: i64,
    /// `active`, `warning` (expired, in its grace period), `suspended` or `deleted`.
    pub status: &'static str,
    /// `ok`, `near` (at or above the MSP's threshold), `full` or `over` (more assigned than bought).
    pub capacity: &'static str,
    /// Units in a grace period after the subscription expired.
    pub warning_units: i64,
    pub suspended_units: i64,
    /// A free or self-service SKU: left out of totals, trends and unused licenses.
    pub free: bool,
    /// The next renewal (YYYY-MM-DD), when known.
    pub renewal_date: Option<String>,
    /// The renewal falls within the MSP's renewal window (or has passed).
    pub renewal_due: bool,
    /// Price per license per month; only when costs are visible to the caller and set.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "12.50")]
    pub price_per_license: Option<Money>,
    /// `total` × price per month; only when costs are visible to the caller and a price is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "1250.00")]
    pub monthly_cost: Option<Money>,
    /// The ISO 4217 code of the amounts; present with them.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "EUR")]
    pub currency: Option<Currency>,
}

fn status(capability: &str, enabled: i64, suspended: i64, warning: i64) -> &'static str {
    match capability.to_ascii_lowercase().as_str() {
        "suspended" | "lockedout" => "suspended",
        "deleted" => "deleted",
        "warning" => "warning",
        _ if warning > 0 => "warning",
        _ if enabled == 0 && suspended > 0 => "suspended",
        _ => "active",
    }
}

fn capacity(assigned: i64, total: i64, threshold: i64) -> &'static str {
    if assigned > total {
        "over"
    } else if total > 0 && assigned == total {
        "full"
    } else if total > 0 && assigned * 100 >= threshold * total {
        "near"
    } else {
        "ok"
    }
}

fn percent(part: i64, whole: i64) -> i64 {
    if whole <= 0 {
        if part > 0 {
            100
        } else {
            0
        }
    } else {
        (part * 100 / whole).min(100)
    }
}

/// What the MSP chose for the customer, read once per view.
struct Rules {
    threshold: i64,
    renewal_days: i64,
    /// The MSP's currency when the caller sees costs; `None` hides every amount.
    costs: Option<Currency>,
}

impl LicenseRow {
    fn of(s: &SkuRow, r: &Rules) -> LicenseRow {
        let price = s.price_cents.zip(r.costs).map(|(minor, c)| Money::new(minor, c));
        let renewal_due = s.renewal_at.is_some_and(|at| at <= now() + time::Duration::days(r.renewal_days));
        LicenseRow {
            sku_id: s.sku_id.clone(),
            sku_part_number: s.part_number.clone(),
            product_name: product_name(&s.part_number),
            total: s.enabled,
            assigned: s.consumed,
            available: (s.enabled - s.consumed).max(0),
            utilisation_percent: percent(s.consumed, s.enabled),
            status: status(&s.capability_status, s.enabled, s.suspended, s.warning),
            capacity: capacity(s.consumed, s.enabled, r.threshold),
            warning_units: s.warning,
            suspended_units: s.suspended,
            free: is_free(&s.part_number, s.enabled),
            renewal_date: s.renewal_at.map(|at| at.date().to_string()),
            renewal_due,
            price_per_license: price,
            monthly_cost: price.map(|p| p.times(s.enabled)),
            currency: price.map(Money::currency),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct LicenseSummary {
    /// Paid SKUs only (free ones are left out).
    pub assigned: i64,
    pub total: i64,
    pub available: i64,
    pub utilisation_percent: i64,
    /// Paid SKUs at or above the threshold, full or over.
    pub near_capacity: i64,
    /// SKUs whose renewal falls within the renewal window.
    pub renewals_due: i64,
    /// The MSP's threshold (percent) and renewal window (days) for this customer.
    pub threshold_percent: i64,
    pub renewal_days: i64,
    /// Whether the caller sees prices and costs.
    pub costs_visible: bool,
    /// All priced SKUs per month; only when costs are visible and at least one price is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "4310.00")]
    pub monthly_cost: Option<Money>,
    /// The ISO 4217 code the MSP bills in; present when costs are visible.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "EUR")]
    pub currency: Option<Currency>,
}

/// Paid SKUs, day by day.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrendPoint {
    /// YYYY-MM-DD
    pub day: String,
    pub assigned: i64,
    pub total: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Licenses {
    pub items: Vec<LicenseRow>,
    pub summary: LicenseSummary,
    /// The cost-visibility toggle of the customer (staff see costs either way).
    pub cost_visibility: bool,
    pub trend: Vec<TrendPoint>,
    pub freshness: Freshness,
}

/// The MSP's currency when `actor` sees costs of the tenant, else `None`.
async fn costs(db: &Db, actor: &Actor, t: &Tenant) -> AppResult<Option<Currency>> {
    if !actor.sees_costs(&t.features) {
        return Ok(None);
    }
    Ok(Some(Currency::from_stored(&crate::db::msps::currency(db, actor.msp()).await?)))
}

async fn rules(db: &Db, actor: &Actor, t: &Tenant) -> AppResult<Rules> {
    let o = m365_sync::options(db, t.scope).await?;
    Ok(Rules { threshold: o.license_threshold, renewal_days: o.renewal_days, costs: costs(db, actor, t).await? })
}

fn summarise(rows: &[LicenseRow], r: &Rules) -> LicenseSummary {
    let paid: Vec<&LicenseRow> = rows.iter().filter(|l| !l.free).collect();
    let (assigned, total) = paid.iter().fold((0, 0), |(a, t), l| (a + l.assigned, t + l.total));
    let priced: Vec<Money> = rows.iter().filter_map(|l| l.monthly_cost).collect();
    LicenseSummary {
        assigned,
        total,
        available: paid.iter().map(|l| l.available).sum(),
        utilisation_percent: percent(assigned, total),
        near_capacity: paid.iter().filter(|l| l.capacity != "ok").count() as i64,
        renewals_due: rows.iter().filter(|l| l.renewal_due).count() as i64,
        threshold_percent: r.threshold,
        renewal_days: r.renewal_days,
        costs_visible: r.costs.is_some(),
        monthly_cost: priced.into_iter().reduce(|a, b| a + b),
        currency: r.costs,
    }
}

/// Sums the history of the SKUs `keep` accepts, per day.
fn trend(history: &[(String, String, i64, i64)], keep: impl Fn(&str, i64) -> bool) -> Vec<TrendPoint> {
    let mut days: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for (sku, day, assigned, total) in history {
        if keep(sku, *total) {
            let d = days.entry(day).or_default();
            d.0 += assigned;
            d.1 += total;
        }
    }
    days.into_iter().map(|(day, (assigned, total))| TrendPoint { day: day.into(), assigned, total }).collect()
}

fn rows_of(skus: &[SkuRow], r: &Rules) -> Vec<LicenseRow> {
    let mut rows: Vec<LicenseRow> = skus.iter().map(|s| LicenseRow::of(s, r)).collect();
    rows.sort_by(|a, b| (a.free, &a.product_name).cmp(&(b.free, &b.product_name)));
    rows
}

/// Every SKU of the tenant, the summary and the 90-day trend of paid SKUs.
pub async fn licenses(db: &Db, actor: &Actor, customer_id: crate::model::CustomerId) -> AppResult<Licenses> {
    let t = Tenant::open(db, actor, customer_id, FEATURE).await?;
    of_tenant(db, actor, &t).await
}

pub(super) async fn of_tenant(db: &Db, actor: &Actor, t: &Tenant) -> AppResult<Licenses> {
    let r = rules(db, actor, t).await?;
    let skus = q::skus(db, t.scope).await?;
    let items = rows_of(&skus, &r);
    let history = q::sku_history(db, t.scope, &day_ago(89)).await?;
    let part = |sku: &str| skus.iter().find(|s| s.sku_id == sku).map(|s| s.part_number.as_str()).unwrap_or("");
    Ok(Licenses {
        summary: summarise(&items, &r),
        items,
        cost_visibility: t.features.cost_visibility,
        trend: trend(&history, |sku, total| !is_free(part(sku), total)),
        freshness: t.freshness(db, AREAS).await?,
    })
}

/// One SKU: its figures, its trend and (when the directory may be seen) who holds it.
#[derive(Debug, Clone, Serialize)]
pub struct SkuDetail {
    pub license: LicenseRow,
    pub trend: Vec<TrendPoint>,
    /// Absent when the caller may not see the user directory.
    pub holders: Option<Vec<M365User>>,
    pub holders_total: i64,
    pub page: i64,
    pub per_page: i64,
    pub freshness: Freshness,
}

pub async fn sku(
    db: &Db,
    actor: &Actor,
    customer_id: crate::model::CustomerId,
    sku_id: &str,
    page: i64,
    per_page: i64,
) -> AppResult<SkuDetail> {
    let t = Tenant::open(db, actor, customer_id, FEATURE).await?;
    let r = rules(db, actor, &t).await?;
    let skus = q::skus(db, t.scope).await?;
    let s = skus.iter().find(|s| s.sku_id == sku_id).ok_or(AppError::NotFound)?;
    let history = q::sku_history(db, t.scope, &day_ago(89)).await?;
    let (page, per_page) = (page.max(1), per_page.clamp(1, 200));
    let filter = UserFilter { sku: sku_id.into(), ..Default::default() };
    let (rows, holders_total) =
        q::users(db, t.scope, &filter, (UserSort::Name, false), per_page, (page - 1) * per_page).await?;
    let directory = actor.may(Action::UseFeature(Feature::UserDirectory), Some(&t.features));
    // A holder is shown with this license only.
    let part_of = std::collections::HashMap::from([(s.sku_id.as_str(), s.part_number.as_str())]);
    let holders = directory.then(|| {
        rows.into_iter()
            .map(|mut u| {
                u.licenses = vec![s.sku_id.clone()];
                super::directory::M365User::of(u, &part_of, t.sign_ins)
            })
            .collect()
    });
    Ok(SkuDetail {
        license: LicenseRow::of(s, &r),
        trend: trend(&history, |sku, _| sku == sku_id),
        holders,
        holders_total,
        page,
        per_page,
        freshness: t.freshness(db, AREAS).await?,
    })
}

/// A user whose licenses are not being used, and why.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnusedUser {
    pub user_id: String,
    pub display_name: String,
    pub upn: String,
    /// `disabled` (the account is blocked) or `inactive` (no sign-in within the window).
    pub reason: &'static str,
    /// The last sign-in of an inactive user; absent when they never signed in.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_sign_in: Option<Ts>,
    pub never_signed_in: bool,
    pub licenses: Vec<LicenseRef>,
    /// What these licenses cost per month; only when costs are visible and priced.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "18.80")]
    pub monthly_cost: Option<Money>,
    /// The ISO 4217 code of `monthly_cost`; present with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "EUR")]
    pub currency: Option<Currency>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnusedLicenses {
    pub items: Vec<UnusedUser>,
    /// Users listed (across pages).
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// Licenses those users hold.
    pub license_count: i64,
    /// A license counts as unused after this many days without a sign-in.
    pub unused_days: i64,
    /// False when the tenant has no Entra ID P1/P2: only disabled users are listed then.
    pub sign_ins_available: bool,
    /// The monthly cost of the unused licenses; only when costs are visible and priced.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "244.40")]
    pub monthly_cost: Option<Money>,
    /// The ISO 4217 code of the amounts; present when costs are visible and priced.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "EUR")]
    pub currency: Option<Currency>,
    #[serde(flatten)]
    pub freshness: Freshness,
}

/// Licenses held by disabled users, and by users without a sign-in for the MSP's number of
/// days ("never" counts once the account is older than that). Free SKUs are left out.
pub async fn unused(
    db: &Db,
    actor: &Actor,
    customer_id: crate::model::CustomerId,
    page: i64,
    per_page: i64,
) -> AppResult<UnusedLicenses> {
    let t = Tenant::open(db, actor, customer_id, FEATURE).await?;
    let costs = costs(db, actor, &t).await?;
    let zero = Money::zero(costs.unwrap_or(Currency::DEFAULT));
    let days = m365_sync::options(db, t.scope).await?.unused_days;
    let skus = q::skus(db, t.scope).await?;
    let free = |sku: &str| skus.iter().any(|s| s.sku_id == sku && is_free(&s.part_number, s.enabled));
    let rows = q::unused(db, t.scope, t.sign_ins, now() - time::Duration::days(days)).await?;
    let mut users: Vec<(UnusedUser, bool)> = vec![];
    let mut license_count = 0;
    for r in rows.into_iter().filter(|r| !free(&r.sku_id)) {
        license_count += 1;
        let price = r.price_cents.zip(costs).map(|(minor, c)| Money::new(minor, c));
        let license = LicenseRef::new(&r.sku_id, r.part_number.as_deref());
        match users.last_mut() {
            Some((u, priced)) if u.user_id == r.user_id => {
                u.licenses.push(license);
                u.monthly_cost = Some(u.monthly_cost.unwrap_or(zero) + price.unwrap_or(zero));
                *priced |= price.is_some();
            }
            _ => users.push((
                UnusedUser {
                    reason: if r.enabled { "inactive" } else { "disabled" },
                    never_signed_in: t.sign_ins && r.last_sign_in_at.is_none(),
                    last_sign_in: if t.sign_ins { r.last_sign_in_at } else { None },
                    user_id: r.user_id,
                    display_name: r.display_name,
                    upn: r.upn,
                    licenses: vec![license],
                    monthly_cost: Some(price.unwrap_or(zero)),
                    currency: costs,
                },
                price.is_some(),
            )),
        }
    }
    let any_priced = users.iter().any(|(_, p)| *p);
    let total_cost = users.iter().filter_map(|(u, _)| u.monthly_cost).fold(zero, |a, b| a + b);
    let (page, per_page) = (page.max(1), per_page.clamp(1, 200));
    let total = users.len() as i64;
    let items = users
        .into_iter()
        .skip(((page - 1) * per_page) as usize)
        .take(per_page as usize)
        .map(|(mut u, priced)| {
            if !priced {
                u.monthly_cost = None;
                u.currency = None;
            }
            u
        })
        .collect();
    Ok(UnusedLicenses {
        items,
        total,
        page,
        per_page,
        license_count,
        unused_days: days,
        sign_ins_available: t.sign_ins,
        monthly_cost: any_priced.then_some(total_cost),
        currency: costs.filter(|_| any_priced),
        freshness: t.freshness(db, &[SyncArea::Users, SyncArea::Licenses]).await?,
    })
}

/// A request for more licenses, as the form or API gave it.
#[derive(Debug, Clone, Default)]
pub struct LicenseRequest {
    /// A SKU id of the tenant, or `other` for a product it does not have yet.
    pub sku: String,
    pub quantity: String,
    pub reason: String,
}

/// Raises a support ticket asking the MSP for more licenses; the ticket is returned.
pub async fn request_licenses(
    db: &Db,
    actor: &Actor,
    public_url: &str,
    customer_id: crate::model::CustomerId,
    input: LicenseRequest,
) -> AppResult<crate::db::tickets::TicketRow> {
    let t = Tenant::open(db, actor, customer_id, FEATURE).await?;
    if !actor.may_request_licenses(&t.features) {
        return Err(AppError::Forbidden);
    }
    let skus = q::skus(db, t.scope).await?;
    let mut errors = vec![];
    let sku = match input.sku.trim() {
        "other" => None,
        id => match skus.iter().find(|s| s.sku_id == id) {
            Some(s) => Some(s),
            None => {
                errors.push(FieldError::new("sku", "Choose a product."));
                None
            }
        },
    };
    let quantity = match input.quantity.trim().parse::<i64>() {
        Ok(n) if (1..=10_000).contains(&n) => n,
        _ => {
            errors.push(FieldError::new("quantity", "Enter how many licenses, from 1 to 10000."));
            0
        }
    };
    let reason = model::text("reason", &input.reason, 2000, input.sku.trim() == "other")
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let plural = if quantity == 1 { "license" } else { "licenses" };
    let (title, mut description) = match sku {
        Some(s) => {
            let name = product_name(&s.part_number);
            (
                format!("License request: {quantity} × {name}"),
                format!(
                    "Please add {quantity} {plural} of {name} ({}).\n\nToday {} of {} are assigned, {} available.",
                    s.part_number,
                    s.consumed,
                    s.enabled,
                    (s.enabled - s.consumed).max(0)
                ),
            )
        }
        None => (
            format!("License request: {quantity} × another product"),
            format!("Please add {quantity} {plural} of a product we don't have yet (see the reason below)."),
        ),
    };
    if !reason.is_empty() {
        description.push_str(&format!("\n\nReason: {reason}"));
    }
    description.push_str("\n\nSent from the Licenses page of the portal.");
    let settings = tickets::settings(db, actor.msp()).await?;
    let priority = settings.priorities.iter().find(|p| p.is_default).or(settings.priorities.first());
    let category = settings.categories.iter().find(|c| c.name.eq_ignore_ascii_case("Microsoft 365"));
    let input = NewTicketInput {
        title,
        description,
        priority: priority.map(|p| p.id).into(),
        category: category.map(|c| c.id).into(),
        watchers: Entered::Blank,
        customer: Some(t.customer.id),
        external_id: None,
        external_system: None,
    };
    tickets::create(db, actor, public_url, input).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_follows_capability_and_units() {
        assert_eq!(status("Enabled", 10, 0, 0), "active");
        assert_eq!(status("Warning", 0, 0, 10), "warning");
        assert_eq!(status("Enabled", 10, 0, 5), "warning");
        assert_eq!(status("Suspended", 0, 10, 0), "suspended");
        assert_eq!(status("LockedOut", 0, 0, 0), "suspended");
        assert_eq!(status("Enabled", 0, 4, 0), "suspended");
        assert_eq!(status("Deleted", 0, 0, 0), "deleted");
    }

    #[test]
    fn capacity_uses_the_threshold() {
        assert_eq!(capacity(80, 100, 90), "ok");
        assert_eq!(capacity(90, 100, 90), "near");
        assert_eq!(capacity(100, 100, 90), "full");
        assert_eq!(capacity(101, 100, 90), "over");
        assert_eq!(capacity(0, 0, 90), "ok");
        assert_eq!(capacity(3, 0, 90), "over");
        assert_eq!(percent(24, 25), 96);
        assert_eq!(percent(30, 25), 100);
    }
}
