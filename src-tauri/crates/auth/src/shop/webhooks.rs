//! Webhook subscriptions: the documented topics and the scope each needs, checking what the
//! merchant typed before anything is sent, and Trustoo's refusals as plain sentences.
//!
//! Facts (`shared/reference/trustoo-api.md` §3.9–§3.12): four topics, `review/*` need
//! `write_reviews`, `customer_event/created` needs `read_customer_events`; the docs' own
//! example subscribes an `http://` URL, so `http` is allowed, with a warning. What Trustoo does
//! with a duplicate or a URL it dislikes is UNKNOWN; the sandbox's choices (CHOICES.md: 409/6
//! for a duplicate, 400/3 with its reason for a bad URL, 403/8 for a missing scope) are what
//! the client reports, and each gets its sentence here.

use reviewdesk_core::{
    AuthMode, ShopSession, Webhook, WebhookInput, WebhookOverview, WebhookSaved, WebhookTopicChoice,
};
use reviewdesk_trustoo::{Error, TrustooClient, Url, WebhookTopic};

/// One documented topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopicSpec {
    /// The client's topic.
    pub topic: WebhookTopic,
    /// What it announces, in words.
    pub label: &'static str,
    /// The scope Trustoo requires for it (SEEN N-wh-create).
    pub scope: &'static str,
}

/// Every topic Trustoo documents, in the docs' order.
pub const TOPICS: &[TopicSpec] = &[
    TopicSpec {
        topic: WebhookTopic::ReviewCreated,
        label: "A review is created",
        scope: "write_reviews",
    },
    TopicSpec {
        topic: WebhookTopic::ReviewUpdated,
        label: "A review is updated",
        scope: "write_reviews",
    },
    TopicSpec {
        topic: WebhookTopic::ReviewDeleted,
        label: "A review is deleted or hidden",
        scope: "write_reviews",
    },
    TopicSpec {
        topic: WebhookTopic::CustomerEventCreated,
        label: "A customer uses the reviews widget",
        scope: "read_customer_events",
    },
];

/// The documented topic spelt `topic`, if any.
pub fn topic_spec(topic: &str) -> Option<&'static TopicSpec> {
    TOPICS.iter().find(|t| t.topic.as_str() == topic)
}

/// Whether a sign-in may use `scope` (a Public/Private Token carries every scope).
fn grants(session: &ShopSession, scope: &str) -> bool {
    session.auth_mode == AuthMode::Hmac || session.scopes.iter().any(|s| s == scope)
}

fn scope_refusal(spec: &TopicSpec) -> String {
    format!(
        "This shop's sign-in does not allow “{}” webhooks: they need the Trustoo scope {}. Sign in again to allow it.",
        spec.topic.as_str(),
        spec.scope
    )
}

/// Every documented topic with whether this sign-in may subscribe to it, and why not.
pub fn topic_choices(session: &ShopSession) -> Vec<WebhookTopicChoice> {
    TOPICS
        .iter()
        .map(|spec| {
            let allowed = grants(session, spec.scope);
            WebhookTopicChoice {
                topic: spec.topic.as_str().to_owned(),
                label: spec.label.to_owned(),
                scope: spec.scope.to_owned(),
                allowed,
                refusal: (!allowed).then(|| scope_refusal(spec)),
            }
        })
        .collect()
}

/// The sentence shown beside an `http://` address.
pub const HTTP_WARNING: &str = "This address uses http, so Trustoo will send the events unencrypted. Use https if your server supports it.";

/// A webhook that passed the checks, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidWebhook {
    /// The topic.
    pub topic: WebhookTopic,
    /// The address, trimmed, exactly as it will be sent.
    pub url: String,
    /// A caution that does not stop it ([`HTTP_WARNING`]).
    pub warning: Option<String>,
}

/// Why a webhook call did not happen or did not work.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// What the merchant typed was refused before anything was sent.
    #[error("{0}")]
    Invalid(String),
    /// The sign-in lacks the topic's scope (said before any call, or by Trustoo).
    #[error("{0}")]
    MissingScope(String),
    /// Trustoo already has this topic and address.
    #[error("{0}")]
    Duplicate(String),
    /// Trustoo refused the webhook (the URL, usually), with its reason.
    #[error("{0}")]
    Rejected(String),
    /// The webhook is gone on Trustoo.
    #[error("{0}")]
    NotFound(String),
    /// Anything else (session, network, rate limit, server): the caller's general mapping.
    #[error(transparent)]
    Api(Error),
}

/// Checks the topic (documented, allowed by the sign-in) and the address (an absolute
/// `https://` or `http://` URL with a host; `http` gets [`HTTP_WARNING`]).
pub fn validate(session: &ShopSession, input: &WebhookInput) -> Result<ValidWebhook, WebhookError> {
    let Some(spec) = topic_spec(input.topic.trim()) else {
        return Err(WebhookError::Invalid(format!(
            "Choose one of the topics Trustoo documents: {}.",
            TOPICS
                .iter()
                .map(|t| t.topic.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    };
    if !grants(session, spec.scope) {
        return Err(WebhookError::MissingScope(scope_refusal(spec)));
    }
    let url = input.url.trim();
    if url.is_empty() {
        return Err(WebhookError::Invalid(
            "Enter the address Trustoo should send the events to.".into(),
        ));
    }
    if url.chars().any(char::is_whitespace) {
        return Err(WebhookError::Invalid(
            "The address cannot contain spaces.".into(),
        ));
    }
    let not_web = || {
        WebhookError::Invalid(
            "Enter a full web address starting with https:// (or http://), such as https://example.com/trustoo.".into(),
        )
    };
    let parsed = Url::parse(url).map_err(|_| not_web())?;
    let warning = match parsed.scheme() {
        "https" => None,
        "http" => Some(HTTP_WARNING.to_owned()),
        _ => return Err(not_web()),
    };
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(not_web());
    }
    Ok(ValidWebhook {
        topic: spec.topic,
        url: url.to_owned(),
        warning,
    })
}

/// Trustoo's answer to a webhook call, as a sentence where it is about the webhook (a
/// duplicate, a missing scope, a refused address, a webhook that is gone); anything else is
/// left to the caller's general mapping.
pub fn refusal(err: Error, topic: Option<&str>) -> WebhookError {
    let topic = topic.map(|t| format!("“{t}” ")).unwrap_or_default();
    match err {
        Error::AlreadyExists => WebhookError::Duplicate(format!(
            "Trustoo already has a {topic}webhook to this address, so nothing was changed."
        )),
        Error::Forbidden { scope } => WebhookError::MissingScope(match scope {
            Some(scope) => format!(
                "Trustoo refused: this shop's sign-in does not grant the scope {scope}, which {topic}webhooks need. Sign in again to allow it."
            ),
            None => format!(
                "Trustoo refused: this shop's sign-in does not allow {topic}webhooks. Sign in again to allow them."
            ),
        }),
        Error::Validation { message } => WebhookError::Rejected(format!(
            "Trustoo refused the webhook: {}.",
            message.trim_end_matches('.')
        )),
        Error::NotFound => WebhookError::NotFound(
            "Trustoo no longer has this webhook; it may have been deleted elsewhere.".into(),
        ),
        other => WebhookError::Api(other),
    }
}

/// The Webhooks page: the subscriptions and the topics. A sign-in with no webhook scope at all
/// lists nothing and asks Trustoo nothing (every topic then says which scope it needs).
pub async fn overview(
    client: &TrustooClient,
    session: &ShopSession,
) -> Result<WebhookOverview, WebhookError> {
    let topics = topic_choices(session);
    let webhooks = if topics.iter().any(|t| t.allowed) {
        client.list_webhooks().await.map_err(|e| refusal(e, None))?
    } else {
        Vec::new()
    };
    Ok(WebhookOverview { webhooks, topics })
}

/// Subscribes after [`validate`]; the answer carries the `http` warning, if any.
pub async fn create(
    client: &TrustooClient,
    session: &ShopSession,
    input: &WebhookInput,
) -> Result<WebhookSaved, WebhookError> {
    let valid = validate(session, input)?;
    let webhook = client
        .create_webhook(valid.topic, &valid.url)
        .await
        .map_err(|e| refusal(e, Some(valid.topic.as_str())))?;
    Ok(WebhookSaved {
        webhook,
        warning: valid.warning,
    })
}

/// Changes a webhook's topic and address after [`validate`].
pub async fn update(
    client: &TrustooClient,
    session: &ShopSession,
    id: &str,
    input: &WebhookInput,
) -> Result<WebhookSaved, WebhookError> {
    let valid = validate(session, input)?;
    let webhook = client
        .update_webhook(id, valid.topic, &valid.url)
        .await
        .map_err(|e| refusal(e, Some(valid.topic.as_str())))?;
    Ok(WebhookSaved {
        webhook,
        warning: valid.warning,
    })
}

/// Deletes a webhook (its topic, when known, names it in a refusal).
pub async fn delete(client: &TrustooClient, webhook: &Webhook) -> Result<(), WebhookError> {
    client
        .delete_webhook(&webhook.id)
        .await
        .map_err(|e| refusal(e, Some(&webhook.topic)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use reviewdesk_core::{Environment, Provider, ShopId};

    fn session(mode: AuthMode, scopes: &[&str]) -> ShopSession {
        let scopes: Vec<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
        ShopSession {
            shop_id: ShopId("1".into()),
            shop_name: "Shop".into(),
            domain: "shop.myshopify.com".into(),
            missing_scopes: reviewdesk_core::missing_scopes(mode, &scopes),
            scopes,
            provider: Provider::Trustoo,
            capabilities: Provider::Trustoo.capabilities(),
            auth_mode: mode,
            environment: Environment::Sandbox,
            api_base: "http://127.0.0.1:1".into(),
        }
    }

    fn input(topic: &str, url: &str) -> WebhookInput {
        WebhookInput {
            topic: topic.into(),
            url: url.into(),
        }
    }

    #[test]
    fn topics_are_the_documented_four_with_their_scopes() {
        let all = session(AuthMode::Oauth, &["write_reviews", "read_customer_events"]);
        let choices = topic_choices(&all);
        let names: Vec<_> = choices.iter().map(|c| c.topic.as_str()).collect();
        assert_eq!(
            names,
            [
                "review/created",
                "review/updated",
                "review/deleted",
                "customer_event/created"
            ]
        );
        assert!(choices.iter().all(|c| c.allowed && c.refusal.is_none()));
        assert_eq!(choices[3].scope, "read_customer_events");
    }

    #[test]
    fn topics_a_sign_in_lacks_say_the_scope_they_need() {
        let narrow = session(AuthMode::Oauth, &["read_reviews", "write_reviews"]);
        let choices = topic_choices(&narrow);
        assert!(choices[..3].iter().all(|c| c.allowed));
        let events = &choices[3];
        assert!(!events.allowed);
        assert!(events
            .refusal
            .as_deref()
            .unwrap()
            .contains("scope read_customer_events"));
        // A Public/Private Token carries every scope.
        let hmac = session(AuthMode::Hmac, &[]);
        assert!(topic_choices(&hmac).iter().all(|c| c.allowed));
    }

    #[test]
    fn addresses_are_checked_before_sending() {
        let s = session(AuthMode::Hmac, &[]);
        let ok = validate(&s, &input("review/created", "  https://example.com/hook ")).unwrap();
        assert_eq!(ok.url, "https://example.com/hook");
        assert_eq!(ok.warning, None);
        // The docs' own example is http: allowed, with a warning.
        let http = validate(
            &s,
            &input("review/created", "http://api.trustoo.io/webhook"),
        )
        .unwrap();
        assert_eq!(http.warning.as_deref(), Some(HTTP_WARNING));
        for bad in [
            "",
            "   ",
            "example.com/hook",
            "ftp://example.com/hook",
            "https://",
            "https://exa mple.com",
            "mailto:a@example.com",
        ] {
            let err = validate(&s, &input("review/created", bad)).unwrap_err();
            assert!(matches!(err, WebhookError::Invalid(_)), "{bad:?}: {err:?}");
        }
        let err = validate(&s, &input("review/exploded", "https://example.com")).unwrap_err();
        assert!(err.to_string().contains("review/created, review/updated"));
    }

    #[test]
    fn a_topic_the_sign_in_lacks_is_refused_before_sending() {
        let narrow = session(AuthMode::Oauth, &["read_reviews"]);
        let err = validate(&narrow, &input("review/deleted", "https://example.com")).unwrap_err();
        match err {
            WebhookError::MissingScope(s) => assert!(s.contains("write_reviews"), "{s}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn trustoos_refusals_become_sentences() {
        let dup = refusal(Error::AlreadyExists, Some("review/created"));
        assert!(matches!(dup, WebhookError::Duplicate(_)));
        assert_eq!(
            dup.to_string(),
            "Trustoo already has a “review/created” webhook to this address, so nothing was changed."
        );
        let scope = refusal(
            Error::Forbidden {
                scope: Some("write_reviews".into()),
            },
            Some("review/created"),
        );
        assert!(matches!(scope, WebhookError::MissingScope(_)));
        assert!(scope.to_string().contains("scope write_reviews"));
        let url = refusal(
            Error::Validation {
                message: "url must be an http(s) URL".into(),
            },
            None,
        );
        assert_eq!(
            url.to_string(),
            "Trustoo refused the webhook: url must be an http(s) URL."
        );
        assert!(matches!(
            refusal(Error::NotFound, None),
            WebhookError::NotFound(_)
        ));
        assert!(matches!(
            refusal(Error::Unauthorized { expired: true }, None),
            WebhookError::Api(Error::Unauthorized { .. })
        ));
    }
}
