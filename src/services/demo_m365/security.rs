//! Demo security: secure score history, improvement actions and alerts.

use time::{Duration, OffsetDateTime};

use super::rng::Rng;
use super::{day, DemoTenant};
use crate::db::m365_sync::{self as w, AlertRecord, ControlRecord};
use crate::db::{CustomerScope, Db};
use crate::error::AppResult;

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

pub(super) async fn security(
    db: &Db,
    scope: CustomerScope,
    t: &DemoTenant,
    rng: &mut Rng,
    at: OffsetDateTime,
) -> AppResult<()> {
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
