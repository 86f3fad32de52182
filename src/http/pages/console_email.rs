//! Console: how the MSP's mail goes out — the sender, the outbox, the wording of each kind
//! of mail, and the notification defaults for new people.

use std::sync::Arc;

use axum::extract::{Path, Query};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use minijinja::{context, Value};
use serde::Deserialize;

use super::{notice, see_other, FormData, NoticeQuery};
use crate::error::AppError;
use crate::http::context::{Signed, StaffPage};
use crate::http::forms::submit;
use crate::http::render::page;
use crate::http::AppState;
use crate::model::{parse_id, rfc3339};
use crate::policy::Action;
use crate::services::email::{self, Kind, Source};
use crate::services::notify;

const PATH: &str = "/msp/settings/email";

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(PATH, get(show))
        .route("/msp/settings/email/sender", post(sender))
        .route("/msp/settings/email/defaults", post(defaults))
        .route("/msp/settings/email/outbox/{id}/retry", post(retry))
        .route("/msp/settings/email/templates/{kind}", get(edit).post(save))
        .route("/msp/settings/email/templates/{kind}/preview", post(preview))
        .route("/msp/settings/email/templates/{kind}/reset", post(reset))
}

async fn render(s: &Signed, status: StatusCode, extra: Value) -> Result<Response, AppError> {
    let db = &s.ctx.app.db;
    let ((queued, failed), recent) = email::outbox(db, s.actor()).await?;
    let settings = &s.ctx.app.settings;
    let smtp = settings.smtp_url.is_some() && settings.run_jobs;
    let outbox: Vec<Value> = recent
        .iter()
        .map(|j| {
            let state = if j.done_at.is_some() {
                "sent"
            } else if j.failed_at.is_some() {
                "failed"
            } else if j.attempts > 0 {
                "retrying"
            } else {
                "queued"
            };
            context! {
                id => j.id, summary => j.summary, state, attempts => j.attempts, error => j.last_error,
                created_at => rfc3339(j.created_at), next => rfc3339(j.run_at),
            }
        })
        .collect();
    let custom = email::customised(db, s.actor()).await?;
    let kinds: Vec<Value> = Kind::ALL
        .iter()
        .map(|k| context! { key => k.key(), label => k.label(), about => k.about(), custom => custom.iter().any(|c| c == k.key()) })
        .collect();
    let defaults = notify::defaults(db, s.actor().msp()).await?;
    let rows: Vec<Value> = notify::CATEGORIES
        .iter()
        .map(|(key, label, about)| {
            let c = defaults.iter().find(|(k, _)| k == key).map(|(_, c)| *c);
            context! { key, label, about, email => c.is_some_and(|c| c.email), in_app => c.is_some_and(|c| c.in_app) }
        })
        .collect();
    let msp = crate::db::msps::get(db, s.actor().msp()).await?.ok_or(AppError::NotFound)?;
    Ok(page(
        &s.ctx,
        PATH,
        "pages/console/email.html",
        status,
        context! {
            smtp, queued, failed, outbox, kinds, rows, mail_from => msp.mail_from, default_from => settings.smtp_from,
            action => "/msp/settings/email/defaults", defaults => true, ..extra
        },
    ))
}

async fn show(StaffPage(s): StaffPage, Query(q): Query<NoticeQuery>) -> Result<Response, AppError> {
    render(&s, StatusCode::OK, context! { notice => notice(q.notice.as_deref()) }).await
}

#[derive(Deserialize, Default)]
struct SenderForm {
    #[serde(default)]
    mail_from: String,
}

async fn sender(StaffPage(s): StaffPage, FormData(f): FormData<SenderForm>) -> Result<Response, AppError> {
    submit(
        email::set_sender(&s.ctx.app.db, s.actor(), &f.mail_from).await,
        async |()| Ok(see_other(PATH, "saved")),
        async |status, errors| render(&s, status, context! { errors, mail_from_draft => f.mail_from }).await,
    )
    .await
}

async fn defaults(StaffPage(s): StaffPage, FormData(f): FormData<Vec<(String, String)>>) -> Result<Response, AppError> {
    s.actor().require(Action::ManageEmail, None)?;
    let ticked: Vec<String> = f.into_iter().map(|(k, _)| k).collect();
    notify::save_defaults(&s.ctx.app.db, s.actor().msp(), &notify::parse_choices(&ticked)).await?;
    Ok(see_other(PATH, "saved"))
}

async fn retry(StaffPage(s): StaffPage, Path(id): Path<String>) -> Result<Response, AppError> {
    let id = parse_id(&id).ok_or(AppError::NotFound)?;
    email::retry(&s.ctx.app.db, s.actor(), id).await?;
    Ok(see_other(PATH, "mail-requeued"))
}

fn kind_of(raw: &str) -> Result<Kind, AppError> {
    Kind::parse(raw).ok_or(AppError::NotFound)
}

#[derive(Deserialize, Default)]
struct TemplateForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    html: String,
}

impl TemplateForm {
    fn source(self) -> Source {
        Source { subject: self.subject, text: self.text, html: self.html }
    }
}

fn editor(s: &Signed, k: Kind, draft: &Source, status: StatusCode, extra: Value) -> Response {
    page(
        &s.ctx,
        PATH,
        "pages/console/email_template.html",
        status,
        context! {
            kind => context! { key => k.key(), label => k.label(), about => k.about(), vars => k.vars() },
            draft => context! { subject => draft.subject, text => draft.text, html => draft.html },
            ..extra
        },
    )
}

async fn is_custom(s: &Signed, k: Kind) -> Result<bool, AppError> {
    Ok(email::customised(&s.ctx.app.db, s.actor()).await?.iter().any(|c| c == k.key()))
}

async fn edit(
    StaffPage(s): StaffPage,
    Path(kind): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    s.actor().require(Action::ManageEmail, None)?;
    let k = kind_of(&kind)?;
    let draft = email::source(&s.ctx.app.db, s.actor().msp(), k).await?;
    let custom = is_custom(&s, k).await?;
    Ok(editor(&s, k, &draft, StatusCode::OK, context! { custom, notice => notice(q.notice.as_deref()) }))
}

async fn save(
    StaffPage(s): StaffPage,
    Path(kind): Path<String>,
    FormData(f): FormData<TemplateForm>,
) -> Result<Response, AppError> {
    let k = kind_of(&kind)?;
    let draft = f.source();
    submit(
        email::save_template(&s.ctx.app.db, s.actor(), &s.ctx.app.public_url, k, draft.clone()).await,
        async |()| Ok(see_other(&format!("/msp/settings/email/templates/{}", k.key()), "saved")),
        async |status, errors| editor_again(&s, k, &draft, status, errors).await,
    )
    .await
}

/// The editor drawn again over a draft that does not compile or render.
async fn editor_again(
    s: &Signed,
    k: Kind,
    draft: &Source,
    status: StatusCode,
    errors: Value,
) -> Result<Response, AppError> {
    let custom = is_custom(s, k).await?;
    Ok(editor(s, k, draft, status, context! { errors, custom }))
}

/// The draft rendered with sample data, under the editor. The mail's HTML sits in a
/// sandboxed frame; its inline styles need this one response's policy to allow them.
async fn preview(
    StaffPage(s): StaffPage,
    Path(kind): Path<String>,
    FormData(f): FormData<TemplateForm>,
) -> Result<Response, AppError> {
    let k = kind_of(&kind)?;
    let draft = f.source();
    let tried = email::try_template(&s.ctx.app.db, s.actor(), &s.ctx.app.public_url, k, &draft).await;
    submit(
        tried,
        async |mail| {
            let custom = is_custom(&s, k).await?;
            let mut resp = editor(
                &s,
                k,
                &draft,
                StatusCode::OK,
                context! { preview => context! { subject => mail.subject, text => mail.text, html => mail.html }, custom },
            );
            resp.headers_mut().insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https: http:; \
                     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
                ),
            );
            Ok(resp)
        },
        async |status, errors| editor_again(&s, k, &draft, status, errors).await,
    )
    .await
}

async fn reset(StaffPage(s): StaffPage, Path(kind): Path<String>) -> Result<Response, AppError> {
    let k = kind_of(&kind)?;
    email::reset_template(&s.ctx.app.db, s.actor(), k).await?;
    Ok(see_other(&format!("/msp/settings/email/templates/{}", k.key()), "template-reset"))
}
