//! What a test tells the fake (misbehave, change the tenant) and asks it (what it saw).

use serde_json::Value;

use super::{Cursor, FakeGraph, Fault};

impl FakeGraph {
    /// The failures queued for requests under `path_prefix`, in order, one per request.
    pub fn fail_next(&self, path_prefix: &str, faults: impl IntoIterator<Item = Fault>) {
        self.tenant().faults.push((path_prefix.to_string(), faults.into_iter().collect()));
    }

    /// Refuses everything under `path_prefix` with 403 `Authorization_RequestDenied`.
    pub fn deny(&self, path_prefix: &str) {
        self.tenant().denied.push(path_prefix.to_string());
    }

    /// A tenant without Entra ID P1/P2: selecting `signInActivity` is refused.
    pub fn set_non_premium(&self, on: bool) {
        self.tenant().non_premium = on;
    }

    /// The app lacks AuditLog.Read.All: selecting `signInActivity` is refused.
    pub fn set_sign_in_denied(&self, on: bool) {
        self.tenant().sign_in_denied = on;
    }

    /// Every item carries properties no client has seen before.
    pub fn set_extra_fields(&self, on: bool) {
        self.tenant().extra_fields = on;
    }

    /// Some enum values are `unknownFutureValue` or ones added after the client was written.
    pub fn set_unknown_enums(&self, on: bool) {
        self.tenant().unknown_enums = on;
    }

    /// Service health statuses and classifications in camelCase (`serviceOperational`).
    pub fn set_camel_case(&self, on: bool) {
        self.tenant().camel_case = on;
    }

    /// Every delta link handed out so far is too old to use.
    pub fn expire_delta_links(&self) {
        self.tenant().cursors.retain(|_, c| !matches!(c, Cursor::Delta { .. }));
    }

    /// Every token issued so far stops working (401 on use).
    pub fn revoke_tokens(&self) {
        self.tenant().tokens.clear();
    }

    pub fn rename_user(&self, i: usize, name: &str) {
        let mut t = self.tenant();
        t.version += 1;
        let v = t.version;
        t.changed.insert(i, v);
        t.renamed.insert(i, name.to_string());
        t.patched.entry(i).or_default().push("displayName");
    }

    /// Turns user `i`'s account off or on.
    pub fn set_enabled(&self, i: usize, on: bool) {
        let mut t = self.tenant();
        t.version += 1;
        let v = t.version;
        t.changed.insert(i, v);
        t.toggled.insert(i, on);
        t.patched.entry(i).or_default().push("accountEnabled");
    }

    /// Deletes user `i`: restorable (`@removed` reason `changed`) or permanently (`deleted`).
    pub fn remove_user(&self, i: usize, permanently: bool) {
        let mut t = self.tenant();
        t.version += 1;
        let v = t.version;
        t.removed.insert(i, (v, if permanently { "deleted" } else { "changed" }));
    }

    pub fn add_users(&self, n: usize) {
        let mut t = self.tenant();
        for _ in 0..n {
            t.version += 1;
            let (i, v) = (t.users, t.version);
            t.changed.insert(i, v);
            t.users += 1;
        }
    }

    /// Uploads a certificate to the app registration: its thumbprint (hex) and the public key
    /// (RSAPublicKey DER) signatures are checked with.
    pub fn trust_certificate(&self, thumbprint_hex: &str, public_key_der: &[u8]) {
        let mut thumbprint = [0u8; 20];
        for (i, b) in thumbprint.iter_mut().enumerate() {
            *b = u8::from_str_radix(&thumbprint_hex[i * 2..i * 2 + 2], 16).expect("a hex thumbprint");
        }
        self.tenant().certificates.push((thumbprint, public_key_der.to_vec()));
    }

    /// The (header, claims) of each client assertion accepted so far.
    pub fn assertions(&self) -> Vec<(Value, Value)> {
        self.tenant().assertions.clone()
    }

    /// How many token requests sent a client secret.
    pub fn secrets_sent(&self) -> usize {
        self.tenant().secrets_sent
    }

    pub fn token_requests(&self) -> usize {
        self.tenant().log.iter().filter(|r| r.contains("/oauth2/v2.0/token")).count()
    }

    pub fn tokens_issued(&self) -> usize {
        self.tenant().tokens_issued
    }

    /// Requests whose path starts with `path_prefix`, as `path?query`, in order.
    pub fn requests(&self, path_prefix: &str) -> Vec<String> {
        self.tenant().log.iter().filter(|r| r.starts_with(path_prefix)).cloned().collect()
    }
}
