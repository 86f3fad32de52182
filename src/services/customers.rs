//! Customers: listing, creating, editing, feature toggles.

use serde::Serialize;
use uuid::Uuid;

use crate::db::{self, customers::CustomerRow, Db};
use crate::error::{AppError, AppResult};
use crate::model::{self, now, Features, FieldError};
use crate::policy::{Action, Actor};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Customer {
    pub id: Uuid,
    pub name: String,
    /// The linked Microsoft 365 tenant (GUID or `*.onmicrosoft.com`), if any.
    pub m365_tenant_id: Option<String>,
    pub active: bool,
    pub features: Features,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: time::OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: time::OffsetDateTime,
}

impl From<CustomerRow> for Customer {
    fn from(r: CustomerRow) -> Self {
        Customer {
            id: r.id.0,
            name: r.name,
            m365_tenant_id: r.m365_tenant_id,
            active: r.active,
            features: Features::from_db(&r.features),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Changes to a customer; `None` leaves a field as it is.
#[derive(Debug, Default, Clone)]
pub struct CustomerChanges {
    pub name: Option<String>,
    /// `Some("")` unlinks the tenant.
    pub m365_tenant_id: Option<String>,
    pub active: Option<bool>,
    pub features: Option<Features>,
}

pub fn parse_tenant_id(raw: &str) -> Result<Option<String>, FieldError> {
    let s = raw.trim().to_lowercase();
    if s.is_empty() {
        return Ok(None);
    }
    let guid = Uuid::parse_str(&s).is_ok() && s.len() == 36;
    let domain = s.ends_with(".onmicrosoft.com")
        && s.len() <= 80
        && s.trim_end_matches(".onmicrosoft.com").chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && s.len() > ".onmicrosoft.com".len();
    if guid || domain {
        Ok(Some(s))
    } else {
        Err(FieldError::new("m365_tenant_id", "Enter the tenant ID (a GUID) or its contoso.onmicrosoft.com domain."))
    }
}

fn parse_name(raw: &str) -> Result<String, FieldError> {
    model::text("name", raw, 120, true)
}

/// The customers the actor may see: all of the MSP's for staff, their own for portal users.
pub async fn list(
    db: &Db,
    actor: &Actor,
    search: &str,
    sort: (db::customers::CustomerSort, bool),
    page: i64,
    per_page: i64,
) -> AppResult<(Vec<db::customers::CustomerListRow>, i64)> {
    let search = model::text("q", search, 120, false)?;
    if let Some(own) = actor.own_customer() {
        let customer = db::customers::get(db, own).await?.ok_or(AppError::NotFound)?;
        let user_count = db::users::list_customer(db, own).await?.len() as i64;
        return Ok((vec![db::customers::CustomerListRow { customer, user_count }], 1));
    }
    actor.require(Action::UseConsole, None)?;
    Ok(db::customers::list(db, actor.msp(), &search, sort, per_page, (page - 1) * per_page).await?)
}

pub async fn get(db: &Db, actor: &Actor, id: crate::model::CustomerId) -> AppResult<CustomerRow> {
    let c = db::customers::find(db, actor.msp(), id).await?.ok_or(AppError::NotFound)?;
    actor.customer_scope(&c)?;
    actor.require(Action::ViewCustomer, Some(&Features::from_db(&c.features)))?;
    Ok(c)
}

pub async fn create(
    db: &Db,
    actor: &Actor,
    name: &str,
    tenant: &str,
    features: Option<Features>,
) -> AppResult<CustomerRow> {
    actor.require(Action::ManageCustomers, None)?;
    let mut errors = vec![];
    let name = parse_name(name).map_err(|e| errors.push(e)).ok();
    let tenant = parse_tenant_id(tenant).map_err(|e| errors.push(e)).ok().flatten();
    let (Some(name), true) = (name, errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    if db::customers::find_by_name(db, actor.msp(), &name).await?.is_some() {
        return Err(FieldError::new("name", "A customer with this name already exists.").into());
    }
    let id = crate::model::CustomerId::new();
    let features = features.unwrap_or_default();
    db::customers::insert(db, actor.msp(), id, &name, tenant.as_deref(), &features.to_db(), now()).await?;
    get(db, actor, id).await
}

pub async fn update(
    db: &Db,
    actor: &Actor,
    id: crate::model::CustomerId,
    changes: CustomerChanges,
) -> AppResult<CustomerRow> {
    let current = get(db, actor, id).await?;
    actor.require(Action::ManageCustomers, None)?;
    let mut errors = vec![];
    let name = match &changes.name {
        Some(n) => parse_name(n).map_err(|e| errors.push(e)).unwrap_or_default(),
        None => current.name.clone(),
    };
    let tenant = match &changes.m365_tenant_id {
        Some(t) => parse_tenant_id(t).map_err(|e| errors.push(e)).ok().flatten(),
        None => current.m365_tenant_id.clone(),
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    if name.to_lowercase() != current.name.to_lowercase()
        && db::customers::find_by_name(db, actor.msp(), &name).await?.is_some()
    {
        return Err(FieldError::new("name", "A customer with this name already exists.").into());
    }
    let features = changes.features.unwrap_or_else(|| Features::from_db(&current.features));
    let active = changes.active.unwrap_or(current.active);
    let scope = actor.customer_scope(&current)?;
    db::customers::update(db, scope, &name, tenant.as_deref(), &features.to_db(), active, now()).await?;
    get(db, actor, id).await
}
