//! Support tickets: who sees which, raising them, the conversation, status rules.

use time::Date;
use uuid::Uuid;

pub use crate::db::tickets::Filter;
use crate::db::tickets::{self as q, CommentRow, NamedRow, Sort, StatusRow, TicketRow};
use crate::db::{self, CustomerScope, Db, MspScope};
use crate::error::{AppError, AppResult};
use crate::model::{self, now, Entered, Feature, Features, FieldError, Patch};
use crate::policy::{Action, Actor};
use crate::services::attachments::Attaching;
use crate::services::notify::{self, TicketEvent, TicketFacts};

const DEFAULT_STATUSES: &[q::StatusSeed] = &[
    ("New", false, false, true, ""),
    ("In progress", false, false, false, ""),
    ("Awaiting support", false, true, false, "customer_reply"),
    ("Awaiting customer", false, false, false, "staff_reply"),
    ("Resolved", true, true, false, ""),
    ("Closed", true, true, false, ""),
];
const DEFAULT_PRIORITIES: &[(&str, bool)] = &[("Low", false), ("Medium", true), ("High", false), ("Critical", false)];
const DEFAULT_CATEGORIES: &[&str] = &[
    "General question",
    "Microsoft 365",
    "Email",
    "Hardware",
    "Network",
    "Security",
    "Accounts and access",
    "Software",
];

pub const TITLE_MAX: usize = 200;
pub const BODY_MAX: usize = 20_000;

/// The MSP's statuses, priorities and categories; the defaults are put in place on first use.
pub struct Settings {
    pub statuses: Vec<StatusRow>,
    pub priorities: Vec<NamedRow>,
    pub categories: Vec<NamedRow>,
}

pub async fn settings(db: &Db, msp: MspScope) -> AppResult<Settings> {
    let mut statuses = q::statuses(db, msp).await?;
    if statuses.is_empty() {
        q::insert_defaults(db, msp, DEFAULT_STATUSES, DEFAULT_PRIORITIES, DEFAULT_CATEGORIES).await?;
        statuses = q::statuses(db, msp).await?;
    }
    Ok(Settings { statuses, priorities: q::priorities(db, msp).await?, categories: q::categories(db, msp).await? })
}

/// "T-1042", "t1042" or "1042" → 1042.
pub fn parse_number(raw: &str) -> Option<i64> {
    let s = raw.trim();
    let s = s
        .strip_prefix("T-")
        .or_else(|| s.strip_prefix("t-"))
        .or_else(|| s.strip_prefix('T'))
        .or_else(|| s.strip_prefix('t'))
        .unwrap_or(s);
    s.parse().ok().filter(|n| *n > 0)
}

/// How a caller names a ticket: by its id, or by its number (`1042`, `T-1042`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketRef {
    Id(crate::model::TicketId),
    Number(i64),
}

impl TicketRef {
    pub fn parse(raw: &str) -> Option<TicketRef> {
        crate::model::TicketId::parse(raw).map(TicketRef::Id).or_else(|| parse_number(raw).map(TicketRef::Number))
    }
}

/// The customer's toggles, for a portal user; staff are not limited by them.
async fn portal_features(db: &Db, actor: &Actor) -> AppResult<Option<Features>> {
    match actor.own_customer() {
        Some(scope) => {
            let c = db::customers::get(db, scope).await?.ok_or(AppError::NotFound)?;
            Ok(Some(Features::from_db(&c.features)))
        }
        None => Ok(None),
    }
}

async fn require_tickets(db: &Db, actor: &Actor) -> AppResult<()> {
    let features = portal_features(db, actor).await?;
    actor.require(Action::UseFeature(Feature::Tickets), features.as_ref().or(Some(&Features::default())))
}

pub async fn list(
    db: &Db,
    actor: &Actor,
    input: Filter,
    sort: (Sort, bool),
    page: i64,
    per_page: i64,
) -> AppResult<(Vec<TicketRow>, i64)> {
    require_tickets(db, actor).await?;
    let search = model::text("q", &input.search, 200, false)?;
    let customer = match actor.own_customer() {
        Some(own) => Some(own.customer_id()),
        None => input.customer,
    };
    let assignment = match input.assignment.as_str() {
        a @ ("me" | "unassigned") if actor.may(Action::WorkTickets, None) => a,
        _ => "",
    };
    let filter = Filter {
        customer,
        state: if matches!(input.state.as_str(), "open" | "closed") { input.state.clone() } else { String::new() },
        number: parse_number(&search),
        search,
        assignment: assignment.into(),
        me: Some(actor.user_id),
        involving: (!actor.sees_all_tickets()).then_some(actor.user_id),
        ..input
    };
    Ok(q::list(db, actor.msp(), &filter, sort, per_page, (page - 1) * per_page).await?)
}

/// One ticket, if the actor may see it; anything else is "not found".
pub async fn get(db: &Db, actor: &Actor, number: i64) -> AppResult<TicketRow> {
    find(db, actor, TicketRef::Number(number)).await
}

/// `get`, by id or number.
pub async fn find(db: &Db, actor: &Actor, key: TicketRef) -> AppResult<TicketRow> {
    require_tickets(db, actor).await?;
    let t = match key {
        TicketRef::Number(n) => q::get_by_number(db, actor.msp(), n).await?,
        TicketRef::Id(id) => q::get_by_id(db, actor.msp(), id).await?,
    };
    let t = t.ok_or(AppError::NotFound)?;
    actor.customer_scope(&t)?;
    if !actor.sees_all_tickets()
        && t.requester_id != Some(actor.user_id)
        && !q::is_watcher(db, actor.msp(), t.id, actor.user_id).await?
    {
        return Err(AppError::NotFound);
    }
    Ok(t)
}

/// The conversation as the actor may read it: customers never see internal notes.
pub async fn conversation(db: &Db, actor: &Actor, t: &TicketRow) -> AppResult<Vec<CommentRow>> {
    Ok(q::comments(db, actor.msp(), t.id, actor.may(Action::WriteInternalNotes, None)).await?)
}

pub async fn watchers(db: &Db, actor: &Actor, t: &TicketRow) -> AppResult<Vec<q::WatcherRow>> {
    Ok(q::watchers(db, actor.msp(), t.id).await?)
}

pub struct NewTicketInput {
    pub title: String,
    pub description: String,
    pub priority: Entered<Uuid>,
    pub category: Entered<Uuid>,
    pub watchers: Entered<Vec<crate::model::UserId>>,
    /// Staff raising a ticket name the customer; portal users raise for their own.
    pub customer: Option<crate::model::CustomerId>,
    pub external_id: Option<String>,
    pub external_system: Option<String>,
}

fn pick(
    field: &'static str,
    chosen: Entered<Uuid>,
    rows: &[NamedRow],
    required: bool,
) -> Result<Option<Uuid>, FieldError> {
    match chosen {
        Entered::Blank if !required => Ok(None),
        Entered::Value(id) if rows.iter().any(|r| r.id == id) => Ok(Some(id)),
        _ => Err(FieldError::new(field, "Choose one of the options.")),
    }
}

pub async fn create(db: &Db, actor: &Actor, public_url: &str, input: NewTicketInput) -> AppResult<TicketRow> {
    create_with_files(db, actor, public_url, input, Attaching::none()).await
}

/// `create`, with files attached to the new ticket in the same write.
pub async fn create_with_files(
    db: &Db,
    actor: &Actor,
    public_url: &str,
    input: NewTicketInput,
    attaching: Attaching<'_>,
) -> AppResult<TicketRow> {
    require_tickets(db, actor).await?;
    let scope: CustomerScope = match (actor.own_customer(), input.customer) {
        (Some(own), _) => own,
        (None, Some(c)) => {
            let c = crate::services::customers::get(db, actor, c).await?;
            actor.customer_scope(&c)?
        }
        (None, None) => return Err(FieldError::new("customer", "Choose the customer.").into()),
    };
    if input.external_id.is_some() {
        actor.require(Action::LinkExternalRecords, None)?;
    }
    let checked = attaching.check()?;
    let s = settings(db, actor.msp()).await?;
    let mut errors = vec![];
    let title = model::text("title", &input.title, TITLE_MAX, true).map_err(|e| errors.push(e)).unwrap_or_default();
    let description =
        model::text("description", &input.description, BODY_MAX, true).map_err(|e| errors.push(e)).unwrap_or_default();
    let priority = pick("priority", input.priority, &s.priorities, true).map_err(|e| errors.push(e)).ok().flatten();
    let category = pick("category", input.category, &s.categories, false).map_err(|e| errors.push(e)).ok().flatten();
    let external_id = input
        .external_id
        .as_deref()
        .map(|e| model::text("external_id", e, 200, true))
        .transpose()
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let external_system = input
        .external_system
        .as_deref()
        .map(|e| model::text("external_system", e, 100, false))
        .transpose()
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let company = db::users::list_customer(db, scope).await?;
    let watchers = match input.watchers {
        Entered::Blank => vec![],
        Entered::Value(ids) if ids.iter().all(|id| company.iter().any(|u| u.id == *id && u.active)) => {
            ids.into_iter().filter(|id| *id != actor.user_id).collect()
        }
        _ => {
            errors.push(FieldError::new("watchers", "Watchers must be active people of the same company."));
            vec![]
        }
    };
    let (Some(priority), true) = (priority, errors.is_empty()) else { return Err(AppError::Validation(errors)) };
    let status = s
        .statuses
        .iter()
        .find(|st| st.is_default)
        .or(s.statuses.first())
        .ok_or_else(|| AppError::Internal("no ticket statuses".into()))?;
    let new = q::NewTicket {
        id: model::new_id(),
        title: &title,
        description: &description,
        status_id: status.id,
        priority_id: priority,
        category_id: category,
        requester_id: actor.user_id,
        watchers: &watchers,
        external_id: external_id.as_deref(),
        external_system: external_system.as_deref(),
    };
    let customer = db::customers::get(db, scope).await?.ok_or(AppError::NotFound)?;
    let priority_name = s.priorities.iter().find(|p| p.id == priority).map(|p| p.name.clone()).unwrap_or_default();
    let plan = notify::plan(
        db,
        actor.msp(),
        public_url,
        (actor.user_id, &actor.name, actor.is_staff()),
        scope,
        Some(actor.user_id),
        watchers.clone(),
        None,
        &TicketEvent::Created,
        false,
    )
    .await?
    .quoting(&description);
    let effects = |number| {
        plan.effects(&TicketFacts {
            number,
            title: &title,
            status: &status.name,
            priority: &priority_name,
            customer: &customer.name,
        })
    };
    let number = checked
        .store_then(scope, actor.user_id, false, |rows| async move {
            q::insert(db, scope, &new, &rows, now(), &effects).await
        })
        .await?;
    get(db, actor, number).await
}

/// Adds to the conversation. A customer's comment moves the ticket to the status marked
/// for customer replies ("Awaiting support"); a staff public reply to the one for staff
/// replies ("Awaiting customer"). Internal notes are for staff only and move nothing.
pub async fn comment(
    db: &Db,
    actor: &Actor,
    public_url: &str,
    number: i64,
    body: &str,
    internal: bool,
) -> AppResult<CommentRow> {
    comment_with_files(db, actor, public_url, number, body, internal, Attaching::none()).await
}

/// `comment`, with files attached to it in the same write; with files the text may be empty.
/// Files on an internal note are internal too. Returns the new comment.
pub async fn comment_with_files(
    db: &Db,
    actor: &Actor,
    public_url: &str,
    number: i64,
    body: &str,
    internal: bool,
    attaching: Attaching<'_>,
) -> AppResult<CommentRow> {
    let t = get(db, actor, number).await?;
    if internal {
        actor.require(Action::WriteInternalNotes, None)?;
    }
    let checked = attaching.check()?;
    let body = model::text("body", body, BODY_MAX, checked.is_empty())?;
    let s = settings(db, actor.msp()).await?;
    let marker = if actor.is_staff() { "staff_reply" } else { "customer_reply" };
    let next = if internal { None } else { s.statuses.iter().find(|st| st.auto_on == marker).map(|st| st.id) };
    let c = q::NewComment { ticket: t.id, author: actor.user_id, body: &body, internal, new_status: next };
    let fx = if internal {
        Default::default()
    } else {
        let said = if body.is_empty() { "(sent files)".to_string() } else { body.clone() };
        let event = TicketEvent::Reply { body: said };
        tell(db, actor, public_url, &t, &event, t.is_closed).await?.effects(&TicketFacts::of(&t))
    };
    let scope = actor.customer_scope(&t)?;
    let id = checked
        .store_then(scope, actor.user_id, internal, |rows| async move {
            q::add_comment(db, actor.msp(), &c, &rows, now(), &fx).await
        })
        .await?;
    let written = conversation(db, actor, &t).await?.into_iter().find(|c| c.id == id);
    written.ok_or_else(|| AppError::Internal("a comment just written is not there".into()))
}

pub async fn edit_comment(db: &Db, actor: &Actor, number: i64, comment: Uuid, body: &str) -> AppResult<()> {
    let t = get(db, actor, number).await?;
    let body = model::text("body", body, BODY_MAX, true)?;
    if q::edit_comment(db, actor.msp(), t.id, comment, actor.user_id, &body, now()).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn delete_comment(db: &Db, actor: &Actor, number: i64, comment: Uuid) -> AppResult<()> {
    let t = get(db, actor, number).await?;
    if q::delete_comment(db, actor.msp(), t.id, comment, actor.user_id, now()).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// A customer closes or reopens: only to statuses the MSP marked as customer-settable.
pub async fn set_status(
    db: &Db,
    actor: &Actor,
    public_url: &str,
    number: i64,
    status: Entered<Uuid>,
) -> AppResult<TicketRow> {
    let t = get(db, actor, number).await?;
    let s = settings(db, actor.msp()).await?;
    let st = s
        .statuses
        .iter()
        .find(|st| status == Entered::Value(st.id))
        .filter(|st| st.customer_settable || actor.may(Action::SetAnyStatus, None))
        .ok_or_else(|| AppError::from(FieldError::new("status", "Choose one of the offered statuses.")))?;
    let fx = if st.id == t.status_id {
        Default::default()
    } else {
        let plan = tell(db, actor, public_url, &t, &TicketEvent::StatusChanged, st.is_closed).await?;
        plan.effects(&TicketFacts { status: &st.name, ..TicketFacts::of(&t) })
    };
    q::set_status(db, actor.msp(), t.id, st.id, now(), &fx).await?;
    get(db, actor, number).await
}

/// An id, or a name matched without regard to case, as one of `rows`; `Invalid` when it
/// names none of them, for the function it is given to to report on its field.
pub fn id_or_name(raw: &str, rows: &[NamedRow]) -> Entered<Uuid> {
    if raw.trim().is_empty() {
        return Entered::Blank;
    }
    rows.iter()
        .find(|n| n.id.to_string() == raw || n.name.eq_ignore_ascii_case(raw))
        .map_or(Entered::Invalid, |n| Entered::Value(n.id))
}

/// A change to a ticket as an API caller asks for it: statuses, priorities and categories by
/// id or name; what is left out keeps its value.
#[derive(Debug, Default)]
pub struct TicketChanges {
    pub status: Option<String>,
    pub priority: Option<String>,
    pub category: Patch<Option<String>>,
    pub assignee: Patch<Option<crate::model::UserId>>,
    pub due: Patch<Entered<Date>>,
}

/// Applies `c`: a customer may only move the ticket to a status the MSP lets them choose;
/// priority, category, assignee and due date are for those who work tickets.
pub async fn update(
    db: &Db,
    actor: &Actor,
    public_url: &str,
    key: TicketRef,
    c: TicketChanges,
) -> AppResult<TicketRow> {
    let t = find(db, actor, key).await?;
    let works = c.priority.is_some() || c.category.is_set() || c.assignee.is_set() || c.due.is_set();
    if works {
        actor.require(Action::WorkTickets, None)?;
    }
    let s = settings(db, actor.msp()).await?;
    let statuses: Vec<NamedRow> =
        s.statuses.iter().map(|st| NamedRow { id: st.id, name: st.name.clone(), is_default: st.is_default }).collect();
    let status = c.status.map(|v| id_or_name(&v, &statuses));
    if !actor.may(Action::WorkTickets, None) {
        let Some(status) = status else { return Ok(t) };
        return set_status(db, actor, public_url, t.number, status).await;
    }
    let changes = StaffChanges {
        status: status.unwrap_or(Entered::Value(t.status_id)),
        priority: c.priority.map_or(Entered::Value(t.priority_id), |v| id_or_name(&v, &s.priorities)),
        category: match c.category {
            Patch::Keep => t.category_id.into(),
            Patch::Set(v) => v.map(|v| id_or_name(&v, &s.categories)).unwrap_or_default(),
        },
        assignee: c.assignee.or(t.assignee_id).into(),
        due: c.due.or(t.due_at.map(|d| d.date()).into()),
    };
    staff_update(db, actor, public_url, t.number, changes).await
}

/// What staff set on a ticket, as parsed from the form; checked here against the MSP's
/// statuses, priorities, categories and staff.
pub struct StaffChanges {
    pub status: Entered<Uuid>,
    pub priority: Entered<Uuid>,
    pub category: Entered<Uuid>,
    pub assignee: Entered<crate::model::UserId>,
    /// The day it is due (at 17:00 UTC), or blank for none.
    pub due: Entered<Date>,
}

pub async fn staff_update(
    db: &Db,
    actor: &Actor,
    public_url: &str,
    number: i64,
    c: StaffChanges,
) -> AppResult<TicketRow> {
    actor.require(Action::WorkTickets, None)?;
    let t = get(db, actor, number).await?;
    let s = settings(db, actor.msp()).await?;
    let mut errors = vec![];
    let status = s.statuses.iter().find(|st| c.status == Entered::Value(st.id)).map(|st| st.id);
    if status.is_none() {
        errors.push(FieldError::new("status", "Choose one of the statuses."));
    }
    let priority = pick("priority", c.priority, &s.priorities, true).map_err(|e| errors.push(e)).ok().flatten();
    let category = pick("category", c.category, &s.categories, false).map_err(|e| errors.push(e)).ok().flatten();
    let staff = db::users::list_staff(db, actor.msp()).await?;
    let assignee = match c.assignee {
        Entered::Blank => None,
        Entered::Value(id) if staff.iter().any(|u| u.id == id && u.active) => Some(id),
        _ => {
            errors.push(FieldError::new("assignee", "Choose an active member of staff."));
            None
        }
    };
    let due = match c.due {
        Entered::Blank => None,
        Entered::Value(d) => Some(d.with_hms(17, 0, 0).expect("valid time").assume_utc()),
        Entered::Invalid => {
            errors.push(FieldError::new("due", "Enter a date as YYYY-MM-DD."));
            None
        }
    };
    let (Some(status), Some(priority), true) = (status, priority, errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let fields = q::TicketFields {
        status_id: status,
        priority_id: priority,
        category_id: category,
        assignee_id: assignee,
        due_at: due,
    };
    let new_status = s.statuses.iter().find(|st| st.id == status).expect("checked above");
    let fx = if status == t.status_id {
        Default::default()
    } else {
        let plan = tell(db, actor, public_url, &t, &TicketEvent::StatusChanged, new_status.is_closed).await?;
        plan.effects(&TicketFacts { status: &new_status.name, ..TicketFacts::of(&t) })
    };
    q::update(db, actor.msp(), t.id, &fields, now(), &fx).await?;
    get(db, actor, number).await
}

/// Reads ahead who hears of `event` on an existing ticket.
async fn tell(
    db: &Db,
    actor: &Actor,
    public_url: &str,
    t: &TicketRow,
    event: &TicketEvent,
    now_closed: bool,
) -> AppResult<notify::Plan> {
    let watchers = q::watchers(db, actor.msp(), t.id).await?.into_iter().map(|w| w.user_id).collect();
    let scope = actor.customer_scope(t)?;
    notify::plan(
        db,
        actor.msp(),
        public_url,
        (actor.user_id, &actor.name, actor.is_staff()),
        scope,
        t.requester_id,
        watchers,
        t.assignee_id,
        event,
        now_closed,
    )
    .await
}
