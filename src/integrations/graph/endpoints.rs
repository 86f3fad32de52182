//! The reads Portico makes of a tenant, one function per area, with the query each needs.

use super::client::{GraphClient, Pages};
use super::error::{Area, GraphError};
use super::model::{
    Alert, CompanySubscription, ControlProfile, Group, LastSignIn, SecureScore, ServiceHealth, ServiceIssue,
    SubscribedSku, User, UserChange,
};
use super::token::TenantCredentials;

/// The user properties Portico keeps (`id` is always returned, but is asked for anyway).
pub const USER_FIELDS: &str = "id,displayName,userPrincipalName,mail,accountEnabled,assignedLicenses,\
                               jobTitle,department,officeLocation,mobilePhone,createdDateTime";
/// Graph's largest page of users, and its largest when `signInActivity` is selected.
const USERS_TOP: u32 = 999;
const USERS_WITH_SIGN_IN_TOP: u32 = 500;

const NO_HEADERS: &[(&str, &str)] = &[];

/// Whether a user listing could read last sign-in times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInAvailability {
    Available,
    /// The tenant has no Microsoft Entra ID P1/P2 licence (Microsoft 365 Business Basic and
    /// Standard, for instance), so Graph does not expose sign-in activity.
    NotLicensed,
    /// The app registration lacks AuditLog.Read.All.
    PermissionMissing,
}

/// All users, page by page, with last sign-in times when the tenant allows them.
pub struct UserPages<'a> {
    pages: Pages<'a, User>,
    first: Option<Vec<User>>,
    sign_in: SignInAvailability,
}

impl UserPages<'_> {
    pub fn sign_in(&self) -> SignInAvailability {
        self.sign_in
    }

    pub async fn next_page(&mut self) -> Result<Option<Vec<User>>, GraphError> {
        let page = match self.first.take() {
            Some(first) => Some(first),
            None => self.pages.next_page().await?,
        };
        Ok(page.map(|users| self.complete(users)))
    }

    /// When sign-in activity was read, a user without it has never signed in.
    fn complete(&self, mut users: Vec<User>) -> Vec<User> {
        if self.sign_in == SignInAvailability::Available {
            for u in &mut users {
                if u.last_sign_in == LastSignIn::NotAvailable {
                    u.last_sign_in = LastSignIn::Never;
                }
            }
        }
        users
    }

    pub fn pages_fetched(&self) -> u32 {
        self.pages.pages_fetched()
    }
}

impl GraphClient {
    fn pages<'a, T: serde::de::DeserializeOwned>(
        &'a self,
        creds: &'a TenantCredentials,
        area: Area,
        path_and_query: &str,
    ) -> Pages<'a, T> {
        Pages::new(self, creds, area, self.url(path_and_query), NO_HEADERS)
    }

    /// Every user. Asks for last sign-in times first; when the tenant has no Entra ID P1/P2
    /// or the app may not read them, lists the users without them and says so in
    /// [`UserPages::sign_in`]. The first page is fetched here, so setup errors surface at once.
    pub async fn users<'a>(&'a self, creds: &'a TenantCredentials) -> Result<UserPages<'a>, GraphError> {
        let query = format!("/users?$select={USER_FIELDS},signInActivity&$top={USERS_WITH_SIGN_IN_TOP}");
        let mut pages = self.pages(creds, Area::SignInActivity, &query);
        let sign_in = match pages.next_page().await {
            Ok(first) => return Ok(UserPages { pages, first, sign_in: SignInAvailability::Available }),
            Err(GraphError::PremiumRequired { .. }) => SignInAvailability::NotLicensed,
            Err(GraphError::PermissionMissing { .. }) => SignInAvailability::PermissionMissing,
            Err(e) => return Err(e),
        };
        tracing::debug!(tenant = %creds.tenant_id, ?sign_in, "graph: listing users without sign-in activity");
        let mut pages = self.pages(creds, Area::Users, &format!("/users?$select={USER_FIELDS}&$top={USERS_TOP}"));
        let first = pages.next_page().await?;
        Ok(UserPages { pages, first, sign_in })
    }

    /// A round of changes to users: from the start (every user) when `delta_link` is `None`,
    /// or since the round that gave `delta_link`. Removed users come as
    /// [`UserChange::Removed`]; after the last page, [`Pages::delta_link`] is the link to keep.
    /// A link kept too long fails with [`GraphError::DeltaExpired`]: start again without one.
    pub fn users_delta<'a>(
        &'a self,
        creds: &'a TenantCredentials,
        delta_link: Option<&str>,
    ) -> Result<Pages<'a, UserChange>, GraphError> {
        let url = match delta_link {
            Some(link) => {
                self.check_link(Area::Users, link)?;
                link.to_string()
            }
            None => self.url(&format!("/users/delta?$select={USER_FIELDS}")),
        };
        Ok(Pages::new(self, creds, Area::Users, url, NO_HEADERS))
    }

    /// The licences the tenant holds, with assigned and purchased counts.
    pub fn subscribed_skus<'a>(&'a self, creds: &'a TenantCredentials) -> Pages<'a, SubscribedSku> {
        self.pages(
            creds,
            Area::Licenses,
            "/subscribedSkus?$select=skuId,skuPartNumber,capabilityStatus,consumedUnits,prepaidUnits",
        )
    }

    /// The commercial subscriptions behind the licences, with seats and renewal dates.
    pub fn subscriptions<'a>(&'a self, creds: &'a TenantCredentials) -> Pages<'a, CompanySubscription> {
        self.pages(
            creds,
            Area::Subscriptions,
            "/directory/subscriptions?$select=id,skuId,skuPartNumber,status,totalLicenses,isTrial,\
             nextLifecycleDateTime,createdDateTime",
        )
    }

    /// Daily Secure Scores, newest first, for up to `days` days (Graph keeps 90).
    pub fn secure_scores<'a>(&'a self, creds: &'a TenantCredentials, days: u32) -> Pages<'a, SecureScore> {
        self.pages(creds, Area::SecureScore, &format!("/security/secureScores?$top={}", days.clamp(1, 90)))
    }

    /// The Secure Score improvement actions.
    pub fn control_profiles<'a>(&'a self, creds: &'a TenantCredentials) -> Pages<'a, ControlProfile> {
        self.pages(creds, Area::SecureScore, "/security/secureScoreControlProfiles")
    }

    /// Security alerts, newest first.
    pub fn alerts<'a>(&'a self, creds: &'a TenantCredentials) -> Pages<'a, Alert> {
        // Newer values of evolvable enums (serviceSource) are only sent to clients that ask.
        const PREFER: &[(&str, &str)] = &[("Prefer", "include-unknown-enum-members")];
        Pages::new(self, creds, Area::Alerts, self.url("/security/alerts_v2"), PREFER)
    }

    /// The health of each service the tenant subscribes to.
    pub fn service_health<'a>(&'a self, creds: &'a TenantCredentials) -> Pages<'a, ServiceHealth> {
        self.pages(creds, Area::ServiceHealth, "/admin/serviceAnnouncement/healthOverviews?$select=id,service,status")
    }

    /// Current and recent incidents and advisories, with their posts.
    pub fn service_issues<'a>(&'a self, creds: &'a TenantCredentials) -> Pages<'a, ServiceIssue> {
        self.pages(
            creds,
            Area::ServiceHealth,
            "/admin/serviceAnnouncement/issues?$select=id,title,service,feature,status,classification,\
             impactDescription,startDateTime,endDateTime,lastModifiedDateTime,isResolved,posts",
        )
    }

    pub fn groups<'a>(&'a self, creds: &'a TenantCredentials) -> Pages<'a, Group> {
        self.pages(
            creds,
            Area::Groups,
            "/groups?$select=id,displayName,groupTypes,mailEnabled,securityEnabled,mail&$top=999",
        )
    }

    /// A group's direct members, counted by Graph (`$count` needs `ConsistencyLevel: eventual`).
    pub async fn group_member_count(&self, creds: &TenantCredentials, group_id: &str) -> Result<u64, GraphError> {
        let area = Area::Groups;
        if group_id.is_empty() || !group_id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') {
            return Err(GraphError::Invalid { area, message: format!("not a group id: {group_id:?}") });
        }
        let url = self.url(&format!("/groups/{group_id}/members/$count"));
        let body = self.get(area, creds, &url, &[("ConsistencyLevel", "eventual")]).await?;
        let text = String::from_utf8_lossy(&body);
        text.trim().trim_start_matches('\u{feff}').parse().map_err(|_| GraphError::Invalid {
            area,
            message: format!("a member count that is not a number: {:?}", text.chars().take(40).collect::<String>()),
        })
    }
}
