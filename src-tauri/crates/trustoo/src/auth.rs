//! Credentials and the HMAC-SHA256 request signature (Quick Start §2.3 / CHOICES.md "Auth").

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::secret::Secret;

/// How data requests authenticate.
///
/// Why both: a merchant connecting directly pastes the shop's Public and Private Token (HMAC);
/// the browser sign-in yields OAuth tokens (Bearer). The server tries Bearer first when the
/// `Authorization` header is present and non-empty, otherwise HMAC.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Auth {
    /// `Authorization: Bearer <access_token>`.
    Bearer(Secret),
    /// `Public-Token`, `Timestamp`, `Sign` headers; `Sign` = HMAC-SHA256 keyed by the private token.
    Hmac {
        /// The shop's Public Token (sent as is in `Public-Token`).
        public_token: Secret,
        /// The shop's Private Token (the HMAC key; never sent).
        private_token: Secret,
    },
}

impl Auth {
    /// Which mode this is, for the UI (`ShopSession::auth_mode`) without exposing the token.
    pub fn mode(&self) -> reviewdesk_core::AuthMode {
        match self {
            Auth::Bearer(_) => reviewdesk_core::AuthMode::Oauth,
            Auth::Hmac { .. } => reviewdesk_core::AuthMode::Hmac,
        }
    }
}

/// Builds the GET string to sign: every query pair plus `timestamp=<ts>`, sorted by key in byte
/// order (stable, so repeated keys keep their order), joined as `k=v` with `&`, values raw
/// (decoded, not URL-encoded).
///
/// Why public: the sandbox, the webhook receiver and tests must agree on exactly this string.
pub fn string_to_sign_get(query: &[(String, String)], timestamp: i64) -> String {
    let ts = timestamp.to_string();
    let mut pairs: Vec<(&str, &str)> = query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .chain(std::iter::once(("timestamp", ts.as_str())))
        .collect();
    pairs.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

/// Builds the POST string to sign: `timestamp=<ts>|<raw body bytes exactly as sent>`.
///
/// Why bytes: the signature covers the body as sent, so it must be computed over the very bytes
/// handed to the HTTP client, never over a re-serialisation.
pub fn string_to_sign_post(timestamp: i64, body: &[u8]) -> Vec<u8> {
    let mut msg = format!("timestamp={timestamp}|").into_bytes();
    msg.extend_from_slice(body);
    msg
}

/// `HMAC_SHA256(key = private token, msg)` as lowercase hex, the `Sign` header value.
pub fn sign(private_token: &Secret, msg: &[u8]) -> String {
    // HMAC accepts keys of any length, so this cannot fail; fall back to an empty key defensively.
    let mut mac = match Hmac::<Sha256>::new_from_slice(private_token.expose().as_bytes()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(msg);
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn get_string_is_sorted_raw_and_includes_timestamp() {
        let query = q(&[
            ("ratings[0]", "5"),
            ("page_size", "20"),
            ("keyword", "good fit"),
            ("ratings[1]", "4"),
            ("product_ids[0]", "123"),
            ("page", "1"),
        ]);
        assert_eq!(
            string_to_sign_get(&query, 1_700_465_771),
            "keyword=good fit&page=1&page_size=20&product_ids[0]=123&ratings[0]=5&ratings[1]=4&timestamp=1700465771"
        );
    }

    #[test]
    fn get_signature_matches_openssl_vector() {
        let query = q(&[
            ("page", "1"),
            ("page_size", "20"),
            ("keyword", "good fit"),
            ("product_ids[0]", "123"),
            ("ratings[0]", "5"),
            ("ratings[1]", "4"),
        ]);
        let msg = string_to_sign_get(&query, 1_700_465_771);
        // printf '%s' 'keyword=good fit&page=1&page_size=20&product_ids[0]=123&ratings[0]=5&ratings[1]=4&timestamp=1700465771' \
        //   | openssl dgst -sha256 -hmac 'demo-private-token'
        assert_eq!(
            sign(&Secret::new("demo-private-token"), msg.as_bytes()),
            "3492de79a076bd7a9d081972749110e20228404a952e394a8632eab329c95509"
        );
    }

    #[test]
    fn get_signature_with_base64_key_matches_openssl_vector() {
        let msg = string_to_sign_get(&q(&[("is_all_products_rating", "1")]), 1_700_465_771);
        // printf '%s' 'is_all_products_rating=1&timestamp=1700465771' | openssl dgst -sha256 -hmac 'GfKu22TCaj4gULtrA3/OgA=='
        assert_eq!(
            sign(&Secret::new("GfKu22TCaj4gULtrA3/OgA=="), msg.as_bytes()),
            "5c381d50dde7dcfb5620dbababf6c7a8b5c9d823068a0d262178f4baa27c0853"
        );
    }

    #[test]
    fn get_without_params_signs_only_the_timestamp() {
        let msg = string_to_sign_get(&[], 1_700_465_771);
        assert_eq!(msg, "timestamp=1700465771");
        // printf '%s' 'timestamp=1700465771' | openssl dgst -sha256 -hmac 'demo-private-token'
        assert_eq!(
            sign(&Secret::new("demo-private-token"), msg.as_bytes()),
            "2050088c36b32c653930e687d18d8defd65a7b7cf79fbb613a605226552babd8"
        );
    }

    #[test]
    fn post_signature_matches_openssl_vector() {
        let msg = string_to_sign_post(1_700_465_771, br#"{"id":"42"}"#);
        assert_eq!(msg, br#"timestamp=1700465771|{"id":"42"}"#.to_vec());
        // printf '%s' 'timestamp=1700465771|{"id":"42"}' | openssl dgst -sha256 -hmac 'demo-private-token'
        assert_eq!(
            sign(&Secret::new("demo-private-token"), &msg),
            "974085e99ffb175d62d6c4d8435868424ba35ce725269e36a19e5704e075aec6"
        );
    }

    #[test]
    fn post_with_empty_body_keeps_the_separator() {
        let msg = string_to_sign_post(1_700_465_771, b"");
        // printf '%s' 'timestamp=1700465771|' | openssl dgst -sha256 -hmac 'demo-private-token'
        assert_eq!(
            sign(&Secret::new("demo-private-token"), &msg),
            "bf505fb22ab15e07644d2b11f87ebe30d3a0d5aed87ab707c20781a2f5231055"
        );
    }

    #[test]
    fn signature_is_lowercase_hex_of_32_bytes() {
        let s = sign(&Secret::new("k"), b"m");
        assert_eq!(s.len(), 64);
        assert!(s
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)));
    }

    #[test]
    fn auth_debug_hides_tokens() {
        let a = Auth::Hmac {
            public_token: Secret::new("pubTOKEN1"),
            private_token: Secret::new("privTOKEN2"),
        };
        let b = Auth::Bearer(Secret::new("bearerTOKEN3"));
        let out = format!("{a:?} {b:?}");
        assert!(!out.contains("TOKEN"), "{out}");
    }
}
