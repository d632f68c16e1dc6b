//! Typed errors: what went wrong, with just enough to act on, never a credential or a body.
//!
//! Trustpilot documents its status codes but not its error bodies (trustpilot-api.md §1.10:
//! "Error JSON shape: UNKNOWN"). [`classify`] therefore reads any of the shapes seen in the wild
//! (`{"errors":[{"title"}]}`, RFC 6749 `{"error","error_description"}`, `{"message"}`) only to
//! choose a variant; the one server text kept, a 400's reason, is cut short and scrubbed of
//! anything that looks like a token, an id or an email address ([`scrub`]).

use std::time::Duration;

/// Longest server reason kept in [`Error::Validation`] (chars, after scrubbing).
pub const MAX_MESSAGE_CHARS: usize = 200;

/// Whether a failed request may have reached the server.
///
/// Why: a write that may have landed must not be blindly resent; one that provably never left
/// the machine can be.
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

/// Which credential a 401 refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// The application's API key (public calls, or an unknown `apikey` beside a token).
    ApiKey,
    /// The business user's access token (expired, revoked, or without access to the unit),
    /// after the client already tried to renew it once.
    AccessToken,
}

/// Which side of the sign-in a call belongs to, as input to [`classify`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallClass {
    /// API key only (business units).
    Public,
    /// API key and Bearer token (private reviews, replies, invitations).
    Private,
    /// The token endpoints (`accesstoken`, `refresh`, `revoke`).
    Token,
}

/// Everything a Trustpilot call can fail with.
///
/// Why this shape: callers branch on it (send the merchant back to sign-in on `Unauthorized` or
/// `InvalidGrant`, point a two-factor user to the other grants, show `BlockedByCdn` as a setup
/// problem rather than a sign-in problem). Display strings are plain sentences and never
/// contain credentials, URLs with queries, or response bodies.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// HTTP 401 on an API call, after one renewal when one was possible.
    #[error("{}", match credential {
        Credential::ApiKey => "Trustpilot did not accept the API key.",
        Credential::AccessToken => "Trustpilot did not accept the sign-in (the access token expired, was revoked, or has no access to this business unit). Sign in again.",
    })]
    Unauthorized {
        /// What was refused.
        credential: Credential,
    },
    /// A private call was made before any sign-in gave the client a token.
    #[error("Not signed in to Trustpilot: there is no access token yet.")]
    NotSignedIn,
    /// The grant needs the application's API secret and the client has none (implicit sign-in).
    #[error("This needs the Trustpilot application's API secret, which was not given.")]
    NoSecret,
    /// The token endpoint refused the API key or secret (`invalid_client`, HTTP 401).
    #[error("Trustpilot refused the API key or secret of the application.")]
    InvalidClient,
    /// The token endpoint refused the grant (`invalid_grant`): wrong username or password, a
    /// used or expired code, a redirect URI that does not match, a spent or revoked refresh token.
    #[error("Trustpilot refused the sign-in: wrong username or password, an expired or already used code, or a refresh token that is no longer valid.")]
    InvalidGrant,
    /// The password grant for a business user with two-factor sign-in (seed page).
    #[error("Trustpilot does not allow password sign-in for business users with two-factor authentication. Use the authorization code, implicit or client credentials sign-in instead.")]
    TwoFactorNotSupported,
    /// HTTP 429 from the token endpoint: "too frequent authentication requests" (seed page).
    /// Never retried by the client: asking again only prolongs it.
    #[error("Trustpilot refused the sign-in because this API key asked for tokens too often. Wait a minute and try again.")]
    AuthTooFrequent,
    /// HTTP 403 with a JSON (or empty) body: the user lacks admin rights or the plan lacks API
    /// access (trustpilot-api.md §1.10, partner errors).
    #[error("Trustpilot refused the request: the business user needs admin rights, or the Trustpilot plan does not include API access.")]
    Forbidden,
    /// HTTP 403 with an HTML page: Trustpilot's CDN blocked the request before it reached the API
    /// (it does that to requests without a proper `User-Agent`, SEEN-3P).
    #[error("Trustpilot's network edge blocked the request before it reached the API; this usually means the request had no proper User-Agent.")]
    BlockedByCdn,
    /// HTTP 404: no such business unit or review (or a wrong base URL).
    #[error("Not found on Trustpilot.")]
    NotFound,
    /// HTTP 400/415/422: the request was invalid; `message` is the server's reason, scrubbed.
    #[error("Trustpilot rejected the request: {message}")]
    Validation {
        /// The reason, scrubbed of anything secret-looking and cut to [`MAX_MESSAGE_CHARS`].
        message: String,
    },
    /// HTTP 429 on an API call, after the client's bounded retries.
    #[error("Trustpilot is rate limiting these requests{}.", retry_after.map(|d| format!(" (it asked to wait {}s)", d.as_secs())).unwrap_or_default())]
    RateLimited {
        /// How long the server asked to wait, when it said (no header is documented).
        retry_after: Option<Duration>,
    },
    /// HTTP 5xx or an unexpected status.
    #[error("Trustpilot answered with an error (HTTP {status}).")]
    Server {
        /// HTTP status.
        status: u16,
    },
    /// The request did not complete at the network level.
    #[error("Could not reach Trustpilot: {kind}.")]
    Network {
        /// Whether it may have reached the server.
        kind: NetworkKind,
        /// The underlying error with its URL stripped (a query may hold a token).
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// A success answer could not be decoded.
    #[error("Could not read Trustpilot's answer to {context}: {detail}.")]
    Decode {
        /// Which call.
        context: &'static str,
        /// serde's classification and position only (no values from the body).
        detail: String,
    },
    /// The client was configured or called with something unusable.
    #[error("Invalid Trustpilot client setup: {0}.")]
    Config(String),
}

impl Error {
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

    /// True when the same call may succeed later without the merchant doing anything.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::RateLimited { .. } | Error::Network { .. } | Error::AuthTooFrequent => true,
            Error::Server { status } => *status >= 500,
            _ => false,
        }
    }
}

/// What an error answer looked like, as input to [`classify`].
#[derive(Debug, Clone, Copy)]
pub struct ErrorAnswer<'a> {
    /// HTTP status.
    pub status: u16,
    /// The `Content-Type` said `text/html`.
    pub html: bool,
    /// Which kind of call it answered.
    pub class: CallClass,
    /// The body (read only to choose a variant and a scrubbed 400 reason).
    pub body: &'a [u8],
    /// `Retry-After`, already parsed.
    pub retry_after: Option<Duration>,
}

/// The parts of an error body of any seen shape.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct ErrorBody {
    /// RFC 6749 `error` code, when it is a string.
    pub code: Option<String>,
    /// `error_description`, `errors[0].title|message|detail`, `message`, `title` or `details`.
    pub message: Option<String>,
}

pub(crate) fn parse_error_body(body: &[u8]) -> ErrorBody {
    use serde_json::Value;
    let Ok(Value::Object(m)) = serde_json::from_slice::<Value>(body) else {
        return ErrorBody::default();
    };
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
    let code = text(m.get("error"));
    let first_error = match m.get("errors") {
        Some(Value::Array(a)) => a.first().and_then(|e| match e {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => text(o.get("title"))
                .or_else(|| text(o.get("message")))
                .or_else(|| text(o.get("detail"))),
            _ => None,
        }),
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    let message = text(m.get("error_description"))
        .or(first_error)
        .or_else(|| text(m.get("message")))
        .or_else(|| text(m.get("title")))
        .or_else(|| text(m.get("details")));
    ErrorBody { code, message }
}

fn looks_like_html(body: &[u8]) -> bool {
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    body.get(start) == Some(&b'<')
}

/// Maps an error answer to an [`Error`].
///
/// Why pure and public: this table is the contract the sign-in screen and the sync rely on, and
/// it is unit tested row by row.
pub fn classify(a: &ErrorAnswer<'_>) -> Error {
    let html = a.html || looks_like_html(a.body);
    if a.status == 403 && html {
        return Error::BlockedByCdn;
    }
    let body = parse_error_body(a.body);
    let message = body.message.as_deref().unwrap_or("");
    let validation = || Error::Validation {
        message: if message.is_empty() {
            match body.code.as_deref() {
                // An OAuth error code is a fixed vocabulary word, safe to show.
                Some(c) if c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_') => c.into(),
                _ => format!("HTTP {}", a.status),
            }
        } else {
            scrub(message)
        },
    };
    if a.class == CallClass::Token {
        let lower = message.to_ascii_lowercase();
        if lower.contains("2nd factor")
            || lower.contains("two-factor")
            || lower.contains("second factor")
        {
            return Error::TwoFactorNotSupported;
        }
        return match (a.status, body.code.as_deref()) {
            (429, _) => Error::AuthTooFrequent,
            (_, Some("invalid_client")) | (401, _) => Error::InvalidClient,
            (_, Some("invalid_grant")) => Error::InvalidGrant,
            (403, _) => Error::Forbidden,
            (400 | 415 | 422, _) => validation(),
            (s, _) => Error::Server { status: s },
        };
    }
    match a.status {
        401 => Error::Unauthorized {
            credential: if a.class == CallClass::Public
                || message.to_ascii_lowercase().contains("api key")
            {
                Credential::ApiKey
            } else {
                Credential::AccessToken
            },
        },
        403 => Error::Forbidden,
        404 => Error::NotFound,
        400 | 415 | 422 => validation(),
        429 => Error::RateLimited {
            retry_after: a.retry_after,
        },
        s => Error::Server { status: s },
    }
}

/// Cuts a server reason to [`MAX_MESSAGE_CHARS`] and replaces what could be a credential, an id
/// or personal data with `…`: any word of 16 or more letters, digits or `-_.~+/=` that mixes
/// letters and digits (tokens, keys, 24-hex ids), and any word with an `@` (emails).
pub fn scrub(message: &str) -> String {
    let mut out = String::new();
    for (i, word) in message.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let core: &str = word
            .trim_matches(|c: char| matches!(c, ',' | ';' | ':' | '(' | ')' | '"' | '\'' | '.'));
        let tokenish = core.chars().count() >= 16
            && core
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.~+/=".contains(c))
            && core.chars().any(|c| c.is_ascii_digit())
            && core.chars().any(|c| c.is_ascii_alphabetic());
        if tokenish || word.contains('@') {
            out.push('…');
        } else {
            out.extend(word.chars().filter(|c| !c.is_control()));
        }
    }
    match out.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((i, _)) => {
            out.truncate(i);
            out.push('…');
            out
        }
        None => out,
    }
}

/// Parses `Retry-After` as delay-seconds (none is documented; the HTTP-date form is ignored and
/// the client backs off alone).
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let v = value.trim();
    v.parse::<u64>()
        .ok()
        .filter(|s| *s < 86_400)
        .map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ans(status: u16, class: CallClass, body: &str) -> Error {
        classify(&ErrorAnswer {
            status,
            html: false,
            class,
            body: body.as_bytes(),
            retry_after: None,
        })
    }

    #[test]
    fn mapping_table() {
        use CallClass::*;
        let rows: Vec<(u16, CallClass, &str, &str)> = vec![
            (401, Public, r#"{"errors":[{"status":401,"title":"Invalid API key"}]}"#, "Unauthorized { credential: ApiKey }"),
            (401, Private, r#"{"errors":[{"status":401,"title":"Unauthorized: access token expired"}]}"#, "Unauthorized { credential: AccessToken }"),
            (401, Private, r#"{"errors":[{"status":401,"title":"Invalid API key"}]}"#, "Unauthorized { credential: ApiKey }"),
            (401, Private, "", "Unauthorized { credential: AccessToken }"),
            (403, Private, r#"{"errors":[{"status":403,"title":"Forbidden"}]}"#, "Forbidden"),
            (403, Private, "<!DOCTYPE HTML><html>CloudFront</html>", "BlockedByCdn"),
            (403, Token, "<html></html>", "BlockedByCdn"),
            (404, Private, r#"{"errors":[{"status":404,"title":"Review not found"}]}"#, "NotFound"),
            (400, Private, r#"{"errors":[{"status":400,"title":"perPage must be 1..100"}]}"#, "Validation { message: \"perPage must be 1..100\" }"),
            (415, Private, "", "Validation { message: \"HTTP 415\" }"),
            (429, Private, "", "RateLimited { retry_after: None }"),
            (500, Private, r#"{"message":"boom"}"#, "Server { status: 500 }"),
            (503, Public, "", "Server { status: 503 }"),
            (302, Public, "", "Server { status: 302 }"),
            // Token endpoints (RFC 6749 §5.2 bodies).
            (401, Token, r#"{"error":"invalid_client","error_description":"Invalid API key or secret"}"#, "InvalidClient"),
            (400, Token, r#"{"error":"invalid_grant","error_description":"bad password"}"#, "InvalidGrant"),
            (400, Token, r#"{"error":"invalid_grant","error_description":"OAuth authentication is not supported for business users with enabled 2nd factor authentication."}"#, "TwoFactorNotSupported"),
            (429, Token, r#"{"error":"too_many_requests"}"#, "AuthTooFrequent"),
            (400, Token, r#"{"error":"unsupported_grant_type"}"#, "Validation { message: \"unsupported_grant_type\" }"),
            (415, Token, r#"{"error":"invalid_request","error_description":"Content-Type must be application/x-www-form-urlencoded"}"#, "Validation { message: \"Content-Type must be application/x-www-form-urlencoded\" }"),
            (500, Token, "", "Server { status: 500 }"),
        ];
        for (status, class, body, want) in rows {
            assert_eq!(
                format!("{:?}", ans(status, class, body)),
                want,
                "{status} {class:?} {body}"
            );
        }
    }

    #[test]
    fn html_content_type_is_enough_for_the_cdn_case() {
        let e = classify(&ErrorAnswer {
            status: 403,
            html: true,
            class: CallClass::Private,
            body: b"",
            retry_after: None,
        });
        assert!(matches!(e, Error::BlockedByCdn));
        assert!(e.to_string().contains("User-Agent"), "{e}");
    }

    #[test]
    fn retry_after_is_kept_for_api_429() {
        let e = classify(&ErrorAnswer {
            status: 429,
            html: false,
            class: CallClass::Private,
            body: b"{}",
            retry_after: parse_retry_after(" 3 "),
        });
        assert!(
            matches!(e, Error::RateLimited { retry_after: Some(d) } if d == Duration::from_secs(3))
        );
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }

    #[test]
    fn error_bodies_of_every_seen_shape() {
        assert_eq!(
            parse_error_body(br#"{"errors":[{"status":401,"title":"t"}]}"#)
                .message
                .as_deref(),
            Some("t")
        );
        assert_eq!(
            parse_error_body(br#"{"errors":["s"]}"#).message.as_deref(),
            Some("s")
        );
        assert_eq!(
            parse_error_body(br#"{"message":"m","code":3}"#)
                .message
                .as_deref(),
            Some("m")
        );
        let o = parse_error_body(br#"{"error":"invalid_grant","error_description":"d"}"#);
        assert_eq!(
            (o.code.as_deref(), o.message.as_deref()),
            (Some("invalid_grant"), Some("d"))
        );
        assert_eq!(parse_error_body(b"not json"), ErrorBody::default());
        assert_eq!(parse_error_body(b"[1,2]"), ErrorBody::default());
    }

    #[test]
    fn scrub_removes_tokens_ids_and_emails() {
        let s = scrub("refresh token Xk3fP9aQ2mZ7LwR8tY5uI1oP3aS5dF7g is revoked for jane@example.com (review 5c1a7e8f2d3b4a0001f6e9d2).");
        assert_eq!(s, "refresh token … is revoked for … (review …");
        assert_eq!(scrub("perPage must be 1..100"), "perPage must be 1..100");
        let long = "word ".repeat(100);
        assert!(scrub(&long).chars().count() <= MAX_MESSAGE_CHARS + 1);
    }

    #[test]
    fn no_display_carries_a_secret() {
        let secret = "q2W8eR4tY6uI0oP3aS5dF7gH9jK1lZxC";
        let body = format!(
            r#"{{"errors":[{{"title":"bad token {secret}"}}],"error_description":"token={secret}"}}"#
        );
        for status in [400, 401, 403, 404, 415, 422, 429, 500, 503] {
            for class in [CallClass::Public, CallClass::Private, CallClass::Token] {
                let e = classify(&ErrorAnswer {
                    status,
                    html: false,
                    class,
                    body: body.as_bytes(),
                    retry_after: None,
                });
                let shown = format!("{e} {e:?}");
                assert!(!shown.contains(secret), "{shown}");
            }
        }
    }
}
