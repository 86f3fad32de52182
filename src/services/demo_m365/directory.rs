//! The demo directory: people with department, title, office, sign-in history and licenses,
//! and the shared mailboxes every tenant has.

use time::OffsetDateTime;

use super::rng::Rng;
use super::{days_ago, DemoTenant, E3_OFFICE, ENTRA_P1, EXCHANGE, FLOW, POWER_BI, PROJECT, SPB, VISIO};
use crate::db::m365_sync::UserRecord;

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

/// The people (with department, title, office, sign-in history and licenses) and the
/// shared mailboxes and service accounts every tenant has.
pub(super) fn directory(t: &DemoTenant, rng: &mut Rng, at: OffsetDateTime) -> Vec<UserRecord> {
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
