//! Demo Microsoft 365 tenants, written through the sync's own SQL as if a sync had just
//! run: a deterministic directory (people, shared mailboxes, leavers, the inactive and the
//! never-signed-in), SKUs with 90 days of history, secure score, improvement actions,
//! alerts, service health, groups, a change log and the sync state.

use time::{Duration, OffsetDateTime};

use crate::db::m365_sync::{self as w, AlertRecord, ControlRecord, GroupRecord, IssueRecord, SkuRecord, UserRecord};
use crate::db::{CustomerScope, Db};
use crate::error::AppResult;
use crate::model::now;
use crate::services::m365::product_name;

/// A small deterministic generator (SplitMix64): the same tenant on every seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// 0 ≤ n < `below`.
    fn below(&mut self, below: u64) -> u64 {
        self.next() % below.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(1000) < percent * 10
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    fn guid(&mut self) -> String {
        let (a, b) = (self.next(), self.next());
        format!(
            "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            (b >> 48) & 0xfff,
            b & 0xffff_ffff_ffff
        )
    }
}

const FIRST: &[&str] = &[
    "Adele", "Alex", "Allan", "Amara", "Anika", "Ben", "Bianca", "Carlos", "Chloe", "Daniel", "Diana", "Elif", "Emma",
    "Ethan", "Fatima", "Finn", "Grace", "Hana", "Harper", "Hugo", "Isaac", "Isla", "Jamal", "Jasmine", "Joni", "Jonas",
    "Karin", "Kenji", "Laila", "Leo", "Lidia", "Lucas", "Lynne", "Maya", "Miriam", "Nadia", "Nathan", "Nestor", "Noah",
    "Olga", "Omar", "Patti", "Pradeep", "Priya", "Quinn", "Rafael", "Rosa", "Ruth", "Samir", "Sara", "Sofia", "Tariq",
    "Tess", "Tomasz", "Uma", "Victor", "Wei", "Yara", "Yusuf", "Zoe",
];
const LAST: &[&str] = &[
    "Abbott",
    "Adeyemi",
    "Alvarez",
    "Baker",
    "Becker",
    "Bowen",
    "Brennan",
    "Castillo",
    "Chen",
    "Clarke",
    "Costa",
    "Dubois",
    "Edwards",
    "Fernandes",
    "Fischer",
    "Foster",
    "Gallagher",
    "Garcia",
    "Gupta",
    "Hansen",
    "Hughes",
    "Ivanova",
    "Jansen",
    "Johansson",
    "Kaur",
    "Khan",
    "Kowalski",
    "Larsen",
    "Lopez",
    "Martin",
    "Mensah",
    "Moreau",
    "Murphy",
    "Nakamura",
    "Novak",
    "Nowak",
    "Okafor",
    "Olsen",
    "Patel",
    "Pereira",
    "Quinn",
    "Rahman",
    "Reyes",
    "Rossi",
    "Santos",
    "Schmidt",
    "Sherman",
    "Silva",
    "Singh",
    "Sokolova",
    "Tanaka",
    "Torres",
    "Varga",
    "Vogel",
    "Walsh",
    "Weber",
    "Wilber",
    "Wright",
    "Yilmaz",
    "Zhang",
];

/// (department, weight, job titles)
const DEPARTMENTS: &[(&str, u64, &[&str])] = &[
    (
        "Sales",
        18,
        &["Account Executive", "Sales Manager", "Business Development Representative", "Sales Operations Analyst"],
    ),
    ("Marketing", 9, &["Marketing Manager", "Content Strategist", "Digital Marketing Specialist", "Brand Designer"]),
    ("Finance", 9, &["Accountant", "Financial Analyst", "Finance Manager", "Payroll Specialist"]),
    ("Human Resources", 5, &["HR Generalist", "Recruiter", "HR Manager"]),
    ("IT", 5, &["Systems Administrator", "Service Desk Analyst", "IT Manager"]),
    (
        "Operations",
        16,
        &["Operations Coordinator", "Logistics Specialist", "Operations Manager", "Warehouse Supervisor"],
    ),
    ("Customer Service", 16, &["Customer Service Representative", "Support Team Lead", "Customer Success Manager"]),
    (
        "Engineering",
        16,
        &["Software Engineer", "Senior Software Engineer", "QA Engineer", "Engineering Manager", "Product Designer"],
    ),
    ("Legal", 3, &["Legal Counsel", "Paralegal"]),
    (
        "Executive",
        3,
        &["Chief Executive Officer", "Chief Financial Officer", "Chief Operating Officer", "Executive Assistant"],
    ),
];

/// A SKU of a demo tenant: who gets it, how much headroom it has, how it grew.
struct DemoSku {
    part: &'static str,
    sku_id: &'static str,
    /// Units bought beyond what is assigned today.
    headroom: i64,
    /// Assigned 90 days ago = today's minus this.
    growth: i64,
    /// Units bought during the last 90 days (the total steps up 40 days ago).
    bought: i64,
    renewal_days: i64,
    /// Monthly price per license in cents, when the MSP set one.
    price: Option<i64>,
}

const SPB: &str = "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46";
const BASIC: &str = "3b555118-da6a-4418-894f-7df1e2096870";
const STANDARD: &str = "f245ecc8-75af-4f8e-b61f-27d8114de5f3";
const E3_OFFICE: &str = "6fd2c87f-b296-42f0-b197-1e91e994b900";
const E3: &str = "05e9a617-0261-4cee-bb44-138d3ef5d965";
const EXCHANGE: &str = "4b9405b0-7788-4568-add1-99614e613b69";
const POWER_BI: &str = "f8a1db68-be16-40ed-86d5-cb42ce701560";
const FLOW: &str = "f30db892-07e9-47e9-837c-80727f46fd3d";
const ENTRA_P1: &str = "078d2b04-f1bd-4111-bbd4-b4b1b354cef4";
const VISIO: &str = "c5928f49-12ba-48f7-ada3-0d743a3601d5";
const PROJECT: &str = "53818b1b-4a27-454b-8896-0dba576410e6";

/// One demo tenant.
struct DemoTenant {
    domain: &'static str,
    seed: u64,
    people: usize,
    sign_ins: bool,
    offices: &'static [&'static str],
    /// The SKU everyone gets, and the one front-line departments get instead.
    main: &'static str,
    frontline: Option<&'static str>,
    skus: &'static [DemoSku],
    /// Secure score: maximum, and the share achieved 90 days ago and today (percent).
    score: (f64, f64, f64),
}

const fn sku(part: &'static str, sku_id: &'static str, headroom: i64, growth: i64, renewal_days: i64) -> DemoSku {
    DemoSku { part, sku_id, headroom, growth, bought: 0, renewal_days, price: None }
}

const CONTOSO: DemoTenant = DemoTenant {
    domain: "contoso.com",
    seed: 0xC0_7050,
    people: 294,
    sign_ins: true,
    offices: &["London", "Manchester", "Edinburgh", "Remote"],
    main: SPB,
    frontline: Some(BASIC),
    skus: &[
        DemoSku { bought: 20, price: Some(1880), ..sku("SPB", SPB, 28, 14, 21) },
        DemoSku { price: Some(540), ..sku("O365_BUSINESS_ESSENTIALS", BASIC, 15, 3, 140) },
        DemoSku { price: Some(1190), ..sku("POWER_BI_PRO", POWER_BI, 1, 6, 140) },
        DemoSku { price: Some(1310), ..sku("VISIOCLIENT", VISIO, 3, 1, 140) },
        DemoSku { price: Some(2620), ..sku("PROJECTPROFESSIONAL", PROJECT, 4, 0, 140) },
        sku("FLOW_FREE", FLOW, 9_960, 6, 300),
    ],
    score: (274.0, 51.0, 63.5),
};

const FABRIKAM: DemoTenant = DemoTenant {
    domain: "fabrikam.com",
    seed: 0xFAB_41CA,
    people: 116,
    sign_ins: true,
    offices: &["Seattle", "Denver", "Remote"],
    main: E3,
    frontline: None,
    skus: &[
        sku("SPE_E3", E3, 16, 7, 17),
        sku("EXCHANGESTANDARD", EXCHANGE, 5, 2, 200),
        sku("POWER_BI_PRO", POWER_BI, 0, 3, 200),
        sku("AAD_PREMIUM", ENTRA_P1, 4, 0, 200),
    ],
    score: (302.0, 44.0, 58.0),
};

const ADATUM: DemoTenant = DemoTenant {
    domain: "adatum.com",
    seed: 0xADA_7000,
    people: 57,
    sign_ins: false,
    offices: &["Amsterdam", "Rotterdam"],
    main: STANDARD,
    frontline: None,
    skus: &[
        sku("O365_BUSINESS_PREMIUM", STANDARD, 3, 4, 90),
        sku("ENTERPRISEPACK", E3_OFFICE, 2, 0, 9),
        sku("EXCHANGESTANDARD", EXCHANGE, 4, 1, 250),
    ],
    score: (236.0, 38.0, 41.0),
};

/// Seeds the demo tenant of the customer at `index` (Contoso, Fabrikam, Adatum), unless
/// its tenant data is already there. Returns whether anything was written.
pub async fn seed(db: &Db, scope: CustomerScope, index: usize) -> AppResult<bool> {
    let Some(t) = [&CONTOSO, &FABRIKAM, &ADATUM].get(index).copied() else { return Ok(false) };
    write(db, scope, t).await
}

/// A tenant of `people` users (plus shared mailboxes) with Contoso's SKUs, for the
/// benchmark of a large customer.
pub async fn seed_large(db: &Db, scope: CustomerScope, people: usize) -> AppResult<bool> {
    let t = DemoTenant { domain: "northwindtraders.com", seed: 0x4E_0D7A, people, ..CONTOSO };
    write(db, scope, &t).await
}

async fn write(db: &Db, scope: CustomerScope, t: &DemoTenant) -> AppResult<bool> {
    if !w::areas(db, scope).await?.is_empty() {
        return Ok(false);
    }
    let at = now();
    let mut rng = Rng(t.seed);
    let users = directory(t, &mut rng, at);
    w::upsert_users(db, scope, &users, at, true).await?;
    w::set_sign_ins(db, scope, t.sign_ins).await?;
    licenses(db, scope, t, &users, at).await?;
    security(db, scope, t, &mut rng, at).await?;
    health(db, scope, at).await?;
    groups(db, scope, t, &mut rng, users.len() as i64).await?;
    changes(db, scope, t, &users, at).await?;
    for (area, minutes) in [
        ("users", 12),
        ("licenses", 12),
        ("users_full", 12),
        ("security", 11),
        ("alerts", 11),
        ("health", 4),
        ("groups", 11),
    ] {
        w::record_area(db, scope, area, None, None, at - Duration::minutes(minutes)).await?;
    }
    Ok(true)
}

fn days_ago(at: OffsetDateTime, days: u64, rng: &mut Rng) -> OffsetDateTime {
    at - Duration::days(days as i64) - Duration::minutes(rng.below(600) as i64)
}

/// The people (with department, title, office, sign-in history and licenses) and the
/// shared mailboxes and service accounts every tenant has.
fn directory(t: &DemoTenant, rng: &mut Rng, at: OffsetDateTime) -> Vec<UserRecord> {
    let weights: u64 = DEPARTMENTS.iter().map(|d| d.1).sum();
    let mut taken = std::collections::HashSet::new();
    let mut repeats = std::collections::HashMap::new();
    let mut users = vec![];
    for _ in 0..t.people {
        // Names are unique while the pairs last; a large tenant numbers the repeats.
        let mut tries = 0;
        let (first, last) = loop {
            let pair = (*rng.pick(FIRST), *rng.pick(LAST));
            tries += 1;
            if taken.insert(pair) || tries > 50 {
                break pair;
            }
        };
        let repeat = repeats.entry((first, last)).and_modify(|n| *n += 1).or_insert(1usize);
        let (last, at_last) = match *repeat {
            1 => (last.to_string(), last.to_lowercase()),
            n => (format!("{last} {n}"), format!("{}{n}", last.to_lowercase())),
        };
        let mut roll = rng.below(weights);
        let (department, _, titles) = DEPARTMENTS
            .iter()
            .find(|d| {
                roll < d.1 || {
                    roll -= d.1;
                    false
                }
            })
            .unwrap_or(&DEPARTMENTS[0]);
        let title = rng.pick(titles);
        let login = format!("{}.{at_last}@{}", first.to_lowercase(), t.domain);
        // Most people signed in lately; a few left, went quiet, or never started.
        let roll = rng.below(1000);
        let created = days_ago(at, 40 + rng.below(1800), rng);
        let (enabled, last_sign_in, created) = match roll {
            0..=44 => (false, Some(days_ago(at, 35 + rng.below(160), rng)), created),
            45..=124 => (true, Some(days_ago(at, 31 + rng.below(120), rng)), created),
            125..=139 => (true, None, created),
            140..=146 => (true, None, days_ago(at, 1 + rng.below(5), rng)),
            _ => {
                let days = if rng.chance(70) { rng.below(3) } else { rng.below(25) };
                (true, Some(days_ago(at, days, rng)), created)
            }
        };
        let mut licenses = vec![];
        // A leaver's licenses were taken back about half the time.
        if enabled || rng.chance(55) {
            let frontline = matches!(*department, "Customer Service" | "Operations");
            licenses.push(t.frontline.filter(|_| frontline).unwrap_or(t.main).to_string());
            let extra = |sku: &str| t.skus.iter().any(|s| s.sku_id == sku);
            if extra(POWER_BI)
                && ((*department == "Finance" && rng.chance(70)) || (*department == "Sales" && rng.chance(8)))
            {
                licenses.push(POWER_BI.into());
            }
            if extra(VISIO) && *department == "Engineering" && rng.chance(20) {
                licenses.push(VISIO.into());
            }
            if extra(PROJECT) && (*title == "Operations Manager" || *title == "Engineering Manager") && rng.chance(35) {
                licenses.push(PROJECT.into());
            }
            if extra(FLOW) && rng.chance(14) {
                licenses.push(FLOW.into());
            }
            if extra(ENTRA_P1) && (*department == "IT" || rng.chance(10)) {
                licenses.push(ENTRA_P1.into());
            }
            if extra(EXCHANGE) && t.main != SPB && *department == "Operations" && rng.chance(30) {
                licenses = vec![EXCHANGE.into()];
            }
            if extra(E3_OFFICE) && *department == "Executive" {
                licenses = vec![E3_OFFICE.into()];
            }
        }
        users.push(UserRecord {
            id: rng.guid(),
            display_name: format!("{first} {last}"),
            upn: login.clone(),
            mail: Some(login),
            enabled,
            job_title: Some(title.to_string()),
            department: Some(department.to_string()),
            office: Some(rng.pick(t.offices).to_string()),
            mobile: rng.chance(60).then(|| format!("+1 555 01{:02}", rng.below(100))),
            created_at: Some(created),
            last_sign_in_at: if t.sign_ins { last_sign_in } else { None },
            licenses,
        });
    }
    // Shared mailboxes are disabled accounts without licenses; the scanner signs in.
    for (name, local, enabled) in [
        ("Reception", "reception", false),
        ("Invoices", "invoices", false),
        ("Info", "info", false),
        ("Meeting Room Thames", "room.thames", false),
        ("Meeting Room Severn", "room.severn", false),
        ("Scanner", "scanner", true),
    ] {
        let login = format!("{local}@{}", t.domain);
        users.push(UserRecord {
            id: rng.guid(),
            display_name: name.into(),
            upn: login.clone(),
            mail: Some(login),
            enabled,
            created_at: Some(days_ago(at, 900 + rng.below(400), rng)),
            last_sign_in_at: (enabled && t.sign_ins).then(|| days_ago(at, 0, rng)),
            ..Default::default()
        });
    }
    users
}

fn day(t: OffsetDateTime) -> String {
    t.date().to_string()
}

/// SKUs with their totals from the assignments, 90 days of history, renewals and prices.
async fn licenses(
    db: &Db,
    scope: CustomerScope,
    t: &DemoTenant,
    users: &[UserRecord],
    at: OffsetDateTime,
) -> AppResult<()> {
    let assigned = |sku: &str| users.iter().filter(|u| u.licenses.iter().any(|l| l == sku)).count() as i64;
    let record = |s: &DemoSku, consumed: i64, total: i64| SkuRecord {
        sku_id: s.sku_id.into(),
        part_number: s.part.into(),
        capability_status: "Enabled".into(),
        enabled: total,
        suspended: 0,
        warning: 0,
        consumed,
    };
    let mut history = vec![];
    let mut today = vec![];
    for s in t.skus {
        let now = assigned(s.sku_id);
        for back in (1..90i64).rev() {
            let total = now + s.headroom - if back > 40 { s.bought } else { 0 };
            // Now and then someone leaves and their license comes back a few days later.
            let wobble = if (back + s.headroom) % 13 < 3 { -1 } else { 0 };
            let then = (now - s.growth * back / 89 + wobble).clamp(0, total);
            history.push((s.sku_id.to_string(), day(at - Duration::days(back)), then, total));
        }
        today.push(record(s, now, now + s.headroom));
    }
    crate::db::m365_demo::sku_history(db, scope, &history).await?;
    // Today's figures go in as a sync writes them, which also adds today's history row.
    w::replace_skus(db, scope, &today, &day(at), at).await?;
    let renewals: Vec<(String, Option<OffsetDateTime>)> =
        t.skus.iter().map(|s| (s.sku_id.to_string(), Some(at + Duration::days(s.renewal_days)))).collect();
    w::set_renewals(db, scope, &renewals).await?;
    for s in t.skus {
        if s.price.is_some() {
            w::set_price(db, scope, s.sku_id, s.price).await?;
        }
    }
    Ok(())
}

/// (id, title, max, achieved, user impact, cost, remediation)
type DemoControl = (&'static str, &'static str, f64, f64, &'static str, &'static str, &'static str);

const CONTROLS: &[DemoControl] = &[
    (
        "AdminMFAV2",
        "Require multifactor authentication for administrative roles",
        10.0,
        10.0,
        "Low",
        "Low",
        "Require MFA for every account that holds an administrative role, through a Conditional Access policy.",
    ),
    (
        "MFARegistrationV2",
        "Ensure all users can complete multifactor authentication",
        9.0,
        5.0,
        "Moderate",
        "Moderate",
        "Ask every user to register for MFA so that it can be required when a sign-in looks risky.",
    ),
    (
        "BlockLegacyAuthentication",
        "Enable Conditional Access policies to block legacy authentication",
        8.0,
        0.0,
        "Moderate",
        "Moderate",
        "Legacy protocols cannot do MFA. Block them with a Conditional Access policy once no device needs them.",
    ),
    (
        "SigninRiskPolicy",
        "Turn on sign-in risk policy",
        7.0,
        0.0,
        "Moderate",
        "Moderate",
        "Require MFA when Entra ID Protection rates a sign-in as medium or high risk.",
    ),
    (
        "UserRiskPolicy",
        "Turn on user risk policy",
        7.0,
        0.0,
        "Moderate",
        "Moderate",
        "Require a secure password change when a user's risk is high.",
    ),
    (
        "mdo_safelinksforOfficeApps",
        "Turn on Safe Links for Office applications",
        8.0,
        8.0,
        "Low",
        "Low",
        "Check links in Word, Excel and PowerPoint at the moment they are clicked.",
    ),
    (
        "mdo_atpprotection",
        "Turn on Microsoft Defender for Office 365 in SharePoint, OneDrive and Teams",
        8.0,
        0.0,
        "Low",
        "Low",
        "Scan files shared in SharePoint, OneDrive and Teams for malware.",
    ),
    (
        "IntegratedApps",
        "Do not allow users to grant consent to unreliable applications",
        4.0,
        0.0,
        "Moderate",
        "Low",
        "Let users consent only to apps from verified publishers, for low-risk permissions.",
    ),
    (
        "SelfServicePasswordReset",
        "Enable self-service password reset",
        1.0,
        1.0,
        "Low",
        "Low",
        "Let users reset a forgotten password after verifying who they are.",
    ),
    (
        "OneAdmin",
        "Designate more than one global admin",
        1.0,
        1.0,
        "Low",
        "Low",
        "Keep a second global administrator so that one lost account does not lock the tenant.",
    ),
    (
        "RoleOverlap",
        "Use least privileged administrative roles",
        1.0,
        0.0,
        "Low",
        "Low",
        "Give administrators the narrowest role that lets them do their job.",
    ),
    (
        "mdo_spam_notifications_only_for_admins",
        "Set up outbound spam notifications",
        3.0,
        0.0,
        "Low",
        "Low",
        "Tell an administrator when a mailbox is blocked for sending spam.",
    ),
];

async fn security(db: &Db, scope: CustomerScope, t: &DemoTenant, rng: &mut Rng, at: OffsetDateTime) -> AppResult<()> {
    let (max, from, to) = t.score;
    let scores: Vec<(String, f64, f64)> = (0..90i64)
        .rev()
        .map(|back| {
            let progress = (89 - back) as f64 / 89.0;
            // Steps, as real scores move when a setting changes, not smoothly.
            let stepped = (progress * 6.0).floor() / 6.0;
            let share = from + (to - from) * stepped + if back % 11 == 3 { -0.6 } else { 0.0 };
            (day(at - Duration::days(back)), (max * share / 100.0 * 100.0).round() / 100.0, max)
        })
        .collect();
    crate::db::m365_demo::scores(db, scope, &scores).await?;
    let controls: Vec<ControlRecord> = CONTROLS
        .iter()
        .enumerate()
        .map(|(rank, (id, title, max, got, impact, cost, remediation))| ControlRecord {
            id: (*id).into(),
            title: (*title).into(),
            max_score: *max,
            score: if rng.chance(20) { *max } else { *got },
            rank: rank as i64 + 1,
            user_impact: (*impact).into(),
            implementation_cost: (*cost).into(),
            action_url: format!("https://security.microsoft.com/securescore?viewid=actions&actionId={id}"),
            remediation: (*remediation).into(),
        })
        .collect();
    w::replace_controls(db, scope, &controls).await?;
    let alert = |id: &str, title: &str, severity: &str, status: &str, source: &str, hours: i64| AlertRecord {
        id: id.into(),
        title: title.into(),
        severity: severity.into(),
        status: status.into(),
        source: source.into(),
        first_seen_at: at - Duration::hours(hours),
        updated_at: at - Duration::hours(hours / 3),
    };
    let alerts = [
        alert(
            "da637000000000000001",
            "Suspicious inbox forwarding rule",
            "high",
            "new",
            "Microsoft Defender for Office 365",
            5,
        ),
        alert("da637000000000000002", "Atypical travel", "medium", "inProgress", "Microsoft Entra ID Protection", 30),
        alert(
            "da637000000000000003",
            "Unusual volume of file deletion",
            "low",
            "new",
            "Microsoft Defender for Cloud Apps",
            50,
        ),
        alert(
            "da637000000000000004",
            "Email messages containing malicious URL removed after delivery",
            "informational",
            "new",
            "Microsoft Defender for Office 365",
            20,
        ),
        alert(
            "da637000000000000005",
            "User restricted from sending email",
            "high",
            "resolved",
            "Microsoft Defender for Office 365",
            200,
        ),
        alert(
            "da637000000000000006",
            "Password spray activity",
            "medium",
            "resolved",
            "Microsoft Entra ID Protection",
            320,
        ),
    ];
    w::replace_alerts(db, scope, &alerts).await?;
    Ok(())
}

const SERVICES: &[&str] = &[
    "Exchange Online",
    "Microsoft Teams",
    "SharePoint Online",
    "OneDrive for Business",
    "Microsoft Entra",
    "Microsoft 365 apps",
    "Microsoft Intune",
    "Microsoft Defender XDR",
    "Power BI",
    "Planner",
];

async fn health(db: &Db, scope: CustomerScope, at: OffsetDateTime) -> AppResult<()> {
    let services: Vec<(String, String)> = SERVICES
        .iter()
        .map(|s| {
            let status = match *s {
                "Exchange Online" => "serviceDegradation",
                "Microsoft Teams" => "investigating",
                _ => "serviceOperational",
            };
            (s.to_string(), status.to_string())
        })
        .collect();
    let issues = [
        IssueRecord {
            id: "EX812345".into(),
            service: "Exchange Online".into(),
            title: "Some users may see delays receiving email from external senders".into(),
            classification: "incident".into(),
            status: "serviceDegradation".into(),
            started_at: at - Duration::hours(3),
            updated_at: at - Duration::minutes(25),
            resolved: false,
            latest_update: "We've identified a recent configuration change that is slowing message processing on a \
                            subset of our infrastructure. We're reverting the change and expect mail flow to recover \
                            over the next two hours. Messages are queued, not lost."
                .into(),
        },
        IssueRecord {
            id: "TM799012".into(),
            service: "Microsoft Teams".into(),
            title: "Users may not see meeting recordings in the chat right after the meeting".into(),
            classification: "advisory".into(),
            status: "investigating".into(),
            started_at: at - Duration::hours(20),
            updated_at: at - Duration::hours(2),
            resolved: false,
            latest_update: "Recordings are saved and appear in OneDrive as expected; the chat link can take up to an \
                            hour to show. We're reviewing service telemetry to find the cause."
                .into(),
        },
        IssueRecord {
            id: "SP788001".into(),
            service: "SharePoint Online".into(),
            title: "Search results may be incomplete".into(),
            classification: "incident".into(),
            status: "serviceRestored".into(),
            started_at: at - Duration::days(3),
            updated_at: at - Duration::days(2),
            resolved: true,
            latest_update: "We've rebuilt the affected search index and confirmed results are complete again.".into(),
        },
    ];
    w::replace_health(db, scope, &services, &issues).await?;
    Ok(())
}

async fn groups(db: &Db, scope: CustomerScope, t: &DemoTenant, rng: &mut Rng, people: i64) -> AppResult<()> {
    let list: &[(&str, &str, bool)] = &[
        ("All Company", "microsoft365", true),
        ("Sales", "microsoft365", true),
        ("Marketing", "microsoft365", true),
        ("Finance", "microsoft365", true),
        ("Engineering", "microsoft365", true),
        ("Customer Service", "microsoft365", true),
        ("Leadership Team", "microsoft365", true),
        ("Office Move 2025", "microsoft365", true),
        ("sales-leads", "distribution", true),
        ("invoices-team", "distribution", true),
        ("newsletter", "distribution", true),
        ("VPN Users", "security", false),
        ("Finance Share Access", "security", false),
        ("Intune Pilot Devices", "security", false),
        ("Global Admins (break glass)", "mail_security", true),
    ];
    let groups: Vec<GroupRecord> = list
        .iter()
        .map(|(name, kind, mail)| {
            let local = name.to_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), "");
            GroupRecord {
                id: rng.guid(),
                name: (*name).into(),
                kind: (*kind).into(),
                mail: mail.then(|| format!("{local}@{}", t.domain)),
                members: if *name == "All Company" { people } else { 2 + rng.below(40) as i64 },
            }
        })
        .collect();
    w::replace_groups(db, scope, &groups).await?;
    Ok(())
}

/// The change log of the last weeks, told by people who are in the directory.
async fn changes(
    db: &Db,
    scope: CustomerScope,
    t: &DemoTenant,
    users: &[UserRecord],
    at: OffsetDateTime,
) -> AppResult<()> {
    let name = |i: usize| users[(i * 37) % t.people].display_name.clone();
    let product = |i: usize| product_name(t.skus[i.min(t.skus.len() - 1)].part);
    let newest = users.iter().rev().skip(6).find(|u| u.last_sign_in_at.is_none() && u.enabled);
    let leaver = users.iter().find(|u| !u.enabled && !u.licenses.is_empty());
    let log: Vec<(i64, &str, String, String)> = vec![
        (27, "user_added", name(1), "Joined Sales".into()),
        (24, "license_added", name(1), product(0)),
        (19, "user_disabled", name(2), "Account disabled".into()),
        (16, "license_removed", name(2), product(2)),
        (12, "user_added", name(3), "Joined Engineering".into()),
        (12, "license_added", name(3), product(1)),
        (9, "user_enabled", name(4), "Account enabled again".into()),
        (6, "user_deleted", name(5), "Account deleted".into()),
        (4, "user_added", newest.map(|u| u.display_name.clone()).unwrap_or_else(|| name(6)), "New starter".into()),
        (
            2,
            "user_disabled",
            leaver.map(|u| u.display_name.clone()).unwrap_or_else(|| name(7)),
            "Account disabled".into(),
        ),
        (1, "license_added", name(8), product(2)),
    ];
    for (days, kind, user, detail) in log {
        w::add_changes(db, scope, &[(kind, user, detail)], at - Duration::days(days) - Duration::hours(days % 5))
            .await?;
    }
    Ok(())
}
