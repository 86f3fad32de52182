//! `/api/openapi.json`: the OpenAPI 3 description, generated from the handlers' annotations.

use std::sync::Arc;

use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::http::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Portico API", description = "JSON API of the Portico client portal. Authenticate with `Authorization: Bearer <token>`; tokens are created in the staff console or with `portico token create`."),
    paths(
        super::branding::show, super::branding::update, super::branding::logo, super::branding::favicon,
        super::customers::list, super::customers::create, super::customers::show, super::customers::update, super::customers::show_dashboard,
        super::tickets::settings, super::tickets::list_all, super::tickets::list, super::tickets::create, super::tickets::show, super::tickets::update,
        super::tickets::comments, super::tickets::add_comment, super::tickets::edit_comment, super::tickets::delete_comment,
        super::attachments::list, super::attachments::upload, super::attachments::download,
        super::m365_sync::app_registration, super::m365_sync::save_app, super::m365_sync::status, super::m365_sync::sync_now,
        super::m365::users, super::m365::user, super::m365::groups, super::m365::licenses, super::m365::unused, super::m365::security,
        super::m365::service_health,
        super::users::list, super::users::invite, super::users::update, super::users::staff,
    ),
    components(schemas(super::ErrorBody, super::ErrorDetail, super::FieldErrorBody)),
    modifiers(&Bearer)
)]
pub struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = doc.components.as_mut() {
            c.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
        }
    }
}

pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
}
