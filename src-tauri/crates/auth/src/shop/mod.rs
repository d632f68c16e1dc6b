//! The shop's tools beside its reviews: webhook subscriptions ([`webhooks`]) and the shop's
//! authorization ([`authorization`]: what Trustoo says, and the disconnect that ends it).
//!
//! Why in the auth crate: both read what the sign-in allows (its mode and scopes) and the
//! authorization half talks to the same OAuth endpoints sign-in does. The Tauri layer only calls
//! these and maps [`webhooks::WebhookError`] to the UI's error shape.

pub mod authorization;
pub mod webhooks;
