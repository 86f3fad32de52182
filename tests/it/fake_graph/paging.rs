//! Listings with `$select`, `$top` and `@odata.nextLink` paging, and users delta rounds.

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::http::{graph_error, json_response, param, query_pairs, select};
use super::tenant::{group_id, member_count, user_id, with_extras, SERVICES};
use super::{Cursor, Shared, Tenant};

impl Shared {
    pub(super) fn graph(&self, t: &mut Tenant, path: &str, raw: &str, headers: &HeaderMap) -> Response {
        let q = query_pairs(raw);
        if t.denied.iter().any(|p| path.starts_with(p.as_str())) {
            return graph_error(
                StatusCode::FORBIDDEN,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            );
        }
        let fields = param(&q, "$select");
        let wants_sign_in = fields.is_some_and(|s| s.to_ascii_lowercase().contains("signinactivity"));
        if path == "/v1.0/users" && wants_sign_in && t.non_premium {
            return graph_error(
                StatusCode::FORBIDDEN,
                "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
                "Neither tenant is B2C or tenant doesn't have premium license",
            );
        }
        if path == "/v1.0/users" && wants_sign_in && t.sign_in_denied {
            return graph_error(
                StatusCode::FORBIDDEN,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            );
        }
        let top = match param(&q, "$top").map(str::parse::<usize>) {
            None => None,
            Some(Ok(n)) if (1..=999).contains(&n) => Some(n),
            Some(_) => {
                return graph_error(
                    StatusCode::BAD_REQUEST,
                    "Request_UnsupportedQuery",
                    "Invalid page size specified. Must be between 1 and 999 inclusive.",
                )
            }
        };
        match path {
            "/v1.0/users" => {
                let ids = existing_users(t);
                let max = if wants_sign_in { 500 } else { 999 };
                let size = top.unwrap_or(self.spec.page_size).min(max);
                self.page(t, path, raw, "users", ids.len(), size, |t, k| select(self.user(t, ids[k]), fields))
            }
            "/v1.0/users/delta" => self.delta(t, raw),
            "/v1.0/subscribedSkus" => {
                let items: Vec<Value> = (0..self.spec.skus).map(|k| select(self.sku(t, k), fields)).collect();
                self.page(t, path, raw, "subscribedSkus", items.len(), 999, |_, k| items[k].clone())
            }
            "/v1.0/directory/subscriptions" => {
                let items: Vec<Value> = (0..self.spec.skus).map(|k| select(self.subscription(t, k), fields)).collect();
                self.page(t, path, raw, "directory/subscriptions", items.len(), 999, |_, k| items[k].clone())
            }
            "/v1.0/security/secureScores" => {
                // Here `$top` is the number of days wanted (newest first), not a page size.
                let days = top.map_or(self.spec.score_days, |n| n.min(self.spec.score_days));
                let size = top.unwrap_or(self.spec.page_size);
                self.page(t, path, raw, "security/secureScores", days, size, |t, k| self.score(t, k))
            }
            "/v1.0/security/secureScoreControlProfiles" => {
                let size = top.unwrap_or(self.spec.page_size);
                let n = self.spec.control_profiles;
                self.page(t, path, raw, "security/secureScoreControlProfiles", n, size, |t, k| self.control(t, k))
            }
            "/v1.0/security/alerts_v2" => {
                let size = top.unwrap_or(self.spec.page_size);
                self.page(t, path, raw, "security/alerts_v2", self.spec.alerts, size, |t, k| self.alert(t, k))
            }
            "/v1.0/admin/serviceAnnouncement/healthOverviews" => {
                let n = SERVICES.len();
                let ctx = "admin/serviceAnnouncement/healthOverviews";
                self.page(t, path, raw, ctx, n, 100, |t, k| select(self.health(t, k), fields))
            }
            "/v1.0/admin/serviceAnnouncement/issues" => {
                let n = self.spec.issues;
                let ctx = "admin/serviceAnnouncement/issues";
                self.page(t, path, raw, ctx, n, 100, |t, k| select(self.issue(t, k), fields))
            }
            "/v1.0/groups" => {
                let size = top.unwrap_or(self.spec.page_size);
                self.page(t, path, raw, "groups", self.spec.groups, size, |t, k| select(self.group(t, k), fields))
            }
            p if p.starts_with("/v1.0/groups/") && p.ends_with("/members/$count") => {
                let id = &p["/v1.0/groups/".len()..p.len() - "/members/$count".len()];
                if headers.get("consistencylevel").and_then(|v| v.to_str().ok()) != Some("eventual") {
                    return graph_error(
                        StatusCode::BAD_REQUEST,
                        "Request_BadRequest",
                        "Count is not currently supported.",
                    );
                }
                match (0..self.spec.groups).find(|&i| group_id(i) == id) {
                    Some(i) => Response::builder()
                        .status(StatusCode::OK)
                        .header("Content-Type", "text/plain")
                        .body(member_count(i).to_string().into())
                        .unwrap(),
                    None => graph_error(
                        StatusCode::NOT_FOUND,
                        "Request_ResourceNotFound",
                        &format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
                    ),
                }
            }
            _ => graph_error(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                &format!("Resource not found for the segment '{path}'."),
            ),
        }
    }

    /// One page of `n` items: from the start, or where the skip token says. A skip token is
    /// honoured only with the exact query of the link it came in.
    #[allow(clippy::too_many_arguments)]
    fn page(
        &self,
        t: &mut Tenant,
        path: &str,
        raw: &str,
        context: &str,
        n: usize,
        size: usize,
        item: impl Fn(&Tenant, usize) -> Value,
    ) -> Response {
        let q = query_pairs(raw);
        let offset = match param(&q, "$skiptoken") {
            None => 0,
            Some(tok) => match t.cursors.get(tok) {
                Some(Cursor::Page { offset, query }) if query == raw => *offset,
                _ => return graph_error(StatusCode::BAD_REQUEST, "Request_BadRequest", "Invalid paging token."),
            },
        };
        let end = (offset + size).min(n);
        let extra = t.extra_fields;
        let value: Vec<Value> = (offset..end).map(|k| with_extras(item(t, k), extra)).collect();
        let mut body = Map::new();
        body.insert("@odata.context".into(), json!(format!("{}/v1.0/$metadata#{context}", self.url)));
        if extra {
            body.insert(
                "@microsoft.graph.tips".into(),
                json!("Use $select to choose only the properties your app needs."),
            );
        }
        if end < n {
            // Graph's link keeps the query and puts its own token last.
            let kept: Vec<&str> = raw.split('&').filter(|p| !p.is_empty() && !p.starts_with("$skiptoken=")).collect();
            let token = new_token(t);
            let query = kept
                .into_iter()
                .chain([format!("$skiptoken={}", encode(&token)).as_str()])
                .collect::<Vec<_>>()
                .join("&");
            t.cursors.insert(token, Cursor::Page { offset: end, query: query.clone() });
            body.insert("@odata.nextLink".into(), json!(format!("{}{path}?{query}", self.url)));
        }
        body.insert("value".into(), Value::Array(value));
        json_response(StatusCode::OK, &Value::Object(body))
    }

    /// A users delta round: every user at first, then only what changed since the round
    /// that handed out the delta token, removals as `@removed`.
    fn delta(&self, t: &mut Tenant, raw: &str) -> Response {
        let q = query_pairs(raw);
        let invalid = || graph_error(StatusCode::BAD_REQUEST, "Request_BadRequest", "Invalid delta or skip token.");
        let (offset, select, since, round) = if let Some(tok) = param(&q, "$skiptoken") {
            match t.cursors.get(tok) {
                Some(Cursor::DeltaPage { offset, query, select, since, round }) if query == raw => {
                    (*offset, select.clone(), *since, *round)
                }
                _ => return invalid(),
            }
        } else if let Some(tok) = param(&q, "$deltatoken") {
            match t.cursors.get(tok) {
                Some(Cursor::Delta { select, since }) => (0, select.clone(), Some(*since), t.version),
                _ => {
                    return graph_error(
                        StatusCode::BAD_REQUEST,
                        "syncStateNotFound",
                        "The sync state generation is not found. The delta token is expired and data must be \
                         synchronized again.",
                    )
                }
            }
        } else {
            (0, param(&q, "$select").unwrap_or("id,displayName").to_string(), None, t.version)
        };
        // Which entries the round has, cheaply; only the page's own are written out.
        let mut entries: Vec<(usize, Option<&'static str>)> = Vec::new();
        for i in existing_users(t) {
            if since.is_none_or(|v| t.changed.get(&i).is_some_and(|c| *c > v)) {
                entries.push((i, None));
            }
        }
        if let Some(v) = since {
            let mut gone: Vec<_> = t.removed.iter().filter(|(_, (at, _))| *at > v).collect();
            gone.sort();
            entries.extend(gone.into_iter().map(|(i, (_, reason))| (*i, Some(*reason))));
        }
        let end = (offset + self.spec.page_size).min(entries.len());
        let extra = t.extra_fields;
        let value: Vec<Value> = entries[offset..end]
            .iter()
            .map(|&(i, removed)| {
                let entry = match removed {
                    Some(reason) => json!({"id": user_id(i), "@removed": {"reason": reason}}),
                    None => {
                        let mut user = select_user(self.user(t, i), &select);
                        if let (Some(_), Some(props), Value::Object(fields)) = (since, t.patched.get(&i), &mut user) {
                            fields.retain(|k, _| k == "id" || props.contains(&k.as_str()));
                        }
                        user
                    }
                };
                with_extras(entry, extra)
            })
            .collect();
        let mut body = Map::new();
        body.insert("@odata.context".into(), json!(format!("{}/v1.0/$metadata#users", self.url)));
        let token = new_token(t);
        if end < entries.len() {
            let query = format!("$skiptoken={}", encode(&token));
            let cursor = Cursor::DeltaPage { offset: end, query: query.clone(), select, since, round };
            t.cursors.insert(token, cursor);
            body.insert("@odata.nextLink".into(), json!(format!("{}/v1.0/users/delta?{query}", self.url)));
        } else {
            t.cursors.insert(token.clone(), Cursor::Delta { select, since: round });
            let link = format!("{}/v1.0/users/delta?$deltatoken={}", self.url, encode(&token));
            body.insert("@odata.deltaLink".into(), json!(link));
        }
        body.insert("value".into(), Value::Array(value));
        json_response(StatusCode::OK, &Value::Object(body))
    }
}

pub(super) fn existing_users(t: &Tenant) -> Vec<usize> {
    (0..t.users).filter(|i| !t.removed.contains_key(i)).collect()
}

fn select_user(user: Value, fields: &str) -> Value {
    select(user, Some(fields))
}
/// An opaque token in the style of Graph's base64 ones, with `+`, `/` and `=` to escape.
fn new_token(t: &mut Tenant) -> String {
    t.next_cursor += 1;
    format!("RFNwdAIAAQAAAB+{}/{}==", t.next_cursor, t.version * 7919 + 13)
}

/// The token as it appears in a link: percent-encoded where base64 and URLs disagree.
fn encode(token: &str) -> String {
    token.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D")
}
