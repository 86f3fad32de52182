//! Ids of the kinds of record, each its own type, so one kind cannot be passed for another.

/// Declares an id type: a UUID on the wire, in templates and in both databases.
macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize, sqlx::Type,
        )]
        #[serde(transparent)]
        #[sqlx(transparent)]
        pub struct $name(pub uuid::Uuid);

        impl $name {
            /// A new time-ordered id (UUIDv7).
            pub fn new() -> Self {
                Self(uuid::Uuid::now_v7())
            }

            pub fn parse(s: &str) -> Option<Self> {
                uuid::Uuid::parse_str(s.trim()).ok().map(Self)
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        /// At the edge, where an id has been read from a path or a form.
        impl From<uuid::Uuid> for $name {
            fn from(id: uuid::Uuid) -> $name {
                $name(id)
            }
        }

        impl From<$name> for uuid::Uuid {
            fn from(id: $name) -> uuid::Uuid {
                id.0
            }
        }
    };
}

id_type!(
    /// A customer (client company) of an MSP.
    CustomerId
);

id_type!(
    /// An account: a member of an MSP's staff or a customer's portal user.
    UserId
);

id_type!(
    /// A support ticket (its number is for people; this is for links and the API).
    TicketId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_and_print_as_uuids() {
        let id = CustomerId::new();
        assert_eq!(CustomerId::parse(&id.to_string()), Some(id));
        assert_eq!(CustomerId::parse("not an id"), None);
        assert_eq!(serde_json::to_string(&id).unwrap(), format!("\"{id}\""));
    }
}
