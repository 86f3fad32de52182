//! `/api/portal/customers/{id}/tickets/{ticket}/attachments`: files on a ticket and its
//! comments, for whoever may see the ticket (internal notes' files for staff only).

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use uuid::Uuid;

use super::tickets::ticket_of;
use super::{path_id, ApiActor, ErrorBody, TicketPath};
use crate::db::attachments::AttachmentRow;
use crate::error::AppError;
use crate::http::attachments::{download as send_file, read};
use crate::http::AppState;
use crate::services::attachments::{self, Attaching};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/portal/customers/{id}/tickets/{ticket}/attachments",
            get(list).post(upload).layer(DefaultBodyLimit::disable()),
        )
        .route("/portal/customers/{id}/tickets/{ticket}/attachments/{attachment}", get(download))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Attachment {
    pub id: Uuid,
    /// The comment it came with, or null for the ticket itself.
    pub comment_id: Option<Uuid>,
    /// As uploaded, without any path.
    pub file_name: String,
    /// Found from the content, e.g. `image/png`, `application/pdf`, `text/plain; charset=utf-8`.
    pub content_type: String,
    pub size_bytes: i64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// Staff only (a file of an internal note); never returned to customers.
    pub internal: bool,
    pub uploaded_by: Option<String>,
    pub from_staff: bool,
    /// Where to download it (with the same token).
    pub download_url: String,
    #[schema(value_type = String, format = DateTime)]
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
}

impl Attachment {
    pub fn of(a: AttachmentRow, ticket_number: i64) -> Attachment {
        Attachment {
            download_url: format!(
                "/api/portal/customers/{}/tickets/{ticket_number}/attachments/{}",
                a.customer_id, a.id
            ),
            id: a.id,
            comment_id: a.comment_id,
            file_name: a.file_name,
            content_type: a.content_type,
            size_bytes: a.size_bytes,
            sha256: a.sha256,
            internal: a.internal,
            uploaded_by: a.uploader_name,
            from_staff: a.uploader_is_staff,
            created_at: a.created_at,
        }
    }
}

// Only describes the form for the documentation; `http::attachments::read` reads it.
/// One or more files and where they go, sent as `multipart/form-data`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct AttachmentUpload {
    /// One or more files (parts named `files`, `file` or `attachments`, or any part with a file name).
    #[schema(value_type = Vec<String>, format = Binary)]
    files: Vec<Vec<u8>>,
    /// Attach to this comment of the ticket (one's own) instead of the ticket itself.
    comment_id: Option<Uuid>,
    /// Staff only: `true` for files only staff may see.
    internal: Option<bool>,
}

/// A file's bytes, as stored.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
pub struct FileContent(Vec<u8>);

/// The files of a ticket and its comments, oldest first.
#[utoipa::path(get, path = "/api/portal/customers/{id}/tickets/{ticket}/attachments", tag = "tickets", operation_id = "list_attachments", security(("bearer" = [])),
    params(TicketPath),
    responses((status = 200, body = Vec<Attachment>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
    Path((id, ticket)): Path<(String, String)>,
) -> Result<Json<Vec<Attachment>>, AppError> {
    let t = ticket_of(&app, &actor, &id, &ticket).await?;
    let rows = attachments::of_ticket(&app.db, &actor, &t).await?;
    Ok(Json(rows.into_iter().map(|a| Attachment::of(a, t.number)).collect()))
}

/// Attaches files to the ticket, or to one of the caller's comments on it. Allowed are
/// images (PNG, JPEG, GIF, WebP), PDF, UTF-8 text (CSV, logs, .eml), ZIP and Office
/// documents, recognised by their content; at most 10 files and the configured size
/// (`PORTICO_MAX_UPLOAD_MB`, 25 MB by default) together.
#[utoipa::path(post, path = "/api/portal/customers/{id}/tickets/{ticket}/attachments", tag = "tickets", operation_id = "upload_attachments", security(("bearer" = [])),
    params(TicketPath),
    request_body(content = AttachmentUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = Vec<Attachment>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
    Path((id, ticket)): Path<(String, String)>,
    req: Request,
) -> Result<(StatusCode, Json<Vec<Attachment>>), AppError> {
    let t = ticket_of(&app, &actor, &id, &ticket).await?;
    let submitted = read(req, app.settings.max_upload_bytes()).await;
    if let Some(e) = submitted.problem {
        return Err(e);
    }
    let form = submitted.form;
    let comment = match form.get("comment_id").trim() {
        "" => None,
        c => Some(
            crate::model::parse_id(c)
                .ok_or_else(|| crate::model::FieldError::new("comment_id", "Name a comment by its id."))?,
        ),
    };
    let internal = match form.get("internal").trim() {
        "" | "false" => false,
        "true" => true,
        _ => return Err(crate::model::FieldError::new("internal", "Use true or false.").into()),
    };
    let attaching = Attaching::new(&app.files, form.files, app.settings.max_upload_bytes());
    let rows = attachments::add(&app.db, &actor, t.number, comment, internal, attaching).await?;
    Ok((StatusCode::CREATED, Json(rows.into_iter().map(|a| Attachment::of(a, t.number)).collect())))
}

/// Downloads one file, as `Content-Disposition: attachment` with its sniffed type.
#[utoipa::path(get, path = "/api/portal/customers/{id}/tickets/{ticket}/attachments/{attachment}", tag = "tickets", operation_id = "download_attachment", security(("bearer" = [])),
    params(TicketPath,
           ("attachment" = String, Path, description = "Attachment id")),
    responses((status = 200, description = "The file's bytes, with the type found from its content (`image/png`, `application/pdf`, `text/plain; charset=utf-8` …).", content_type = "*/*", body = FileContent),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn download(
    State(app): State<Arc<AppState>>,
    ApiActor(actor): ApiActor,
    Path((id, ticket, attachment)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    let t = ticket_of(&app, &actor, &id, &ticket).await?;
    let (row, reading) = attachments::open(&app.db, &app.files, &actor, &t, path_id(&attachment)?).await?;
    Ok(send_file(&row, reading))
}
