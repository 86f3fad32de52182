//! Who may do what. Every access decision in Portico is made here: pages and API ask
//! `policy` and act on its answer; nothing else decides access.

use uuid::Uuid;

use crate::db::MspScope;
use crate::error::AppError;
use crate::model::{CustomerId, Feature, Features, PortalRole, Role, StaffRole, UserId};

/// One customer of one MSP: what every query on a customer's data takes first. Its fields
/// are private and only this module makes one, from a record read under the MSP (a
/// customer or ticket row), so holding a scope proves the customer is the MSP's and that
/// the actor (or the system, for background work) may reach it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerScope {
    msp_id: Uuid,
    customer_id: CustomerId,
}

impl CustomerScope {
    pub fn msp_id(&self) -> Uuid {
        self.msp_id
    }

    pub fn customer_id(&self) -> CustomerId {
        self.customer_id
    }

    pub fn msp(&self) -> MspScope {
        MspScope(self.msp_id)
    }
}

/// A row read from the database that belongs to one customer of one MSP.
pub trait OfCustomer {
    fn msp_id(&self) -> Uuid;
    fn customer_id(&self) -> CustomerId;
}

impl OfCustomer for crate::db::customers::CustomerRow {
    fn msp_id(&self) -> Uuid {
        self.msp_id
    }
    fn customer_id(&self) -> CustomerId {
        self.id
    }
}

impl OfCustomer for crate::db::tickets::TicketRow {
    fn msp_id(&self) -> Uuid {
        self.msp_id
    }
    fn customer_id(&self) -> CustomerId {
        self.customer_id
    }
}

impl<T: OfCustomer> OfCustomer for &T {
    fn msp_id(&self) -> Uuid {
        (*self).msp_id()
    }
    fn customer_id(&self) -> CustomerId {
        (*self).customer_id()
    }
}

/// The scope of a customer for work no person asked for (the sync, alerts, seeding): the
/// row says which MSP it belongs to.
pub fn system_scope(record: &impl OfCustomer) -> CustomerScope {
    CustomerScope { msp_id: record.msp_id(), customer_id: record.customer_id() }
}

/// The signed-in account making a request (by session or API token).
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: UserId,
    pub msp_id: Uuid,
    pub customer_id: Option<CustomerId>,
    pub role: Role,
    pub name: String,
    pub email: String,
    /// A standard or limited user whose admin let them see all of the company's tickets.
    pub company_tickets: bool,
}

/// Things an actor may ask to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See a customer's dashboard and company details.
    ViewCustomer,
    /// Manage a customer's portal users (invite, role, deactivate).
    ManagePortalUsers,
    /// Use a feature area of the portal.
    UseFeature(Feature),
    /// Open the staff console and list customers.
    UseConsole,
    /// Create customers, edit them and their feature toggles.
    ManageCustomers,
    /// Create staff accounts and change their roles.
    ManageStaff,
    ManageBranding,
    ManageApiTokens,
    /// Edit the MSP's ticket statuses, priorities and categories.
    ManageTicketSettings,
    /// Set the MSP's sender, email wording, notification defaults, and see the outbox.
    ManageEmail,
    /// Register the MSP's Microsoft 365 (Entra ID) app and its client secret.
    ManageM365,
    /// Work the service desk: assign, prioritise, categorise and date tickets, and filter
    /// the queue by who is assigned.
    WorkTickets,
    /// See the tickets of every customer at once (the queue, a PSA's sync).
    ListAllTickets,
    /// Write internal notes (and attach internal files), and read them.
    WriteInternalNotes,
    /// Move a ticket to any status, not only those the MSP lets customers choose.
    SetAnyStatus,
    /// Tie a record to another system's id (`external_id`), as a PSA's push does.
    LinkExternalRecords,
}

impl Actor {
    pub fn msp(&self) -> MspScope {
        MspScope(self.msp_id)
    }

    pub fn is_staff(&self) -> bool {
        matches!(self.role, Role::Staff(_))
    }

    /// The customer a portal user belongs to.
    pub fn own_customer(&self) -> Option<CustomerScope> {
        self.customer_id.map(|customer_id| CustomerScope { msp_id: self.msp_id, customer_id })
    }

    /// The scope of the customer `record` belongs to, if this actor may reach that customer
    /// at all: staff any customer of their MSP, a portal user only their own. Anything else is
    /// `NotFound`, never `Forbidden`, so existence is not revealed.
    pub fn customer_scope(&self, record: &impl OfCustomer) -> Result<CustomerScope, AppError> {
        let reachable = record.msp_id() == self.msp_id
            && match self.role {
                Role::Staff(_) => true,
                Role::Portal(_) => self.customer_id == Some(record.customer_id()),
            };
        if reachable {
            Ok(system_scope(record))
        } else {
            Err(AppError::NotFound)
        }
    }

    /// Whether the actor sees every ticket of the customer, not only those they raised or watch.
    pub fn sees_all_tickets(&self) -> bool {
        match self.role {
            Role::Staff(_) | Role::Portal(PortalRole::Admin) => true,
            Role::Portal(_) => self.company_tickets,
        }
    }

    /// Whether the actor may do `action`; `features` are the toggles of the customer
    /// concerned (ignored for MSP-wide actions).
    pub fn may(&self, action: Action, features: Option<&Features>) -> bool {
        match self.role {
            Role::Staff(role) => staff_may(role, action),
            Role::Portal(role) => portal_may(role, action, features),
        }
    }

    /// Whether the actor sees license prices and what licenses cost for a customer with
    /// these toggles: staff always (they set the prices), portal users when cost visibility
    /// is on and their role allows it.
    pub fn sees_costs(&self, features: &Features) -> bool {
        self.may(Action::UseFeature(Feature::CostVisibility), Some(features))
    }

    /// Whether the actor may ask for more licenses: a ticket raised from the license page.
    pub fn may_request_licenses(&self, features: &Features) -> bool {
        self.may(Action::UseFeature(Feature::Licenses), Some(features))
            && self.may(Action::UseFeature(Feature::Tickets), Some(features))
    }

    /// `may`, as a `Forbidden` error when not.
    pub fn require(&self, action: Action, features: Option<&Features>) -> Result<(), AppError> {
        if self.may(action, features) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

fn staff_may(role: StaffRole, action: Action) -> bool {
    let manager = matches!(role, StaffRole::Owner | StaffRole::Admin);
    match action {
        Action::ViewCustomer | Action::UseConsole | Action::UseFeature(_) => true,
        Action::ManagePortalUsers
        | Action::WorkTickets
        | Action::ListAllTickets
        | Action::WriteInternalNotes
        | Action::SetAnyStatus
        | Action::LinkExternalRecords => true,
        Action::ManageCustomers
        | Action::ManageStaff
        | Action::ManageBranding
        | Action::ManageApiTokens
        | Action::ManageTicketSettings
        | Action::ManageEmail
        | Action::ManageM365 => manager,
    }
}

fn portal_may(role: PortalRole, action: Action, features: Option<&Features>) -> bool {
    match action {
        Action::ViewCustomer => true,
        Action::ManagePortalUsers => role == PortalRole::Admin,
        Action::UseFeature(feature) => {
            let toggled_on = features.is_some_and(|f| f.get(feature));
            toggled_on && portal_role_allows(role, feature)
        }
        Action::UseConsole
        | Action::WorkTickets
        | Action::ListAllTickets
        | Action::WriteInternalNotes
        | Action::SetAnyStatus
        | Action::LinkExternalRecords
        | Action::ManageTicketSettings
        | Action::ManageEmail
        | Action::ManageM365
        | Action::ManageCustomers
        | Action::ManageStaff
        | Action::ManageBranding
        | Action::ManageApiTokens => false,
    }
}

/// admin: everything; standard: all but what things cost; limited: tickets only.
fn portal_role_allows(role: PortalRole, feature: Feature) -> bool {
    match role {
        PortalRole::Admin => true,
        PortalRole::Standard => feature != Feature::CostVisibility,
        PortalRole::Limited => feature == Feature::Tickets,
    }
}

/// Which staff roles a staff member may grant: owners any, admins admin and technician.
pub fn may_grant_staff_role(actor: &Actor, role: StaffRole) -> bool {
    match actor.role {
        Role::Staff(StaffRole::Owner) => true,
        Role::Staff(StaffRole::Admin) => role != StaffRole::Owner,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn portal(role: PortalRole) -> Actor {
        Actor {
            user_id: crate::model::UserId(Uuid::nil()),
            msp_id: Uuid::nil(),
            customer_id: Some(CustomerId(Uuid::from_u128(1))),
            role: Role::Portal(role),
            name: String::new(),
            email: String::new(),
            company_tickets: false,
        }
    }

    #[test]
    fn role_and_toggle_must_both_allow() {
        let all = Features::default();
        let no_tickets = Features { tickets: false, ..Features::default() };
        assert!(portal(PortalRole::Limited).may(Action::UseFeature(Feature::Tickets), Some(&all)));
        assert!(!portal(PortalRole::Limited).may(Action::UseFeature(Feature::Licenses), Some(&all)));
        assert!(!portal(PortalRole::Admin).may(Action::UseFeature(Feature::Tickets), Some(&no_tickets)));
        assert!(!portal(PortalRole::Standard).may(Action::UseFeature(Feature::CostVisibility), Some(&all)));
        assert!(portal(PortalRole::Standard).may(Action::UseFeature(Feature::Licenses), Some(&all)));
    }

    #[test]
    fn costs_need_the_toggle_and_a_role_that_sees_them() {
        let on = Features::default();
        let off = Features { cost_visibility: false, ..Features::default() };
        assert!(portal(PortalRole::Admin).sees_costs(&on));
        assert!(!portal(PortalRole::Admin).sees_costs(&off));
        assert!(!portal(PortalRole::Standard).sees_costs(&on));
        let staff = Actor { customer_id: None, role: Role::Staff(StaffRole::Technician), ..portal(PortalRole::Admin) };
        assert!(staff.sees_costs(&off), "staff set the prices, so they always see them");
        assert!(portal(PortalRole::Standard).may_request_licenses(&on));
        assert!(!portal(PortalRole::Limited).may_request_licenses(&on));
        assert!(!portal(PortalRole::Admin).may_request_licenses(&Features { tickets: false, ..on }));
    }

    #[test]
    fn only_staff_work_the_service_desk() {
        let staff = Actor { customer_id: None, role: Role::Staff(StaffRole::Technician), ..portal(PortalRole::Admin) };
        for action in [
            Action::WorkTickets,
            Action::ListAllTickets,
            Action::WriteInternalNotes,
            Action::SetAnyStatus,
            Action::LinkExternalRecords,
        ] {
            assert!(staff.may(action, None), "{action:?}");
            for role in PortalRole::ALL {
                assert!(!portal(role).may(action, Some(&Features::default())), "{role:?} {action:?}");
            }
        }
    }

    struct Row(Uuid, Uuid);
    impl OfCustomer for Row {
        fn msp_id(&self) -> Uuid {
            self.0
        }
        fn customer_id(&self) -> CustomerId {
            CustomerId(self.1)
        }
    }

    #[test]
    fn other_customers_are_not_found() {
        let a = portal(PortalRole::Admin);
        assert!(matches!(a.customer_scope(&Row(Uuid::nil(), Uuid::from_u128(2))), Err(AppError::NotFound)));
        let own = a.customer_scope(&Row(Uuid::nil(), Uuid::from_u128(1))).unwrap();
        assert_eq!((own.msp_id(), own.customer_id()), (Uuid::nil(), CustomerId(Uuid::from_u128(1))));
        // Staff reach any customer of their own MSP, and none of another's.
        let staff = Actor { customer_id: None, role: Role::Staff(StaffRole::Owner), ..a };
        assert!(staff.customer_scope(&Row(Uuid::nil(), Uuid::from_u128(7))).is_ok());
        let other_msp = Row(Uuid::from_u128(9), Uuid::from_u128(7));
        assert!(matches!(staff.customer_scope(&other_msp), Err(AppError::NotFound)));
    }
}
