//! The tenant the fake holds, generated from its `TenantSpec`: users, licences, scores,
//! alerts, service health and groups as Graph spells them.

use serde_json::{json, Value};

use super::paging::existing_users;
use super::{Shared, Tenant, TENANT};

/// The tenant's licences: (skuId, skuPartNumber). The last is not in Microsoft's table.
pub const SKUS: &[(&str, &str)] = &[
    ("cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46", "SPB"),
    ("6fd2c87f-b296-42f0-b197-1e91e994b900", "ENTERPRISEPACK"),
    ("f245ecc8-75af-4f8e-b61f-27d8114de5f3", "O365_BUSINESS_PREMIUM"),
    ("4b9405b0-7788-4568-add1-99614e613b69", "EXCHANGESTANDARD"),
    ("0c0ffee0-0000-4000-8000-00000000beef", "CONTOSO_CUSTOM_ADDON"),
];

/// The services in `healthOverviews`: (id, service, status as Graph spells it).
pub const SERVICES: &[(&str, &str, &str)] = &[
    ("Exchange", "Exchange Online", "ServiceOperational"),
    ("SharePoint", "SharePoint Online", "ServiceDegradation"),
    ("microsoftteams", "Microsoft Teams", "ServiceOperational"),
    ("OrgLiveID", "Identity Service", "ServiceRestored"),
];
pub fn user_id(i: usize) -> String {
    format!("00000000-0000-4000-8000-{i:012}")
}

pub fn group_id(i: usize) -> String {
    format!("00000000-0000-4000-9000-{i:012}")
}

pub fn member_count(i: usize) -> u64 {
    (i * 3 + 2) as u64
}

/// SKU `k` of the tenant, (id, part number): those in `SKUS`, then made-up ones.
pub(super) fn sku_at(k: usize) -> (String, String) {
    match SKUS.get(k) {
        Some((id, part)) => (id.to_string(), part.to_string()),
        None => (format!("00000000-0000-4000-a000-{k:012}"), format!("PORTICO_BENCH_{k}")),
    }
}

/// What user `i`'s `signInActivity` looks like, by `i % 6`: absent (never signed in),
/// `0001-01-01T00:00:00Z`, `null`, `""`, a time, a time with 7 fractional digits.
pub(super) fn user_sign_in(i: usize) -> Option<Value> {
    let last = match i % 6 {
        0 => return None,
        1 => json!("0001-01-01T00:00:00Z"),
        2 => Value::Null,
        3 => json!(""),
        4 => json!(format!("2025-03-{:02}T08:30:00Z", 1 + i % 28)),
        _ => json!("2025-04-02T10:11:12.1234567Z"),
    };
    Some(json!({
        "lastSignInDateTime": last,
        "lastSignInRequestId": "d4d31c40-4c36-4775-ad59-7d1e6a171f00",
        "lastNonInteractiveSignInDateTime": "0001-01-01T00:00:00Z",
        "lastNonInteractiveSignInRequestId": "",
        "lastSuccessfulSignInDateTime": "",
        "lastSuccessfulSignInRequestId": "",
    }))
}
impl Shared {
    /// The licence user `i` holds, if any.
    pub(super) fn user_sku(&self, i: usize) -> Option<String> {
        (i % 5 != 4).then(|| sku_at(i % self.spec.skus.max(1)).0)
    }

    pub(super) fn user(&self, t: &Tenant, i: usize) -> Value {
        let name = t.renamed.get(&i).cloned().unwrap_or_else(|| format!("User {i}"));
        let upn = format!("user{i}@contoso.test");
        let mut u = json!({
            "id": user_id(i),
            "businessPhones": [],
            "displayName": name,
            "givenName": "User",
            "surname": i.to_string(),
            "userPrincipalName": upn,
            "mail": if i % 7 == 6 { Value::Null } else { json!(upn) },
            "accountEnabled": t.toggled.get(&i).copied().unwrap_or(i % 10 != 9),
            "assignedLicenses": self.user_sku(i).map(|s| json!([{"disabledPlans": [], "skuId": s}])).unwrap_or(json!([])),
            "jobTitle": if i % 3 == 2 { Value::Null } else { json!(["Engineer", "Analyst"][i % 3]) },
            "department": (["Sales", "Finance", "IT"][i % 3]),
            "officeLocation": format!("Building {}", i % 4),
            "mobilePhone": if i.is_multiple_of(2) { json!(format!("+1 555 01{:02}", i % 100)) } else { Value::Null },
            "preferredLanguage": "en-US",
            "createdDateTime": created(i),
            "userType": "Member",
        });
        if let Some(activity) = user_sign_in(i) {
            u["signInActivity"] = activity;
        }
        u
    }

    pub(super) fn sku(&self, t: &Tenant, k: usize) -> Value {
        let (id, part) = sku_at(k);
        let consumed = existing_users(t).into_iter().filter(|&i| self.user_sku(i).as_ref() == Some(&id)).count();
        let status = match k {
            3 => "Warning",
            4 if t.unknown_enums => "unknownFutureValue",
            _ => "Enabled",
        };
        json!({
            "accountName": "Contoso",
            "accountId": TENANT,
            "appliesTo": "User",
            "capabilityStatus": status,
            "consumedUnits": consumed,
            "id": format!("{TENANT}_{id}"),
            "prepaidUnits": {"enabled": consumed + 5, "lockedOut": 0, "suspended": if k == 2 { 2 } else { 0 }, "warning": if k == 3 { 10 } else { 0 }},
            "servicePlans": [{"servicePlanId": "8c098270-9dd4-4350-9b30-ba4703f3b36b", "servicePlanName": "ADALLOM_S_O365", "provisioningStatus": "Success", "appliesTo": "Company"}],
            "skuId": id,
            "skuPartNumber": part,
            "subscriptionIds": [format!("43d26afe-cb98-48b9-acc4-{k:012}")],
        })
    }

    pub(super) fn subscription(&self, _t: &Tenant, k: usize) -> Value {
        let (id, part) = sku_at(k);
        json!({
            "createdDateTime": format!("2024-{:02}-01T00:00:00Z", k % 12 + 1),
            "commerceSubscriptionId": format!("f9c1ea2d-2c6e-4717-8c3b-{k:012}"),
            "id": format!("43d26afe-cb98-48b9-acc4-{k:012}"),
            "isTrial": k == 4,
            "nextLifecycleDateTime": format!("2026-{:02}-15T00:00:00Z", k % 12 + 1),
            "serviceStatus": [{"appliesTo": "User", "provisioningStatus": "Success", "servicePlanId": "8b8269e5-f841-416c-ab3a-f5dfb9737986", "servicePlanName": "MyPlanName"}],
            "skuId": id,
            "skuPartNumber": part,
            "status": if k == 3 { "Warning" } else { "Enabled" },
            "totalLicenses": 25 + k * 10,
            "ownerId": "fe04f19f-d924-42b7-9dee-edf4e3fab7f6",
            "ownerTenantId": "331af819-4e0b-49f7-a6bf-14e1165ad3a0",
            "ownerType": "User",
        })
    }

    /// Day `k` back from 2025-06-30, newest first.
    pub(super) fn score(&self, _t: &Tenant, k: usize) -> Value {
        let date = time::macros::datetime!(2025-06-30 03:00 UTC) - time::Duration::days(k as i64);
        json!({
            "id": format!("{TENANT}_{}", date.date()),
            "azureTenantId": TENANT,
            "activeUserCount": 0,
            "createdDateTime": date.format(&time::format_description::well_known::Rfc3339).unwrap(),
            "currentScore": 60.5 - k as f64,
            "enabledServices": ["HasExchange", "HasSharePoint"],
            "licensedUserCount": 100,
            "maxScore": 120.0,
            "averageComparativeScores": [{"basis": "AllTenants", "averageScore": 37.0}],
            "controlScores": [
                {"controlCategory": "Identity", "controlName": "AdminMFAV2", "description": "Require MFA for administrative roles", "score": 10.0, "scoreInPercentage": 100.0, "implementationStatus": "Done", "lastSynced": "2025-06-29T00:00:00Z", "count": "2", "total": "2"},
                {"controlCategory": "Data", "controlName": "DLPEnabled", "description": "Use DLP policies", "score": 0, "on": "false"},
            ],
            "vendorInformation": {"provider": "SecureScore", "providerVersion": null, "subProvider": null, "vendor": "Microsoft"},
        })
    }

    pub(super) fn control(&self, _t: &Tenant, k: usize) -> Value {
        let levels = ["Low", "Moderate", "High"];
        json!({
            "id": format!("Control{k}"),
            "azureTenantId": TENANT,
            "actionType": "Config",
            "actionUrl": format!("https://security.microsoft.com/securescore?viewid=actions&control=Control{k}"),
            "controlCategory": (["Identity", "Data", "Device", "Apps"][k % 4]),
            "title": format!("Improvement action {k}"),
            "deprecated": k % 6 == 5,
            "implementationCost": levels[k % 3],
            "lastModifiedDateTime": null,
            "maxScore": (k % 10 + 1) as f64,
            "rank": k + 1,
            "remediation": format!("<p>Do thing {k}.</p>"),
            "remediationImpact": "Users are asked once more.",
            "service": "AzureAD",
            "threats": ["accountBreach"],
            "tier": "Core",
            "userImpact": levels[(k + 1) % 3],
            "complianceInformation": [],
            "controlStateUpdates": [],
            "vendorInformation": {"provider": "SecureScore", "vendor": "Microsoft"},
        })
    }

    pub(super) fn alert(&self, t: &Tenant, k: usize) -> Value {
        let mut severity = ["low", "medium", "high", "informational", "unknown"][k % 5].to_string();
        let mut status = ["new", "inProgress", "resolved"][k % 3].to_string();
        let mut source = "microsoftDefenderForEndpoint";
        if t.unknown_enums && k == 0 {
            severity = "unknownFutureValue".into();
            status = "underReview".into();
            source = "microsoftDefenderForCloud";
        }
        json!({
            "@odata.type": "#microsoft.graph.security.alert",
            "id": format!("da637551227677560813_-96144481{k}"),
            "providerAlertId": format!("da637551227677560813_-96144481{k}"),
            "incidentId": "28282",
            "status": status,
            "severity": severity,
            "classification": "unknown",
            "determination": "unknown",
            "serviceSource": source,
            "detectionSource": "antivirus",
            "title": format!("Suspicious activity {k}"),
            "category": "DefenseEvasion",
            "assignedTo": null,
            "alertWebUrl": format!("https://security.microsoft.com/alerts/da637551227677560813_-96144481{k}"),
            "mitreTechniques": ["T1564.001"],
            "createdDateTime": format!("2025-06-{:02}T12:19:27.7211305Z", 28 - k % 28),
            "lastUpdateDateTime": format!("2025-06-{:02}T14:19:01.3266667Z", 29 - k % 28),
            "resolvedDateTime": null,
            "comments": [],
            "evidence": [{"@odata.type": "#microsoft.graph.security.deviceEvidence", "verdict": "unknown", "remediationStatus": "none"}],
            "systemTags": [],
        })
    }

    pub(super) fn health(&self, t: &Tenant, k: usize) -> Value {
        let (id, service, status) = SERVICES[k];
        let status = if t.unknown_enums && k == 3 { "unknownFutureValue".to_string() } else { self.spell(t, status) };
        json!({"service": service, "status": status, "id": id})
    }

    pub(super) fn issue(&self, t: &Tenant, k: usize) -> Value {
        let (service, status, resolved) = match k % 3 {
            0 => ("Exchange Online", "ServiceRestored", true),
            1 => ("SharePoint Online", "ServiceDegradation", false),
            _ => ("Microsoft Teams", "Investigating", false),
        };
        let classification = if k.is_multiple_of(2) { "Incident" } else { "Advisory" };
        json!({
            "startDateTime": format!("2025-06-{:02}T21:00:00Z", 1 + k),
            "endDateTime": if resolved { json!(format!("2025-06-{:02}T17:15:00Z", 2 + k)) } else { Value::Null },
            "lastModifiedDateTime": format!("2025-06-{:02}T18:20:24.767Z", 2 + k),
            "title": format!("Issue {k} affecting {service}"),
            "id": format!("EX{}", 226792 + k),
            "impactDescription": "Users may be unable to send or receive email.",
            "classification": self.spell(t, classification),
            "origin": "Microsoft",
            "status": self.spell(t, status),
            "service": service,
            "feature": "Mailflow",
            "featureGroup": "E-Mail timely delivery",
            "isResolved": resolved,
            "details": [{"name": "NotifyInApp", "value": "True"}],
            // Newest last here; Graph does not promise an order.
            "posts": [
                {"createdDateTime": format!("2025-06-{:02}T07:07:38.97Z", 1 + k), "postType": "Regular",
                 "description": {"contentType": "Html", "content": format!("Issue {k}: investigating.")}},
                {"createdDateTime": format!("2025-06-{:02}T09:00:00Z", 2 + k), "postType": "Regular",
                 "description": {"contentType": "Html", "content": format!("Issue {k}: latest update.")}},
            ],
        })
    }

    pub(super) fn group(&self, _t: &Tenant, k: usize) -> Value {
        let unified = k.is_multiple_of(2);
        json!({
            "id": group_id(k),
            "displayName": format!("Group {k}"),
            "groupTypes": if unified { json!(["Unified"]) } else { json!([]) },
            "mailEnabled": unified,
            "securityEnabled": !unified,
            "mail": if unified { json!(format!("group{k}@contoso.test")) } else { Value::Null },
            "createdDateTime": "2023-01-01T00:00:00Z",
            "visibility": "Private",
        })
    }

    /// Service health values: PascalCase as Graph's examples show, or camelCase.
    pub(super) fn spell(&self, t: &Tenant, pascal: &str) -> String {
        if t.camel_case {
            let mut c = pascal.chars();
            c.next().map(|f| f.to_ascii_lowercase().to_string() + c.as_str()).unwrap_or_default()
        } else {
            pascal.to_string()
        }
    }
}

pub(super) fn with_extras(mut item: Value, extra: bool) -> Value {
    if let (true, Some(obj)) = (extra, item.as_object_mut()) {
        obj.insert("futureProperty".into(), json!({"nested": [1, 2, {"deep": true}], "note": null}));
        obj.insert("anotherNewField".into(), json!(42));
    }
    item
}

fn created(i: usize) -> String {
    let at = time::macros::datetime!(2020-01-01 00:00 UTC) + time::Duration::hours(i as i64);
    at.format(&time::format_description::well_known::Rfc3339).unwrap()
}
