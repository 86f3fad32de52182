//! How serious a Microsoft 365 security alert is: one order everywhere (options, alerts, mail).

use serde::Serialize;

/// Most severe first; the derived order follows the declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    High,
    Medium,
    Low,
    Informational,
}

impl Severity {
    /// Most severe first, as lists and forms show them.
    pub const ALL: [Severity; 4] = [Severity::High, Severity::Medium, Severity::Low, Severity::Informational];

    pub const fn key(self) -> &'static str {
        match self {
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Informational => "informational",
        }
    }

    /// Graph's and our stored spelling, in any case; `unknown` and others are `None`.
    pub fn parse(s: &str) -> Option<Severity> {
        let s = s.trim();
        Self::ALL.into_iter().find(|v| v.key().eq_ignore_ascii_case(s))
    }

    /// Whether an alert of this severity reaches a floor such as "medium and above".
    pub fn at_least(self, floor: Severity) -> bool {
        self <= floor
    }

    /// The severities in a stored list such as `high,medium`, most severe first.
    pub fn list(value: &str) -> Vec<Severity> {
        let mut v: Vec<Severity> = value.split(',').filter_map(Severity::parse).collect();
        v.sort();
        v.dedup();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_order_everywhere() {
        assert!(Severity::High.at_least(Severity::Medium));
        assert!(!Severity::Low.at_least(Severity::Medium));
        assert!(Severity::Medium.at_least(Severity::Medium));
        assert_eq!(Severity::list(" low, High ,,bogus,high"), vec![Severity::High, Severity::Low]);
        assert_eq!(Severity::parse("Informational"), Some(Severity::Informational));
        assert_eq!(Severity::parse("unknown"), None);
    }
}
