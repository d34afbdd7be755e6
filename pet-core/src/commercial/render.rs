//! Activity lines of the commercial events, e.g.
//! `Quote Q-12 version 2 was sent to Acme Ltd (EUR 12,400.00), valid until 2026-02-28`.

use crate::activity::{NameLookup, Names};
use crate::event::ContextType as K;
use crate::identity::values::Money;

use super::lead::{LeadCustomer, LeadEvent};
use super::opportunity::OpportunityEvent;
use super::quote::QuoteEvent;
use super::schema::LeadSchemaEvent;
use super::CommercialEvent;

/// `EUR 12,400.00`: the code, then the amount with thousands separators and the
/// currency's minor-unit digits.
pub(crate) fn money(m: &Money) -> String {
    let plain = m.to_string(); // "EUR -12400.00"
    let Some((code, amount)) = plain.split_once(' ') else {
        return plain;
    };
    let (sign, digits) = match amount.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", amount),
    };
    let (whole, frac) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{code} {sign}{grouped}.{f}"),
        None => format!("{code} {sign}{grouped}"),
    }
}

fn hours(minutes: i64) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    if m == 0 {
        format!("{h} h")
    } else {
        format!("{h} h {m} min")
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub(crate) fn line(event: &CommercialEvent, n: &Names<'_, dyn NameLookup + '_>) -> String {
    match event {
        CommercialEvent::LeadSchema(LeadSchemaEvent::Published(v)) => {
            let required = v.fields.iter().filter(|f| f.required()).count();
            format!(
                "Lead schema version {} was published with {} ({required} required)",
                v.number,
                plural(v.fields.len(), "custom field", "custom fields")
            )
        }
        CommercialEvent::Lead(e) => {
            let lead = n.get(K::Lead, e.lead_id().as_uuid());
            match e {
                LeadEvent::Created(p) => {
                    let who = match &p.customer {
                        LeadCustomer::Existing { customer_id } => {
                            n.get(K::Customer, customer_id.as_uuid())
                        }
                        LeadCustomer::New { name } => format!("{name} (new customer)"),
                    };
                    let mut s = format!(
                        "Lead for {who} was captured from {}, owned by {}",
                        p.source,
                        n.get(K::Employee, p.owner_id.as_uuid())
                    );
                    if let Some(r) = p.schema {
                        s.push_str(&format!(" (lead schema version {})", r.number));
                    }
                    s
                }
                LeadEvent::Updated(p) => {
                    let mut parts = Vec::new();
                    if let Some(c) = &p.customer {
                        parts.push(match c {
                            LeadCustomer::Existing { customer_id } => {
                                format!("customer {}", n.get(K::Customer, customer_id.as_uuid()))
                            }
                            LeadCustomer::New { name } => format!("customer {name} (new)"),
                        });
                    }
                    if let Some(s) = &p.source {
                        parts.push(format!("source {s}"));
                    }
                    if let Some(o) = p.owner_id {
                        parts.push(format!("owner {}", n.get(K::Employee, o.as_uuid())));
                    }
                    if p.custom_values.is_some() {
                        parts.push("custom fields".to_owned());
                    }
                    format!("{lead} was updated: {}", parts.join(", "))
                }
                LeadEvent::Contacted(p) => {
                    if p.note.as_str().is_empty() {
                        format!("{lead} was contacted")
                    } else {
                        format!("{lead} was contacted: {}", p.note.as_str())
                    }
                }
                LeadEvent::Qualified(p) => {
                    let q = &p.qualification;
                    let mut s = format!("{lead} was qualified: need {}", q.need);
                    if let Some(b) = &q.budget {
                        s.push_str(&format!(", budget {}", money(b)));
                    }
                    if let Some(a) = &q.authority {
                        s.push_str(&format!(", authority {a}"));
                    }
                    if let Some(t) = &q.timeline {
                        s.push_str(&format!(", timeline {t}"));
                    }
                    s
                }
                LeadEvent::Disqualified(p) => format!("{lead} was disqualified: {}", p.reason),
                LeadEvent::Archived(_) => format!("{lead} was archived"),
            }
        }
        CommercialEvent::Opportunity(e) => {
            let opp = n.get(K::Opportunity, e.opportunity_id().as_uuid());
            match e {
                OpportunityEvent::Created(p) => format!(
                    "Opportunity {} was opened for {} from {}, expected {} by {}",
                    p.title,
                    n.get(K::Customer, p.customer_id.as_uuid()),
                    n.get(K::Lead, p.lead_id.as_uuid()),
                    money(&p.expected_value),
                    p.expected_close.format("%Y-%m-%d")
                ),
                OpportunityEvent::Classified(p) => {
                    format!("{opp} was classified as {}", p.classification.words())
                }
                OpportunityEvent::QuotingStarted(p) => format!(
                    "{opp} is being quoted in {}",
                    n.get(K::Quote, p.quote_id.as_uuid())
                ),
                OpportunityEvent::Won(p) => format!(
                    "{opp} was won with {}",
                    n.get(K::Quote, p.quote_id.as_uuid())
                ),
                OpportunityEvent::Lost(p) => format!("{opp} was lost: {}", p.reason),
            }
        }
        CommercialEvent::Quote(e) => match e {
            QuoteEvent::Created(p) => format!(
                "Quote {} ({}) was created for {} in {}",
                p.quote_number.reference(),
                p.title,
                n.get(K::Customer, p.customer_id.as_uuid()),
                p.currency
            ),
            QuoteEvent::VersionDrafted(p) => match p.based_on {
                Some(b) => format!(
                    "Quote {} version {} was drafted from version {b}",
                    p.quote_number.reference(),
                    p.number
                ),
                None => format!(
                    "Quote {} version {} was drafted",
                    p.quote_number.reference(),
                    p.number
                ),
            },
            QuoteEvent::VersionRevised(p) => format!(
                "Quote {} version {} was revised ({}, {})",
                p.quote_number.reference(),
                p.number,
                plural(p.content.groups.len(), "group", "groups"),
                plural(p.content.line_count(), "line", "lines")
            ),
            QuoteEvent::Sent(p) => {
                let mut s = format!(
                    "Quote {} version {} was sent to {} ({}), valid until {}",
                    p.quote_number.reference(),
                    p.number,
                    n.get(K::Customer, p.customer_id.as_uuid()),
                    money(&p.sent.totals.quote.total),
                    p.sent.valid_until.format("%Y-%m-%d")
                );
                if p.sent.totals.optional_total.amount_minor() != 0 {
                    s.push_str(&format!(
                        "; options {}",
                        money(&p.sent.totals.optional_total)
                    ));
                }
                s
            }
            QuoteEvent::Superseded(p) => format!(
                "Quote {} version {} was superseded by version {}",
                p.quote_number.reference(),
                p.number,
                p.superseded_by
            ),
            QuoteEvent::Accepted(p) => {
                let mut s = format!(
                    "Quote {} version {} was accepted",
                    p.quote_number.reference(),
                    p.number
                );
                if let Some(who) = &p.signed_by {
                    s.push_str(&format!(", signed by {who}"));
                }
                if !p.optional_groups.is_empty() {
                    s.push_str(&format!(
                        ", with {}",
                        plural(p.optional_groups.len(), "option", "options")
                    ));
                }
                s
            }
            QuoteEvent::Rejected(p) => format!(
                "Quote {} version {} was rejected: {}",
                p.quote_number.reference(),
                p.number,
                p.reason
            ),
            QuoteEvent::Expired(p) => format!(
                "Quote {} version {} expired (valid until {})",
                p.quote_number.reference(),
                p.number,
                p.valid_until.format("%Y-%m-%d")
            ),
            QuoteEvent::SaleRecorded(p) => {
                let minutes: i64 = p.labour.iter().map(|l| l.minutes).sum();
                format!(
                    "Sale of {} to {} was recorded from quote {} version {} ({} labour, {})",
                    money(&p.totals.total),
                    n.get(K::Customer, p.customer_id.as_uuid()),
                    p.quote_number.reference(),
                    p.number,
                    hours(minutes),
                    plural(p.fees.len(), "fee", "fees")
                )
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::values::Currency;

    #[test]
    fn money_is_grouped_by_thousands() {
        let m = |a, c| money(&Money::new(a, Currency::new(c).unwrap()));
        assert_eq!(m(1_240_000, "EUR"), "EUR 12,400.00");
        assert_eq!(m(-123_456_789, "EUR"), "EUR -1,234,567.89");
        assert_eq!(m(5, "EUR"), "EUR 0.05");
        assert_eq!(m(100_000, "EUR"), "EUR 1,000.00");
        assert_eq!(m(1_000_000, "JPY"), "JPY 1,000,000");
        assert_eq!(m(999, "JPY"), "JPY 999");
        assert_eq!(m(i64::MIN, "EUR"), "EUR -92,233,720,368,547,758.08");
        assert_eq!(hours(90), "1 h 30 min");
        assert_eq!(hours(120), "2 h");
    }
}
