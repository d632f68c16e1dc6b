//! Private wire shapes and the tolerant decoding of Trustoo's documented drift.
//!
//! Drift handled here (trustoo-api.md §2.1, §3.9, §3.20, CHOICES.md): success `code` 0 or 2000
//! or absent; ids as strings or numbers; numbers/flags as strings; `expire` as string or number;
//! timestamps as RFC 3339, `YYYY-MM-DD HH:MM:SS` (taken as UTC; the zone is UNKNOWN) or unix
//! seconds; missing or `null` `data`.
//!
//! One file a part: `timestamps`, `de` (serde helpers for the drift), the envelope
//! here, and one file per resource (`reviews`, `rating`, `webhooks`, `customers`, `orders`,
//! `events`), like octocrab's `models/`.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use crate::error::{classify, Error, ErrorAnswer};

mod customers;
pub(crate) mod de;
mod events;
mod orders;
mod rating;
mod reviews;
#[cfg(test)]
mod tests;
mod timestamps;
mod webhooks;

pub(crate) use customers::*;
pub(crate) use events::*;
pub(crate) use orders::*;
pub(crate) use rating::*;
pub(crate) use reviews::*;
pub use timestamps::*;
pub(crate) use webhooks::*;

/// The common envelope `{code, message, time, request_id, data}`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Envelope {
    #[serde(default, deserialize_with = "de::opt_i64")]
    pub code: Option<i64>,
    #[serde(default, deserialize_with = "de::string")]
    pub message: String,
    #[serde(default)]
    pub data: Data,
}

/// The `data` of an answer, still as its JSON text: each endpoint decodes it straight into its
/// wire type. Going through a `serde_json::Value` first built a map with an owned key for every
/// field of every review, then took it apart again; for a page of reviews that doubled the
/// client's decoding work (`null` and a missing `data` are `None`).
pub(crate) type Data = Option<Box<serde_json::value::RawValue>>;

/// True for the success codes seen in the wild (0 new docs, 2000 older docs, absent in `{}`).
pub(crate) fn is_success_code(code: Option<i64>) -> bool {
    matches!(code, None | Some(0) | Some(2000))
}

/// Turns one HTTP answer into its `data` (or `None`) or a typed error.
///
/// Pure so the envelope rules are unit tested without a server.
pub(crate) fn interpret(
    context: &'static str,
    status: u16,
    body: &[u8],
    www_authenticate: Option<&str>,
    retry_after: Option<std::time::Duration>,
) -> Result<Data, Error> {
    let is_2xx = (200..300).contains(&status);
    let trimmed = body.iter().all(|b| b.is_ascii_whitespace());
    let parsed: Result<Envelope, serde_json::Error> = if trimmed {
        Ok(Envelope::default())
    } else {
        serde_json::from_slice(body)
    };
    match parsed {
        Err(e) if is_2xx => Err(Error::decode(context, &e)),
        Err(_) => Err(classify(&ErrorAnswer {
            status,
            code: None,
            message: None,
            www_authenticate,
            retry_after,
        })),
        Ok(env) => {
            let ok_code = is_success_code(env.code);
            if is_2xx && ok_code {
                Ok(env.data)
            } else {
                Err(classify(&ErrorAnswer {
                    status,
                    code: if ok_code { None } else { env.code },
                    message: Some(&env.message),
                    www_authenticate,
                    retry_after,
                }))
            }
        }
    }
}

/// Decodes `data` into a wire type.
pub(crate) fn decode_data<T: DeserializeOwned>(
    context: &'static str,
    data: Data,
) -> Result<T, Error> {
    match data {
        Some(raw) => serde_json::from_str(raw.get()),
        None => serde_json::from_value(Value::Null),
    }
    .map_err(|e| Error::decode(context, &e))
}
