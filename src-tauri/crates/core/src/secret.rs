//! A string that must never be printed: tokens, API keys and secrets, passwords, codes,
//! presigned URLs (every provider's client wraps its credentials in it).

use std::fmt;

/// A credential (access/refresh token, private token, API key or secret, password, authorization
/// code, presigned URL).
///
/// Why: error messages and `tracing` lines end up in log files and bug reports; wrapping every
/// credential in this type makes `{:?}` and `{}` print `<redacted>`, so leaking one takes a
/// deliberate call to [`Secret::expose`]. It is deliberately not `Serialize`.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The raw value, for the one place that must send it (a header, a signature, a body).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when no credential is set (an empty Bearer token means "use HMAC" on the server).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_are_redacted() {
        let s = Secret::new("TWzg8XQGVsYDHAIiaXYygg==");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{s}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(s.clone())), "Some(<redacted>)");
        assert_eq!(s.expose(), "TWzg8XQGVsYDHAIiaXYygg==");
    }

    #[test]
    fn redaction_survives_nesting_in_derived_debug() {
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Holder {
            token: Secret,
        }
        let h = Holder {
            token: Secret::new("abc123secret"),
        };
        let out = format!("{h:?} {h:#?}");
        assert!(!out.contains("abc123secret"), "{out}");
    }
}
