//! Customer exclusions.

use reviewdesk_core::CustomerExclusion;
use serde::Deserialize;

use super::de;

/// CustomerExclusion object.
#[derive(Debug, Deserialize)]
pub(crate) struct WireExclusion {
    #[serde(default, deserialize_with = "de::string")]
    customer_id: String,
    #[serde(default, deserialize_with = "de::string")]
    first_name: String,
    #[serde(default, deserialize_with = "de::string")]
    last_name: String,
    #[serde(default, deserialize_with = "de::string")]
    email: String,
    #[serde(default, deserialize_with = "de::string")]
    phone: String,
    #[serde(default, deserialize_with = "de::string")]
    created_at: String,
    #[serde(default, deserialize_with = "de::string")]
    updated_at: String,
}

impl WireExclusion {
    pub(crate) fn into_domain(self) -> CustomerExclusion {
        CustomerExclusion {
            customer_id: self.customer_id.into(),
            first_name: self.first_name,
            last_name: self.last_name,
            email: self.email,
            phone: self.phone,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}
