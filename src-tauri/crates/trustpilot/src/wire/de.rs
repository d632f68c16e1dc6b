//! serde helpers that accept the drift: numbers as strings, `null` for anything, unknown types.

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::parse_timestamp;

/// Text from a string, number or bool; `null`/missing → empty.
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => s,
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    })
}

/// Text, or `None` for `null`, missing, an empty string or a non-scalar.
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Some(string(d)?).filter(|s| !s.is_empty()))
}

pub(crate) fn value_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_u64().map(|u| i64::try_from(u).unwrap_or(i64::MAX)))
            .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64)),
        Value::String(s) => {
            let s = s.trim();
            s.parse::<i64>().ok().or_else(|| {
                s.parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite())
                    .map(|f| f as i64)
            })
        }
        _ => None,
    }
}

/// Integer from a number or a numeric string (`expires_in: "359999"`); else `None`.
pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(value_i64(&Value::deserialize(d)?))
}

/// Count (≥ 0) from a number or numeric string; anything else 0.
pub fn u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(opt_i64(d)?.and_then(|n| u64::try_from(n).ok()).unwrap_or(0))
}

/// Stars 1–5 from a number or a numeric string; anything else (or out of range) 0.
pub fn stars<'de, D: Deserializer<'de>>(d: D) -> Result<u8, D::Error> {
    Ok(opt_i64(d)?
        .filter(|n| (1..=5).contains(n))
        .and_then(|n| u8::try_from(n).ok())
        .unwrap_or(0))
}

/// Float from a number or a numeric string; else 0.
pub fn f64<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_f64().unwrap_or(0.0),
        Value::String(s) => s.trim().parse::<f64>().unwrap_or(0.0),
        _ => 0.0,
    })
}

fn value_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(_) => value_i64(v).map(|n| n != 0),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Some(true),
            "false" | "0" | "no" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// Flag from a bool, 0/1 or `"true"`; `null`/missing/other → `None`.
pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(value_bool(&Value::deserialize(d)?))
}

/// Flag; `null`/missing/other → false.
pub fn bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(opt_bool(d)?.unwrap_or(false))
}

/// Timestamp (any form [`parse_timestamp`] reads) → unix seconds; else `None`.
pub fn opt_ts<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => parse_timestamp(&s),
        _ => None,
    })
}

/// A list whose items are decoded one by one: `null`/missing/not a list → empty; an item that
/// does not decode is skipped rather than failing the whole review (a tag of an unknown shape
/// must not hide the review).
pub fn vec<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|v| serde_json::from_value(v).ok())
            .collect(),
        _ => Vec::new(),
    })
}

/// A nested object: `null`, missing or not an object → `None`; an object that does not decode
/// is an error (it is a shape we claim to know).
pub fn opt_obj<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    d: D,
) -> Result<Option<T>, D::Error> {
    match Value::deserialize(d)? {
        v @ Value::Object(_) => serde_json::from_value(v)
            .map(Some)
            .map_err(D::Error::custom),
        _ => Ok(None),
    }
}

/// A list whose every item must decode (a page's reviews: one lost silently would be a hole in
/// the merchant's inbox); `null`/missing → empty.
pub fn vec_strict<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    d: D,
) -> Result<Vec<T>, D::Error> {
    match Value::deserialize(d)? {
        v @ Value::Array(_) => serde_json::from_value(v).map_err(D::Error::custom),
        Value::Null => Ok(Vec::new()),
        _ => Err(D::Error::custom("expected a list")),
    }
}

/// A nested object that is always there: `null`, missing or not an object → its default.
pub fn obj<'de, D: Deserializer<'de>, T: DeserializeOwned + Default>(d: D) -> Result<T, D::Error> {
    Ok(opt_obj(d)?.unwrap_or_default())
}
