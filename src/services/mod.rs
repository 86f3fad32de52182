//! Use cases. Services hold the rules; they know nothing of HTTP or SQL text.

pub mod accounts;
pub mod attachments;
pub mod branding;
pub mod customers;
pub mod dashboard;
pub mod demo;
pub mod demo_attachments;
pub mod demo_m365;
pub mod email;
pub mod m365;
pub mod m365_connect;
pub mod msps;
pub mod notify;
pub mod ticket_settings;
pub mod tickets;
pub mod tokens;
pub mod two_factor;
pub mod users;

use crate::db::users::UserRow;
use crate::error::AppError;
use crate::model::Role;
use crate::policy::Actor;

/// Builds the actor for a stored account; an unknown stored role is refused.
pub fn actor_of(u: &UserRow) -> Result<Actor, AppError> {
    let role = Role::of(u.role, u.customer_id.is_some())
        .ok_or_else(|| AppError::Internal(format!("user {} has role {} of the other kind", u.id, u.role)))?;
    Ok(Actor {
        user_id: u.id,
        msp_id: u.msp_id,
        customer_id: u.customer_id,
        role,
        name: u.name.clone(),
        email: u.email.clone(),
        company_tickets: u.company_tickets,
    })
}
