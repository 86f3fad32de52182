//! Page rendering: the embedded templates and the context every page shares.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use minijinja::{context, Environment, Value};
use serde::Serialize;

use super::context::Ctx;
use crate::model::{group_thousands, Feature};
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
    "partials/m365.html",
    "partials/m365_tiles.html",
    "partials/chart.html",
    "pages/m365/users.html",
    "pages/m365/user.html",
    "pages/m365/groups.html",
    "pages/m365/licenses.html",
    "pages/m365/license.html",
    "pages/m365/unused.html",
    "pages/m365/unused_rows.html",
    "pages/m365/security.html",
    "pages/m365/health.html",
    "pages/m365/overview.html",
    "pages/m365/settings.html",
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
    env.add_filter("date", |v: Value| -> String {
        let s = v.to_string();
        let date = time::OffsetDateTime::parse(&s, &time::format_description::well_known::Rfc3339)
            .map(|t| t.date())
            .or_else(|_| time::Date::parse(&s, time::macros::format_description!("[year]-[month]-[day]")));
        date.map(|d| format!("{} {} {}", d.day(), short_month(d.month()), d.year())).unwrap_or(s)
    });
    env.add_filter("ago", |v: Value| -> String {
        let s = v.to_string();
        time::OffsetDateTime::parse(&s, &time::format_description::well_known::Rfc3339)
            .map(|t| ago(crate::model::now() - t))
            .unwrap_or(s)
    });
    env.add_filter("num", |v: Value| -> String { group_thousands(&v.to_string()) });
    // A score or percentage: one decimal at most, none when it is whole ("63.5", "4").
    env.add_filter("dec", |v: f64| -> String {
        let r = (v * 10.0).round() / 10.0;
        if r.fract() == 0.0 {
            format!("{r:.0}")
        } else {
            format!("{r:.1}")
        }
    });
    // An amount as the API gives it ("1250.00") with the currency given beside it ("EUR"):
    // "€1,250.00". The currency is a required argument, so no template shows a bare number.
    env.add_filter("money", |v: Value, currency: &str| -> String {
        crate::model::Currency::from_stored(currency).display(&v.to_string())
    });
    env
}

/// "3 hours ago", "yesterday", "12 days ago"; a time in the future reads "just now".
fn ago(d: time::Duration) -> String {
    let plural = |n: i64, unit: &str| format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" });
    match d.whole_minutes() {
        m if m < 1 => "just now".into(),
        m if m < 60 => plural(m, "minute"),
        m if m < 60 * 24 => plural(m / 60, "hour"),
        m if m < 60 * 48 => "yesterday".into(),
        m if m < 60 * 24 * 60 => plural(m / (60 * 24), "day"),
        m if m < 60 * 24 * 730 => plural(m / (60 * 24 * 30), "month"),
        m => plural(m / (60 * 24 * 365), "year"),
    }
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
            items.push(item("Microsoft 365", "/msp/settings/m365", "cloud"));
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
        for (label, href, icon, feature) in [
            ("Users", "/users", "directory", Feature::UserDirectory),
            ("Groups", "/groups", "groups", Feature::UserDirectory),
            ("Licenses", "/licenses", "license", Feature::Licenses),
            ("Security", "/security", "shield", Feature::Security),
            ("Service health", "/service-health", "pulse", Feature::ServiceHealth),
        ] {
            if actor.may(Action::UseFeature(feature), features.as_ref()) {
                items.push(item(label, href, icon));
            }
        }
        if actor.may(Action::UseFeature(Feature::Tickets), features.as_ref()) {
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
    let map: std::collections::BTreeMap<&str, &str> =
        errors.iter().map(|e| (e.field.as_ref(), e.message.as_str())).collect();
    Value::from_serialize(&map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_and_times_read_as_ago() {
        assert_eq!(group_thousands("10003"), "10,003");
        assert_eq!(group_thousands("1234.50"), "1,234.50");
        assert_eq!(group_thousands("-1234567"), "-1,234,567");
        assert_eq!(group_thousands("999"), "999");
        assert_eq!(group_thousands("n/a"), "n/a");
        assert_eq!(ago(time::Duration::minutes(90)), "1 hour ago");
        assert_eq!(ago(time::Duration::hours(30)), "yesterday");
        assert_eq!(ago(time::Duration::days(12)), "12 days ago");
        assert_eq!(ago(time::Duration::seconds(-5)), "just now");
    }
}
