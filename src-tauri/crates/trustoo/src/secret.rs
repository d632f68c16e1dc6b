//! Credentials are `reviewdesk_core::Secret`, shared by every provider's client.

pub use reviewdesk_core::Secret;
