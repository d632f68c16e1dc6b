//! What Trustpilot answers, decoded tolerantly: unknown fields ignored, `null` anywhere,
//! numbers as strings, timestamps in every seen form (trustpilot-api.md §1.3, §4).
//!
//! The types are public: the client has no domain model of its own (the inbox adapter maps
//! them to `reviewdesk-core`'s review), so they carry every §1.3 field a merchant tool uses.

pub mod de;
mod model;
mod product;
#[cfg(test)]
mod tests;
mod timestamps;
mod token;

pub use model::*;
pub use product::*;
pub use timestamps::*;
pub use token::*;

/// Decodes a JSON answer, naming the call (never the body) on failure.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(
    context: &'static str,
    body: &[u8],
) -> Result<T, crate::Error> {
    serde_json::from_slice(body).map_err(|e| crate::Error::decode(context, &e))
}
