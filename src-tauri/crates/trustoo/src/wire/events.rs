//! Customer events (widget analytics).

use reviewdesk_core::CustomerEvent;
use serde::Deserialize;

use super::de;

/// CustomerEvent object (fields chosen in CHOICES.md).
#[derive(Debug, Deserialize)]
pub(crate) struct WireEvent {
    #[serde(deserialize_with = "de::string")]
    id: String,
    #[serde(default, deserialize_with = "de::string")]
    event_type: String,
    #[serde(default, deserialize_with = "de::string")]
    event_source: String,
    #[serde(default, deserialize_with = "de::string")]
    os_type: String,
    #[serde(default, deserialize_with = "de::string")]
    customer_id: String,
    #[serde(default, deserialize_with = "de::string")]
    review_id: String,
    #[serde(default, deserialize_with = "de::string")]
    product_id: String,
    #[serde(default, deserialize_with = "de::opt_ts")]
    created_at: Option<i64>,
}

impl WireEvent {
    pub(crate) fn into_domain(self) -> CustomerEvent {
        CustomerEvent {
            id: self.id,
            event_type: self.event_type,
            event_source: self.event_source,
            os_type: self.os_type,
            customer_id: self.customer_id.into(),
            review_id: self.review_id.into(),
            product_id: self.product_id.into(),
            created_at: self.created_at.unwrap_or(0),
        }
    }
}
