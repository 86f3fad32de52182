//! MSPs as the operator manages them from the command line.

use crate::db::{self, Db, MspScope};
use crate::error::{AppError, AppResult};
use crate::model::{self, now, FieldError};

/// Creates an MSP; the first one (or one asked to be) becomes the install's default.
pub async fn create(db: &Db, name: &str, domain: Option<&str>, make_default: bool) -> AppResult<MspScope> {
    let name = model::text("name", name, 120, true)?;
    if db::msps::find_by_name(db, &name).await?.is_some() {
        return Err(FieldError::new("name", "An MSP with this name already exists.").into());
    }
    let is_default = make_default || db::msps::all(db).await?.is_empty();
    let id = model::new_id();
    db::msps::insert(db, id, &name, is_default, crate::model::Colour::DEFAULT_BRAND, now()).await?;
    if let Some(d) = domain {
        add_domain(db, MspScope(id), d).await?;
    }
    Ok(MspScope(id))
}

pub fn parse_domain(raw: &str) -> Result<String, FieldError> {
    let d = raw.trim().trim_end_matches('.').to_lowercase();
    let ok = !d.is_empty()
        && d.len() <= 253
        && d.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
        });
    if ok {
        Ok(d)
    } else {
        Err(FieldError::new("domain", "Enter a host name like portal.example.com."))
    }
}

pub async fn add_domain(db: &Db, msp: MspScope, raw: &str) -> AppResult<()> {
    let d = parse_domain(raw)?;
    db::msps::add_domain(db, msp, &d).await.map_err(|e| {
        if db::is_unique_violation(&e) {
            AppError::Conflict(format!("{d} already belongs to an MSP."))
        } else {
            e.into()
        }
    })
}
