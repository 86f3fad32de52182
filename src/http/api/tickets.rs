//! `/api/portal/customers/{id}/tickets` and `/api/portal/tickets`: tickets for other systems
//! (a PSA keeps its tickets in step through `external_id`).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{path_id, ApiActor, ApiJson, ApiQuery, ErrorBody, ListOf, Paging, TicketPath};
use crate::db::tickets::{CommentRow, NamedRow, Sort, TicketRow};
use crate::error::AppError;
use crate::http::AppState;
use crate::model::{Entered, Patch};
use crate::policy::{Action, Actor};
use crate::services::tickets::{self, Filter, NewTicketInput, TicketChanges, TicketRef};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/portal/ticket-settings", get(settings))
        .route("/portal/tickets", get(list_all))
        .route("/portal/customers/{id}/tickets", get(list).post(create))
        .route("/portal/customers/{id}/tickets/{ticket}", get(show).patch(update))
        .route("/portal/customers/{id}/tickets/{ticket}/comments", get(comments).post(add_comment))
        .route("/portal/customers/{id}/tickets/{ticket}/comments/{comment}", patch(edit_comment).delete(delete_comment))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Ticket {
    pub id: Uuid,
    pub number: i64,
    /// As shown to people, e.g. `T-1042`.
    pub reference: String,
    pub customer_id: Uuid,
    pub customer_name: String,
    pub title: String,
    pub description: String,
    pub status: String,
    pub status_id: Uuid,
    pub closed: bool,
    pub priority: String,
    pub category: Option<String>,
    pub requester: Option<String>,
    pub assignee: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    #[serde(with = "time::serde::rfc3339::option")]
    pub due_at: Option<time::OffsetDateTime>,
    pub external_id: Option<String>,
    pub external_system: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
    #[schema(value_type = String, format = DateTime)]
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: time::OffsetDateTime,
    /// The files of the ticket and its comments; only when one ticket is fetched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<super::attachments::Attachment>>,
}

impl From<TicketRow> for Ticket {
    fn from(t: TicketRow) -> Self {
        Ticket {
            id: t.id.0,
            number: t.number,
            reference: format!("T-{}", t.number),
            customer_id: t.customer_id.0,
            customer_name: t.customer_name,
            title: t.title,
            description: t.description,
            status: t.status_name,
            status_id: t.status_id,
            closed: t.is_closed,
            priority: t.priority_name,
            category: t.category_name,
            requester: t.requester_name,
            assignee: t.assignee_name,
            due_at: t.due_at,
            external_id: t.external_id,
            external_system: t.external_system,
            created_at: t.created_at,
            updated_at: t.updated_at,
            attachments: None,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Comment {
    pub id: Uuid,
    pub author: Option<String>,
    pub from_staff: bool,
    /// Empty when the comment was deleted.
    pub body: String,
    /// Staff-only notes; never returned to customers.
    pub internal: bool,
    pub edited: bool,
    pub deleted: bool,
    #[schema(value_type = String, format = DateTime)]
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
}

impl From<CommentRow> for Comment {
    fn from(c: CommentRow) -> Self {
        Comment {
            id: c.id,
            author: c.author_name,
            from_staff: c.author_is_staff,
            body: c.body,
            internal: c.internal,
            edited: c.edited_at.is_some(),
            deleted: c.deleted_at.is_some(),
            created_at: c.created_at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Choice {
    pub id: Uuid,
    pub name: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StatusChoice {
    pub id: Uuid,
    pub name: String,
    pub closed: bool,
    pub customer_settable: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TicketSettings {
    pub statuses: Vec<StatusChoice>,
    pub priorities: Vec<Choice>,
    pub categories: Vec<Choice>,
}

/// The MSP's ticket statuses, priorities and categories.
#[utoipa::path(get, path = "/api/portal/ticket-settings", tag = "tickets", operation_id = "get_ticket_settings", security(("bearer" = [])),
    responses((status = 200, body = TicketSettings), (status = 401, body = ErrorBody)))]
pub async fn settings(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
) -> Result<Json<TicketSettings>, AppError> {
    let s = tickets::settings(&app.db, actor.msp()).await?;
    let choices = |rows: Vec<NamedRow>| rows.into_iter().map(|r| Choice { id: r.id, name: r.name }).collect();
    Ok(Json(TicketSettings {
        statuses: s
            .statuses
            .into_iter()
            .map(|st| StatusChoice {
                id: st.id,
                name: st.name,
                closed: st.is_closed,
                customer_settable: st.customer_settable,
            })
            .collect(),
        priorities: choices(s.priorities),
        categories: choices(s.categories),
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TicketQuery {
    /// `open`, `closed`, or absent for all.
    pub state: Option<String>,
    pub status: Option<Uuid>,
    pub priority: Option<Uuid>,
    pub category: Option<Uuid>,
    /// Text in the title or description, or a ticket number.
    /// No control characters.
    #[param(
        max_length = 200,
        pattern = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$",
        example = "printer"
    )]
    pub q: Option<String>,
    /// Only tickets waiting for the customer's answer.
    pub awaiting_customer: Option<bool>,
    /// Staff: `me` or `unassigned`.
    pub assigned: Option<String>,
    pub external_id: Option<String>,
    /// Only tickets changed after this time (RFC 3339).
    pub updated_since: Option<String>,
    /// `number`, `title`, `status`, `priority`, `due`, `created` or `updated` (default); `-` prefix for descending.
    pub sort: Option<String>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}

fn parse_query(
    q: &TicketQuery,
    customer: Option<crate::model::CustomerId>,
) -> Result<(Filter, (Sort, bool), i64, i64), AppError> {
    let (page, per_page) = Paging { page: q.page, per_page: q.per_page }.resolve()?;
    let raw_sort = q.sort.as_deref().unwrap_or("-updated");
    let (desc, key) = raw_sort.strip_prefix('-').map(|k| (true, k)).unwrap_or((false, raw_sort));
    let sort = Sort::parse(key).ok_or_else(|| AppError::BadRequest("Unknown sort.".into()))?;
    let updated_since = q
        .updated_since
        .as_deref()
        .map(|s| time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339))
        .transpose()
        .map_err(|_| AppError::BadRequest("updated_since must be an RFC 3339 time.".into()))?;
    let input = Filter {
        customer,
        state: q.state.clone().unwrap_or_default(),
        status: q.status,
        priority: q.priority,
        category: q.category,
        search: q.q.clone().unwrap_or_default(),
        assignment: q.assigned.clone().unwrap_or_default(),
        awaiting_me: q.awaiting_customer.unwrap_or(false),
        updated_since,
        external_id: q.external_id.clone(),
        ..Default::default()
    };
    Ok((input, (sort, desc), page, per_page))
}

async fn listing(
    app: &AppState,
    actor: &Actor,
    q: TicketQuery,
    customer: Option<crate::model::CustomerId>,
) -> Result<Json<ListOf<Ticket>>, AppError> {
    let (input, sort, page, per_page) = parse_query(&q, customer)?;
    let (rows, total) = tickets::list(&app.db, actor, input, sort, page, per_page).await?;
    Ok(Json(ListOf { items: rows.into_iter().map(Ticket::from).collect(), total, page, per_page }))
}

/// Tickets of one customer that the caller may see.
#[utoipa::path(get, path = "/api/portal/customers/{id}/tickets", tag = "tickets", operation_id = "list_tickets", security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id"), TicketQuery),
    responses((status = 200, body = ListOf<Ticket>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "`q` is too long or holds control characters."), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<TicketQuery>,
) -> Result<Json<ListOf<Ticket>>, AppError> {
    let customer = crate::services::customers::get(&app.db, &actor, path_id(&id)?).await?;
    listing(&app, &actor, q, Some(customer.id)).await
}

/// Staff: tickets across all customers, e.g. `?updated_since=` for a PSA's sync.
#[utoipa::path(get, path = "/api/portal/tickets", tag = "tickets", operation_id = "list_all_tickets", security(("bearer" = [])), params(TicketQuery),
    responses((status = 200, body = ListOf<Ticket>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "`q` is too long or holds control characters.")))]
pub async fn list_all(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<TicketQuery>,
) -> Result<Json<ListOf<Ticket>>, AppError> {
    actor.require(Action::ListAllTickets, None)?;
    listing(&app, &actor, q, None).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTicket {
    pub title: String,
    pub description: String,
    /// A priority id or name; the MSP's default when absent.
    pub priority: Option<String>,
    /// A category id or name.
    pub category: Option<String>,
    /// Portal-user ids of the same company.
    #[serde(default)]
    pub watchers: Vec<Uuid>,
    /// Staff only: the ticket's id in another system.
    pub external_id: Option<String>,
    pub external_system: Option<String>,
}

/// Raises a ticket for the customer, as the caller.
#[utoipa::path(post, path = "/api/portal/customers/{id}/tickets", tag = "tickets", operation_id = "create_ticket", security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id")), request_body = NewTicket,
    responses((status = 201, body = Ticket, description = "The new ticket; its `id` opens it.", links(
                  ("get_ticket" = (operation_id = "get_ticket", parameters(("id" = "$response.body#/customer_id"), ("ticket" = "$response.body#/id")))),
                  ("update_ticket" = (operation_id = "update_ticket", parameters(("id" = "$response.body#/customer_id"), ("ticket" = "$response.body#/id")))),
                  ("add_comment" = (operation_id = "add_comment", parameters(("id" = "$response.body#/customer_id"), ("ticket" = "$response.body#/id")))),
                  ("list_comments" = (operation_id = "list_comments", parameters(("id" = "$response.body#/customer_id"), ("ticket" = "$response.body#/id")))),
                  ("list_attachments" = (operation_id = "list_attachments", parameters(("id" = "$response.body#/customer_id"), ("ticket" = "$response.body#/id")))),
              )), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(n): ApiJson<NewTicket>,
) -> Result<(StatusCode, Json<Ticket>), AppError> {
    let customer = crate::services::customers::get(&app.db, &actor, path_id(&id)?).await?;
    let s = tickets::settings(&app.db, actor.msp()).await?;
    let default_priority = s.priorities.iter().find(|p| p.is_default).map(|p| p.id).into();
    let input = NewTicketInput {
        title: n.title,
        description: n.description,
        priority: n.priority.as_deref().map(|p| tickets::id_or_name(p, &s.priorities)).unwrap_or(default_priority),
        category: n.category.as_deref().map(|c| tickets::id_or_name(c, &s.categories)).unwrap_or_default(),
        watchers: Entered::Value(n.watchers.into_iter().map(crate::model::UserId::from).collect()),
        customer: Some(customer.id),
        external_id: n.external_id,
        external_system: n.external_system,
    };
    let t = tickets::create(&app.db, &actor, &app.public_url, input).await?;
    Ok((StatusCode::CREATED, Json(t.into())))
}

pub(super) async fn ticket_of(app: &AppState, actor: &Actor, id: &str, ticket: &str) -> Result<TicketRow, AppError> {
    let customer = path_id(id)?;
    let key = TicketRef::parse(ticket).ok_or(AppError::NotFound)?;
    let t = tickets::find(&app.db, actor, key).await?;
    if t.customer_id != customer {
        return Err(AppError::NotFound);
    }
    Ok(t)
}

/// One ticket (by number, e.g. `1042` or `T-1042`).
#[utoipa::path(get, path = "/api/portal/customers/{id}/tickets/{ticket}", tag = "tickets", operation_id = "get_ticket", security(("bearer" = [])),
    params(TicketPath),
    responses((status = 200, body = Ticket), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
    Path((id, ticket)): Path<(String, String)>,
) -> Result<Json<Ticket>, AppError> {
    let t = ticket_of(&app, &actor, &id, &ticket).await?;
    let files = crate::services::attachments::of_ticket(&app.db, &actor, &t).await?;
    let number = t.number;
    let mut out = Ticket::from(t);
    out.attachments = Some(files.into_iter().map(|a| super::attachments::Attachment::of(a, number)).collect());
    Ok(Json(out))
}

/// Fields to change; absent ones keep their value. `null` clears `category`, `assignee_id`
/// and `due_date`; `status` and `priority` cannot be cleared.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "Resolved"}))]
pub struct TicketPatch {
    /// A status id or name. Customers may only choose customer-settable ones.
    #[serde(default)]
    #[schema(inline)]
    pub status: Patch<String>,
    /// Staff only, as are the fields below. A priority id or name.
    #[serde(default)]
    #[schema(inline)]
    pub priority: Patch<String>,
    /// A category id or name.
    #[serde(default)]
    #[schema(inline)]
    pub category: Patch<Option<String>>,
    /// A member of staff (see `GET /api/portal/staff`).
    #[serde(default)]
    #[schema(inline)]
    pub assignee_id: Patch<Option<Uuid>>,
    /// `YYYY-MM-DD`
    #[serde(default)]
    #[schema(inline)]
    pub due_date: Patch<Option<String>>,
}

/// Changes a ticket: customers its status; staff also priority, category, assignee, due date.
#[utoipa::path(patch, path = "/api/portal/customers/{id}/tickets/{ticket}", tag = "tickets", operation_id = "update_ticket", security(("bearer" = [])),
    params(TicketPath), request_body = TicketPatch,
    responses((status = 200, body = Ticket), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
    Path((id, ticket)): Path<(String, String)>,
    ApiJson(p): ApiJson<TicketPatch>,
) -> Result<Json<Ticket>, AppError> {
    let t = ticket_of(&app, &actor, &id, &ticket).await?;
    let changes = TicketChanges {
        status: p.status.into_option(),
        priority: p.priority.into_option(),
        category: p.category,
        assignee: match p.assignee_id {
            Patch::Keep => Patch::Keep,
            Patch::Set(v) => Patch::Set(v.map(crate::model::UserId::from)),
        },
        due: match p.due_date {
            Patch::Keep => Patch::Keep,
            Patch::Set(d) => Patch::Set(d.as_deref().map(Entered::date).unwrap_or_default()),
        },
    };
    Ok(Json(tickets::update(&app.db, &actor, &app.public_url, TicketRef::Id(t.id), changes).await?.into()))
}

/// The conversation, oldest first (internal notes for staff only).
#[utoipa::path(get, path = "/api/portal/customers/{id}/tickets/{ticket}/comments", tag = "tickets", operation_id = "list_comments", security(("bearer" = [])),
    params(TicketPath),
    responses((status = 200, body = Vec<Comment>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn comments(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
    Path((id, ticket)): Path<(String, String)>,
) -> Result<Json<Vec<Comment>>, AppError> {
    let t = ticket_of(&app, &actor, &id, &ticket).await?;
    Ok(Json(tickets::conversation(&app.db, &actor, &t).await?.into_iter().map(Comment::from).collect()))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComment {
    pub body: String,
    /// Staff only: an internal note the customer never sees.
    #[serde(default)]
    pub internal: bool,
}

/// Adds a comment (customers) or a reply or internal note (staff); answers the new comment,
/// whose `id` edits, deletes or attaches files to it.
#[utoipa::path(post, path = "/api/portal/customers/{id}/tickets/{ticket}/comments", tag = "tickets", operation_id = "add_comment", security(("bearer" = [])),
    params(TicketPath), request_body = NewComment,
    responses((status = 201, body = Comment, description = "The new comment; its `id` edits or deletes it.", links(
                  ("edit_comment" = (operation_id = "edit_comment", parameters(("id" = "$request.path.id"), ("ticket" = "$request.path.ticket"), ("comment" = "$response.body#/id")))),
                  ("delete_comment" = (operation_id = "delete_comment", parameters(("id" = "$request.path.id"), ("ticket" = "$request.path.ticket"), ("comment" = "$response.body#/id")))),
              )), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_comment(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
    Path((id, ticket)): Path<(String, String)>,
    ApiJson(c): ApiJson<NewComment>,
) -> Result<(StatusCode, Json<Comment>), AppError> {
    let t = ticket_of(&app, &actor, &id, &ticket).await?;
    let c = tickets::comment(&app.db, &actor, &app.public_url, t.number, &c.body, c.internal).await?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentPatch {
    pub body: String,
}

/// Changes one's own comment; it shows as edited.
#[utoipa::path(patch, path = "/api/portal/customers/{id}/tickets/{ticket}/comments/{comment}", tag = "tickets", operation_id = "edit_comment", security(("bearer" = [])),
    params(TicketPath, ("comment" = String, Path, description = "Comment id")),
    request_body = CommentPatch,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn edit_comment(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
    Path((id, ticket, comment)): Path<(String, String, String)>,
    ApiJson(c): ApiJson<CommentPatch>,
) -> Result<StatusCode, AppError> {
    let t = ticket_of(&app, &actor, &id, &ticket).await?;
    tickets::edit_comment(&app.db, &actor, t.number, path_id(&comment)?, &c.body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes one's own comment; it shows as deleted.
#[utoipa::path(delete, path = "/api/portal/customers/{id}/tickets/{ticket}/comments/{comment}", tag = "tickets", operation_id = "delete_comment", security(("bearer" = [])),
    params(TicketPath, ("comment" = String, Path, description = "Comment id")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_comment(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
    Path((id, ticket, comment)): Path<(String, String, String)>,
) -> Result<StatusCode, AppError> {
    let t = ticket_of(&app, &actor, &id, &ticket).await?;
    tickets::delete_comment(&app.db, &actor, t.number, path_id(&comment)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
