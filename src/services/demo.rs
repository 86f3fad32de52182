//! The demo data set: one MSP with staff, three customers, their portal users, tickets and
//! Microsoft 365 tenant data.
//! Seeding is idempotent: whatever already exists is left as it is.

use crate::auth::password;
use crate::db::{self, msps::Image, CustomerScope, Db, MspScope};
use crate::error::AppResult;
use crate::files::Files;
use crate::model::RoleName;
use crate::model::{self, now, Features};

pub const PASSWORD: &str = "portico-demo";
pub const MSP_NAME: &str = "Northwind IT";

/// Every demo sign-in: (email, what it is).
pub const SIGN_INS: &[(&str, &str)] = &[
    ("owner@northwind.test", "MSP owner, staff console at /msp"),
    ("tech@northwind.test", "MSP technician, staff console at /msp"),
    ("admin@contoso.test", "Contoso Ltd, portal admin"),
    ("standard@contoso.test", "Contoso Ltd, standard user"),
    ("limited@contoso.test", "Contoso Ltd, limited user"),
    ("admin@fabrikam.test", "Fabrikam Inc, portal admin"),
];

const LOGO: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="50" viewBox="0 0 200 50"><rect x="2" y="7" width="36" height="36" rx="8" fill="#0f766e"/><path d="M11 34V16l9 11 9-11v18" fill="none" stroke="#fff" stroke-width="3.5" stroke-linejoin="round"/><text x="48" y="33" font-family="Segoe UI, Helvetica, Arial, sans-serif" font-size="21" font-weight="700" fill="#134e4a">Northwind IT</text></svg>"##;

const FAVICON: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#0f766e"/><path d="M8 24V9l8 9 8-9v15" fill="none" stroke="#fff" stroke-width="3" stroke-linejoin="round"/></svg>"##;

pub async fn seed(db: &Db, files: &Files) -> AppResult<bool> {
    let mut changed = false;
    let msp = match db::msps::find_by_name(db, MSP_NAME).await? {
        Some(m) => MspScope(m.id),
        None => {
            changed = true;
            let msp = crate::services::msps::create(db, MSP_NAME, None, true).await?;
            let text = db::msps::BrandingText {
                product_name: "Northwind Client Portal",
                primary_color: "#0f766e",
                welcome_message: "Welcome to the Northwind IT client portal. Sign in to follow your support tickets, see your Microsoft 365 at a glance and reach our service desk.",
                support_phone: "+44 20 7946 0958",
                support_email: "help@northwind.test",
                support_hours: "Mon–Fri 08:00–18:00",
                currency: "GBP",
                rescale_prices: (1, 1),
            };
            db::msps::update_branding(db, msp, &text).await?;
            db::msps::set_image(db, msp, Image::Logo, LOGO.as_bytes(), "image/svg+xml").await?;
            db::msps::set_image(db, msp, Image::Favicon, FAVICON.as_bytes(), "image/svg+xml").await?;
            msp
        }
    };
    // One hash for every demo account: argon2 is deliberately slow.
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = || HASH.get_or_init(|| password::hash_now(PASSWORD)).clone();
    for (email, name, role) in
        [("owner@northwind.test", "Olivia Owens", "owner"), ("tech@northwind.test", "Tomás Herrera", "technician")]
    {
        changed |= ensure_user(db, msp, None, email, name, role, &hash).await?;
    }
    let adatum_off = Features { cost_visibility: false, security: false, ..Features::default() };
    let customers = [
        ("Contoso Ltd", Some("contoso.onmicrosoft.com"), Features::default()),
        ("Fabrikam Inc", Some("fabrikam.onmicrosoft.com"), Features::default()),
        ("Adatum Corp", Some("adatum.onmicrosoft.com"), adatum_off),
    ];
    let mut ids = vec![];
    for (name, tenant, features) in customers {
        let id = match db::customers::find_by_name(db, msp, name).await? {
            Some(c) => c.id,
            None => {
                changed = true;
                let id = crate::model::CustomerId::new();
                db::customers::insert(db, msp, id, name, tenant, &features.to_db(), now()).await?;
                id
            }
        };
        let row = db::customers::find(db, msp, id).await?.ok_or(crate::error::AppError::NotFound)?;
        ids.push(crate::policy::system_scope(&row));
    }
    let portal = [
        (0, "admin@contoso.test", "Alex Wilber", "admin"),
        (0, "standard@contoso.test", "Megan Bowen", "standard"),
        (0, "limited@contoso.test", "Lee Gu", "limited"),
        (1, "admin@fabrikam.test", "Diego Siciliani", "admin"),
    ];
    for (i, email, name, role) in portal {
        changed |= ensure_user(db, msp, Some(ids[i].customer_id()), email, name, role, &hash).await?;
    }
    for (i, scope) in ids.iter().enumerate() {
        if seed_tickets(db, *scope, i).await? {
            changed = true;
            crate::services::demo_attachments::seed(db, files, *scope).await?;
        }
        changed |= crate::services::demo_m365::seed(db, *scope, i).await?;
    }
    Ok(changed)
}

/// (title, description, status, priority, category, days ago, staff reply, customer answer, internal note)
type DemoTicket = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
);

const TICKETS: &[DemoTicket] = &[
    ("Outlook keeps asking for my password", "Since this morning Outlook on my laptop prompts for my password every few minutes, even after I enter it.", "Awaiting customer", "High", "Email", 1,
     Some("Thanks Megan. Could you sign out of Office under File > Account, restart Outlook and sign in again? Let us know if it keeps prompting."), None,
     Some("Likely stale token after the conditional access change on Monday.")),
    ("New starter: laptop and accounts for Joni Sherman", "Joni starts on the 1st in Finance. Needs a laptop, Microsoft 365 Business Premium and access to the Finance SharePoint site.", "In progress", "Medium", "Accounts and access", 3,
     Some("Laptop is being imaged now; the account will be ready two days before the start date."), Some("Great, thank you!"), None),
    ("Printer on the 2nd floor shows offline", "The HP printer near the kitchen shows as offline for everyone on floor 2.", "Awaiting support", "Medium", "Hardware", 2,
     Some("Can you check whether the printer display shows an IP address?"), Some("It says 169.254.12.7"), Some("APIPA address: DHCP reservation probably lost after the switch swap.")),
    ("Teams calls drop after about 10 minutes", "Several people report Teams calls dropping when working from the office.", "New", "High", "Network", 0, None, None, None),
    ("Request: shared mailbox for invoices@", "Please create a shared mailbox invoices@ for the finance team (Alex, Megan).", "Resolved", "Low", "Email", 9,
     Some("The shared mailbox is set up and Alex and Megan have full access. It will appear in Outlook within an hour."), Some("Works, thanks."), None),
    ("Suspicious email claiming to be from our CEO", "I received an email asking me to buy gift cards urgently, apparently from our CEO. I did not click anything.", "Closed", "Critical", "Security", 14,
     Some("Thank you for reporting it. This was a phishing attempt; we have blocked the sender and removed the message from all mailboxes."), None,
     Some("Added sender domain to the tenant block list; searched and purged 14 copies.")),
    ("Excel crashes when opening large workbooks", "Excel closes without an error when I open the quarterly report (40 MB).", "New", "Medium", "Software", 0, None, None, None),
    ("Wi-Fi is slow in meeting room B", "Video calls in meeting room B are choppy; speed test shows 3 Mbit/s.", "In progress", "Low", "Network", 5,
     Some("We've ordered an additional access point for that side of the building."), None, None),
];

async fn seed_tickets(db: &Db, scope: CustomerScope, index: usize) -> AppResult<bool> {
    use crate::db::tickets as q;
    let msp = scope.msp();
    let existing = q::open_counts(db, scope, None).await?.0;
    let (_, closed) = q::list(
        db,
        msp,
        &q::Filter { customer: Some(scope.customer_id()), state: "closed".into(), ..Default::default() },
        (q::Sort::Number, false),
        1,
        0,
    )
    .await?;
    if existing + closed > 0 {
        return Ok(false);
    }
    let s = crate::services::tickets::settings(db, msp).await?;
    let users = db::users::list_customer(db, scope).await?;
    let Some(requester) = users.iter().find(|u| u.role != RoleName::Admin).or(users.first()) else { return Ok(false) };
    let admin = users.iter().find(|u| u.role == RoleName::Admin).unwrap_or(requester);
    let tech = db::users::find_by_email(db, msp, "tech@northwind.test").await?;
    let id_of = |rows: &[q::NamedRow], name: &str| rows.iter().find(|r| r.name == name).map(|r| r.id);
    // The older history first, so numbers rise with time.
    seed_backlog(db, scope, &users).await?;
    // Contoso gets them all; the others a few, so every list looks lived in.
    let take = if index == 0 { TICKETS.len() } else { 3 };
    let base = now() - time::Duration::days(15);
    for (i, (title, body, status, priority, category, days_ago, reply, answer, note)) in
        TICKETS.iter().take(take).enumerate()
    {
        let Some(status) = s.statuses.iter().find(|st| st.name == *status) else { continue };
        let Some(priority) = id_of(&s.priorities, priority) else { continue };
        let opened = now() - time::Duration::days(*days_ago) - time::Duration::hours(3 + i as i64);
        let who = if i % 3 == 0 { admin } else { requester };
        let new = q::NewTicket {
            id: model::new_id(),
            title,
            description: body,
            status_id: status.id,
            priority_id: priority,
            category_id: id_of(&s.categories, category),
            requester_id: who.id,
            watchers: &[],
            external_id: None,
            external_system: None,
        };
        let number = q::insert(db, scope, &new, &[], opened.max(base), &|_| Default::default()).await?;
        let t = q::get_by_number(db, msp, number).await?.ok_or(crate::error::AppError::NotFound)?;
        let mut at = opened + time::Duration::minutes(40);
        if let (Some(tech), Some(reply)) = (&tech, reply) {
            if let Some(note) = note {
                q::add_comment(
                    db,
                    msp,
                    &q::NewComment { ticket: t.id, author: tech.id, body: note, internal: true, new_status: None },
                    &[],
                    at,
                    &Default::default(),
                )
                .await?;
                at += time::Duration::minutes(5);
            }
            // The requester's bell shows the replies they have not answered yet.
            let mut heard = crate::db::jobs::Effects::default();
            if answer.is_none() {
                heard.notifications.push(crate::db::jobs::NewNotification {
                    id: model::new_id(),
                    msp_id: msp.0,
                    user_id: who.id,
                    category: crate::services::notify::TICKET_UPDATES,
                    title: format!("{} replied on T-{number}", tech.name),
                    body: reply.chars().take(160).collect(),
                    link: format!("/tickets/{number}"),
                });
            }
            q::add_comment(
                db,
                msp,
                &q::NewComment { ticket: t.id, author: tech.id, body: reply, internal: false, new_status: None },
                &[],
                at,
                &heard,
            )
            .await?;
            at += time::Duration::minutes(50);
            if let Some(answer) = answer {
                q::add_comment(
                    db,
                    msp,
                    &q::NewComment { ticket: t.id, author: who.id, body: answer, internal: false, new_status: None },
                    &[],
                    at,
                    &Default::default(),
                )
                .await?;
            }
            let fields = q::TicketFields {
                status_id: status.id,
                priority_id: priority,
                category_id: t.category_id,
                assignee_id: Some(tech.id),
                due_at: None,
            };
            q::update(db, msp, t.id, &fields, at, &Default::default()).await?;
        }
    }
    Ok(true)
}

/// The benchmark's large customer's portal admin.
pub const LARGE_ADMIN: &str = "admin@northwindtraders.test";

/// The benchmark's large customer, Northwind Traders, with a tenant of `people` users and a
/// portal admin. The demo must be seeded first.
pub async fn seed_large(db: &Db, people: usize) -> AppResult<bool> {
    let msp = db::msps::find_by_name(db, MSP_NAME)
        .await?
        .map(|m| MspScope(m.id))
        .ok_or_else(|| crate::error::AppError::BadRequest("Seed the demo first (portico seed-demo).".into()))?;
    let name = "Northwind Traders";
    let (id, mut changed) = match db::customers::find_by_name(db, msp, name).await? {
        Some(c) => (c.id, false),
        None => {
            let id = crate::model::CustomerId::new();
            let tenant = Some("northwindtraders.onmicrosoft.com");
            db::customers::insert(db, msp, id, name, tenant, &Features::default().to_db(), now()).await?;
            (id, true)
        }
    };
    let hash = || password::hash_now(PASSWORD);
    changed |= ensure_user(db, msp, Some(id), LARGE_ADMIN, "Nancy Davolio", "admin", &hash).await?;
    let row = db::customers::find(db, msp, id).await?.ok_or(crate::error::AppError::NotFound)?;
    let scope = crate::policy::system_scope(&row);
    changed |= crate::services::demo_m365::seed_large(db, scope, people).await?;
    Ok(changed)
}

async fn ensure_user(
    db: &Db,
    msp: MspScope,
    customer: Option<crate::model::CustomerId>,
    email: &str,
    name: &str,
    role: &str,
    hash: &impl Fn() -> String,
) -> AppResult<bool> {
    if db::users::find_by_email(db, msp, email).await?.is_some() {
        return Ok(false);
    }
    let h = hash();
    let u = db::users::NewUser {
        id: crate::model::UserId::new(),
        customer_id: customer,
        email,
        name,
        role,
        password_hash: Some(&h),
    };
    db::users::insert(db, msp, &u, now()).await?;
    Ok(true)
}

/// Older, shorter tickets so each customer's history runs back a few months:
/// (title, category, priority, status, days ago, what the technician wrote)
type PastTicket = (&'static str, &'static str, &'static str, &'static str, i64, Option<&'static str>);

const BACKLOG: &[PastTicket] = &[
    (
        "Password reset for the front desk PC",
        "Accounts and access",
        "Low",
        "Closed",
        96,
        Some("Reset and handed over by phone."),
    ),
    (
        "Add Diego to the Sales distribution list",
        "Email",
        "Low",
        "Closed",
        91,
        Some("Diego is now a member of sales@."),
    ),
    ("Monitor flickers on desk 14", "Hardware", "Low", "Closed", 88, Some("Replaced the DisplayPort cable.")),
    (
        "Cannot open PDFs from SharePoint",
        "Microsoft 365",
        "Medium",
        "Closed",
        84,
        Some("Reset the default PDF app; opens in the browser again."),
    ),
    (
        "VPN disconnects at home",
        "Network",
        "Medium",
        "Closed",
        80,
        Some("Updated the VPN client to the current version."),
    ),
    ("New phone for Lynne", "Hardware", "Low", "Closed", 77, Some("Phone enrolled in Intune and delivered.")),
    (
        "Calendar invites arrive twice",
        "Email",
        "Medium",
        "Closed",
        73,
        Some("Removed a duplicate delegate rule in Outlook."),
    ),
    (
        "OneDrive stuck on 'processing changes'",
        "Microsoft 365",
        "Medium",
        "Resolved",
        70,
        Some("Reset the OneDrive client; syncing again."),
    ),
    (
        "Guest Wi-Fi password for visitors",
        "Network",
        "Low",
        "Closed",
        66,
        Some("The new guest password is on the reception screen."),
    ),
    ("Licence for the new intern", "Microsoft 365", "Low", "Closed", 63, Some("Assigned a Business Basic licence.")),
    (
        "Laptop battery drains in two hours",
        "Hardware",
        "Medium",
        "Resolved",
        59,
        Some("Battery replaced under warranty."),
    ),
    (
        "Access to the Board folder",
        "Accounts and access",
        "High",
        "Closed",
        55,
        Some("Access granted after approval from Patti."),
    ),
    ("Teams background blur missing", "Software", "Low", "Closed", 52, Some("Updated Teams; the option is back.")),
    (
        "Scanner emails never arrive",
        "Email",
        "Medium",
        "Resolved",
        48,
        Some("Scanner now relays through the new SMTP connector."),
    ),
    (
        "Adobe Acrobat asks for a licence",
        "Software",
        "Medium",
        "Closed",
        45,
        Some("Assigned an Acrobat seat from the pool."),
    ),
    (
        "Meeting room display shows no signal",
        "Hardware",
        "Low",
        "Resolved",
        41,
        Some("HDMI switch power-cycled and labelled."),
    ),
    (
        "Phishing test: who clicked?",
        "Security",
        "Medium",
        "Closed",
        37,
        Some("Report sent to the office manager; training assigned."),
    ),
    (
        "Shared calendar for holidays",
        "Email",
        "Low",
        "Resolved",
        33,
        Some("Created the Holidays calendar and shared it with everyone."),
    ),
    (
        "MFA prompt on every sign-in",
        "Accounts and access",
        "Medium",
        "Resolved",
        29,
        Some("Re-registered the Authenticator app."),
    ),
    (
        "Slow file server in the afternoon",
        "Network",
        "High",
        "In progress",
        12,
        Some("Monitoring shows backups overlapping office hours; moving the window."),
    ),
    (
        "Order two docking stations",
        "Hardware",
        "Low",
        "Awaiting customer",
        8,
        Some("Quote sent: two USB-C docks. Shall we order?"),
    ),
    ("Old projector: recycle or keep?", "General question", "Low", "New", 6, None),
    (
        "Set up a Planner board for the office move",
        "Microsoft 365",
        "Low",
        "In progress",
        4,
        Some("Board created; adding buckets for each team."),
    ),
    (
        "Browser keeps opening an unknown search page",
        "Security",
        "High",
        "Awaiting support",
        1,
        Some("Please don't enter any passwords on that machine until we've checked it."),
    ),
];

/// The backlog for one customer, requesters taking turns.
async fn seed_backlog(db: &Db, scope: CustomerScope, users: &[db::users::UserRow]) -> AppResult<()> {
    use crate::db::tickets as q;
    let msp = scope.msp();
    let s = crate::services::tickets::settings(db, msp).await?;
    let tech = db::users::find_by_email(db, msp, "tech@northwind.test").await?;
    let id_of = |rows: &[q::NamedRow], name: &str| rows.iter().find(|r| r.name == name).map(|r| r.id);
    for (i, (title, category, priority, status, days_ago, note)) in BACKLOG.iter().enumerate() {
        let (Some(status), Some(priority), Some(who)) = (
            s.statuses.iter().find(|st| st.name == *status),
            id_of(&s.priorities, priority),
            users.get(i % users.len().max(1)),
        ) else {
            continue;
        };
        let opened = now() - time::Duration::days(*days_ago) - time::Duration::hours(2 + (i as i64 % 5));
        let description = format!("{title}. Reported from the portal; details on request.");
        let new = q::NewTicket {
            id: model::new_id(),
            title,
            description: &description,
            status_id: status.id,
            priority_id: priority,
            category_id: id_of(&s.categories, category),
            requester_id: who.id,
            watchers: &[],
            external_id: None,
            external_system: None,
        };
        let number = q::insert(db, scope, &new, &[], opened, &|_| Default::default()).await?;
        let (Some(tech), Some(note)) = (&tech, note) else { continue };
        let t = q::get_by_number(db, msp, number).await?.ok_or(crate::error::AppError::NotFound)?;
        let at = opened + time::Duration::hours(3);
        let reply = q::NewComment { ticket: t.id, author: tech.id, body: note, internal: false, new_status: None };
        q::add_comment(db, msp, &reply, &[], at, &Default::default()).await?;
        let fields = q::TicketFields {
            status_id: status.id,
            priority_id: priority,
            category_id: t.category_id,
            assignee_id: Some(tech.id),
            due_at: None,
        };
        q::update(db, msp, t.id, &fields, at, &Default::default()).await?;
    }
    Ok(())
}
