//! The customer dashboard: what there is to show about a customer, for the page and the API.

use serde::Serialize;
use uuid::Uuid;

use crate::db::{self, customers::CustomerRow, msps::MspRow, Db};
use crate::error::AppResult;
use crate::model::{Feature, Features};
use crate::policy::{Action, Actor};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    pub customer: DashboardCustomer,
    pub portal_users: PortalUserCounts,
    pub microsoft_365: M365Link,
    /// Present when the caller may use tickets for this customer.
    pub tickets: Option<TicketCounts>,
    /// The feature areas this caller may open for this customer (role and toggle both allow).
    pub features: Vec<String>,
    pub support: Support,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DashboardCustomer {
    pub id: Uuid,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PortalUserCounts {
    pub total: i64,
    pub active: i64,
    pub admins: i64,
    /// Invited users who have not yet set a password.
    pub invited: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TicketCounts {
    /// Open tickets the caller can see.
    pub open: i64,
    /// Of those, the ones waiting for the customer's answer.
    pub awaiting_customer: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct M365Link {
    pub connected: bool,
    pub tenant_id: Option<String>,
    /// The tenant at a glance (as of its last sync): present when a tenant is linked and the
    /// caller may open at least one of the user directory, licenses, security or service
    /// health; each part only when the caller may open that page.
    pub summary: Option<crate::services::m365::Summary>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Support {
    pub phone: String,
    pub email: String,
    pub hours: String,
}

pub async fn for_customer(db: &Db, actor: &Actor, customer_id: crate::model::CustomerId) -> AppResult<Dashboard> {
    let c = crate::services::customers::get(db, actor, customer_id).await?;
    let msp = db::msps::get(db, actor.msp()).await?.ok_or(crate::error::AppError::NotFound)?;
    of(db, actor, &c, &msp).await
}

/// The dashboard of a customer already loaded (and checked) by the caller, as the portal's
/// own session has it.
pub async fn of(db: &Db, actor: &Actor, c: &CustomerRow, msp: &MspRow) -> AppResult<Dashboard> {
    let features = Features::from_db(&c.features);
    let scope = actor.customer_scope(&c)?;
    actor.require(Action::ViewCustomer, Some(&features))?;
    let n = db::dashboard::counts(db, scope, (!actor.sees_all_tickets()).then_some(actor.user_id)).await?;
    let (total, active, admins, invited) = (n.users, n.active_users, n.admins, n.invited);
    let tickets = (features.tickets && actor.may(Action::UseFeature(Feature::Tickets), Some(&features)))
        .then_some(TicketCounts { open: n.open_tickets, awaiting_customer: n.awaiting_customer });
    let m365_pages = [Feature::UserDirectory, Feature::Licenses, Feature::Security, Feature::ServiceHealth]
        .into_iter()
        .any(|f| actor.may(Action::UseFeature(f), Some(&features)));
    let summary = if c.m365_tenant_id.is_some() && m365_pages {
        Some(crate::services::m365::summary(db, actor, c).await?)
    } else {
        None
    };
    Ok(Dashboard {
        customer: DashboardCustomer { id: c.id.0, name: c.name.clone() },
        portal_users: PortalUserCounts { total, active, admins, invited },
        tickets,
        microsoft_365: M365Link { connected: c.m365_tenant_id.is_some(), tenant_id: c.m365_tenant_id.clone(), summary },
        features: features
            .enabled()
            .filter(|f| actor.may(Action::UseFeature(*f), Some(&features)))
            .map(|f| f.key().to_string())
            .collect(),
        support: Support {
            phone: msp.support_phone.clone(),
            email: msp.support_email.clone(),
            hours: msp.support_hours.clone(),
        },
    })
}
