//! Field readers for serde: Graph's timestamps, `null` as absent or default, and "was sent".

use serde::{Deserialize, Deserializer};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// A Graph timestamp; `null`, `""` and `0001-01-01T00:00:00Z` (Graph's "never") are `None`,
/// and so is anything unreadable.
pub(super) fn graph_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<OffsetDateTime>, D::Error> {
    Ok(Option::<std::borrow::Cow<'de, str>>::deserialize(d)?.and_then(|s| parse_time(&s)))
}

pub(super) fn parse_time(value: &str) -> Option<OffsetDateTime> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let parsed = OffsetDateTime::parse(value, &Rfc3339)
        // Some Graph timestamps come without an offset; they are UTC.
        .or_else(|_| OffsetDateTime::parse(&format!("{value}Z"), &Rfc3339))
        .ok()?;
    (parsed.year() > 1).then_some(parsed)
}

/// A property that was in the response, possibly `null`; an absent one stays `None` (through
/// `#[serde(default)]`), which a delta round uses for "unchanged".
pub(super) fn sent<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Ok(Some(Option::<T>::deserialize(d)?))
}

pub(super) fn sent_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<OffsetDateTime>>, D::Error> {
    Ok(Some(graph_time(d)?))
}

/// `null` reads as the type's default (an empty list, zero, false).
pub(super) fn or_default<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(d: D) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}
