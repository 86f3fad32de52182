//! The user directory: a read-only list of the tenant's users and one user's details.

use std::collections::HashMap;

use serde::Serialize;

use super::{Freshness, LicenseRef, Tenant};
use crate::db::m365::{self as q, UserFilter, UserRecord, UserSort};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::model::{self, Feature, FieldError, SyncArea};
use crate::policy::Actor;

const FEATURE: Feature = Feature::UserDirectory;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct M365User {
    #[serde(flatten)]
    pub user: UserRecord,
    pub licenses: Vec<LicenseRef>,
    /// False when the tenant has no Entra ID P1/P2: sign-in times are then not available,
    /// and `last_sign_in_at` is absent for everyone.
    pub sign_in_available: bool,
}

impl M365User {
    /// The user with their licenses by name (`part_of`: SKU id → part number).
    pub(super) fn of(mut user: UserRecord, part_of: &HashMap<&str, &str>, sign_ins: bool) -> M365User {
        let mut licenses: Vec<LicenseRef> =
            user.licenses.iter().map(|sku| LicenseRef::new(sku, part_of.get(sku.as_str()).copied())).collect();
        licenses.sort_by(|a, b| a.product_name.cmp(&b.product_name));
        if !sign_ins {
            user.last_sign_in_at = None;
        }
        M365User { user, licenses, sign_in_available: sign_ins }
    }
}

/// A SKU to filter by.
#[derive(Debug, Clone, Serialize)]
pub struct SkuChoice {
    pub sku_id: String,
    pub product_name: String,
}

/// What a directory list asks for, as the caller gave it.
#[derive(Debug, Clone, Default)]
pub struct DirectoryInput {
    pub search: String,
    /// `enabled`, `disabled` or empty.
    pub status: String,
    /// `licensed`, `unlicensed` or empty.
    pub license: String,
    /// A SKU id, or empty.
    pub sku: String,
    /// A key of `UserSort::KEYS`; empty is by name.
    pub sort: String,
    pub desc: bool,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Directory {
    pub items: Vec<M365User>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub sort: &'static str,
    pub sign_ins_available: bool,
    /// The tenant's SKUs, for the filter.
    pub skus: Vec<SkuChoice>,
    pub freshness: Freshness,
}

pub(super) fn one_of(field: &'static str, raw: &str, allowed: &[&str]) -> Result<String, FieldError> {
    let v = raw.trim();
    if v.is_empty() || allowed.contains(&v) {
        Ok(v.to_string())
    } else {
        Err(FieldError::new(field, format!("Use one of: {}.", allowed.join(", "))))
    }
}

/// One page of the directory.
pub async fn directory(
    db: &Db,
    actor: &Actor,
    customer_id: crate::model::CustomerId,
    input: DirectoryInput,
) -> AppResult<Directory> {
    let t = Tenant::open(db, actor, customer_id, FEATURE).await?;
    let mut errors = vec![];
    let mut check = |r: Result<String, FieldError>| r.map_err(|e| errors.push(e)).unwrap_or_default();
    let filter = UserFilter {
        search: check(model::text("q", &input.search, 200, false)),
        status: check(one_of("status", &input.status, &["enabled", "disabled"])),
        license: check(one_of("license", &input.license, &["licensed", "unlicensed"])),
        sku: check(model::text("sku", &input.sku, 64, false)),
    };
    let sort = match input.sort.as_str() {
        "" => UserSort::Name,
        s => UserSort::parse(s).ok_or_else(|| {
            let keys: Vec<&str> = UserSort::KEYS.iter().map(|(k, _)| *k).collect();
            AppError::BadRequest(format!("sort must be one of {}.", keys.join(", ")))
        })?,
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let (page, per_page) = (input.page.max(1), input.per_page.clamp(1, 200));
    let (rows, total) = q::users(db, t.scope, &filter, (sort, input.desc), per_page, (page - 1) * per_page).await?;
    let skus = q::skus(db, t.scope).await?;
    let part_of: HashMap<&str, &str> = skus.iter().map(|s| (s.sku_id.as_str(), s.part_number.as_str())).collect();
    let items = rows.into_iter().map(|u| M365User::of(u, &part_of, t.sign_ins)).collect();
    let mut choices: Vec<SkuChoice> = skus
        .iter()
        .map(|s| SkuChoice { sku_id: s.sku_id.clone(), product_name: super::product_name(&s.part_number) })
        .collect();
    choices.sort_by(|a, b| a.product_name.cmp(&b.product_name));
    Ok(Directory {
        items,
        total,
        page,
        per_page,
        sort: sort.key(),
        sign_ins_available: t.sign_ins,
        skus: choices,
        freshness: t.freshness(db, &[SyncArea::Users, SyncArea::Licenses]).await?,
    })
}

/// One user of the tenant, with their licenses by name.
pub async fn user(
    db: &Db,
    actor: &Actor,
    customer_id: crate::model::CustomerId,
    id: &str,
) -> AppResult<(M365User, Freshness)> {
    let t = Tenant::open(db, actor, customer_id, FEATURE).await?;
    if id.len() > 64 {
        return Err(AppError::NotFound);
    }
    let u = q::user(db, t.scope, id).await?.ok_or(AppError::NotFound)?;
    let skus = q::skus(db, t.scope).await?;
    let part_of: HashMap<&str, &str> = skus.iter().map(|s| (s.sku_id.as_str(), s.part_number.as_str())).collect();
    Ok((M365User::of(u, &part_of, t.sign_ins), t.freshness(db, &[SyncArea::Users, SyncArea::Licenses]).await?))
}
