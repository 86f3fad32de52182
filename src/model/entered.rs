//! A form field parsed at the edge into its type, keeping the case where it would not parse
//! so the service can report it beside its other checks on the same form.

use time::Date;
use uuid::Uuid;

/// What a form field came to. `Invalid` is text that is not a `T` (an id that is not a UUID,
/// a date not as `YYYY-MM-DD`); the service that knows the field says what is wrong with it,
/// as it does for a well-formed value that its rules refuse.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Entered<T> {
    #[default]
    Blank,
    Value(T),
    Invalid,
}

impl<T> Entered<T> {
    fn parse_with(raw: &str, parse: impl FnOnce(&str) -> Option<T>) -> Self {
        match raw.trim() {
            "" => Entered::Blank,
            raw => parse(raw).map_or(Entered::Invalid, Entered::Value),
        }
    }
}

impl<T> From<Option<T>> for Entered<T> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Entered::Blank, Entered::Value)
    }
}

impl<T: From<Uuid>> Entered<T> {
    /// An id of whichever kind the field holds.
    pub fn id(raw: &str) -> Self {
        Self::parse_with(raw, |s| super::parse_id(s).map(T::from))
    }
}

impl Entered<Date> {
    /// A date as `YYYY-MM-DD`, the form an `<input type="date">` sends.
    pub fn date(raw: &str) -> Self {
        Self::parse_with(raw, |s| Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok())
    }
}

impl<T: From<Uuid>> Entered<Vec<T>> {
    /// Ids given under one name (ticked boxes); `Invalid` if any one is not an id.
    pub fn ids<'a>(raw: impl IntoIterator<Item = &'a str>) -> Self {
        raw.into_iter()
            .map(|s| super::parse_id(s).map(T::from))
            .collect::<Option<Vec<_>>>()
            .map_or(Entered::Invalid, Entered::Value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_value_or_invalid() {
        let id = Uuid::now_v7();
        assert_eq!(Entered::<Uuid>::id(" "), Entered::Blank);
        assert_eq!(Entered::id(&id.to_string()), Entered::Value(id));
        assert_eq!(Entered::<Uuid>::id("nonsense"), Entered::Invalid);
        assert_eq!(Entered::date("2026-12-01"), Entered::Value(time::macros::date!(2026 - 12 - 01)));
        assert_eq!(Entered::date("tomorrow"), Entered::Invalid);
        assert_eq!(Entered::<Vec<Uuid>>::ids(["x"]), Entered::Invalid);
        assert_eq!(Entered::<Vec<Uuid>>::ids([]), Entered::Value(vec![]));
    }
}
