//! Replies by email, the pure part: what an inbound message is (an auto-reply, a loop, a
//! reply to a ticket, a new request, or something for a person to review) and its text
//! without the quoted history. The mailbox poller reads messages and the facts (the token's
//! ticket, the sender's contact), then asks [`classify`].

/// The headers and addresses of an inbound message [`classify`] looks at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboundHeaders {
    /// `Auto-Submitted` (anything but `no` is automatic).
    pub auto_submitted: Option<String>,
    /// `Precedence` (`bulk`, `junk`, `list`, `auto_reply` are automatic).
    pub precedence: Option<String>,
    /// Whether any `X-Autoreply` / `X-Autorespond` header is present.
    pub x_autoreply: bool,
    /// `X-PET-Mail`: set on every mail PET sends (a loop when it comes back).
    pub x_pet_mail: bool,
    /// The sender's address, lower case.
    pub from: String,
    /// The site's own sending and reply addresses, lower case.
    pub own_addresses: Vec<String>,
}

/// Why a message is ignored or sent for review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// An auto-reply (out of office, bounce): ignored.
    AutoReply,
    /// Our own mail come back (our `X-PET-Mail`, or from our own address): ignored.
    Loop,
    /// A reply with a valid token from a contact of the ticket's customer: added to it.
    Reply,
    /// No token, from a known contact: a new ticket (channel email).
    NewTicket,
    /// A token that does not verify: for review.
    ForgedToken,
    /// A valid token, but the sender is a contact of another customer: for review.
    OtherCustomer,
    /// An unknown sender: for review.
    UnknownSender,
}

impl Verdict {
    /// The stored reason (`pet_mail_inbox.reason`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AutoReply => "auto_reply",
            Self::Loop => "loop",
            Self::Reply => "reply",
            Self::NewTicket => "new_ticket",
            Self::ForgedToken => "forged_token",
            Self::OtherCustomer => "other_customer",
            Self::UnknownSender => "unknown_sender",
        }
    }

    /// Whether a person should look at it (the review list).
    pub fn needs_review(self) -> bool {
        matches!(
            self,
            Self::ForgedToken | Self::OtherCustomer | Self::UnknownSender
        )
    }
}

/// What the poller found out before asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenFact<C> {
    /// The message carries no token.
    None,
    /// A token whose signature fails.
    Forged,
    /// A valid token naming a ticket of this customer.
    Ticket(C),
}

/// Classifies an inbound message. Rules, in order: automatic mail (Auto-Submitted other
/// than `no`, Precedence bulk/junk/list/auto_reply, X-Autoreply) is ignored; our own mail
/// (X-PET-Mail, or from one of our addresses) is a loop, ignored; a forged token goes to
/// review; a sender who is no contact goes to review; a valid token is a reply when the
/// sender is a contact of the ticket's customer, else review; no token from a known contact
/// opens a ticket.
pub fn classify<C: PartialEq>(
    h: &InboundHeaders,
    token: TokenFact<C>,
    sender_customer: Option<C>,
) -> Verdict {
    let auto = h
        .auto_submitted
        .as_deref()
        .is_some_and(|v| !v.trim().eq_ignore_ascii_case("no"))
        || h.precedence.as_deref().is_some_and(|p| {
            ["bulk", "junk", "list", "auto_reply"].contains(&p.trim().to_ascii_lowercase().as_str())
        })
        || h.x_autoreply;
    if auto {
        return Verdict::AutoReply;
    }
    if h.x_pet_mail
        || h.own_addresses
            .iter()
            .any(|a| a.eq_ignore_ascii_case(&h.from))
    {
        return Verdict::Loop;
    }
    match (token, sender_customer) {
        (TokenFact::Forged, _) => Verdict::ForgedToken,
        (_, None) => Verdict::UnknownSender,
        (TokenFact::Ticket(t), Some(c)) if t == c => Verdict::Reply,
        (TokenFact::Ticket(_), Some(_)) => Verdict::OtherCustomer,
        (TokenFact::None, Some(_)) => Verdict::NewTicket,
    }
}

/// The new text of a reply: everything before the quoted history — the first line that
/// starts a quote (`>`), an "On … wrote:" attribution, Outlook's "-----Original Message-----"
/// or "From: " header block, or a signature separator (`-- `) — trimmed.
pub fn strip_quoted(body: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for line in body.lines() {
        let t = line.trim_end();
        let lower = t.trim_start().to_ascii_lowercase();
        if t.starts_with('>')
            || t == "-- "
            || t == "--"
            || lower.starts_with("-----original message-----")
            || (lower.starts_with("on ") && lower.ends_with("wrote:"))
            || (lower.starts_with("from:") && !out.is_empty())
        {
            break;
        }
        out.push(line);
    }
    out.join("\n").trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h() -> InboundHeaders {
        InboundHeaders {
            from: "wile@acme.test".into(),
            own_addresses: vec!["support@example.com".into()],
            ..InboundHeaders::default()
        }
    }

    #[test]
    fn auto_replies_and_loops_are_ignored_first() {
        let mut a = h();
        a.auto_submitted = Some("auto-replied".into());
        assert_eq!(
            classify(&a, TokenFact::Ticket(1), Some(1)),
            Verdict::AutoReply
        );
        a.auto_submitted = Some("no".into());
        assert_eq!(classify(&a, TokenFact::Ticket(1), Some(1)), Verdict::Reply);
        let mut p = h();
        p.precedence = Some("Bulk".into());
        assert_eq!(classify(&p, TokenFact::None, Some(1)), Verdict::AutoReply);
        let mut x = h();
        x.x_autoreply = true;
        assert_eq!(classify(&x, TokenFact::None, Some(1)), Verdict::AutoReply);
        let mut l = h();
        l.x_pet_mail = true;
        assert_eq!(classify(&l, TokenFact::Ticket(1), Some(1)), Verdict::Loop);
        let mut own = h();
        own.from = "SUPPORT@example.com".into();
        assert_eq!(classify(&own, TokenFact::None, Some(1)), Verdict::Loop);
    }

    #[test]
    fn tokens_and_senders() {
        assert_eq!(
            classify(&h(), TokenFact::<u8>::Forged, Some(1)),
            Verdict::ForgedToken
        );
        assert_eq!(
            classify(&h(), TokenFact::Ticket(1), None),
            Verdict::UnknownSender
        );
        assert_eq!(
            classify(&h(), TokenFact::Ticket(1), Some(2)),
            Verdict::OtherCustomer
        );
        assert_eq!(classify(&h(), TokenFact::None, Some(2)), Verdict::NewTicket);
        assert_eq!(
            classify(&h(), TokenFact::<u8>::None, None),
            Verdict::UnknownSender
        );
        assert!(Verdict::OtherCustomer.needs_review());
        assert!(!Verdict::Loop.needs_review());
    }

    #[test]
    fn quoted_history_is_stripped() {
        let body = "Thanks, it works now.\n\nOn Mon, 2 Mar 2026 at 09:00, Support <s@x> wrote:\n> Unplug it.\n";
        assert_eq!(strip_quoted(body), "Thanks, it works now.");
        assert_eq!(strip_quoted("Yes\n-- \nWile"), "Yes");
        assert_eq!(
            strip_quoted("Ok\r\n-----Original Message-----\r\nFrom: s"),
            "Ok"
        );
        assert_eq!(strip_quoted("From: me\nhello"), "From: me\nhello");
        assert_eq!(strip_quoted("> all quoted"), "");
    }
}
