//! The user directory: a read-only list of the tenant's users and one user's details.

use std::collections::HashMap;

use serde::Serialize;
use uuid::Uuid;

use super::{Freshness, LicenseRef, Tenant};
use crate::db::m365::{self as q, UserFilter, UserRow, UserSort};
use crate::db::{Db, Ts};
use crate::error::{AppError, AppResult};
use crate::model::Feature;
use crate::model::{self, FieldError};
use crate::policy::Actor;

const FEATURE: Feature = Feature::UserDirectory;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct M365User {
    /// The user's Microsoft Entra object id.
    pub id: String,
    pub display_name: String,
    /// The sign-in name (user principal name).
    pub upn: String,
    pub mail: Option<String>,
    /// Sign-in is allowed (false: the account is blocked).
    pub enabled: bool,
    pub job_title: Option<String>,
    pub department: Option<String>,
    pub office: Option<String>,
    pub mobile: Option<String>,
    pub licenses: Vec<LicenseRef>,
    /// False when the tenant has no Entra ID P1/P2: sign-in times are then not available,
    /// and `last_sign_in_at` is absent for everyone.
    pub sign_in_available: bool,
    /// Absent when the user never signed in (or sign-in times are not available).
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_sign_in_at: Option<Ts>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub created_at: Option<Ts>,
}

impl M365User {
    pub(super) fn of(u: UserRow, licenses: Vec<LicenseRef>, sign_ins: bool) -> M365User {
        M365User {
            id: u.id,
            display_name: u.display_name,
            upn: u.upn,
            mail: u.mail,
            enabled: u.enabled,
            job_title: u.job_title,
            department: u.department,
            office: u.office,
            mobile: u.mobile,
            licenses,
            sign_in_available: sign_ins,
            last_sign_in_at: if sign_ins { u.last_sign_in_at } else { None },
            created_at: u.created_at,
        }
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
pub async fn directory(db: &Db, actor: &Actor, customer_id: Uuid, input: DirectoryInput) -> AppResult<Directory> {
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
    let ids: Vec<&str> = rows.iter().map(|u| u.id.as_str()).collect();
    let mut held: HashMap<String, Vec<LicenseRef>> = HashMap::new();
    for (user, sku) in q::licenses_of(db, t.scope, &ids).await? {
        let license = LicenseRef::new(&sku, part_of.get(sku.as_str()).copied());
        held.entry(user).or_default().push(license);
    }
    let items = rows
        .into_iter()
        .map(|u| {
            let mut licenses = held.remove(&u.id).unwrap_or_default();
            licenses.sort_by(|a, b| a.product_name.cmp(&b.product_name));
            M365User::of(u, licenses, t.sign_ins)
        })
        .collect();
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
        freshness: t.freshness(db, &["users", "licenses"]).await?,
    })
}

/// One user of the tenant, with their licenses by name.
pub async fn user(db: &Db, actor: &Actor, customer_id: Uuid, id: &str) -> AppResult<(M365User, Freshness)> {
    let t = Tenant::open(db, actor, customer_id, FEATURE).await?;
    if id.len() > 64 {
        return Err(AppError::NotFound);
    }
    let u = q::user(db, t.scope, id).await?.ok_or(AppError::NotFound)?;
    let skus = q::skus(db, t.scope).await?;
    let mut licenses: Vec<LicenseRef> = q::licenses_of(db, t.scope, &[id])
        .await?
        .iter()
        .map(|(_, sku)| LicenseRef::new(sku, skus.iter().find(|s| &s.sku_id == sku).map(|s| s.part_number.as_str())))
        .collect();
    licenses.sort_by(|a, b| a.product_name.cmp(&b.product_name));
    Ok((M365User::of(u, licenses, t.sign_ins), t.freshness(db, &["users", "licenses"]).await?))
}
