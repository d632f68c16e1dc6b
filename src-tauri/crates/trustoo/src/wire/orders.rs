//! Orders (review requests).

use reviewdesk_core::{Order, OrderProduct, RequestEmailStatus};
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
    #[serde(default, alias = "line_items")]
    products: Option<Vec<WireOrderProduct>>,
    #[serde(default, deserialize_with = "de::opt_ts")]
    created_at: Option<i64>,
    #[serde(default, deserialize_with = "de::opt_ts")]
    sent_at: Option<i64>,
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
            products: self
                .products
                .unwrap_or_default()
                .into_iter()
                .map(WireOrderProduct::into_domain)
                .collect(),
            created_at: self.created_at.unwrap_or(0),
            sent_at: self.sent_at.filter(|t| *t > 0),
            request_status: RequestEmailStatus::from_code(self.request_status.unwrap_or(0)),
        }
    }
}

/// One line item (CHOICES.md: `{product_id, title, quantity}`).
#[derive(Debug, Deserialize)]
pub(crate) struct WireOrderProduct {
    #[serde(default, alias = "id", deserialize_with = "de::string")]
    product_id: String,
    #[serde(default, deserialize_with = "de::string")]
    title: String,
    #[serde(default, deserialize_with = "de::opt_i64")]
    quantity: Option<i64>,
}

impl WireOrderProduct {
    fn into_domain(self) -> OrderProduct {
        OrderProduct {
            product_id: self.product_id.into(),
            title: self.title,
            quantity: u32::try_from(self.quantity.unwrap_or(1)).unwrap_or(1),
        }
    }
}
