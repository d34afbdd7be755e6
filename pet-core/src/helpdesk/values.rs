//! Self-validating value objects of the helpdesk: priorities, statuses, channels, reply
//! bodies and visibility, the reopen window. Each parses raw input into a field error.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::error::DomainError;

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident, $field:literal, $expect:literal, { $($(#[$vmeta:meta])* $variant:ident => $s:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $s),+
                }
            }

            /// Parses the stored name given as input field `field`.
            pub fn parse_field(field: &str, s: &str) -> Result<Self, DomainError> {
                match s.trim() {
                    $($s => Ok($name::$variant),)+
                    _ => Err(DomainError::field(field, concat!("must be one of ", $expect))),
                }
            }

            /// Parses the stored name given as the usual input field (`priority`,
            /// `status`, `channel` or `visibility`).
            pub fn parse(s: &str) -> Result<Self, DomainError> {
                Self::parse_field($field, s)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use string_enum;

string_enum!(
    /// How urgent a ticket is; selects the SLA targets.
    Priority, "priority", "low, normal, high, urgent", {
        /// Low.
        Low => "low",
        /// Normal (the default).
        Normal => "normal",
        /// High.
        High => "high",
        /// Urgent.
        Urgent => "urgent",
    }
);

string_enum!(
    /// Where a ticket is in its life: `new → open ⇄ waiting_on_customer → resolved → closed`,
    /// reopened from `resolved` within a window.
    TicketStatus, "status", "new, open, waiting_on_customer, resolved, closed", {
        /// Just created, nobody has looked at it.
        New => "new",
        /// Being worked on.
        Open => "open",
        /// Waiting for the customer to answer.
        WaitingOnCustomer => "waiting_on_customer",
        /// A solution was given; may be reopened within the window.
        Resolved => "resolved",
        /// Final.
        Closed => "closed",
    }
);

impl TicketStatus {
    /// Whether a ticket may move from `self` to `to` by a status change, resolving or
    /// closing (reopening a resolved ticket is separate: it depends on the reopen window).
    pub fn can_move_to(self, to: TicketStatus) -> bool {
        use TicketStatus as S;
        matches!(
            (self, to),
            (S::New, S::Open)
                | (S::Open, S::WaitingOnCustomer)
                | (S::WaitingOnCustomer, S::Open)
                | (S::Open | S::WaitingOnCustomer, S::Resolved)
                | (S::Resolved, S::Closed)
        )
    }

    /// The statuses [`TicketStatus::can_move_to`] allows from `self`, in life-cycle order
    /// (what a screen offers as actions).
    pub fn next_statuses(self) -> Vec<TicketStatus> {
        Self::ALL
            .iter()
            .copied()
            .filter(|to| self.can_move_to(*to))
            .collect()
    }

    /// Resolved or closed: the SLA clocks do not run.
    pub fn is_done(self) -> bool {
        matches!(self, TicketStatus::Resolved | TicketStatus::Closed)
    }

    /// A human word for activity lines (`waiting on customer`).
    pub fn words(self) -> &'static str {
        match self {
            TicketStatus::WaitingOnCustomer => "waiting on customer",
            other => other.as_str(),
        }
    }
}

string_enum!(
    /// How a ticket came in.
    Channel, "channel", "email, phone, portal, chat, other", {
        /// E-mail.
        Email => "email",
        /// Phone call.
        Phone => "phone",
        /// Customer portal or web form.
        Portal => "portal",
        /// Live chat.
        Chat => "chat",
        /// Anything else (walk-in, letter, …).
        Other => "other",
    }
);

string_enum!(
    /// Who can see a reply.
    Visibility, "visibility", "public, internal", {
        /// Sent to / visible to the customer.
        Public => "public",
        /// An internal note, for employees only.
        Internal => "internal",
    }
);

/// The text of a reply or note: trimmed, 1–20,000 characters, no control characters other
/// than line breaks and tabs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReplyBody(String);

/// Validates a long free text: trimmed, 1..=max characters, no control characters but
/// line breaks and tabs.
pub(crate) fn long_text(field: &str, s: &str, max: usize) -> Result<String, DomainError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(DomainError::field(field, "must not be empty"));
    }
    if t.chars().count() > max {
        return Err(DomainError::field(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if t.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(DomainError::field(
            field,
            "must not contain control characters",
        ));
    }
    Ok(t.to_owned())
}

impl ReplyBody {
    /// Longest accepted body, in characters.
    pub const MAX_CHARS: usize = 20_000;

    /// Validates a body given as input field `body`.
    pub fn new(s: &str) -> Result<Self, DomainError> {
        long_text("body", s, Self::MAX_CHARS).map(Self)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ReplyBody {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(&s)
    }
}

impl From<ReplyBody> for String {
    fn from(b: ReplyBody) -> String {
        b.0
    }
}

/// How long after resolution a ticket may still be reopened, in minutes (> 0). A setting
/// of the site, passed in with the reopen command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReopenWindow(u32);

impl ReopenWindow {
    /// The window when a site sets none: 7 days.
    pub const DEFAULT: ReopenWindow = ReopenWindow(7 * 24 * 60);

    /// Validates `minutes > 0` (field `reopen_window_minutes`).
    pub fn from_minutes(minutes: i64) -> Result<Self, DomainError> {
        u32::try_from(minutes)
            .ok()
            .filter(|m| *m > 0)
            .map(Self)
            .ok_or_else(|| {
                DomainError::field(
                    "reopen_window_minutes",
                    "must be a positive number of minutes",
                )
            })
    }

    /// The window in minutes.
    pub const fn minutes(self) -> u32 {
        self.0
    }

    /// Whether a ticket resolved at `resolved_at` may still be reopened at `now`: up to and
    /// including `resolved_at + window` (the rule [`crate::helpdesk::ticket::decide`]
    /// applies, and what screens ask before offering a reopen).
    pub fn allows(self, resolved_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        now <= resolved_at + Duration::minutes(i64::from(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_parse_their_names_only() {
        for p in Priority::ALL {
            assert_eq!(Priority::parse(p.as_str()).unwrap(), *p);
        }
        assert_eq!(
            Priority::parse("critical").unwrap_err(),
            DomainError::field("priority", "must be one of low, normal, high, urgent")
        );
        assert!(TicketStatus::parse("waiting_on_customer").is_ok());
        assert!(TicketStatus::parse("Open").is_err());
        assert!(Channel::parse_field("via", "fax").is_err());
        assert!(TicketStatus::Resolved.is_done() && !TicketStatus::Open.is_done());
    }

    #[test]
    fn bodies_and_windows_validate() {
        assert_eq!(ReplyBody::new("  hi \n").unwrap().as_str(), "hi");
        assert!(ReplyBody::new("   ").is_err());
        assert!(ReplyBody::new("a\u{7}").is_err());
        assert!(ReplyBody::new(&"x".repeat(20_001)).is_err());
        assert!(ReopenWindow::from_minutes(0).is_err());
        assert!(ReopenWindow::from_minutes(-5).is_err());
        assert_eq!(ReopenWindow::from_minutes(60).unwrap().minutes(), 60);
    }
}
