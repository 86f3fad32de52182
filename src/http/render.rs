//! Page rendering: the embedded templates and the context every page shares.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use minijinja::{context, Environment, Value};
use serde::Serialize;

use super::context::Ctx;
use crate::policy::{Action, Actor};
use crate::services::branding::Branding;

macro_rules! embed {
    ($($name:literal),* $(,)?) => { &[$(($name, include_str!(concat!("../../templates/", $name)))),*] };
}

const TEMPLATES: &[(&str, &str)] = embed!(
    "layout.html",
    "auth_layout.html",
    "partials/form.html",
    "partials/portal_users.html",
    "partials/support.html",
    "partials/features.html",
    "partials/table.html",
    "partials/prefs_form.html",
    "partials/attachments.html",
    "pages/login.html",
    "pages/invite.html",
    "pages/two_factor_login.html",
    "pages/error.html",
    "pages/dashboard.html",
    "pages/company_users.html",
    "pages/account.html",
    "pages/console/customers.html",
    "pages/console/customer_new.html",
    "pages/console/customer.html",
    "pages/console/staff.html",
    "pages/console/branding.html",
    "pages/console/tokens.html",
    "pages/console/ticket_settings.html",
    "pages/tickets/list.html",
    "pages/tickets/new.html",
    "pages/tickets/show.html",
    "pages/notifications.html",
    "pages/notification_prefs.html",
    "pages/forgot_password.html",
    "pages/reset_password.html",
    "pages/console/email.html",
    "pages/console/email_template.html",
    "pages/console/m365.html",
    "pages/console/m365_customer.html",
);

pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    for (name, source) in TEMPLATES {
        env.add_template(name, source).expect("built-in templates compile");
    }
    env.add_global("asset_v", super::assets::version());
    env.add_function("icon", |name: &str| Value::from_safe_string(super::icons::svg(name)));
    env.add_filter("datetime", |v: Value| -> String {
        let s = v.to_string();
        time::OffsetDateTime::parse(&s, &time::format_description::well_known::Rfc3339)
            .map(|t| {
                format!("{:02} {} {} {:02}:{:02}", t.day(), short_month(t.month()), t.year(), t.hour(), t.minute())
            })
            .unwrap_or(s)
    });
    env
}

fn short_month(m: time::Month) -> &'static str {
    use time::Month::*;
    match m {
        January => "Jan",
        February => "Feb",
        March => "Mar",
        April => "Apr",
        May => "May",
        June => "Jun",
        July => "Jul",
        August => "Aug",
        September => "Sep",
        October => "Oct",
        November => "Nov",
        December => "Dec",
    }
}

#[derive(Serialize)]
struct NavItem {
    label: &'static str,
    href: &'static str,
    icon: &'static str,
    active: bool,
}

/// The left navigation: only what this actor may open.
fn nav(actor: &Actor, ctx: &Ctx, path: &str) -> Vec<NavItem> {
    let item = |label, href: &'static str, icon| NavItem {
        label,
        href,
        icon,
        active: path == href || path.starts_with(&format!("{href}/")),
    };
    let mut items = vec![];
    if actor.is_staff() {
        items.push(item("Customers", "/msp/customers", "building"));
        items.push(item("Tickets", "/msp/tickets", "ticket"));
        items.push(item("Staff", "/msp/staff", "team"));
        if actor.may(Action::ManageBranding, None) {
            items.push(item("Branding", "/msp/branding", "palette"));
        }
        if actor.may(Action::ManageTicketSettings, None) {
            items.push(item("Ticket settings", "/msp/settings/tickets", "ticket"));
        }
        if actor.may(Action::ManageM365, None) {
            items.push(item("Microsoft 365", "/msp/settings/m365", "building"));
        }
        if actor.may(Action::ManageEmail, None) {
            items.push(item("Email", "/msp/settings/email", "mail"));
        }
        if actor.may(Action::ManageApiTokens, None) {
            items.push(item("API tokens", "/msp/tokens", "key"));
        }
    } else {
        items.push(item("Dashboard", "/dashboard", "home"));
        let features = ctx.features();
        if actor.may(Action::UseFeature("tickets"), features.as_ref()) {
            items.push(item("Support tickets", "/tickets", "ticket"));
        }
        if actor.may(Action::ManagePortalUsers, features.as_ref()) {
            items.push(item("Portal users", "/company/users", "team"));
        }
    }
    items.push(item("My account", "/account", "user"));
    items
}

/// Renders `name` inside the shared context (brand, user, navigation, CSRF token).
pub fn page(ctx: &Ctx, path: &str, name: &str, status: StatusCode, local: Value) -> Response {
    let brand = Branding::of(&ctx.msp);
    let session = ctx.session.as_deref();
    let user = session.map(|s| {
        context! {
            name => s.actor.name, email => s.actor.email, role => s.actor.role.as_str(), is_staff => s.actor.is_staff(),
            customer => s.customer.as_ref().map(|c| c.name.clone()),
        }
    });
    let shared = context! {
        brand => brand,
        msp_name => ctx.msp.name,
        brand_version => ctx.msp.branding_version,
        user => user,
        nav => session.map(|s| nav(&s.actor, ctx, path)),
        csrf => session.map(|s| s.csrf.clone()),
        unread => session.map(|s| s.unread),
        path => path,
    };
    let merged = context! { ..local, ..shared };
    // Sized for a typical page, so rendering does not grow the buffer step by step.
    let rendered = ctx.app.templates.get_template(name).and_then(|t| {
        let mut out = Vec::with_capacity(16 * 1024);
        t.render_captured_to(merged, &mut out).map(|_| String::from_utf8(out).unwrap_or_default())
    });
    match rendered {
        Ok(html) if ctx.gzip => match super::gzip::compress(html.as_bytes()) {
            Some(body) => {
                let mut resp =
                    (status, [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response();
                super::gzip::headers(resp.headers_mut());
                resp
            }
            None => (status, Html(html)).into_response(),
        },
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(template = name, error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "The page could not be drawn.").into_response()
        }
    }
}

/// Field errors as a map for templates: `errors.email` is the message for that field.
pub fn errors_value(errors: &[crate::model::FieldError]) -> Value {
    let map: std::collections::BTreeMap<&str, &str> = errors.iter().map(|e| (e.field, e.message.as_str())).collect();
    Value::from_serialize(&map)
}
