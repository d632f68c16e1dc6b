//! A string that must never be printed: API key and secret, tokens, passwords, codes.

use std::fmt;

/// A credential (API key or secret, access or refresh token, password, authorization code).
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

    /// The raw value, for the one place that must send it (a header or a form field).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when nothing is set.
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
        let s = Secret::new("q2W8eR4tY6uI0oP3aS5dF7gH9jK1lZxC");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{s}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(s.clone())), "Some(<redacted>)");
        assert_eq!(s.expose(), "q2W8eR4tY6uI0oP3aS5dF7gH9jK1lZxC");
    }
}
