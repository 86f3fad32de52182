//! Demo service health: service statuses and open and resolved issues.

use time::{Duration, OffsetDateTime};

use crate::db::m365_sync::{self as w, IssueRecord};
use crate::db::{CustomerScope, Db};
use crate::error::AppResult;

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
pub(super) async fn health(db: &Db, scope: CustomerScope, at: OffsetDateTime) -> AppResult<()> {
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
