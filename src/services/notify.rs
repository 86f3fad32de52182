//! Who hears about what: notification categories, each person's choices, and the
//! notifications and mails a ticket event leaves behind.
//!
//! Everything that needs the database is read first (`plan`); the notifications and mails
//! themselves are made without it (`Plan::effects`), so they can be written in the same
//! transaction as the event, even one that learns its ticket number inside it.

use std::collections::HashMap;

use minijinja::context;
use uuid::Uuid;

use crate::db::jobs::{Effects, NewNotification};
use crate::db::notifications::PrefRow;
use crate::db::tickets::TicketRow;
use crate::db::users::UserRow;
use crate::db::{self, Db, MspScope};
use crate::error::AppResult;
use crate::model;
use crate::services::email::{self, Brand, Kind, Source};

/// (key, label, what it covers)
pub const CATEGORIES: &[(&str, &str, &str)] = &[
    ("ticket_updates", "Ticket updates", "Replies and status changes on tickets you raised or watch."),
    ("service_alerts", "Service alerts", "Microsoft 365 incidents and advisories that affect you."),
    ("license_alerts", "License alerts", "Licenses running short or due for renewal."),
    ("security_alerts", "Security alerts", "New security alerts for your Microsoft 365 tenant."),
];

pub const TICKET_UPDATES: &str = "ticket_updates";

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Choice {
    pub email: bool,
    pub in_app: bool,
}

const ON: Choice = Choice { email: true, in_app: true };

fn lookup(rows: &[PrefRow], category: &str) -> Option<Choice> {
    rows.iter().find(|r| r.category == category).map(|r| Choice { email: r.email, in_app: r.in_app })
}

/// The MSP's default for each category; both channels on unless it chose otherwise.
pub async fn defaults(db: &Db, msp: MspScope) -> AppResult<Vec<(&'static str, Choice)>> {
    let rows = db::notifications::defaults(db, msp).await?;
    Ok(CATEGORIES.iter().map(|(k, _, _)| (*k, lookup(&rows, k).unwrap_or(ON))).collect())
}

/// One person's effective choice per category: their own, else the MSP's default.
pub async fn choices(db: &Db, msp: MspScope, user: crate::model::UserId) -> AppResult<Vec<(&'static str, Choice)>> {
    let own = db::notifications::prefs(db, msp, user).await?;
    let defaults = defaults(db, msp).await?;
    Ok(defaults.into_iter().map(|(k, d)| (k, lookup(&own, k).unwrap_or(d))).collect())
}

/// Parses the preferences form: a checked box per `{category}.email` / `{category}.in_app`.
pub fn parse_choices(checked: &[String]) -> Vec<PrefRow> {
    CATEGORIES
        .iter()
        .map(|(k, _, _)| PrefRow {
            category: (*k).into(),
            email: checked.iter().any(|c| *c == format!("{k}.email")),
            in_app: checked.iter().any(|c| *c == format!("{k}.in_app")),
        })
        .collect()
}

pub async fn save_choices(db: &Db, msp: MspScope, user: crate::model::UserId, rows: &[PrefRow]) -> AppResult<()> {
    Ok(db::notifications::set_prefs(db, msp, user, rows).await?)
}

pub async fn save_defaults(db: &Db, msp: MspScope, rows: &[PrefRow]) -> AppResult<()> {
    Ok(db::notifications::set_defaults(db, msp, rows).await?)
}

/// What happened to a ticket.
#[derive(Debug, Clone)]
pub enum TicketEvent {
    Created,
    /// A public comment; internal notes tell nobody.
    Reply {
        body: String,
    },
    StatusChanged,
}

struct Delivery {
    /// The actor themselves (a requester's confirmation): mail only, the bell stays quiet.
    own_doing: bool,
    user_id: crate::model::UserId,
    name: String,
    email: String,
    staff: bool,
    kind: Kind,
    choice: Choice,
}

/// Everything needed to make an event's notifications and mails, read ahead of the write.
pub struct Plan {
    msp: MspScope,
    brand: Brand,
    sources: HashMap<Kind, Source>,
    deliveries: Vec<Delivery>,
    actor_name: String,
    comment: String,
}

/// The facts of the ticket as the mails tell them.
pub struct TicketFacts<'a> {
    pub number: i64,
    pub title: &'a str,
    pub status: &'a str,
    pub priority: &'a str,
    pub customer: &'a str,
}

impl<'a> TicketFacts<'a> {
    pub fn of(t: &'a TicketRow) -> TicketFacts<'a> {
        TicketFacts {
            number: t.number,
            title: &t.title,
            status: &t.status_name,
            priority: &t.priority_name,
            customer: &t.customer_name,
        }
    }
}

/// Who is told, and in which words, when `actor` does `event` to a ticket.
///
/// The customer's side (requester and watchers) hears of replies and status changes, and
/// gets a confirmation of a new ticket; staff hear of new tickets and customer replies:
/// the assigned technician, or every active member of staff while nobody is assigned.
/// Nobody is told of their own doing.
#[allow(clippy::too_many_arguments)]
pub async fn plan(
    db: &Db,
    msp: MspScope,
    public_url: &str,
    actor: (crate::model::UserId, &str, bool),
    customer: db::CustomerScope,
    requester: Option<crate::model::UserId>,
    watchers: Vec<crate::model::UserId>,
    assignee: Option<crate::model::UserId>,
    event: &TicketEvent,
    now_closed: bool,
) -> AppResult<Plan> {
    let (actor_id, actor_name, actor_is_staff) = actor;
    let customer_kind = match event {
        TicketEvent::Created => Some(Kind::TicketCreated),
        TicketEvent::Reply { .. } => Some(Kind::TicketReply),
        TicketEvent::StatusChanged if now_closed => Some(Kind::TicketResolved),
        TicketEvent::StatusChanged => Some(Kind::TicketStatus),
    };
    let staff_kind = match event {
        TicketEvent::Created if !actor_is_staff => Some(Kind::StaffNewTicket),
        TicketEvent::Reply { .. } if !actor_is_staff => Some(Kind::StaffCustomerReply),
        _ => None,
    };

    let mut people: Vec<(UserRow, Kind)> = vec![];
    if let Some(kind) = customer_kind {
        for id in requester.into_iter().chain(watchers) {
            if let Some(u) = db::users::get_in_customer(db, customer, id).await? {
                people.push((u, kind));
            }
        }
    }
    if let Some(kind) = staff_kind {
        let staff = db::users::list_staff(db, msp).await?;
        let assigned: Vec<UserRow> = staff.iter().filter(|u| Some(u.id) == assignee && u.active).cloned().collect();
        let chosen = if assigned.is_empty() { staff.into_iter().filter(|u| u.active).collect() } else { assigned };
        people.extend(chosen.into_iter().map(|u| (u, kind)));
    }
    // A requester gets a mail confirming their own new ticket; otherwise nobody hears of their own doing.
    people.retain(|(u, kind)| u.active && (u.id != actor_id || *kind == Kind::TicketCreated));
    let mut seen = std::collections::HashSet::new();
    people.retain(|(u, _)| seen.insert(u.id));

    let ids: Vec<crate::model::UserId> = people.iter().map(|(u, _)| u.id).collect();
    let own = db::notifications::prefs_of(db, msp, &ids).await?;
    let default =
        defaults(db, msp).await?.into_iter().find(|(k, _)| *k == TICKET_UPDATES).map(|(_, c)| c).unwrap_or(ON);
    let mut sources = HashMap::new();
    let mut deliveries = vec![];
    for (u, kind) in people {
        let choice = own
            .iter()
            .find(|(id, cat, _, _)| *id == u.id && cat == TICKET_UPDATES)
            .map(|(_, _, email, in_app)| Choice { email: *email, in_app: *in_app })
            .unwrap_or(default);
        if choice.email && !sources.contains_key(&kind) {
            sources.insert(kind, email::source(db, msp, kind).await?);
        }
        let own_doing = u.id == actor_id;
        deliveries.push(Delivery {
            own_doing,
            user_id: u.id,
            name: u.name,
            email: u.email,
            staff: u.customer_id.is_none(),
            kind,
            choice,
        });
    }
    let comment = match event {
        TicketEvent::Reply { body } => body.clone(),
        _ => String::new(),
    };
    Ok(Plan {
        msp,
        brand: email::brand(db, msp, public_url).await?,
        sources,
        deliveries,
        actor_name: actor_name.to_string(),
        comment,
    })
}

impl Plan {
    /// For a new ticket, the description is what the mails quote.
    pub fn quoting(mut self, text: &str) -> Plan {
        self.comment = text.to_string();
        self
    }

    pub fn effects(&self, t: &TicketFacts) -> Effects {
        let mut fx = Effects::default();
        let number = format!("T-{}", t.number);
        let snippet: String = self.comment.chars().take(160).collect();
        for d in &self.deliveries {
            let path = if d.staff { format!("/msp/tickets/{}", t.number) } else { format!("/tickets/{}", t.number) };
            if d.choice.in_app && !d.own_doing {
                let title = match d.kind {
                    Kind::TicketCreated => format!("{number} received: {}", t.title),
                    Kind::StaffNewTicket => format!("New ticket {number} from {}", t.customer),
                    Kind::TicketReply | Kind::StaffCustomerReply => format!("{} replied on {number}", self.actor_name),
                    _ => format!("{number} is now {}", t.status),
                };
                let body = if snippet.is_empty() { t.title.to_string() } else { snippet.clone() };
                fx.notifications.push(NewNotification {
                    id: model::new_id(),
                    msp_id: self.msp.0,
                    user_id: d.user_id,
                    category: TICKET_UPDATES,
                    title,
                    body,
                    link: path.clone(),
                });
            }
            if let (true, Some(src)) = (d.choice.email, self.sources.get(&d.kind)) {
                let url = self.brand.link(&path);
                let vars = context! {
                    recipient => context! { name => d.name, email => d.email },
                    portal => self.brand.name,
                    ticket => context! {
                        number, title => t.title, status => t.status, priority => t.priority,
                        customer => t.customer, url,
                    },
                    actor => self.actor_name,
                    comment => self.comment,
                };
                match email::mail_for(src, d.kind, &self.brand, &vars) {
                    Ok(mail) => fx.jobs.push(email::job(self.msp, &self.brand, &d.email, &d.name, mail)),
                    Err(e) => tracing::error!(kind = d.kind.key(), error = %e, "built-in email template failed"),
                }
            }
        }
        fx
    }
}

/// A page of the actor's notifications, newest first, with (all, unread) counts.
pub async fn inbox(
    db: &Db,
    actor: &crate::policy::Actor,
    page: i64,
    per_page: i64,
) -> AppResult<(Vec<db::notifications::NotificationRow>, i64, i64)> {
    let (all, unread) = db::notifications::counts(db, actor.msp(), actor.user_id).await?;
    let rows = db::notifications::list(db, actor.msp(), actor.user_id, per_page, (page - 1) * per_page).await?;
    Ok((rows, all, unread))
}

pub async fn unread(db: &Db, actor: &crate::policy::Actor) -> AppResult<i64> {
    Ok(db::notifications::unread(db, actor.msp(), actor.user_id).await?)
}

/// Marks one read and returns where it points; another person's notification is not found.
pub async fn open(db: &Db, actor: &crate::policy::Actor, id: Uuid) -> AppResult<String> {
    let link = db::notifications::mark_read(db, actor.msp(), actor.user_id, id, model::now())
        .await?
        .ok_or(crate::error::AppError::NotFound)?;
    // Only our own paths: a stored link never sends anyone elsewhere.
    let safe = link.starts_with('/') && !link.starts_with("//") && !link.contains('\\');
    Ok(if safe { link } else { "/notifications".into() })
}

pub async fn read_all(db: &Db, actor: &crate::policy::Actor) -> AppResult<u64> {
    Ok(db::notifications::mark_all_read(db, actor.msp(), actor.user_id, model::now()).await?)
}

/// One thing about a customer's tenant that its people should hear of.
pub struct TenantAlert {
    /// service_alerts, license_alerts or security_alerts
    pub category: &'static str,
    /// The portal feature it belongs to: people who can't open it aren't told.
    pub feature: crate::model::Feature,
    /// "Service incident", "License alert" …
    pub kind: String,
    pub title: String,
    pub detail: String,
    /// A portal path, e.g. `/service-health`.
    pub link: &'static str,
}

/// Notifications and mails of tenant alerts for a customer's portal users, each as they chose.
pub async fn tenant_alerts(
    db: &Db,
    scope: db::CustomerScope,
    public_url: &str,
    alerts: &[TenantAlert],
) -> AppResult<Effects> {
    let mut fx = Effects::default();
    if alerts.is_empty() {
        return Ok(fx);
    }
    let features = match db::customers::get(db, scope).await? {
        Some(c) if c.active => crate::model::Features::from_db(&c.features),
        _ => return Ok(fx),
    };
    let people: Vec<UserRow> = db::users::list_customer(db, scope).await?.into_iter().filter(|u| u.active).collect();
    let ids: Vec<crate::model::UserId> = people.iter().map(|u| u.id).collect();
    let own = db::notifications::prefs_of(db, scope.msp(), &ids).await?;
    let defaults = defaults(db, scope.msp()).await?;
    let brand = email::brand(db, scope.msp(), public_url).await?;
    let kind = Kind::M365Alert;
    let source = email::source(db, scope.msp(), kind).await?;
    for u in &people {
        let Ok(actor) = crate::services::actor_of(u) else { continue };
        for a in alerts {
            if !actor.may(crate::policy::Action::UseFeature(a.feature), Some(&features)) {
                continue;
            }
            let choice = own
                .iter()
                .find(|(id, cat, _, _)| *id == u.id && cat == a.category)
                .map(|(_, _, email, in_app)| Choice { email: *email, in_app: *in_app })
                .or_else(|| defaults.iter().find(|(k, _)| *k == a.category).map(|(_, c)| *c))
                .unwrap_or(ON);
            if choice.in_app {
                fx.notifications.push(NewNotification {
                    id: model::new_id(),
                    msp_id: scope.msp_id(),
                    user_id: u.id,
                    category: a.category,
                    title: format!("{}: {}", a.kind, a.title),
                    body: a.detail.chars().take(160).collect(),
                    link: a.link.to_string(),
                });
            }
            if choice.email {
                let vars = context! {
                    recipient => context! { name => u.name, email => u.email }, portal => brand.name,
                    alert => context! { kind => a.kind, title => a.title, detail => a.detail, url => brand.link(a.link) },
                };
                if let Ok(mail) = email::mail_for(&source, kind, &brand, &vars) {
                    fx.jobs.push(email::job(scope.msp(), &brand, &u.email, &u.name, mail));
                }
            }
        }
    }
    Ok(fx)
}
