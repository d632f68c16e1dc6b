//! What the Webhooks and Shop pages show: webhook topics with the scope each needs, a
//! webhook as the merchant types it, and the shop's authorization as Trustoo reports it.
//!
//! Why here: these shapes cross IPC (generated into TypeScript with the `ts` feature) and are
//! filled by the auth crate's `shop` module; keeping them beside [`crate::Webhook`] and
//! [`crate::ShopSession`] keeps one source for every type the UI reads.

use serde::{Deserialize, Serialize};

#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::{AuthMode, MissingScope, Webhook};

/// One webhook topic Trustoo documents, and whether this shop's sign-in may subscribe to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct WebhookTopicChoice {
    /// Wire spelling, e.g. `review/created`.
    pub topic: String,
    /// What it announces, in words ("A review is created").
    pub label: String,
    /// The Trustoo scope it needs (documented per topic).
    pub scope: String,
    /// This shop's sign-in has that scope.
    pub allowed: bool,
    /// Why it cannot be chosen, as a sentence naming the scope; `None` when allowed.
    pub refusal: Option<String>,
}

/// The Webhooks page: the shop's subscriptions and the topics the merchant may choose from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct WebhookOverview {
    /// Subscriptions visible to these credentials, as Trustoo lists them.
    pub webhooks: Vec<Webhook>,
    /// Every documented topic, each with whether it is allowed.
    pub topics: Vec<WebhookTopicChoice>,
}

/// A webhook as the merchant typed it (create and edit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct WebhookInput {
    /// One of the documented topics.
    pub topic: String,
    /// Where Trustoo should post the events.
    pub url: String,
}

/// What a saved webhook came back with: the webhook, and a caution to show beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct WebhookSaved {
    /// The webhook as Trustoo answered.
    pub webhook: Webhook,
    /// E.g. the events travel unencrypted over `http`.
    pub warning: Option<String>,
}

/// A scope, and what it lets ReviewDesk do, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct ScopeGrant {
    /// Trustoo's name, e.g. `write_customers`.
    pub scope: String,
    /// What it allows, as the merchant would say it.
    pub words: String,
}

/// What Trustoo's "Get Shop Authorization Info" said (only what it said).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct AuthorizationFacts {
    /// The shop has authorized ReviewDesk (browser sign-in).
    pub is_authorized: bool,
    /// Since when, in unix seconds, when Trustoo said.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub authorized_at: Option<i64>,
    /// The scopes Trustoo says were granted, in words.
    pub granted_scopes: Vec<ScopeGrant>,
    /// Video uploads allowed, when Trustoo said (newer docs only).
    pub can_upload_video: Option<bool>,
}

/// What Trustoo's "Get Shop Installation Status" said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct InstallFacts {
    /// The shop has installed (authorized) ReviewDesk.
    pub is_installed: bool,
    /// Since when, in unix seconds, when Trustoo said.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub installed_at: Option<i64>,
}

/// The Shop page: how ReviewDesk is connected to the shop and what Trustoo says about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct ShopAuthorization {
    /// `*.myshopify.com` domain.
    pub domain: String,
    /// Display name.
    pub shop_name: String,
    /// Browser sign-in (OAuth) or the shop's Public/Private Token.
    pub auth_mode: AuthMode,
    /// The scopes this machine's sign-in holds, in words (empty for a Public/Private Token,
    /// which carries every permission of the shop).
    pub session_scopes: Vec<ScopeGrant>,
    /// Features the sign-in does not allow.
    pub missing_scopes: Vec<MissingScope>,
    /// Trustoo's authorization info; `None` when it could not be asked (see `unavailable`).
    pub authorization: Option<AuthorizationFacts>,
    /// Trustoo's installation status; `None` when it could not be asked.
    pub installation: Option<InstallFacts>,
    /// Sentences for what could not be asked and why.
    pub unavailable: Vec<String>,
}

/// What a Trustoo scope lets ReviewDesk do, in the merchant's words (an unknown scope is named
/// as it is).
pub fn scope_words(scope: &str) -> String {
    match scope {
        "read_reviews" => "Read your reviews and ratings".into(),
        "write_reviews" => {
            "Create and delete reviews, upload photos and videos, and manage review webhooks".into()
        }
        "write_customers" => {
            "Keep customers out of review requests and unsubscribe addresses".into()
        }
        "read_orders" => "Read orders and their review-request status".into(),
        "read_customer_events" => {
            "Read widget analytics (customer events) and subscribe to them".into()
        }
        "read_shop_install_status" => "Check whether ReviewDesk is installed".into(),
        other => format!("A permission ReviewDesk does not describe ({other})"),
    }
}

/// Each scope with its words, in the given order.
pub fn scope_grants(scopes: &[String]) -> Vec<ScopeGrant> {
    scopes
        .iter()
        .map(|s| ScopeGrant {
            scope: s.clone(),
            words: scope_words(s),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_requested_scope_has_words_of_its_own() {
        for scope in crate::trustoo_scopes_to_request() {
            assert!(
                !scope_words(&scope).contains("does not describe"),
                "{scope} needs words"
            );
        }
        assert_eq!(
            scope_words("read_everything"),
            "A permission ReviewDesk does not describe (read_everything)"
        );
    }
}
