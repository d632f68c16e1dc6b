//! Guardrails for a public reply, checked before it is posted.
//!
//! Trustpilot's guidelines for businesses (referenced in issue 17 and
//! `shared/reference/trustpilot-api.md` §3) forbid personal details in a public reply, asking
//! the reviewer to change or remove their review, and offering an incentive, and ask for a
//! courteous tone. A reply that breaks them can be reported and taken down, so ReviewDesk warns
//! before posting; the merchant may still post (a false alarm must never block an answer). Only
//! an empty or over-long reply is refused. The word lists are English, where most replies are
//! written; other languages get the checks that do not depend on words (addresses, numbers,
//! length).

use std::sync::LazyLock;

use regex::Regex;
use reviewdesk_core::{ReplyRule, ReplyWarning};

use crate::actions::MAX_REPLY_CHARS;

/// One pattern per advice rule, with its sentence. Case-insensitive, on word boundaries.
struct Rule {
    rule: ReplyRule,
    pattern: Regex,
    message: &'static str,
}

fn pattern(source: &str) -> Regex {
    // The patterns are constants of this file: a typo is a bug the tests catch at once.
    #[allow(clippy::expect_used)]
    Regex::new(source).expect("a valid guardrail pattern")
}

static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    vec![
        Rule {
            rule: ReplyRule::PersonalDetails,
            pattern: pattern(r"(?i)\b[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}\b"),
            message: "An email address in a public reply: anyone can read it. Ask the customer to write to you instead.",
        },
        Rule {
            rule: ReplyRule::PersonalDetails,
            // 7+ digits, allowing the spaces, dots, dashes and brackets phone numbers are
            // written with (and a leading +).
            pattern: pattern(r"(?:\+|\b)\d(?:[\s.\-()]{0,2}\d){6,}\b"),
            message: "A phone or account number in a public reply: anyone can read it.",
        },
        Rule {
            rule: ReplyRule::PersonalDetails,
            pattern: pattern(
                r"(?i)(?:#\s?\d{3,}|\b(?:order|reference|ref|invoice|tracking)(?:\s+(?:number|no\.?|id))?\s*(?:#|:)?\s*[A-Z]*\d{3,})",
            ),
            message: "An order or reference number in a public reply ties the review to a person: leave it out.",
        },
        Rule {
            rule: ReplyRule::AsksToChangeReview,
            pattern: pattern(
                r"(?i)\b(?:change|update|edit|amend|remove|delete|take\s+down|withdraw|reconsider|revise|raise|improve|increase)\s+(?:your|the|this)\s+(?:review|rating|stars?|score|feedback)\b",
            ),
            message: "Asking the reviewer to change or remove their review is against Trustpilot's guidelines for businesses.",
        },
        Rule {
            rule: ReplyRule::Incentive,
            pattern: pattern(
                r"(?i)\b(?:discount(?:\s+code)?|voucher|coupon|promo(?:tion(?:al)?)?\s+code|gift\s+card|store\s+credit|free\s+(?:gift|product|item|shipping)|\d+\s?%\s?off|in\s+exchange\s+for)\b",
            ),
            message: "Offering something in a public reply reads as an incentive, which Trustpilot does not allow. Make an offer in private, if at all.",
        },
        Rule {
            rule: ReplyRule::Aggressive,
            pattern: pattern(
                r"(?i)\b(?:liars?|lying|lies|stupid|idiots?|ridiculous|pathetic|nonsense|rubbish|shut\s+up|how\s+dare|fake\s+review|you\s+people|scammers?|legal\s+action|our\s+lawyers?|sue\s+you|clearly\s+you)\b",
            ),
            message: "These words read as an attack on the reviewer. Other customers read replies to judge how you treat them.",
        },
    ]
});

/// The guidelines `text` may break, each once (the first words that made it), blocking ones
/// first.
pub fn check_reply(text: &str) -> Vec<ReplyWarning> {
    let trimmed = text.trim();
    let mut out = Vec::new();
    if trimmed.is_empty() {
        out.push(ReplyWarning {
            rule: ReplyRule::Empty,
            message: "Write the reply first.".into(),
            excerpt: String::new(),
            blocking: true,
        });
        return out;
    }
    let length = trimmed.chars().count();
    if length > MAX_REPLY_CHARS {
        out.push(ReplyWarning {
            rule: ReplyRule::TooLong,
            message: format!(
                "{length} characters: a reply can be at most {MAX_REPLY_CHARS}. Shorten it by {}.",
                length - MAX_REPLY_CHARS
            ),
            excerpt: String::new(),
            blocking: true,
        });
    }
    for rule in RULES.iter() {
        if out.iter().any(|w| w.rule == rule.rule) {
            continue;
        }
        if let Some(found) = rule.pattern.find(trimmed) {
            out.push(ReplyWarning {
                rule: rule.rule,
                message: rule.message.into(),
                excerpt: found.as_str().trim().to_owned(),
                blocking: false,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn rules(text: &str) -> Vec<ReplyRule> {
        check_reply(text).into_iter().map(|w| w.rule).collect()
    }

    #[test]
    fn a_courteous_reply_passes() {
        for text in [
            "Thank you, Ana! We are glad the jacket kept you warm on the trail.",
            "Sorry the parcel was late. Please write to us through our contact page so we can put it right.",
            "We have improved our packaging since, and we hope your next order arrives sooner.",
            "Danke für Ihre Bewertung!",
            "Our 2 stores open at 9.",
        ] {
            assert_eq!(rules(text), vec![], "{text}");
        }
    }

    #[test]
    fn empty_and_over_long_replies_are_blocking() {
        let empty = check_reply("  \n ");
        assert_eq!(empty.len(), 1);
        assert_eq!(empty[0].rule, ReplyRule::Empty);
        assert!(empty[0].blocking);
        let long = check_reply(&"a".repeat(MAX_REPLY_CHARS + 5));
        assert_eq!(long[0].rule, ReplyRule::TooLong);
        assert!(long[0].blocking);
        assert!(long[0].message.contains("by 5"), "{}", long[0].message);
        assert_eq!(rules(&"a".repeat(MAX_REPLY_CHARS)), vec![]);
    }

    #[test]
    fn personal_details_are_found_with_what_gave_them_away() {
        for (text, excerpt) in [
            (
                "Write to ana.silva@example.com and we'll help.",
                "ana.silva@example.com",
            ),
            ("Call us on +44 20 7946 0958 any time.", "+44 20 7946 0958"),
            ("Call 555-867-5309.", "555-867-5309"),
            ("We found order #1042 in our system.", "order #1042"),
            ("Case #20931 is closed.", "#20931"),
            (
                "Your order number 58213 shipped today.",
                "order number 58213",
            ),
            ("Reference: AB12345 is refunded.", "Reference: AB12345"),
        ] {
            let warnings = check_reply(text);
            assert_eq!(warnings.len(), 1, "{text}: {warnings:?}");
            assert_eq!(warnings[0].rule, ReplyRule::PersonalDetails, "{text}");
            assert_eq!(warnings[0].excerpt, excerpt, "{text}");
            assert!(!warnings[0].blocking);
        }
        for text in [
            "Thanks for ordering from us.",
            "Our reference sizes are on the product page.",
            "We ship within 2 days.",
            "It was our 100th order this week!",
        ] {
            assert_eq!(rules(text), vec![], "{text}");
        }
    }

    #[test]
    fn asking_to_change_or_remove_the_review_is_flagged() {
        for text in [
            "Now that it is sorted, could you update your review?",
            "Please remove your review.",
            "We'd be grateful if you would reconsider your rating.",
            "Would you mind changing... no: would you change your stars?",
            "Kindly take down the review.",
        ] {
            assert_eq!(rules(text), vec![ReplyRule::AsksToChangeReview], "{text}");
        }
        for text in [
            "Thank you for your review.",
            "Your review helps us improve the shop.",
            "We read every review we get.",
        ] {
            assert_eq!(rules(text), vec![], "{text}");
        }
    }

    #[test]
    fn incentives_are_flagged() {
        for text in [
            "Here is a discount code for next time.",
            "We'd like to send you a voucher.",
            "Enjoy 20% off your next order.",
            "A gift card is on its way.",
            "We can offer free shipping in exchange for an update.",
        ] {
            assert!(rules(text).contains(&ReplyRule::Incentive), "{text}");
        }
        for text in [
            "We have refunded your order in full.",
            "Shipping is free on every order over 50 EUR, as our site says.",
        ] {
            assert_eq!(rules(text), vec![], "{text}");
        }
    }

    #[test]
    fn aggressive_wording_is_flagged() {
        for text in [
            "This is a fake review.",
            "You are lying about the delivery date.",
            "What a ridiculous complaint.",
            "Our lawyers will be in touch.",
        ] {
            assert_eq!(rules(text), vec![ReplyRule::Aggressive], "{text}");
        }
        for text in [
            "We understand how frustrating a late parcel is.",
            "We are sorry, and we take this seriously.",
        ] {
            assert_eq!(rules(text), vec![], "{text}");
        }
    }

    #[test]
    fn the_templates_a_new_store_starts_with_pass_every_guideline() {
        let dir = tempfile::tempdir().unwrap();
        let store = reviewdesk_store::Store::open(dir.path().join("t.db")).unwrap();
        let templates = store.list_reply_templates().unwrap();
        assert!(!templates.is_empty());
        for t in templates {
            assert_eq!(check_reply(&t.body), vec![], "{}", t.name);
        }
    }

    #[test]
    fn several_rules_each_warn_once() {
        let warnings = check_reply(
            "Liar. Email me at a@b.co or b@c.co, and change your review for a voucher.",
        );
        let found: Vec<ReplyRule> = warnings.iter().map(|w| w.rule).collect();
        assert_eq!(
            found,
            vec![
                ReplyRule::PersonalDetails,
                ReplyRule::AsksToChangeReview,
                ReplyRule::Incentive,
                ReplyRule::Aggressive
            ]
        );
    }
}
