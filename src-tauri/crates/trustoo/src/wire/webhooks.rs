//! Webhook subscriptions.

use reviewdesk_core::Webhook;
use serde::Deserialize;

use super::de;

/// Webhook object (`id` string or number; the two timestamp formats kept as sent).
#[derive(Debug, Deserialize)]
pub(crate) struct WireWebhook {
    #[serde(deserialize_with = "de::string")]
    id: String,
    #[serde(default, deserialize_with = "de::string")]
    topic: String,
    #[serde(default, deserialize_with = "de::string")]
    url: String,
    #[serde(default, deserialize_with = "de::string")]
    created_at: String,
    #[serde(default, deserialize_with = "de::string")]
    updated_at: String,
}

impl WireWebhook {
    pub(crate) fn into_domain(self) -> Webhook {
        Webhook {
            id: self.id,
            topic: self.topic,
            url: self.url,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// `get_shop_webhooks` `data`: an array (documented) or `{list: [...]}` (tolerated).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum WireWebhookList {
    Array(Vec<WireWebhook>),
    Wrapped { list: Vec<WireWebhook> },
}

impl WireWebhookList {
    pub(crate) fn into_domain(self) -> Vec<Webhook> {
        match self {
            Self::Array(v) | Self::Wrapped { list: v } => {
                v.into_iter().map(WireWebhook::into_domain).collect()
            }
        }
    }
}
