//! The parts of a Microsoft 365 tenant a sync reads, each recorded on its own.

/// In the order a sync runs them and the console lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SyncArea {
    /// Users by delta rounds.
    Users,
    /// The daily full read of users, for sign-in times.
    UsersFull,
    Licenses,
    /// Secure Score and improvement actions.
    Security,
    Alerts,
    Health,
    Groups,
}

impl SyncArea {
    pub const ALL: [SyncArea; 7] = [
        SyncArea::Users,
        SyncArea::UsersFull,
        SyncArea::Licenses,
        SyncArea::Security,
        SyncArea::Alerts,
        SyncArea::Health,
        SyncArea::Groups,
    ];

    /// As stored in `m365_sync_state.area`.
    pub const fn key(self) -> &'static str {
        match self {
            SyncArea::Users => "users",
            SyncArea::UsersFull => "users_full",
            SyncArea::Licenses => "licenses",
            SyncArea::Security => "security",
            SyncArea::Alerts => "alerts",
            SyncArea::Health => "health",
            SyncArea::Groups => "groups",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SyncArea::Users => "Users (changes)",
            SyncArea::UsersFull => "Users (full read, sign-ins)",
            SyncArea::Licenses => "Licenses",
            SyncArea::Security => "Secure Score",
            SyncArea::Alerts => "Security alerts",
            SyncArea::Health => "Service health",
            SyncArea::Groups => "Groups",
        }
    }

    pub fn parse(key: &str) -> Option<SyncArea> {
        Self::ALL.into_iter().find(|a| a.key() == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        for a in SyncArea::ALL {
            assert_eq!(SyncArea::parse(a.key()), Some(a));
        }
        assert_eq!(SyncArea::parse("mail"), None);
    }
}
