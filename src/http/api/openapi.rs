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

/// The document as served, made once. utoipa 5 writes a link's fields in snake case
/// (`operation_id`); OpenAPI spells them `operationId`, `operationRef` and `requestBody`.
pub fn document() -> &'static serde_json::Value {
    static DOC: std::sync::LazyLock<serde_json::Value> = std::sync::LazyLock::new(|| {
        let mut doc = serde_json::to_value(ApiDoc::openapi()).expect("the document serializes");
        camel_case_links(&mut doc);
        body_errors(&mut doc);
        doc
    });
    &DOC
}

/// What any operation that reads a body may answer, whether or not its annotation says so:
/// the body extractors answer these before the handler runs.
fn body_errors(doc: &mut serde_json::Value) {
    let answers = [
        ("400", "The body is not valid JSON."),
        ("413", "The body is too large."),
        ("415", "The body is not of the documented content type (or has none)."),
        ("422", "The body, or a field of it (named in `fields`), will not do."),
    ];
    let Some(paths) = doc["paths"].as_object_mut() else { return };
    for op in paths.values_mut().filter_map(|p| p.as_object_mut()).flat_map(|p| p.values_mut()) {
        if op.get("requestBody").is_none() {
            continue;
        }
        let Some(responses) = op["responses"].as_object_mut() else { continue };
        for (status, description) in answers {
            responses.entry(status).or_insert_with(|| {
                serde_json::json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}})
            });
        }
    }
}

fn camel_case_links(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::Object(links)) = map.get_mut("links") {
                for link in links.values_mut().filter_map(|l| l.as_object_mut()) {
                    for (from, to) in [
                        ("operation_id", "operationId"),
                        ("operation_ref", "operationRef"),
                        ("request_body", "requestBody"),
                    ] {
                        if let Some(x) = link.remove(from) {
                            link.insert(to.into(), x);
                        }
                    }
                }
            }
            map.values_mut().for_each(camel_case_links);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(camel_case_links),
        _ => {}
    }
}

pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/openapi.json", get(|| async { Json(document()) }))
}
