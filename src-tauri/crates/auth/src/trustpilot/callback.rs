//! Strict parsing of `reviewdesk://trustpilot/callback`, the link ReviewDesk's redirect page
//! (`trustpilot-callback.html`) opens after Trustpilot's authenticate page.
//!
//! Why strict, as for Trustoo: any web page can open a `reviewdesk://` link, so the URL is
//! hostile input. Exactly three shapes are accepted, each with exactly its parameters:
//!
//! - code grant: `?code=…&state=…`
//! - implicit grant: `?access_token=…&token_type=bearer&expires_in=…&state=…` — the redirect
//!   page moves Trustpilot's fragment (`#access_token=…`) into the query (choice: a query
//!   survives every OS's hand-over of a link; a fragment on a custom scheme is not promised to)
//! - an error: `?error=…[&error_description=…]&state=…` (e.g. the merchant cancelled)
//!
//! Nothing from the URL is ever echoed in an error.

use reviewdesk_trustpilot::Secret;
use url::Url;

use crate::callback::{CallbackRejection, ProviderError, MAX_CALLBACK_LEN};

/// The deep link the redirect page forwards to (scheme, host and path are checked exactly).
pub const TRUSTPILOT_CALLBACK: &str = "reviewdesk://trustpilot/callback";

/// Longest `expires_in` accepted, in seconds (a year): anything longer is not Trustpilot's.
const MAX_EXPIRES_IN: i64 = 366 * 86_400;

/// What a well-formed Trustpilot callback carries. `Debug` shows no credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustpilotCallback {
    /// Authorization code grant: exchange `code` with the application's secret.
    Code {
        /// The authorization code (a credential).
        code: Secret,
        /// Echo of our `state`.
        state: String,
    },
    /// Implicit grant: the token itself (no refresh token).
    Token {
        /// The access token.
        access_token: Secret,
        /// Seconds it lives, from the moment it was issued.
        expires_in: i64,
        /// Echo of our `state`.
        state: String,
    },
    /// The authenticate page reported an error (`access_denied` when the merchant cancelled).
    Error {
        /// Which error, as a closed set.
        error: ProviderError,
        /// Echo of our `state`.
        state: String,
    },
}

impl TrustpilotCallback {
    /// The `state` echoed back, to match against the sign-in in progress.
    pub fn state(&self) -> &str {
        match self {
            TrustpilotCallback::Code { state, .. }
            | TrustpilotCallback::Token { state, .. }
            | TrustpilotCallback::Error { state, .. } => state,
        }
    }
}

/// Parses a Trustpilot callback link strictly: scheme `reviewdesk`, host `trustpilot` (no port,
/// no user info), path `/callback`, no fragment, printable ASCII of at most
/// [`MAX_CALLBACK_LEN`] bytes, one of the three parameter sets above with no parameter
/// missing, repeated, empty or extra. `token_type` must be `bearer` (any case) and
/// `expires_in` a positive whole number of seconds.
pub fn parse_trustpilot_callback(raw: &str) -> Result<TrustpilotCallback, CallbackRejection> {
    if raw.len() > MAX_CALLBACK_LEN {
        return Err(CallbackRejection::TooLong);
    }
    if raw.bytes().any(|b| b <= b' ' || b >= 0x7f) {
        return Err(CallbackRejection::Malformed);
    }
    let url = Url::parse(raw).map_err(|_| CallbackRejection::Malformed)?;
    if url.scheme() != "reviewdesk" {
        return Err(CallbackRejection::WrongScheme);
    }
    if url.host_str() != Some("trustpilot")
        || url.port().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(CallbackRejection::WrongHost);
    }
    if url.path() != "/callback" || url.fragment().is_some() {
        return Err(CallbackRejection::WrongPath);
    }

    const NAMES: [&str; 7] = [
        "code",
        "state",
        "access_token",
        "token_type",
        "expires_in",
        "error",
        "error_description",
    ];
    let mut values: [Option<String>; 7] = Default::default();
    for (k, v) in url::form_urlencoded::parse(url.query().unwrap_or("").as_bytes()) {
        let i = NAMES
            .iter()
            .position(|n| *n == k.as_ref())
            .ok_or(CallbackRejection::UnexpectedParameter)?;
        if values[i].is_some() {
            return Err(CallbackRejection::DuplicateParameter(NAMES[i]));
        }
        // An empty description is harmless; every other value must say something.
        if v.is_empty() && NAMES[i] != "error_description" {
            return Err(CallbackRejection::EmptyParameter(NAMES[i]));
        }
        values[i] = Some(v.into_owned());
    }
    let [code, state, access_token, token_type, expires_in, error, description] = values;
    let state = state.ok_or(CallbackRejection::MissingParameter("state"))?;
    let token_part = access_token.is_some() || token_type.is_some() || expires_in.is_some();
    match (code, token_part, error) {
        (Some(code), false, None) if description.is_none() => Ok(TrustpilotCallback::Code {
            code: Secret::new(code),
            state,
        }),
        (None, true, None) if description.is_none() => {
            let access_token =
                access_token.ok_or(CallbackRejection::MissingParameter("access_token"))?;
            let token_type = token_type.ok_or(CallbackRejection::MissingParameter("token_type"))?;
            let expires_in = expires_in.ok_or(CallbackRejection::MissingParameter("expires_in"))?;
            if !token_type.eq_ignore_ascii_case("bearer") {
                return Err(CallbackRejection::UnexpectedParameter);
            }
            let expires_in = expires_in
                .parse::<i64>()
                .ok()
                .filter(|s| {
                    (1..=MAX_EXPIRES_IN).contains(s)
                        && expires_in.bytes().all(|b| b.is_ascii_digit())
                })
                .ok_or(CallbackRejection::Malformed)?;
            Ok(TrustpilotCallback::Token {
                access_token: Secret::new(access_token),
                expires_in,
                state,
            })
        }
        (None, false, Some(error)) => Ok(TrustpilotCallback::Error {
            error: provider_error(&error),
            state,
        }),
        (None, false, None) => Err(CallbackRejection::MissingParameter("code")),
        _ => Err(CallbackRejection::UnexpectedParameter),
    }
}

/// The RFC 6749 error word as a closed set (the raw text is attacker-controlled).
fn provider_error(s: &str) -> ProviderError {
    match s {
        "access_denied" => ProviderError::AccessDenied,
        "invalid_request" => ProviderError::InvalidRequest,
        "unauthorized_client" => ProviderError::UnauthorizedClient,
        "unsupported_response_type" => ProviderError::UnsupportedResponseType,
        "invalid_scope" => ProviderError::InvalidScope,
        "server_error" => ProviderError::ServerError,
        "temporarily_unavailable" => ProviderError::TemporarilyUnavailable,
        _ => ProviderError::Other,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const ST: &str = "c3RhdGUtdmFsdWUtMTIzNDU2Nzg5MDEyMzQ1Njc4OTA";
    const CB: &str = TRUSTPILOT_CALLBACK;

    #[test]
    fn parse_table() {
        use CallbackRejection as R;
        let long = format!("{CB}?code={}&state={ST}", "A".repeat(5000));
        let code = |c: &str| {
            Ok(TrustpilotCallback::Code {
                code: Secret::new(c),
                state: ST.into(),
            })
        };
        let token = |t: &str, e: i64| {
            Ok(TrustpilotCallback::Token {
                access_token: Secret::new(t),
                expires_in: e,
                state: ST.into(),
            })
        };
        let cases: Vec<(String, Result<TrustpilotCallback, CallbackRejection>)> = vec![
            (format!("{CB}?code=abc&state={ST}"), code("abc")),
            (format!("{CB}?state={ST}&code=a%2Fb%3D"), code("a/b=")),
            (
                format!("{CB}?access_token=T0k&token_type=bearer&expires_in=359999&state={ST}"),
                token("T0k", 359_999),
            ),
            (
                format!("{CB}?state={ST}&expires_in=10&token_type=Bearer&access_token=T"),
                token("T", 10),
            ),
            (
                format!("{CB}?error=access_denied&state={ST}"),
                Ok(TrustpilotCallback::Error {
                    error: ProviderError::AccessDenied,
                    state: ST.into(),
                }),
            ),
            (
                format!("{CB}?error=%3Cb%3E&error_description=&state={ST}"),
                Ok(TrustpilotCallback::Error {
                    error: ProviderError::Other,
                    state: ST.into(),
                }),
            ),
            // Trustoo's callback is not Trustpilot's, and neither is anything else.
            (
                format!("reviewdesk://oauth/callback?code=abc&state={ST}"),
                Err(R::WrongHost),
            ),
            (
                format!("https://trustpilot/callback?code=abc&state={ST}"),
                Err(R::WrongScheme),
            ),
            (
                format!("reviewdesk://trustpilot:1/callback?code=a&state={ST}"),
                Err(R::WrongHost),
            ),
            (
                format!("reviewdesk://x@trustpilot/callback?code=a&state={ST}"),
                Err(R::WrongHost),
            ),
            (
                format!("reviewdesk://trustpilot/callback/?code=a&state={ST}"),
                Err(R::WrongPath),
            ),
            (
                format!("reviewdesk://trustpilot/other?code=a&state={ST}"),
                Err(R::WrongPath),
            ),
            // The fragment form is the page's job to turn into a query, not ours to accept.
            (
                format!("{CB}#access_token=T&token_type=bearer&expires_in=1&state={ST}"),
                Err(R::WrongPath),
            ),
            (format!("{CB}?code=abc"), Err(R::MissingParameter("state"))),
            (format!("{CB}?state={ST}"), Err(R::MissingParameter("code"))),
            (
                format!("{CB}?access_token=T&expires_in=1&state={ST}"),
                Err(R::MissingParameter("token_type")),
            ),
            (
                format!("{CB}?access_token=T&token_type=bearer&state={ST}"),
                Err(R::MissingParameter("expires_in")),
            ),
            (
                format!("{CB}?token_type=bearer&expires_in=1&state={ST}"),
                Err(R::MissingParameter("access_token")),
            ),
            (
                format!("{CB}?access_token=T&token_type=mac&expires_in=1&state={ST}"),
                Err(R::UnexpectedParameter),
            ),
            (
                format!("{CB}?access_token=T&token_type=bearer&expires_in=-1&state={ST}"),
                Err(R::Malformed),
            ),
            (
                format!("{CB}?access_token=T&token_type=bearer&expires_in=%2B5&state={ST}"),
                Err(R::Malformed),
            ),
            (
                format!("{CB}?access_token=T&token_type=bearer&expires_in=999999999&state={ST}"),
                Err(R::Malformed),
            ),
            (
                format!("{CB}?code=a&access_token=T&state={ST}"),
                Err(R::UnexpectedParameter),
            ),
            (
                format!("{CB}?code=a&error=access_denied&state={ST}"),
                Err(R::UnexpectedParameter),
            ),
            (
                format!("{CB}?code=a&error_description=x&state={ST}"),
                Err(R::UnexpectedParameter),
            ),
            (
                format!("{CB}?code=a&state={ST}&extra=1"),
                Err(R::UnexpectedParameter),
            ),
            (
                format!("{CB}?code=a&code=b&state={ST}"),
                Err(R::DuplicateParameter("code")),
            ),
            (
                format!("{CB}?code=a&state={ST}&state={ST}"),
                Err(R::DuplicateParameter("state")),
            ),
            (
                format!("{CB}?code=&state={ST}"),
                Err(R::EmptyParameter("code")),
            ),
            (
                format!("{CB}?code=a&state="),
                Err(R::EmptyParameter("state")),
            ),
            (format!("{CB}?code=a\u{e9}&state={ST}"), Err(R::Malformed)),
            (format!(" {CB}?code=a&state={ST}"), Err(R::Malformed)),
            ("not a url".into(), Err(R::Malformed)),
            (long, Err(R::TooLong)),
        ];
        for (input, want) in cases {
            let got = parse_trustpilot_callback(&input);
            let shown: String = input.chars().take(100).collect();
            assert_eq!(got, want, "input: {shown}");
        }
    }

    #[test]
    fn nothing_from_the_link_is_echoed() {
        let m = "SECRETMARKERxyz";
        for input in [
            format!("{CB}?code={m}&state={m}&{m}=1"),
            format!("{CB}?access_token={m}&token_type={m}&expires_in=1&state={m}"),
            format!("reviewdesk://{m}/callback?code={m}&state={m}"),
            format!("{CB}?code={m}&code={m}&state=s"),
        ] {
            let e = parse_trustpilot_callback(&input).unwrap_err();
            assert!(!format!("{e} {e:?}").contains(m), "{e:?}");
        }
        for ok in [
            format!("{CB}?code={m}&state=s"),
            format!("{CB}?access_token={m}&token_type=bearer&expires_in=1&state=s"),
        ] {
            let got = parse_trustpilot_callback(&ok).unwrap();
            assert!(!format!("{got:?}").contains(m), "{got:?}");
        }
    }
}
