//! Domain types that parse instead of validate: once built, a value is known good.

use std::fmt;

use serde::{Deserialize, Serialize};

mod entered;
mod ids;
mod money;
mod severity;
mod sync_area;
pub use entered::Entered;
pub use ids::{CustomerId, TicketId, UserId};
pub use money::{group_thousands, Currency, Money};
pub use severity::Severity;
pub use sync_area::SyncArea;

/// A validation failure on one named field, shown next to that field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name; in an API body, its path (`features.billing`).
    pub field: std::borrow::Cow<'static, str>,
    pub message: String,
    /// A stable code of its own for API clients (`unknown_currency`), when the failure
    /// needs one beyond `validation_failed`.
    pub code: Option<&'static str>,
}

impl FieldError {
    pub fn new(field: impl Into<std::borrow::Cow<'static, str>>, message: impl Into<String>) -> Self {
        FieldError { field: field.into(), message: message.into(), code: None }
    }

    pub fn coded(
        field: impl Into<std::borrow::Cow<'static, str>>,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        FieldError { field: field.into(), message: message.into(), code: Some(code) }
    }
}

pub type Id = uuid::Uuid;

pub fn new_id() -> Id {
    uuid::Uuid::now_v7()
}

pub fn parse_id(s: &str) -> Option<Id> {
    uuid::Uuid::parse_str(s).ok()
}

/// Current time truncated to microseconds, the resolution both databases keep.
/// A time as templates and JSON carry it.
pub fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

pub fn now() -> time::OffsetDateTime {
    let t = time::OffsetDateTime::now_utc();
    t.replace_nanosecond(t.nanosecond() / 1000 * 1000).unwrap_or(t)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &'static str, raw: &str) -> Result<Email, FieldError> {
        let s = raw.trim().to_lowercase();
        let bad = || FieldError::new(field, "Enter a valid email address, like name@example.com.");
        if s.is_empty() {
            return Err(FieldError::new(field, "Enter an email address."));
        }
        if s.len() > 254 {
            return Err(FieldError::new(field, "An email address is at most 254 characters."));
        }
        let (local, domain) = s.split_once('@').ok_or_else(bad)?;
        let ok_chars =
            s.chars().all(|c| !c.is_whitespace() && !c.is_control() && c != '<' && c != '>' && c != '"' && c != ',');
        if local.is_empty()
            || domain.len() < 3
            || !domain.contains('.')
            || domain.contains('@')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || !ok_chars
        {
            return Err(bad());
        }
        Ok(Email(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A brand colour as `#rrggbb`, lower-case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Colour(String);

impl Colour {
    /// The accent of an MSP that has not chosen one, in pages and mail alike.
    pub const DEFAULT_BRAND: &'static str = "#1f6feb";

    /// The MSP's stored colour, or the default where it is not a valid one.
    pub fn brand_or_default(stored: &str) -> Colour {
        Colour::parse("primary_color", stored).unwrap_or_else(|_| Colour(Self::DEFAULT_BRAND.into()))
    }

    pub fn parse(field: &'static str, raw: &str) -> Result<Colour, FieldError> {
        let s = raw.trim().to_lowercase();
        let ok = s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit());
        if ok {
            Ok(Colour(s))
        } else {
            Err(FieldError::new(field, "Enter a colour as # followed by six hex digits, like #1f6feb."))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    fn rgb(&self) -> (f64, f64, f64) {
        let c = |i: usize| u8::from_str_radix(&self.0[i..i + 2], 16).unwrap_or(0) as f64 / 255.0;
        (c(1), c(3), c(5))
    }
    /// WCAG relative luminance.
    pub fn luminance(&self) -> f64 {
        let lin = |v: f64| {
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        let (r, g, b) = self.rgb();
        0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    }
    /// Black or white, whichever reads better on this colour.
    pub fn text_on(&self) -> &'static str {
        let l = self.luminance();
        if (l + 0.05) / 0.05 > 1.05 / (l + 0.05) {
            "#111827"
        } else {
            "#ffffff"
        }
    }
    /// A variant dark enough to be used as link text on white (contrast ≥ 4.5:1).
    pub fn as_text_on_white(&self) -> String {
        let (mut r, mut g, mut b) = self.rgb();
        for _ in 0..40 {
            let c = Colour(format!("#{:02x}{:02x}{:02x}", (r * 255.0) as u8, (g * 255.0) as u8, (b * 255.0) as u8));
            if 1.05 / (c.luminance() + 0.05) >= 4.6 {
                return c.0;
            }
            r *= 0.9;
            g *= 0.9;
            b *= 0.9;
        }
        "#1f2937".into()
    }
}

/// Trims and bounds a free-text field. `required` refuses an empty value.
pub fn text(field: &'static str, raw: &str, max: usize, required: bool) -> Result<String, FieldError> {
    let s = raw.trim();
    if required && s.is_empty() {
        return Err(FieldError::new(field, "This field is required."));
    }
    if s.chars().count() > max {
        return Err(FieldError::new(field, format!("At most {max} characters.")));
    }
    // Checked on the value as sent, not as trimmed: a control character is refused wherever it
    // is, as the API's document says, rather than quietly dropped from the ends.
    if raw.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(FieldError::new(field, "Contains characters that are not allowed."));
    }
    Ok(s.to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum StaffRole {
    Owner,
    Admin,
    Technician,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PortalRole {
    Admin,
    Standard,
    Limited,
}

impl StaffRole {
    pub const ALL: [StaffRole; 3] = [StaffRole::Owner, StaffRole::Admin, StaffRole::Technician];
    pub fn as_str(self) -> &'static str {
        match self {
            StaffRole::Owner => "owner",
            StaffRole::Admin => "admin",
            StaffRole::Technician => "technician",
        }
    }
    pub fn parse(s: &str) -> Option<StaffRole> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl PortalRole {
    pub const ALL: [PortalRole; 3] = [PortalRole::Admin, PortalRole::Standard, PortalRole::Limited];
    pub fn as_str(self) -> &'static str {
        match self {
            PortalRole::Admin => "admin",
            PortalRole::Standard => "standard",
            PortalRole::Limited => "limited",
        }
    }
    pub fn parse(s: &str) -> Option<PortalRole> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Whether an account belongs to the MSP's staff or to one of its customers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Staff(StaffRole),
    Portal(PortalRole),
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Staff(r) => r.as_str(),
            Role::Portal(r) => r.as_str(),
        }
    }

    /// The role of an account row: staff roles for staff, portal roles for a customer's
    /// users; a name of the other kind is `None` (an owner cannot be a portal user).
    pub fn of(name: RoleName, portal: bool) -> Option<Role> {
        if portal {
            PortalRole::parse(name.as_str()).map(Role::Portal)
        } else {
            StaffRole::parse(name.as_str()).map(Role::Staff)
        }
    }
}

/// The `users.role` column as read: staff and portal roles share it (`admin` is both), so
/// which one a row has also depends on whether it belongs to a customer (`Role::of`).
/// Decoded once, when the row is read; an unknown name fails the read, not a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RoleName {
    Owner,
    Admin,
    Technician,
    Standard,
    Limited,
}

impl RoleName {
    const ALL: [RoleName; 5] =
        [RoleName::Owner, RoleName::Admin, RoleName::Technician, RoleName::Standard, RoleName::Limited];

    pub fn as_str(self) -> &'static str {
        match self {
            RoleName::Owner => "owner",
            RoleName::Admin => "admin",
            RoleName::Technician => "technician",
            RoleName::Standard => "standard",
            RoleName::Limited => "limited",
        }
    }
}

impl TryFrom<String> for RoleName {
    type Error = String;
    fn try_from(s: String) -> Result<RoleName, String> {
        RoleName::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| format!("unknown role {s:?}"))
    }
}

impl fmt::Display for RoleName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A part of the portal that staff switch on or off per customer. Only features Portico has
/// are listed: a toggle for something not built yet would promise what no page delivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Feature {
    UserDirectory,
    Licenses,
    CostVisibility,
    Security,
    ServiceHealth,
    Tickets,
}

impl Feature {
    /// In the order the console shows them.
    pub const ALL: [Feature; 6] = [
        Feature::UserDirectory,
        Feature::Licenses,
        Feature::CostVisibility,
        Feature::Security,
        Feature::ServiceHealth,
        Feature::Tickets,
    ];

    /// The key stored in `customers.features`, used in forms and the API.
    pub fn key(self) -> &'static str {
        match self {
            Feature::UserDirectory => "user_directory",
            Feature::Licenses => "licenses",
            Feature::CostVisibility => "cost_visibility",
            Feature::Security => "security",
            Feature::ServiceHealth => "service_health",
            Feature::Tickets => "tickets",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Feature::UserDirectory => "User directory",
            Feature::Licenses => "Licenses",
            Feature::CostVisibility => "Cost visibility",
            Feature::Security => "Security",
            Feature::ServiceHealth => "Service health",
            Feature::Tickets => "Support tickets",
        }
    }

    pub fn parse(key: &str) -> Option<Feature> {
        Self::ALL.into_iter().find(|f| f.key() == key)
    }
}

/// A customer's toggles, one field per `Feature` (the API's shape).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Features {
    pub user_directory: bool,
    pub licenses: bool,
    pub cost_visibility: bool,
    pub security: bool,
    pub service_health: bool,
    pub tickets: bool,
}

impl Default for Features {
    fn default() -> Self {
        Features::from_fn(|_| true)
    }
}

impl Features {
    pub fn from_fn(mut f: impl FnMut(Feature) -> bool) -> Features {
        Features {
            user_directory: f(Feature::UserDirectory),
            licenses: f(Feature::Licenses),
            cost_visibility: f(Feature::CostVisibility),
            security: f(Feature::Security),
            service_health: f(Feature::ServiceHealth),
            tickets: f(Feature::Tickets),
        }
    }

    pub fn get(&self, feature: Feature) -> bool {
        match feature {
            Feature::UserDirectory => self.user_directory,
            Feature::Licenses => self.licenses,
            Feature::CostVisibility => self.cost_visibility,
            Feature::Security => self.security,
            Feature::ServiceHealth => self.service_health,
            Feature::Tickets => self.tickets,
        }
    }

    /// The features switched on, in display order.
    pub fn enabled(&self) -> impl Iterator<Item = Feature> + '_ {
        Feature::ALL.into_iter().filter(|f| self.get(*f))
    }

    /// Toggles packed as a comma-separated list of the enabled keys, as stored.
    pub fn to_db(&self) -> String {
        self.enabled().map(Feature::key).collect::<Vec<_>>().join(",")
    }

    /// Keys this version does not know (a feature not built yet) are ignored.
    pub fn from_db(s: &str) -> Features {
        let on: Vec<Feature> = s.split(',').filter_map(Feature::parse).collect();
        Features::from_fn(|f| on.contains(&f))
    }
}

/// A field of a PATCH body. Left out, the value is kept; given, it is set. `null` is a value
/// only where `T` takes one: `Patch<Option<String>>` clears, while `Patch<String>` refuses
/// `null` with a 422 naming the field, so a required field is never silently left as it was.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Patch<T> {
    #[default]
    Keep,
    Set(T),
}

impl<T> Patch<T> {
    /// `None` to keep, `Some(v)` to set.
    pub fn into_option(self) -> Option<T> {
        match self {
            Patch::Keep => None,
            Patch::Set(v) => Some(v),
        }
    }

    pub fn is_set(&self) -> bool {
        matches!(self, Patch::Set(_))
    }

    /// The value given, or `current` when the field was left out.
    pub fn or(self, current: T) -> T {
        self.into_option().unwrap_or(current)
    }
}

impl<T> From<Option<T>> for Patch<T> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Patch::Keep, Patch::Set)
    }
}

/// What a `null` for a field that cannot be empty is told.
pub const NOT_NULL: &str = "must not be null; leave the field out to keep its value";

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Given<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Given<T> {
            type Value = Patch<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a value")
            }
            fn visit_none<E: serde::de::Error>(self) -> Result<Patch<T>, E> {
                // `null` is whatever `T` makes of nothing: `None` for an `Option`, else refused.
                T::deserialize(serde::de::value::UnitDeserializer::<E>::new())
                    .map(Patch::Set)
                    .map_err(|_| E::custom(NOT_NULL))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Patch<T>, E> {
                self.visit_none()
            }
            fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Patch<T>, D::Error> {
                T::deserialize(d).map(Patch::Set)
            }
        }
        d.deserialize_option(Given(std::marker::PhantomData))
    }
}

/// Documented as `T` is: a `Patch<String>` is a string, a `Patch<Option<String>>` a nullable one.
/// (`ComposeSchema` is how utoipa's derive asks a generic field type for its schema.)
impl<T: utoipa::__dev::ComposeSchema> utoipa::__dev::ComposeSchema for Patch<T> {
    fn compose(
        mut generics: Vec<utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>>,
    ) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        if generics.is_empty() {
            T::compose(generics)
        } else {
            generics.swap_remove(0)
        }
    }
}

impl<T: utoipa::ToSchema + utoipa::__dev::ComposeSchema> utoipa::ToSchema for Patch<T> {
    fn name() -> std::borrow::Cow<'static, str> {
        T::name()
    }
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
        T::schemas(schemas)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_and_email_parse() {
        assert!(Colour::parse("c", "#1F6FEB").is_ok());
        assert!(Colour::parse("c", "red").is_err());
        assert!(Colour::parse("c", "#12345g").is_err());
        assert_eq!(Email::parse("e", " A@B.co ").unwrap().as_str(), "a@b.co");
        assert!(Email::parse("e", "a@b").is_err());
        assert!(Email::parse("e", "nobody").is_err());
    }

    #[test]
    fn an_unusable_stored_colour_falls_back_to_the_one_default() {
        assert_eq!(Colour::brand_or_default("#0F766E").as_str(), "#0f766e");
        assert_eq!(Colour::brand_or_default("teal").as_str(), Colour::DEFAULT_BRAND);
        assert!(Colour::parse("c", Colour::DEFAULT_BRAND).is_ok());
    }

    #[test]
    fn control_characters_are_refused_even_at_the_ends() {
        assert!(text("q", "Contoso\u{b}", 20, false).is_err());
        assert!(text("q", "\u{85}Contoso", 20, false).is_err());
        assert_eq!(text("q", "  Contoso\t", 20, false).unwrap(), "Contoso");
        assert_eq!(text("body", "two\nlines", 20, true).unwrap(), "two\nlines");
    }

    #[test]
    fn a_stored_role_is_read_once_and_checked_against_the_account_kind() {
        let admin = RoleName::try_from("admin".to_string()).unwrap();
        assert_eq!(Role::of(admin, true), Some(Role::Portal(PortalRole::Admin)));
        assert_eq!(Role::of(admin, false), Some(Role::Staff(StaffRole::Admin)));
        assert_eq!(Role::of(RoleName::Owner, true), None, "no portal owners");
        assert_eq!(Role::of(RoleName::Limited, false), None, "no limited staff");
        assert!(RoleName::try_from("emperor".to_string()).is_err());
    }

    #[test]
    fn link_colour_has_contrast() {
        let c = Colour::parse("c", "#ffd700").unwrap();
        let dark = Colour::parse("c", &c.as_text_on_white()).unwrap();
        assert!(1.05 / (dark.luminance() + 0.05) >= 4.5);
    }

    #[test]
    fn features_round_trip() {
        let f = Features { security: false, ..Features::default() };
        assert_eq!(Features::from_db(&f.to_db()), f);
        assert_eq!(Features::from_db("tickets,billing"), Features::from_fn(|f| f == Feature::Tickets));
    }
}
