//! The demo data set: one MSP with staff, three customers and their portal users.
//! Seeding is idempotent: whatever already exists is left as it is.

use crate::auth::password;
use crate::db::{self, msps::Image, CustomerScope, Db, MspScope};
use crate::error::AppResult;
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

pub async fn seed(db: &Db) -> AppResult<bool> {
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
    let adatum_off = Features {
        billing: false,
        projects: false,
        appointments: false,
        cost_visibility: false,
        security: false,
        ..Features::default()
    };
    let customers = [
        ("Contoso Ltd", Some("contoso.onmicrosoft.com"), Features::default()),
        ("Fabrikam Inc", Some("fabrikam.onmicrosoft.com"), Features::default()),
        ("Adatum Corp", None, adatum_off),
    ];
    let mut ids = vec![];
    for (name, tenant, features) in customers {
        let id = match db::customers::find_by_name(db, msp, name).await? {
            Some(c) => c.id,
            None => {
                changed = true;
                let id = model::new_id();
                db::customers::insert(db, msp, id, name, tenant, &features.to_db(), now()).await?;
                id
            }
        };
        ids.push(CustomerScope { msp_id: msp.0, customer_id: id });
    }
    let portal = [
        (0, "admin@contoso.test", "Alex Wilber", "admin"),
        (0, "standard@contoso.test", "Megan Bowen", "standard"),
        (0, "limited@contoso.test", "Lee Gu", "limited"),
        (1, "admin@fabrikam.test", "Diego Siciliani", "admin"),
    ];
    for (i, email, name, role) in portal {
        changed |= ensure_user(db, msp, Some(ids[i].customer_id), email, name, role, &hash).await?;
    }
    Ok(changed)
}

async fn ensure_user(
    db: &Db,
    msp: MspScope,
    customer: Option<uuid::Uuid>,
    email: &str,
    name: &str,
    role: &str,
    hash: &impl Fn() -> String,
) -> AppResult<bool> {
    if db::users::find_by_email(db, msp, email).await?.is_some() {
        return Ok(false);
    }
    let h = hash();
    let u =
        db::users::NewUser { id: model::new_id(), customer_id: customer, email, name, role, password_hash: Some(&h) };
    db::users::insert(db, msp, &u, now()).await?;
    Ok(true)
}
