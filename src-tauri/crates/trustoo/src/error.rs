//! Typed errors: what went wrong, with just enough to act on, and never a token or a raw body.

use std::time::Duration;

/// Longest server `message` we keep in [`Error::Validation`] (chars).
pub const MAX_MESSAGE_CHARS: usize = 300;

/// Whether a failed request may have reached the server.
///
/// Why: a create that may have landed must not be blindly resent (duplicate review); one that
/// provably never left the machine can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkKind {
    /// Connecting (DNS, TCP, TLS) failed: no byte of the request was sent.
    Connect,
    /// No answer in time after the request was (possibly) sent.
    Timeout,
    /// The connection broke while sending or receiving: the server may have acted on it.
    Interrupted,
}

impl NetworkKind {
    /// True unless the request provably never left the machine.
    pub fn may_have_reached_server(self) -> bool {
        !matches!(self, NetworkKind::Connect)
    }
}

impl std::fmt::Display for NetworkKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NetworkKind::Connect => "could not connect",
            NetworkKind::Timeout => "timed out",
            NetworkKind::Interrupted => "connection interrupted",
        })
    }
}

/// Everything a Trustoo call can fail with.
///
/// Why this shape: callers branch on it (refresh on `Unauthorized { expired: true }`, ask for
/// re-consent on `Forbidden`, back off on `RateLimited`, show `Validation` text to the user).
/// Display strings never contain credentials, URLs with queries, or raw response bodies.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Credentials missing/invalid, bad signature or stale timestamp (`code` 16 / HTTP 401).
    /// `expired` is true when the access token merely expired: refresh it and try again.
    #[error("not authorized by Trustoo{}", if *expired { " (access token expired)" } else { "" })]
    Unauthorized {
        /// The Bearer token expired (a refresh will fix it).
        expired: bool,
    },
    /// The credentials lack a scope (`code` 8 with HTTP 403).
    #[error("Trustoo refused the request{}", scope.as_ref().map(|s| format!(" (missing scope {s})")).unwrap_or_default())]
    Forbidden {
        /// The missing scope, when the server named it.
        scope: Option<String>,
    },
    /// The review/webhook/exclusion/shop does not exist (`code` 5 / HTTP 404).
    #[error("not found on Trustoo")]
    NotFound,
    /// The entity already exists (`code` 6 / HTTP 409), e.g. duplicate webhook or exclusion.
    #[error("already exists on Trustoo")]
    AlreadyExists,
    /// The request was invalid (`code` 3 / HTTP 400); `message` is the server's own text,
    /// truncated to [`MAX_MESSAGE_CHARS`].
    #[error("Trustoo rejected the request: {message}")]
    Validation {
        /// Server's explanation.
        message: String,
    },
    /// Too many requests (`code` 8 with HTTP 429).
    #[error("rate limited by Trustoo{}", retry_after.map(|d| format!(" (retry after {}s)", d.as_secs())).unwrap_or_default())]
    RateLimited {
        /// How long the server asked us to wait.
        retry_after: Option<Duration>,
    },
    /// Trustoo failed (`code` 13, HTTP 5xx) or answered something unexpected (e.g. a redirect).
    #[error("Trustoo server error (HTTP {status}{})", code.map(|c| format!(", code {c}")).unwrap_or_default())]
    Server {
        /// HTTP status.
        status: u16,
        /// Envelope `code`, when there was one.
        code: Option<i64>,
    },
    /// The request did not complete at the network level.
    #[error("network error talking to Trustoo: {kind}")]
    Network {
        /// Whether it may have reached the server.
        kind: NetworkKind,
        /// The underlying error with its URL stripped (queries can hold secrets).
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// The answer could not be decoded (malformed JSON or an unexpected shape).
    #[error("could not decode Trustoo's answer for {context}: {detail}")]
    Decode {
        /// Which call.
        context: &'static str,
        /// serde's classification and position only (no values from the body).
        detail: String,
    },
    /// The object storage refused an upload (e.g. `AccessDenied: Policy expired.`).
    #[error("upload refused by storage (HTTP {status}{})", code.as_ref().map(|c| format!(", {c}")).unwrap_or_default())]
    Storage {
        /// HTTP status from the storage host.
        status: u16,
        /// OSS error `Code`, when given.
        code: Option<String>,
        /// OSS error `Message`, truncated to [`MAX_MESSAGE_CHARS`].
        message: Option<String>,
    },
    /// A local file could not be read for an upload.
    #[error("could not read the file to upload: {0}")]
    File(#[from] std::io::Error),
    /// The client was configured or called with something unusable (bad base URL, …).
    #[error("invalid Trustoo client configuration: {0}")]
    Config(String),
}

impl Error {
    /// True when retrying the same call later may succeed (rate limit, server or network trouble).
    pub fn is_transient(&self) -> bool {
        match self {
            Error::RateLimited { .. } | Error::Network { .. } => true,
            Error::Server { status, code } => *status >= 500 || matches!(code, Some(4 | 13)),
            _ => false,
        }
    }

    /// Builds a [`Error::Decode`] from serde_json without copying any part of the body.
    pub(crate) fn decode(context: &'static str, e: &serde_json::Error) -> Self {
        Error::Decode {
            context,
            detail: format!(
                "{:?} error at line {} column {}",
                e.classify(),
                e.line(),
                e.column()
            ),
        }
    }

    /// Builds a [`Error::Network`] from reqwest, stripping the URL (its query may hold a secret).
    pub(crate) fn from_reqwest(e: reqwest::Error) -> Self {
        let kind = if e.is_connect() {
            NetworkKind::Connect
        } else if e.is_timeout() {
            NetworkKind::Timeout
        } else {
            NetworkKind::Interrupted
        };
        if e.is_builder() {
            return Error::Config("could not build the HTTP request".into());
        }
        Error::Network {
            kind,
            source: Some(Box::new(e.without_url())),
        }
    }
}

/// Truncates to at most `max` chars on a char boundary.
pub(crate) fn truncate_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => s[..i].to_owned(),
        None => s.to_owned(),
    }
}

/// What an error answer looked like, as input to [`classify`].
#[derive(Debug, Clone, Default)]
pub struct ErrorAnswer<'a> {
    /// HTTP status.
    pub status: u16,
    /// Envelope `code`, when the body was an envelope.
    pub code: Option<i64>,
    /// Envelope `message`.
    pub message: Option<&'a str>,
    /// `WWW-Authenticate` header.
    pub www_authenticate: Option<&'a str>,
    /// `Retry-After`, already parsed.
    pub retry_after: Option<Duration>,
}

/// Maps an error answer (envelope `code` first, then HTTP status) to an [`Error`].
///
/// Why pure and public: the mapping table is the contract the UI relies on, and is unit tested
/// row by row (§2.2 codes; CHOICES.md statuses).
pub fn classify(a: &ErrorAnswer<'_>) -> Error {
    let message = a.message.unwrap_or("");
    let validation = || Error::Validation {
        message: if message.is_empty() {
            format!("HTTP {}", a.status)
        } else {
            truncate_chars(message, MAX_MESSAGE_CHARS)
        },
    };
    let unauthorized = || Error::Unauthorized {
        expired: token_expired(a.www_authenticate, message),
    };
    let forbidden = || Error::Forbidden {
        scope: missing_scope(a.www_authenticate, message),
    };
    let rate_limited = || Error::RateLimited {
        retry_after: a.retry_after,
    };
    match a.code {
        Some(16) => return unauthorized(),
        Some(3) => return validation(),
        Some(5) => return Error::NotFound,
        Some(6) => return Error::AlreadyExists,
        Some(8) => {
            return match a.status {
                429 => rate_limited(),
                403 => forbidden(),
                _ if message.to_ascii_lowercase().contains("rate") => rate_limited(),
                _ => forbidden(),
            }
        }
        Some(13) => {
            return Error::Server {
                status: a.status,
                code: a.code,
            }
        }
        _ => {}
    }
    match a.status {
        401 => unauthorized(),
        403 => forbidden(),
        404 => Error::NotFound,
        409 => Error::AlreadyExists,
        400 | 422 => validation(),
        429 => rate_limited(),
        _ => Error::Server {
            status: a.status,
            code: a.code,
        },
    }
}

/// Expired-token detection: `WWW-Authenticate: … error_description="The access token expired"`,
/// or a message that says the token expired (not e.g. "timestamp expired", which is a clock issue
/// a refresh would not fix).
fn token_expired(www_authenticate: Option<&str>, message: &str) -> bool {
    if let Some(h) = www_authenticate {
        let h = h.to_ascii_lowercase();
        if h.contains("expired") {
            return true;
        }
    }
    let m = message.to_ascii_lowercase();
    m.contains("token") && m.contains("expired")
}

/// Finds the scope named in `WWW-Authenticate: … scope="x"` or a message like `missing scope x`.
fn missing_scope(www_authenticate: Option<&str>, message: &str) -> Option<String> {
    if let Some(h) = www_authenticate {
        if let Some(i) = h.find("scope=\"") {
            let rest = &h[i + 7..];
            if let Some(end) = rest.find('"') {
                let s = &rest[..end];
                if !s.is_empty() {
                    return Some(truncate_chars(s, 100));
                }
            }
        }
    }
    let lower = message.to_ascii_lowercase();
    let i = lower.find("scope")?;
    let rest = message[i + 5..].trim_start_matches([':', ' ', '\'', '"', '`']);
    let word: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(100)
        .collect();
    (!word.is_empty()).then_some(word)
}

/// Parses `Retry-After` as delay-seconds (the HTTP-date form is ignored: then we back off alone).
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    v.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite() && *f >= 0.0 && *f < 86_400.0)
        .map(Duration::from_secs_f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ans(status: u16, code: Option<i64>, message: &str) -> ErrorAnswer<'_> {
        ErrorAnswer {
            status,
            code,
            message: Some(message),
            ..Default::default()
        }
    }

    #[test]
    fn mapping_table() {
        let cases: Vec<(ErrorAnswer<'_>, &str)> = vec![
            (
                ans(400, Some(3), "author must be at most 120 characters"),
                "Validation",
            ),
            (ans(200, Some(3), "bad"), "Validation"),
            (ans(404, Some(5), "review 123 not found"), "NotFound"),
            (ans(200, Some(5), ""), "NotFound"),
            (
                ans(409, Some(6), "customer already excluded"),
                "AlreadyExists",
            ),
            (
                ans(403, Some(8), "missing scope write_reviews"),
                "Forbidden",
            ),
            (ans(429, Some(8), "rate limited"), "RateLimited"),
            (ans(200, Some(8), "rate limited"), "RateLimited"),
            (ans(200, Some(8), "operation rejected"), "Forbidden"),
            (ans(500, Some(13), "internal error"), "Server"),
            (ans(200, Some(13), "internal error"), "Server"),
            (ans(401, Some(16), "invalid signature"), "Unauthorized"),
            (ans(200, Some(16), "invalid signature"), "Unauthorized"),
            // Status only (no envelope, e.g. a proxy's HTML page).
            (ans(401, None, ""), "Unauthorized"),
            (ans(403, None, ""), "Forbidden"),
            (ans(404, None, ""), "NotFound"),
            (ans(409, None, ""), "AlreadyExists"),
            (ans(400, None, ""), "Validation"),
            (ans(422, None, ""), "Validation"),
            (ans(429, None, ""), "RateLimited"),
            (ans(500, None, ""), "Server"),
            (ans(502, None, ""), "Server"),
            (ans(503, None, ""), "Server"),
            (ans(302, None, ""), "Server"),
            // Unknown codes fall back to the status.
            (ans(404, Some(99), ""), "NotFound"),
            (ans(200, Some(1), "Canceled"), "Server"),
        ];
        for (a, want) in cases {
            let got = classify(&a);
            let name = format!("{got:?}");
            assert!(
                name.starts_with(want),
                "status {} code {:?}: got {name}, want {want}",
                a.status,
                a.code
            );
        }
    }

    #[test]
    fn expired_is_detected_from_www_authenticate() {
        let a = ErrorAnswer {
            status: 401,
            code: Some(16),
            message: Some("unauthorized"),
            www_authenticate: Some(
                r#"Bearer error="invalid_token", error_description="The access token expired""#,
            ),
            retry_after: None,
        };
        assert!(matches!(
            classify(&a),
            Error::Unauthorized { expired: true }
        ));
    }

    #[test]
    fn expired_is_detected_from_message_but_not_from_stale_timestamp() {
        assert!(matches!(
            classify(&ans(401, Some(16), "access token expired")),
            Error::Unauthorized { expired: true }
        ));
        assert!(matches!(
            classify(&ans(401, Some(16), "timestamp expired")),
            Error::Unauthorized { expired: false }
        ));
        assert!(matches!(
            classify(&ans(401, Some(16), "invalid signature")),
            Error::Unauthorized { expired: false }
        ));
    }

    #[test]
    fn forbidden_names_the_scope() {
        match classify(&ans(403, Some(8), "missing scope write_reviews")) {
            Error::Forbidden { scope } => assert_eq!(scope.as_deref(), Some("write_reviews")),
            other => panic!("{other:?}"),
        }
        let a = ErrorAnswer {
            status: 403,
            code: None,
            message: None,
            www_authenticate: Some(r#"Bearer error="insufficient_scope", scope="read_orders""#),
            retry_after: None,
        };
        match classify(&a) {
            Error::Forbidden { scope } => assert_eq!(scope.as_deref(), Some("read_orders")),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            classify(&ans(403, None, "nope")),
            Error::Forbidden { scope: None }
        ));
    }

    #[test]
    fn rate_limit_keeps_retry_after() {
        let a = ErrorAnswer {
            status: 429,
            code: Some(8),
            message: Some("rate limited"),
            www_authenticate: None,
            retry_after: parse_retry_after("2"),
        };
        match classify(&a) {
            Error::RateLimited { retry_after } => {
                assert_eq!(retry_after, Some(Duration::from_secs(2)))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn validation_message_is_truncated_to_300_chars() {
        let long = "é".repeat(1000);
        match classify(&ans(400, Some(3), &long)) {
            Error::Validation { message } => assert_eq!(message.chars().count(), 300),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn retry_after_parsing() {
        assert_eq!(parse_retry_after("2"), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after(" 0 "), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("1.5"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }

    #[test]
    fn network_kind_says_whether_the_request_may_have_landed() {
        assert!(!NetworkKind::Connect.may_have_reached_server());
        assert!(NetworkKind::Timeout.may_have_reached_server());
        assert!(NetworkKind::Interrupted.may_have_reached_server());
    }

    #[test]
    fn transient_errors() {
        assert!(Error::RateLimited { retry_after: None }.is_transient());
        assert!(Error::Server {
            status: 503,
            code: None
        }
        .is_transient());
        assert!(Error::Server {
            status: 200,
            code: Some(13)
        }
        .is_transient());
        assert!(!Error::Server {
            status: 302,
            code: None
        }
        .is_transient());
        assert!(!Error::NotFound.is_transient());
    }

    #[test]
    fn decode_error_carries_no_body_values() {
        let e = serde_json::from_str::<u32>("\"TOKEN-abc\"").err();
        let e = e.map(|e| Error::decode("get_rating", &e));
        let s = e.map(|e| e.to_string()).unwrap_or_default();
        assert!(s.contains("get_rating"));
        assert!(!s.contains("TOKEN"), "{s}");
    }
}
