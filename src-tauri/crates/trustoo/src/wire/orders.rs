//! Orders (review requests).

use reviewdesk_core::{Order, RequestEmailStatus};
use serde::Deserialize;

use super::de;

/// Order object (the 9 fields chosen in CHOICES.md).
#[derive(Debug, Deserialize)]
pub(crate) struct WireOrder {
    #[serde(deserialize_with = "de::string")]
    id: String,
    #[serde(default, deserialize_with = "de::string")]
    order_number: String,
    #[serde(default, deserialize_with = "de::string")]
    customer_id: String,
    #[serde(default, deserialize_with = "de::string")]
    customer_email: String,
    #[serde(default, deserialize_with = "de::string")]
    customer_name: String,
    #[serde(default, deserialize_with = "de::string")]
    total_price: String,
    #[serde(default, deserialize_with = "de::string")]
    currency: String,
    #[serde(default, deserialize_with = "de::opt_ts")]
    created_at: Option<i64>,
    #[serde(
        default,
        alias = "type",
        alias = "status",
        deserialize_with = "de::opt_i64"
    )]
    request_status: Option<i64>,
}

impl WireOrder {
    pub(crate) fn into_domain(self) -> Order {
        Order {
            id: self.id,
            order_number: self.order_number,
            customer_id: self.customer_id.into(),
            customer_email: self.customer_email,
            customer_name: self.customer_name,
            total_price: self.total_price,
            currency: self.currency,
            created_at: self.created_at.unwrap_or(0),
            request_status: RequestEmailStatus::from_code(self.request_status.unwrap_or(0)),
        }
    }
}
