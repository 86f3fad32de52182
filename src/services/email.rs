//! Email: the kinds of mail, their built-in wording (embedded from `templates/email/`), an
//! MSP's own wording, the branded layout around it, and the outbox job that carries a
//! rendered mail to the runner.

use minijinja::{context, AutoEscape, Environment, Value};
use serde::{Deserialize, Serialize};

use crate::db::jobs::NewJob;
use crate::db::{self, Db, MspScope};
use crate::error::{AppError, AppResult};
use crate::jobs::email::{Outgoing, KIND as JOB_KIND};
use crate::model::{self, Colour, FieldError};
use crate::policy::{Action, Actor};

/// Attempts before a mail is given up on (about a day with the default backoff).
const MAX_ATTEMPTS: i64 = 12;

const TICKET_VARS: &str = "recipient.name, ticket.number, ticket.title, ticket.status, ticket.priority, \
                           ticket.customer, ticket.url, actor, comment";

/// Declares the kinds of mail in one table: each one's key (in URLs and saved templates),
/// its console wording, and its built-in templates, embedded from `templates/email/<key>.*`.
macro_rules! kinds {
    ($($variant:ident = $key:literal { $label:literal, $about:literal, $vars:expr $(,)? })+) => {
        /// A kind of mail Portico sends; each has built-in wording an MSP may replace.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Kind {
            $($variant,)+
        }

        impl Kind {
            pub const ALL: &'static [Kind] = &[$(Kind::$variant,)+];

            pub fn key(self) -> &'static str {
                match self {
                    $(Kind::$variant => $key,)+
                }
            }

            /// The kind a key names; `None` for a key from outside that names none.
            pub fn parse(key: &str) -> Option<Kind> {
                Kind::ALL.iter().copied().find(|k| k.key() == key)
            }

            pub fn label(self) -> &'static str {
                match self {
                    $(Kind::$variant => $label,)+
                }
            }

            pub fn about(self) -> &'static str {
                match self {
                    $(Kind::$variant => $about,)+
                }
            }

            /// The variables its templates can use, for the console's editor.
            pub fn vars(self) -> &'static str {
                match self {
                    $(Kind::$variant => $vars,)+
                }
            }

            /// The built-in (subject, text, html).
            fn builtin(self) -> (&'static str, &'static str, &'static str) {
                match self {
                    $(Kind::$variant => (
                        include_str!(concat!("../../templates/email/", $key, ".subject.txt")),
                        include_str!(concat!("../../templates/email/", $key, ".txt")),
                        include_str!(concat!("../../templates/email/", $key, ".html")),
                    ),)+
                }
            }
        }
    };
}

kinds! {
    TicketCreated = "ticket_created" {
        "Ticket received",
        "To the requester and watchers when a ticket is raised.",
        TICKET_VARS,
    }
    TicketReply = "ticket_reply" {
        "New reply",
        "To the requester and watchers when someone replies publicly.",
        TICKET_VARS,
    }
    TicketStatus = "ticket_status" {
        "Status changed",
        "To the requester and watchers when a ticket moves to another open status.",
        TICKET_VARS,
    }
    TicketResolved = "ticket_resolved" {
        "Ticket resolved",
        "To the requester and watchers when a ticket moves to a closed status.",
        TICKET_VARS,
    }
    StaffNewTicket = "staff_new_ticket" {
        "New ticket (staff)",
        "To the assigned technician, or to all staff when nobody is assigned, when a customer raises a ticket.",
        TICKET_VARS,
    }
    StaffCustomerReply = "staff_customer_reply" {
        "Customer reply (staff)",
        "To the assigned technician, or to all staff when nobody is assigned, when a customer replies.",
        TICKET_VARS,
    }
    M365Alert = "m365_alert" {
        "Microsoft 365 alert",
        "To a customer's portal users when a service incident, a license threshold or renewal, or a security alert needs their attention.",
        "recipient.name, alert.kind, alert.title, alert.detail, alert.url",
    }
    Invitation = "invitation" {
        "Invitation",
        "To a new portal user, with the link to set their password.",
        "recipient.name, company, inviter, url, expires",
    }
    PasswordReset = "password_reset" {
        "Password reset",
        "When someone asks for a new password on the sign-in page.",
        "recipient.name, url, expires",
    }
}

/// The MSP's look, as mail shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Brand {
    pub name: String,
    pub colour: String,
    pub text_on: String,
    pub link: String,
    pub logo_url: Option<String>,
    pub support_email: String,
    pub support_phone: String,
    pub support_hours: String,
    pub portal_url: String,
    #[serde(skip)]
    pub mail_from: String,
}

/// The MSP's portal address: its first domain, with the scheme and port of the public URL;
/// the public URL itself for an MSP without a domain of its own.
pub fn portal_url(public_url: &str, domains: &[String]) -> String {
    let Some(domain) = domains.first() else { return public_url.trim_end_matches('/').to_string() };
    let (scheme, rest) = public_url.split_once("://").unwrap_or(("https", public_url));
    let host = rest.split('/').next().unwrap_or("");
    let port = host.rsplit_once(':').map(|(_, p)| p).filter(|p| p.chars().all(|c| c.is_ascii_digit()));
    match port {
        Some(p) => format!("{scheme}://{domain}:{p}"),
        None => format!("{scheme}://{domain}"),
    }
}

impl Brand {
    /// An address in the MSP's portal, on its own host: every link Portico shows or mails
    /// to an MSP's portal is built here, so none opens on another MSP's host.
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.portal_url)
    }
}

pub async fn brand(db: &Db, msp: MspScope, public_url: &str) -> AppResult<Brand> {
    let m = db::msps::get(db, msp).await?.ok_or(AppError::NotFound)?;
    let domains = db::msps::domains(db, msp).await?;
    let portal = portal_url(public_url, &domains);
    let colour = Colour::brand_or_default(&m.primary_color);
    Ok(Brand {
        logo_url: m.logo_type.as_ref().map(|_| format!("{portal}/brand/logo?v={}", m.branding_version)),
        name: m.product_name.clone(),
        text_on: colour.text_on().to_string(),
        link: colour.as_text_on_white(),
        colour: colour.as_str().to_string(),
        support_email: m.support_email,
        support_phone: m.support_phone,
        support_hours: m.support_hours,
        portal_url: portal,
        mail_from: m.mail_from,
    })
}

/// The three parts of one kind of mail, built-in or the MSP's own.
#[derive(Debug, Clone)]
pub struct Source {
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Source {
    /// The built-in wording, as the editor shows it: a file's final newline is not part of it.
    pub fn builtin(k: Kind) -> Source {
        let (subject, text, html) = k.builtin();
        let part = |s: &str| s.strip_suffix('\n').unwrap_or(s).to_string();
        Source { subject: part(subject), text: part(text), html: part(html) }
    }
}

/// The wording an MSP uses for one kind: its own when it saved one.
pub async fn source(db: &Db, msp: MspScope, k: Kind) -> AppResult<Source> {
    Ok(match db::notifications::template(db, msp, k.key()).await? {
        Some(t) => Source { subject: t.subject, text: t.body_text, html: t.body_html },
        None => Source::builtin(k),
    })
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

const LAYOUT_HTML: &str = include_str!("../../templates/email/layout.html");
const LAYOUT_TEXT: &str = include_str!("../../templates/email/layout.txt");

/// Renders a mail. An MSP's template is untrusted text: it runs sandboxed, with a budget,
/// and any error comes back as a message for the editor.
pub fn render(src: &Source, brand: &Brand, vars: &Value, preferences_url: Option<&str>) -> Result<Rendered, String> {
    let mut env = Environment::new();
    env.set_fuel(Some(200_000));
    env.set_auto_escape_callback(|name| if name.ends_with(".html") { AutoEscape::Html } else { AutoEscape::None });
    let part = |env: &Environment, name: &'static str, source: &str| -> Result<String, String> {
        let t = env.template_from_named_str(name, source).map_err(|e| describe(name, &e))?;
        t.render(vars).map_err(|e| describe(name, &e))
    };
    let subject = part(&env, "subject", &src.subject)?;
    let subject: String = subject.split_whitespace().collect::<Vec<_>>().join(" ");
    if subject.is_empty() {
        return Err("The subject is empty once filled in.".into());
    }
    let subject: String = subject.chars().take(200).collect();
    let text_body = part(&env, "text", &src.text)?;
    let html_body = part(&env, "body.html", &src.html)?;
    if text_body.trim().is_empty() || html_body.trim().is_empty() {
        return Err("The text and HTML versions must both say something.".into());
    }
    env.add_template("layout.html", LAYOUT_HTML).map_err(|e| e.to_string())?;
    env.add_template("layout.txt", LAYOUT_TEXT).map_err(|e| e.to_string())?;
    let ctx = |body: Value| context! { brand, subject, preferences_url, body };
    let html = env
        .get_template("layout.html")
        .and_then(|t| t.render(ctx(Value::from_safe_string(html_body))))
        .map_err(|e| e.to_string())?;
    let text = env
        .get_template("layout.txt")
        .and_then(|t| t.render(ctx(Value::from(text_body))))
        .map_err(|e| e.to_string())?;
    Ok(Rendered { subject, text, html })
}

fn describe(part: &str, e: &minijinja::Error) -> String {
    let part = match part {
        "subject" => "Subject",
        "text" => "Text version",
        _ => "HTML version",
    };
    match e.line() {
        Some(line) => format!("{part}, line {line}: {}", e.detail().unwrap_or(&e.kind().to_string())),
        None => format!("{part}: {}", e.detail().unwrap_or(&e.kind().to_string())),
    }
}

/// Made-up values for a preview of each kind.
pub fn sample(k: Kind, brand: &Brand) -> Value {
    let ticket = context! {
        number => "T-1042", title => "Outlook keeps asking for my password", status => "Awaiting customer",
        priority => "High", customer => "Contoso Ltd", url => brand.link("/tickets/1042"),
    };
    let recipient = context! { name => "Megan Bowen", email => "megan@contoso.example" };
    match k {
        Kind::Invitation => context! {
            recipient, portal => brand.name, company => "Contoso Ltd", inviter => "Adele Vance",
            url => brand.link("/invite/sample"), expires => "72 hours",
        },
        Kind::M365Alert => context! {
            recipient, portal => brand.name,
            alert => context! { kind => "Service incident", title => "Exchange Online: delays sending mail",
                detail => "We're investigating delays in mail delivery for some users.", url => brand.link("/service-health") },
        },
        Kind::PasswordReset => context! {
            recipient, portal => brand.name, url => brand.link("/reset/sample"), expires => "1 hour",
        },
        _ => context! {
            recipient, portal => brand.name, ticket, actor => "Alex Wilber",
            comment => "I restarted Outlook as you suggested and it works again. Thank you!",
        },
    }
}

/// The outbox job for one rendered mail.
pub fn job(msp: MspScope, brand: &Brand, to: &str, to_name: &str, mail: Rendered) -> NewJob {
    let id = model::new_id();
    let summary = format!("{to} · {}", mail.subject);
    let out = Outgoing {
        to: to.into(),
        to_name: to_name.into(),
        from: brand.mail_from.clone(),
        from_name: brand.name.clone(),
        // Stable per job, so a retried send is recognisably the same message.
        message_id: format!("<{}@portico>", id.simple()),
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
    };
    NewJob {
        id,
        msp_id: Some(msp.0),
        kind: JOB_KIND,
        payload: serde_json::to_string(&out).expect("serialisable"),
        summary: summary.chars().take(300).collect(),
        max_attempts: MAX_ATTEMPTS,
        dedupe_key: None,
    }
}

/// One mail in the MSP's wording, with the link to the preferences every mail carries. A
/// saved template rendered when it was saved; should it fail now, the built-in one speaks.
pub fn mail_for(src: &Source, k: Kind, brand: &Brand, vars: &Value) -> Result<Rendered, String> {
    let prefs = brand.link("/account/notifications");
    render(src, brand, vars, Some(&prefs)).or_else(|e| {
        tracing::warn!(kind = k.key(), error = %e, "email template failed; using the built-in one");
        render(&Source::builtin(k), brand, vars, Some(&prefs))
    })
}

/// Renders one kind for one recipient with the MSP's wording and queues it as a job.
pub async fn compose(
    db: &Db,
    msp: MspScope,
    brand: &Brand,
    k: Kind,
    to: (&str, &str),
    vars: Value,
) -> AppResult<NewJob> {
    let src = source(db, msp, k).await?;
    let mail = mail_for(&src, k, brand, &vars).map_err(AppError::Internal)?;
    Ok(job(msp, brand, to.0, to.1, mail))
}

const SUBJECT_MAX: usize = 300;
const BODY_MAX: usize = 50_000;

/// Checks an MSP's draft: lengths, then a render with sample data. The rendered mail is the preview.
pub async fn try_template(db: &Db, actor: &Actor, public_url: &str, k: Kind, draft: &Source) -> AppResult<Rendered> {
    actor.require(Action::ManageEmail, None)?;
    let mut errors = vec![];
    for (field, value, max) in
        [("subject", &draft.subject, SUBJECT_MAX), ("text", &draft.text, BODY_MAX), ("html", &draft.html, BODY_MAX)]
    {
        if let Err(e) = model::text(field, value, max, true) {
            errors.push(e);
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let brand = brand(db, actor.msp(), public_url).await?;
    let prefs = brand.link("/account/notifications");
    render(draft, &brand, &sample(k, &brand), Some(&prefs))
        .map_err(|message| FieldError::new("template", format!("It doesn't render: {message}")).into())
}

/// Saves the MSP's own wording for a kind, once it renders.
pub async fn save_template(db: &Db, actor: &Actor, public_url: &str, k: Kind, draft: Source) -> AppResult<()> {
    try_template(db, actor, public_url, k, &draft).await?;
    let row = db::notifications::TemplateRow {
        kind: k.key().into(),
        subject: draft.subject,
        body_text: draft.text,
        body_html: draft.html,
        updated_at: model::now(),
    };
    Ok(db::notifications::save_template(db, actor.msp(), &row).await?)
}

/// Back to the built-in wording.
pub async fn reset_template(db: &Db, actor: &Actor, k: Kind) -> AppResult<()> {
    actor.require(Action::ManageEmail, None)?;
    db::notifications::delete_template(db, actor.msp(), k.key()).await?;
    Ok(())
}

/// The kinds an MSP has its own wording for.
pub async fn customised(db: &Db, actor: &Actor) -> AppResult<Vec<String>> {
    actor.require(Action::ManageEmail, None)?;
    Ok(db::notifications::templates(db, actor.msp()).await?.into_iter().map(|t| t.kind).collect())
}

/// Sets the sender the MSP's mail comes from: `Name <address>` or an address; '' for the default.
pub async fn set_sender(db: &Db, actor: &Actor, raw: &str) -> AppResult<()> {
    actor.require(Action::ManageEmail, None)?;
    let raw = model::text("mail_from", raw, 254, false)?;
    if !raw.is_empty() && raw.parse::<lettre::message::Mailbox>().is_err() {
        return Err(FieldError::new(
            "mail_from",
            "Enter an address, or a name and address like Support <help@example.com>.",
        )
        .into());
    }
    Ok(db::msps::set_mail_from(db, actor.msp(), &raw).await?)
}

/// The MSP's outbox: (queued, given up), and the latest mails.
pub async fn outbox(db: &Db, actor: &Actor) -> AppResult<((i64, i64), Vec<db::jobs::JobRow>)> {
    actor.require(Action::ManageEmail, None)?;
    let counts = db::jobs::counts(db, actor.msp(), JOB_KIND).await?;
    Ok((counts, db::jobs::recent(db, actor.msp(), JOB_KIND, 50).await?))
}

/// Sends a mail that was given up on again.
pub async fn retry(db: &Db, actor: &Actor, id: uuid::Uuid) -> AppResult<()> {
    actor.require(Action::ManageEmail, None)?;
    if db::jobs::retry(db, actor.msp(), id, model::now()).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brand() -> Brand {
        Brand {
            name: "Northwind Client Portal".into(),
            colour: "#0f766e".into(),
            text_on: "#ffffff".into(),
            link: "#0f766e".into(),
            logo_url: None,
            support_email: "help@northwind.test".into(),
            support_phone: String::new(),
            support_hours: String::new(),
            portal_url: "https://portal.northwind.test".into(),
            mail_from: String::new(),
        }
    }

    #[test]
    fn values_are_escaped_in_html_and_kept_in_text() {
        let k = Kind::TicketReply;
        let vars = context! {
            recipient => context! { name => "Megan" }, portal => "P", actor => "Alex",
            ticket => context! { number => "T-1", title => "<script>alert(1)</script>", url => "https://x.test/t/1" },
            comment => "a < b",
        };
        let m = render(&Source::builtin(k), &brand(), &vars, Some("https://x.test/prefs")).unwrap();
        assert!(m.html.contains("&lt;script&gt;") && !m.html.contains("<script>"));
        assert!(m.text.contains("<script>alert(1)</script>") && m.text.contains("a < b"));
        assert!(m.subject.contains("<script>"), "the subject is plain text: {}", m.subject);
    }

    #[test]
    fn every_built_in_kind_renders_its_sample() {
        for &k in Kind::ALL {
            assert_eq!(Kind::parse(k.key()), Some(k));
            let m = render(&Source::builtin(k), &brand(), &sample(k, &brand()), None).unwrap();
            assert!(!m.subject.is_empty() && !m.text.contains("{{") && !m.html.contains("{{"), "{k:?}");
        }
        assert_eq!(Kind::parse("nothing"), None);
    }

    #[test]
    fn a_runaway_or_broken_template_is_an_error_not_a_hang() {
        let brand = brand();
        let vars = context! {};
        let spin = Source {
            subject: "x".into(),
            text: "{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}".into(),
            html: "<p>x</p>".into(),
        };
        assert!(render(&spin, &brand, &vars, None).is_err());
        let broken = Source { subject: "{{ oops".into(), text: "x".into(), html: "x".into() };
        let e = render(&broken, &brand, &vars, None).unwrap_err();
        assert!(e.starts_with("Subject"), "{e}");
    }

    #[test]
    fn portal_links_use_the_msp_domain_with_the_public_scheme_and_port() {
        assert_eq!(portal_url("http://127.0.0.1:8080", &[]), "http://127.0.0.1:8080");
        assert_eq!(portal_url("http://127.0.0.1:8080", &["litware.test".into()]), "http://litware.test:8080");
        assert_eq!(portal_url("https://portal.msp.com/", &["help.contoso.com".into()]), "https://help.contoso.com");
    }
}
