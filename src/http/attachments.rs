//! Attachments over HTTP, for pages and API alike: reading a form that may carry files, and
//! sending a stored file back as a download.
//!
//! Upload routes lift the global 2 MB body limit (`DefaultBodyLimit::disable()` on the route)
//! because `read` counts every byte as it arrives and stops at the configured limit, so an
//! upload that is too large is refused without reading the rest and before anything is written.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::multipart::MultipartError;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::db::attachments::AttachmentRow;
use crate::error::AppError;
use crate::files::Reading;
use crate::services::attachments::{content_disposition, Upload, MAX_FILES};

/// The text fields of a form together, at most (a ticket's description is at most 20,000
/// characters).
const FIELDS_MAX: usize = 1024 * 1024;
/// Parts of a multipart form, at most: the files plus every text field.
const PARTS_MAX: usize = MAX_FILES + 100;
/// How much more of an upload that is too large is read (and dropped), so the client sees the
/// answer rather than a reset connection; past this the connection is closed.
const DRAIN_MAX: usize = 64 * 1024 * 1024;

/// A submitted form: its text fields in order and its files.
#[derive(Debug, Default)]
pub struct Submission {
    pub fields: Vec<(String, String)>,
    pub files: Vec<Upload>,
}

impl Submission {
    /// The first value of a field, or "".
    pub fn get(&self, name: &str) -> String {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.fields.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }
}

/// A form that may carry files, as far as it could be read, and what stopped the reading,
/// if anything: the fields before the problem are kept, so a page can show them again.
pub struct WithFiles {
    pub form: Submission,
    pub problem: Option<AppError>,
}

impl FromRequest<Arc<AppState>> for WithFiles {
    type Rejection = std::convert::Infallible;
    async fn from_request(req: Request, app: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        Ok(read(req, app.settings.max_upload_bytes()).await)
    }
}

/// Reads a `multipart/form-data` body (files: any part with a file name, or named `file`,
/// `files` or `attachments`) or a urlencoded one (no files), with at most `max_file_bytes`
/// of files together.
pub async fn read(req: Request, max_file_bytes: usize) -> WithFiles {
    let content_type =
        req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    let mut form = Submission::default();
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let problem = match axum::body::to_bytes(req.into_body(), FIELDS_MAX).await {
            Err(_) => Some(AppError::PayloadTooLarge),
            Ok(bytes) => match serde_urlencoded::from_bytes(&bytes) {
                Ok(fields) => {
                    form.fields = fields;
                    None
                }
                Err(_) => Some(AppError::BadRequest("The form was not filled in correctly. Please try again.".into())),
            },
        };
        return WithFiles { form, problem };
    }
    if !content_type.starts_with("multipart/form-data") {
        let problem = AppError::UnsupportedMedia("Send the form as multipart/form-data.".into());
        return WithFiles { form, problem: Some(problem) };
    }
    let problem = match Multipart::from_request(req, &()).await {
        Ok(m) => read_parts(m, &mut form, max_file_bytes).await.err(),
        Err(_) => Some(unreadable()),
    };
    WithFiles { form, problem }
}

fn unreadable() -> AppError {
    AppError::BadRequest("The upload could not be read. Please choose the files again.".into())
}

fn multipart_error(e: MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge
    } else {
        unreadable()
    }
}

async fn read_parts(mut m: Multipart, form: &mut Submission, max_file_bytes: usize) -> Result<(), AppError> {
    let (mut file_bytes, mut field_bytes, mut parts, mut dropped) = (0usize, 0usize, 0usize, 0usize);
    let mut too_large = false;
    while let Some(mut field) = m.next_field().await.map_err(multipart_error)? {
        parts += 1;
        if parts > PARTS_MAX {
            return Err(AppError::BadRequest(format!("Attach at most {MAX_FILES} files at once.")));
        }
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let is_file = file_name.is_some() || matches!(name.as_str(), "file" | "files" | "attachments");
        let mut data = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
            let (used, max) = if is_file { (&mut file_bytes, max_file_bytes) } else { (&mut field_bytes, FIELDS_MAX) };
            *used += chunk.len();
            too_large |= *used > max;
            if too_large {
                dropped += chunk.len();
                if dropped > DRAIN_MAX {
                    return Err(AppError::PayloadTooLarge);
                }
                continue;
            }
            data.extend_from_slice(&chunk);
        }
        if too_large {
            continue;
        }
        if is_file {
            // A file input left empty still sends a part, without a name or content.
            if data.is_empty() && file_name.as_deref().is_none_or(str::is_empty) {
                continue;
            }
            form.files.push(Upload { file_name, bytes: Bytes::from(data) });
        } else {
            let text = String::from_utf8(data).map_err(|_| unreadable())?;
            form.fields.push((name, text));
        }
    }
    if too_large {
        return Err(AppError::PayloadTooLarge);
    }
    Ok(())
}

/// The stored file as a download: its sniffed type, never rendered by the browser.
pub fn download(row: &AttachmentRow, reading: Reading) -> Response {
    let mut resp = Body::from_stream(reading.stream).into_response();
    let h = resp.headers_mut();
    let value =
        |s: &str| HeaderValue::from_str(s).unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    h.insert(header::CONTENT_TYPE, value(&row.content_type));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(reading.size));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&content_disposition(&row.file_name))
            .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    resp
}
