//! Strict parsing of the OAuth redirect `reviewdesk://oauth/callback?code=…&state=…`.
//!
//! Why strict: any app or web page can open a `reviewdesk://` link, so the URL is hostile input.
//! We accept exactly the shape Trustoo sends and nothing else, and never echo its values back
//! (not in errors, not in logs).

use reviewdesk_trustoo::Secret;
use url::Url;

/// Longest callback URL we look at (bytes). Real ones are ~150 bytes.
pub const MAX_CALLBACK_LEN: usize = 4096;

/// What a well-formed callback carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackParams {
    /// The merchant allowed access: exchange `code`.
    Code {
        /// The authorization code (single use, short-lived; still a credential).
        code: Secret,
        /// Echo of our `state`.
        state: String,
    },
    /// Trustoo reported an error (e.g. the merchant clicked "Deny").
    Error {
        /// Which error, as a closed set (the raw text is never kept).
        error: ProviderError,
        /// Echo of our `state`.
        state: String,
    },
}

impl CallbackParams {
    /// The `state` echoed back, to match against the pending login.
    pub fn state(&self) -> &str {
        match self {
            CallbackParams::Code { state, .. } | CallbackParams::Error { state, .. } => state,
        }
    }
}

/// The `error` values of RFC 6749 §4.1.2.1, as a closed set.
///
/// Why an enum: the raw value is attacker-controlled text; we only keep what we understand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderError {
    /// The merchant declined (`access_denied`).
    AccessDenied,
    /// `invalid_request`.
    InvalidRequest,
    /// `unauthorized_client`.
    UnauthorizedClient,
    /// `unsupported_response_type`.
    UnsupportedResponseType,
    /// `invalid_scope`.
    InvalidScope,
    /// `server_error`.
    ServerError,
    /// `temporarily_unavailable`.
    TemporarilyUnavailable,
    /// Anything else.
    Other,
}

impl ProviderError {
    fn from_wire(s: &str) -> Self {
        match s {
            "access_denied" => Self::AccessDenied,
            "invalid_request" => Self::InvalidRequest,
            "unauthorized_client" => Self::UnauthorizedClient,
            "unsupported_response_type" => Self::UnsupportedResponseType,
            "invalid_scope" => Self::InvalidScope,
            "server_error" => Self::ServerError,
            "temporarily_unavailable" => Self::TemporarilyUnavailable,
            _ => Self::Other,
        }
    }
}

/// Why a callback was refused. Every message is a harmless sentence for the UI: none of them
/// contains anything taken from the URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallbackRejection {
    /// Longer than [`MAX_CALLBACK_LEN`].
    #[error("The sign-in link was too long to be genuine. Please start the sign-in again.")]
    TooLong,
    /// Not a URL, or it has spaces, control or non-ASCII characters.
    #[error("The sign-in link was malformed. Please start the sign-in again.")]
    Malformed,
    /// Not our scheme.
    #[error("The sign-in link was not meant for ReviewDesk.")]
    WrongScheme,
    /// Not our host (or it has a port or user info).
    #[error("The sign-in link was not meant for ReviewDesk's sign-in.")]
    WrongHost,
    /// Not our path (or it has a fragment).
    #[error("The sign-in link did not point at ReviewDesk's sign-in.")]
    WrongPath,
    /// A required parameter is missing (the name is one of ours, never from the URL).
    #[error("The sign-in link is missing its {0} parameter. Please start the sign-in again.")]
    MissingParameter(&'static str),
    /// A parameter we do not expect, or `code` together with `error`.
    #[error("The sign-in link had unexpected content. Please start the sign-in again.")]
    UnexpectedParameter,
    /// A parameter appears twice (the name is one of ours).
    #[error("The sign-in link repeats its {0} parameter. Please start the sign-in again.")]
    DuplicateParameter(&'static str),
    /// A parameter is present but empty.
    #[error("The sign-in link has an empty {0} parameter. Please start the sign-in again.")]
    EmptyParameter(&'static str),
    /// No sign-in is in progress (never started, cancelled, or the app restarted).
    #[error("No sign-in is in progress. Please start the sign-in again.")]
    NoLoginInProgress,
    /// `state` does not belong to the sign-in in progress (forged or from an older attempt).
    #[error(
        "The sign-in link does not belong to this sign-in attempt. Please start the sign-in again."
    )]
    StateMismatch,
    /// The sign-in attempt is older than 10 minutes.
    #[error("The sign-in attempt expired. Please start the sign-in again.")]
    StateExpired,
    /// This sign-in link was already used.
    #[error("This sign-in link was already used. Please start the sign-in again.")]
    StateReused,
    /// Trustoo reported an error other than "declined".
    #[error("Trustoo could not complete the sign-in. Please try again.")]
    Provider(ProviderError),
}

/// Parses a callback URL against the registered redirect URI, strictly:
/// exact scheme, host (no port, no user info) and path; no fragment; exactly `code`+`state` or
/// `error`(+`error_description`)+`state`; no duplicates; no empty values; at most
/// [`MAX_CALLBACK_LEN`] bytes of printable ASCII. Values are percent-decoded.
pub fn parse_callback(raw: &str, expected: &Url) -> Result<CallbackParams, CallbackRejection> {
    if raw.len() > MAX_CALLBACK_LEN {
        return Err(CallbackRejection::TooLong);
    }
    // The URL parser silently drops tabs/newlines and trims spaces; refuse them outright.
    if raw.bytes().any(|b| b <= b' ' || b >= 0x7f) {
        return Err(CallbackRejection::Malformed);
    }
    let url = Url::parse(raw).map_err(|_| CallbackRejection::Malformed)?;
    if url.scheme() != expected.scheme() {
        return Err(CallbackRejection::WrongScheme);
    }
    if url.host_str() != expected.host_str()
        || url.port() != expected.port()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(CallbackRejection::WrongHost);
    }
    if url.path() != expected.path() || url.fragment().is_some() {
        return Err(CallbackRejection::WrongPath);
    }
    let query = url.query().unwrap_or("");
    let mut code: Option<String> = None;
    let mut state: Option<String> = None;
    let mut error: Option<String> = None;
    let mut description_seen = false;
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        let (slot, name): (&mut Option<String>, &'static str) = match k.as_ref() {
            "code" => (&mut code, "code"),
            "state" => (&mut state, "state"),
            "error" => (&mut error, "error"),
            "error_description" => {
                if description_seen {
                    return Err(CallbackRejection::DuplicateParameter("error_description"));
                }
                description_seen = true;
                continue;
            }
            _ => return Err(CallbackRejection::UnexpectedParameter),
        };
        if slot.is_some() {
            return Err(CallbackRejection::DuplicateParameter(name));
        }
        if v.is_empty() {
            return Err(CallbackRejection::EmptyParameter(name));
        }
        *slot = Some(v.into_owned());
    }
    let state = state.ok_or(CallbackRejection::MissingParameter("state"))?;
    match (code, error) {
        (Some(code), None) if !description_seen => Ok(CallbackParams::Code {
            code: Secret::new(code),
            state,
        }),
        (None, Some(error)) => Ok(CallbackParams::Error {
            error: ProviderError::from_wire(&error),
            state,
        }),
        (None, None) => Err(CallbackRejection::MissingParameter("code")),
        _ => Err(CallbackRejection::UnexpectedParameter),
    }
}

/// Compares two strings in time independent of where they differ.
pub(crate) fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn expected() -> Url {
        Url::parse(crate::REDIRECT_URI).unwrap()
    }

    const ST: &str = "c3RhdGUtdmFsdWUtMTIzNDU2Nzg5MDEyMzQ1Njc4OTA";

    #[test]
    fn parse_table() {
        use CallbackRejection as R;
        let long_code = "A".repeat(10 * 1024);
        let long = format!("reviewdesk://oauth/callback?code={long_code}&state={ST}");
        let cases: Vec<(String, Result<CallbackParams, CallbackRejection>)> = vec![
            (
                format!("reviewdesk://oauth/callback?code=abc&state={ST}"),
                Ok(CallbackParams::Code { code: Secret::new("abc"), state: ST.into() }),
            ),
            (
                format!("reviewdesk://oauth/callback?state={ST}&code=abc"),
                Ok(CallbackParams::Code { code: Secret::new("abc"), state: ST.into() }),
            ),
            // Percent-encoded base64 code (the sandbox's and Trustoo's code format).
            (
                format!("reviewdesk://oauth/callback?code=6y%2Fly4b0PVJLCv6fafC2Xg%3D%3D&state={ST}"),
                Ok(CallbackParams::Code {
                    code: Secret::new("6y/ly4b0PVJLCv6fafC2Xg=="),
                    state: ST.into(),
                }),
            ),
            (
                format!("reviewdesk://oauth/callback?error=access_denied&state={ST}"),
                Ok(CallbackParams::Error { error: ProviderError::AccessDenied, state: ST.into() }),
            ),
            (
                format!("reviewdesk://oauth/callback?error=access_denied&error_description=The+user+said+no&state={ST}"),
                Ok(CallbackParams::Error { error: ProviderError::AccessDenied, state: ST.into() }),
            ),
            (
                format!("reviewdesk://oauth/callback?error=%3Cscript%3E&state={ST}"),
                Ok(CallbackParams::Error { error: ProviderError::Other, state: ST.into() }),
            ),
            (format!("https://oauth/callback?code=abc&state={ST}"), Err(R::WrongScheme)),
            (format!("evil://oauth/callback?code=abc&state={ST}"), Err(R::WrongScheme)),
            (format!("reviewdesk://evil/callback?code=abc&state={ST}"), Err(R::WrongHost)),
            (format!("reviewdesk://oauth:8080/callback?code=abc&state={ST}"), Err(R::WrongHost)),
            (format!("reviewdesk://me@oauth/callback?code=abc&state={ST}"), Err(R::WrongHost)),
            (format!("reviewdesk:/callback?code=abc&state={ST}"), Err(R::WrongHost)),
            (format!("reviewdesk://oauth/other?code=abc&state={ST}"), Err(R::WrongPath)),
            (format!("reviewdesk://oauth/callback/?code=abc&state={ST}"), Err(R::WrongPath)),
            (format!("reviewdesk://oauth/callback?code=abc&state={ST}#frag"), Err(R::WrongPath)),
            ("reviewdesk://oauth/callback?code=abc".into(), Err(R::MissingParameter("state"))),
            (format!("reviewdesk://oauth/callback?state={ST}"), Err(R::MissingParameter("code"))),
            ("reviewdesk://oauth/callback".into(), Err(R::MissingParameter("state"))),
            (format!("reviewdesk://oauth/callback?code=abc&state={ST}&extra=1"), Err(R::UnexpectedParameter)),
            (format!("reviewdesk://oauth/callback?code=abc&state={ST}&error=access_denied"), Err(R::UnexpectedParameter)),
            (format!("reviewdesk://oauth/callback?code=abc&state={ST}&error_description=x"), Err(R::UnexpectedParameter)),
            (format!("reviewdesk://oauth/callback?code=abc&code=def&state={ST}"), Err(R::DuplicateParameter("code"))),
            (format!("reviewdesk://oauth/callback?code=abc&state={ST}&state={ST}"), Err(R::DuplicateParameter("state"))),
            (format!("reviewdesk://oauth/callback?code=&state={ST}"), Err(R::EmptyParameter("code"))),
            ("reviewdesk://oauth/callback?code=abc&state=".into(), Err(R::EmptyParameter("state"))),
            (format!("reviewdesk://oauth/call\tback?code=abc&state={ST}"), Err(R::Malformed)),
            (format!(" reviewdesk://oauth/callback?code=abc&state={ST}"), Err(R::Malformed)),
            (format!("reviewdesk://oauth/callback?code=ab\u{e9}&state={ST}"), Err(R::Malformed)),
            ("not a url".into(), Err(R::Malformed)),
            ("callback?code=abc".into(), Err(R::Malformed)),
            (long, Err(R::TooLong)),
        ];
        for (input, want) in cases {
            let got = parse_callback(&input, &expected());
            let shown: String = input.chars().take(90).collect();
            assert_eq!(got, want, "input: {shown}");
        }
    }

    #[test]
    fn rejections_never_echo_the_url() {
        let marker = "SECRETMARKERxyz";
        let inputs = [
            format!("reviewdesk://oauth/callback?code={marker}&state={marker}&{marker}=1"),
            format!("reviewdesk://{marker}/callback?code={marker}&state={marker}"),
            format!("reviewdesk://oauth/{marker}?code={marker}&state={marker}"),
            format!("{marker}://oauth/callback?code={marker}"),
            format!("reviewdesk://oauth/callback?code={marker}&code={marker}&state=1"),
        ];
        for input in inputs {
            let err = parse_callback(&input, &expected()).unwrap_err();
            let out = format!("{err} {err:?}");
            assert!(!out.contains(marker), "{out}");
        }
        let ok = parse_callback(
            &format!("reviewdesk://oauth/callback?code={marker}&state=s"),
            &expected(),
        )
        .unwrap();
        assert!(!format!("{ok:?}").contains(marker));
    }

    #[test]
    fn constant_time_eq_works() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
    }
}
