//! Support tickets in the portal (`/tickets`) and the console (`/msp/tickets`): one set of
//! handlers, with the staff-only parts switched on for staff.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Path, RawQuery};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Value};
use serde::Deserialize;

use super::{notice, FormData};
use crate::db::attachments::AttachmentRow;
use crate::db::tickets::{CommentRow, Sort, TicketRow};
use crate::error::AppError;
use crate::http::attachments::WithFiles;
use crate::http::context::Signed;
use crate::http::forms::or_problem;
use crate::http::render::{errors_value, page};
use crate::http::AppState;
use crate::model::{parse_id, Entered, FieldError};
use crate::policy::Action;
use crate::services::attachments::{self, Attaching};
use crate::services::tickets::{self, Filter, NewTicketInput, StaffChanges};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/tickets", get(list).post(create).layer(DefaultBodyLimit::disable()))
        .route("/tickets/new", get(new_form))
        .route("/tickets/{number}", get(show))
        .route("/tickets/{number}/comments", post(add_comment).layer(DefaultBodyLimit::disable()))
        .route("/tickets/{number}/attachments/{attachment}", get(download))
        .route("/tickets/{number}/comments/{comment}/edit", post(edit_comment))
        .route("/tickets/{number}/comments/{comment}/delete", post(delete_comment))
        .route("/tickets/{number}/status", post(set_status))
        .route("/msp/tickets", get(list).post(create).layer(DefaultBodyLimit::disable()))
        .route("/msp/tickets/new", get(new_form))
        .route("/msp/tickets/{number}", get(show).post(staff_update))
        .route("/msp/tickets/{number}/comments", post(add_comment).layer(DefaultBodyLimit::disable()))
        .route("/msp/tickets/{number}/attachments/{attachment}", get(download))
        .route("/msp/tickets/{number}/comments/{comment}/edit", post(edit_comment))
        .route("/msp/tickets/{number}/comments/{comment}/delete", post(delete_comment))
}

const PER_PAGE: i64 = 25;

/// Portal paths for customers, console paths for staff; the wrong one is "not found".
fn base(s: &Signed, console: bool) -> Result<&'static str, AppError> {
    match (s.actor().may(Action::UseConsole, None), console) {
        (true, true) => Ok("/msp/tickets"),
        (false, false) => Ok("/tickets"),
        _ => Err(AppError::NotFound),
    }
}

fn is_console(uri_path: &str) -> bool {
    uri_path.starts_with("/msp/")
}

fn fmt(t: Option<time::OffsetDateTime>) -> Option<String> {
    t.and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
}

fn ticket_view(t: &TicketRow) -> Value {
    context! {
        id => t.id, number => t.number, title => t.title, description => t.description, customer => t.customer_name,
        customer_id => t.customer_id, status => t.status_name, status_id => t.status_id, closed => t.is_closed,
        awaiting_customer => t.status_auto_on == "staff_reply", priority => t.priority_name, priority_id => t.priority_id,
        category => t.category_name, category_id => t.category_id, requester => t.requester_name, requester_id => t.requester_id,
        assignee => t.assignee_name, assignee_id => t.assignee_id, due => fmt(t.due_at),
        due_date => t.due_at.map(|d| d.date().to_string()), created => fmt(Some(t.created_at)), updated => fmt(Some(t.updated_at)),
    }
}

fn comment_view(c: &CommentRow, me: crate::model::UserId) -> Value {
    context! {
        id => c.id, author => c.author_name, staff => c.author_is_staff, body => c.body, internal => c.internal,
        created => fmt(Some(c.created_at)), edited => c.edited_at.is_some(), deleted => c.deleted_at.is_some(),
        mine => c.author_id == Some(me) && c.deleted_at.is_none(),
    }
}

fn settings_view(s: &tickets::Settings, staff: bool) -> Value {
    let statuses: Vec<Value> = s
        .statuses
        .iter()
        .map(|st| context! { id => st.id, name => st.name, closed => st.is_closed, settable => staff || st.customer_settable })
        .collect();
    let named = |rows: &[crate::db::tickets::NamedRow]| -> Vec<Value> {
        rows.iter().map(|r| context! { id => r.id, name => r.name, default => r.is_default }).collect()
    };
    context! { statuses, priorities => named(&s.priorities), categories => named(&s.categories) }
}

async fn list(
    s: Signed,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let console = is_console(uri.path());
    let base = base(&s, console)?;
    let q: HashMap<String, String> = serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let id = |k: &str| parse_id(&get(k));
    let state = if q.contains_key("state") { get("state") } else { "open".into() };
    let input = Filter {
        customer: id("customer").map(crate::model::CustomerId::from),
        state: state.clone(),
        status: id("status"),
        priority: id("priority"),
        category: id("category"),
        search: get("q"),
        assignment: get("assigned"),
        awaiting_me: get("awaiting") == "me",
        ..Default::default()
    };
    let sort = Sort::parse(&get("sort")).unwrap_or(Sort::Updated);
    let desc = if q.contains_key("dir") { get("dir") == "desc" } else { sort == Sort::Updated };
    let page_no = get("page").parse::<i64>().unwrap_or(1).clamp(1, 100_000);
    let db = &s.ctx.app.db;
    let (rows, total) = tickets::list(db, s.actor(), input, (sort, desc), page_no, PER_PAGE).await?;
    let settings = tickets::settings(db, s.ctx.scope()).await?;
    let customers: Vec<Value> = if console {
        crate::services::customers::list(db, s.actor(), "", (crate::db::customers::CustomerSort::Name, false), 1, 200)
            .await?
            .0
            .iter()
            .map(|c| context! { id => c.customer.id, name => c.customer.name })
            .collect()
    } else {
        vec![]
    };
    let sort_key = Sort::KEYS.iter().find(|(_, v)| *v == sort).map(|(k, _)| *k).unwrap_or("updated");
    // The current filters as a query string, for sort and page links.
    let mut keep: Vec<(String, String)> = q
        .iter()
        .filter(|(k, v)| !matches!(k.as_str(), "sort" | "dir" | "page" | "notice") && !v.is_empty())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    keep.sort();
    if !q.contains_key("state") {
        keep.push(("state".into(), state.clone()));
    }
    let filters = serde_urlencoded::to_string(&keep).unwrap_or_default();
    let local = context! {
        console, base, items => rows.iter().map(ticket_view).collect::<Vec<_>>(), total, page => page_no,
        pages => ((total + PER_PAGE - 1) / PER_PAGE).max(1), fq => q, state, settings => settings_view(&settings, console),
        customers, sort => sort_key, dir => if desc { "desc" } else { "asc" }, filters, notice => notice(q.get("notice").map(String::as_str)),
        filtered => keep.iter().any(|(k, v)| k != "state" || v != "open"),
    };
    Ok(page(&s.ctx, base, "pages/tickets/list.html", StatusCode::OK, local))
}

async fn render_new(s: &Signed, console: bool, status: StatusCode, extra: Value) -> Result<Response, AppError> {
    let base = base(s, console)?;
    let db = &s.ctx.app.db;
    let settings = tickets::settings(db, s.ctx.scope()).await?;
    let (customers, colleagues): (Vec<Value>, Vec<Value>) = if console {
        let rows = crate::services::customers::list(
            db,
            s.actor(),
            "",
            (crate::db::customers::CustomerSort::Name, false),
            1,
            200,
        )
        .await?
        .0;
        (rows.iter().map(|c| context! { id => c.customer.id, name => c.customer.name }).collect(), vec![])
    } else {
        let scope = s.actor().own_customer().ok_or(AppError::NotFound)?;
        let users = crate::db::users::list_customer(db, scope).await?;
        let colleagues = users
            .iter()
            .filter(|u| u.active && u.id != s.actor().user_id)
            .map(|u| context! { id => u.id, name => u.name, email => u.email })
            .collect();
        (vec![], colleagues)
    };
    let local = context! {
        console, base, settings => settings_view(&settings, console), customers, colleagues,
        max_upload_mb => s.ctx.app.settings.max_upload_mb, ..extra
    };
    Ok(page(&s.ctx, base, "pages/tickets/new.html", status, local))
}

async fn new_form(
    s: Signed,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
) -> Result<Response, AppError> {
    render_new(&s, is_console(uri.path()), StatusCode::OK, context! {}).await
}

async fn create(
    s: Signed,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
    WithFiles { form, problem }: WithFiles,
) -> Result<Response, AppError> {
    let console = is_console(uri.path());
    let base = base(&s, console)?;
    let values: HashMap<String, String> =
        form.fields.iter().filter(|(k, _)| k != "watchers" && k != "_csrf").cloned().collect();
    let sent_files = !form.files.is_empty();
    let result = match problem {
        Some(e) => Err(e),
        None => {
            let input = NewTicketInput {
                title: form.get("title"),
                description: form.get("description"),
                priority: Entered::id(&form.get("priority")),
                category: Entered::id(&form.get("category")),
                watchers: Entered::ids(form.all("watchers").iter().map(String::as_str)),
                customer: if console { crate::model::CustomerId::parse(&form.get("customer")) } else { None },
                external_id: None,
                external_system: None,
            };
            let app = &s.ctx.app;
            let attaching = Attaching::new(&app.files, form.files, app.settings.max_upload_bytes());
            tickets::create_with_files(&app.db, s.actor(), &app.public_url, input, attaching).await
        }
    };
    match result {
        Ok(t) => Ok(Redirect::to(&format!("{base}/{}?notice=ticket-created", t.number)).into_response()),
        Err(e) => {
            let (status, errs) = form_problem(&s, e)?;
            render_new(
                &s,
                console,
                status,
                context! { errors => errors_value(&errs), form => values, reattach => sent_files },
            )
            .await
        }
    }
}

/// A problem with what was submitted, as field errors to show on the form again; anything
/// else (not found, forbidden …) is answered as it is.
fn form_problem(s: &Signed, e: AppError) -> Result<(StatusCode, Vec<FieldError>), AppError> {
    let status = e.status();
    let message = match e {
        AppError::Validation(errs) => return Ok((status, errs)),
        AppError::PayloadTooLarge => format!(
            "Attachments can be at most {} MB together. Attach fewer or smaller files.",
            s.ctx.app.settings.max_upload_mb
        ),
        AppError::UnsupportedMedia(m) | AppError::BadRequest(m) => m,
        e => return Err(e),
    };
    Ok((status, vec![FieldError::new("attachments", message)]))
}

fn number(raw: &str) -> Result<i64, AppError> {
    tickets::parse_number(raw).ok_or(AppError::NotFound)
}

async fn render_show(
    s: &Signed,
    console: bool,
    n: i64,
    status: StatusCode,
    extra: Value,
) -> Result<Response, AppError> {
    let base = base(s, console)?;
    let db = &s.ctx.app.db;
    let t = tickets::get(db, s.actor(), n).await?;
    let comments = tickets::conversation(db, s.actor(), &t).await?;
    let (files, comment_files) = attachments_view(&attachments::of_ticket(db, s.actor(), &t).await?, base, n);
    let watchers: Vec<Value> = tickets::watchers(db, s.actor(), &t)
        .await?
        .iter()
        .map(|w| context! { name => w.name, email => w.email })
        .collect();
    let settings = tickets::settings(db, s.ctx.scope()).await?;
    let staff: Vec<Value> = if console {
        crate::db::users::list_staff(db, s.ctx.scope())
            .await?
            .iter()
            .filter(|u| u.active)
            .map(|u| context! { id => u.id, name => u.name })
            .collect()
    } else {
        vec![]
    };
    let local = context! {
        console, base, t => ticket_view(&t), comments => comments.iter().map(|c| comment_view(c, s.actor().user_id)).collect::<Vec<_>>(),
        watchers, settings => settings_view(&settings, console), staff, files, comment_files,
        max_upload_mb => s.ctx.app.settings.max_upload_mb, ..extra
    };
    Ok(page(&s.ctx, base, "pages/tickets/show.html", status, local))
}

/// The ticket's own files, and each comment's files by comment id.
fn attachments_view(rows: &[AttachmentRow], base: &str, n: i64) -> (Vec<Value>, BTreeMap<String, Vec<Value>>) {
    let mut own = vec![];
    let mut by_comment: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for a in rows {
        let v = context! {
            id => a.id, name => a.file_name, size => attachments::human_size(a.size_bytes), by => a.uploader_name,
            staff => a.uploader_is_staff, internal => a.internal, created => fmt(Some(a.created_at)),
            href => format!("{base}/{n}/attachments/{}", a.id),
        };
        match a.comment_id {
            Some(c) => by_comment.entry(c.to_string()).or_default().push(v),
            None => own.push(v),
        }
    }
    (own, by_comment)
}

async fn download(
    s: Signed,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
    Path((n, a)): Path<(String, String)>,
) -> Result<Response, AppError> {
    base(&s, is_console(uri.path()))?;
    let id = parse_id(&a).ok_or(AppError::NotFound)?;
    let app = &s.ctx.app;
    let t = tickets::get(&app.db, s.actor(), number(&n)?).await?;
    let (row, reading) = attachments::open(&app.db, &app.files, s.actor(), &t, id).await?;
    Ok(crate::http::attachments::download(&row, reading))
}

#[derive(Deserialize, Default)]
struct NoticeOnly {
    notice: Option<String>,
}

async fn show(
    s: Signed,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
    Path(n): Path<String>,
    axum::extract::Query(q): axum::extract::Query<NoticeOnly>,
) -> Result<Response, AppError> {
    render_show(
        &s,
        is_console(uri.path()),
        number(&n)?,
        StatusCode::OK,
        context! { notice => notice(q.notice.as_deref()) },
    )
    .await
}

#[derive(Deserialize, Default)]
struct CommentForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    status: String,
}

async fn add_comment(
    s: Signed,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
    Path(n): Path<String>,
    WithFiles { form, problem }: WithFiles,
) -> Result<Response, AppError> {
    let console = is_console(uri.path());
    let base = base(&s, console)?;
    let n = number(&n)?;
    let internal = console && form.get("internal") == "true";
    let body = form.get("body");
    let sent_files = !form.files.is_empty();
    let result = match problem {
        Some(e) => Err(e),
        None => {
            let app = &s.ctx.app;
            let attaching = Attaching::new(&app.files, form.files, app.settings.max_upload_bytes());
            tickets::comment_with_files(&app.db, s.actor(), &app.public_url, n, &body, internal, attaching).await
        }
    };
    match result {
        Ok(_) => Ok(super::see_other(&format!("{base}/{n}"), if internal { "note-added" } else { "reply-added" })),
        Err(e) => {
            let (status, errs) = form_problem(&s, e)?;
            render_show(
                &s,
                console,
                n,
                status,
                context! { comment_errors => errors_value(&errs), draft => body, draft_internal => internal, reattach => sent_files },
            )
            .await
        }
    }
}

async fn edit_comment(
    s: Signed,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
    Path((n, c)): Path<(String, String)>,
    FormData(f): FormData<CommentForm>,
) -> Result<Response, AppError> {
    let console = is_console(uri.path());
    let base = base(&s, console)?;
    let n = number(&n)?;
    let c = parse_id(&c).ok_or(AppError::NotFound)?;
    let r = tickets::edit_comment(&s.ctx.app.db, s.actor(), n, c, &f.body)
        .await
        .map(|()| super::see_other(&format!("{base}/{n}"), "comment-edited"));
    or_problem(r, async |status, problem| render_show(&s, console, n, status, context! { problem }).await).await
}

async fn delete_comment(
    s: Signed,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
    Path((n, c)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let base = base(&s, is_console(uri.path()))?;
    let n = number(&n)?;
    let c = parse_id(&c).ok_or(AppError::NotFound)?;
    tickets::delete_comment(&s.ctx.app.db, s.actor(), n, c).await?;
    Ok(super::see_other(&format!("{base}/{n}"), "comment-deleted"))
}

async fn set_status(
    s: Signed,
    Path(n): Path<String>,
    FormData(f): FormData<CommentForm>,
) -> Result<Response, AppError> {
    let base = base(&s, false)?;
    let n = number(&n)?;
    let r = tickets::set_status(&s.ctx.app.db, s.actor(), &s.ctx.app.public_url, n, Entered::id(&f.status))
        .await
        .map(|_| super::see_other(&format!("{base}/{n}"), "status-changed"));
    or_problem(r, async |status, problem| render_show(&s, false, n, status, context! { problem }).await).await
}

#[derive(Deserialize, Default)]
struct StaffForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    due: String,
}

async fn staff_update(
    s: Signed,
    Path(n): Path<String>,
    FormData(f): FormData<StaffForm>,
) -> Result<Response, AppError> {
    let base = base(&s, true)?;
    let n = number(&n)?;
    let changes = StaffChanges {
        status: Entered::id(&f.status),
        priority: Entered::id(&f.priority),
        category: Entered::id(&f.category),
        assignee: Entered::id(&f.assignee),
        due: Entered::date(&f.due),
    };
    let r = tickets::staff_update(&s.ctx.app.db, s.actor(), &s.ctx.app.public_url, n, changes)
        .await
        .map(|_| super::see_other(&format!("{base}/{n}"), "saved"));
    or_problem(r, async |status, problem| render_show(&s, true, n, status, context! { problem }).await).await
}
