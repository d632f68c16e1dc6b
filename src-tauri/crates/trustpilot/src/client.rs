//! The client: configuration, base URLs, and the session the door renews.

use std::sync::Arc;
use std::time::Duration;

use url::Url;

use crate::budget::CallBudget;
use crate::door::{Door, DoorConfig, TokenListener};
use crate::error::Error;
use crate::retry::RetryConfig;
use crate::secret::Secret;
use crate::wire::TokenSet;

/// Production API host (every path is under `/v1`).
pub const PRODUCTION_API: &str = "https://api.trustpilot.com";
/// Production authenticate page (authorization code and implicit grants).
pub const PRODUCTION_AUTHENTICATE: &str = "https://authenticate.trustpilot.com";
/// Production invitations host (SEEN-DOC: the Invitation API lives there, not on `api.`).
pub const PRODUCTION_INVITATIONS: &str = "https://invitations-api.trustpilot.com";

/// The three Trustpilot hosts.
///
/// Why injectable, one by one: the same client runs against production and against the
/// sandbox's three loopback listeners (`Sandbox::trustpilot().{api_url, authenticate_url,
/// invitations_url}()`), and a call sent to the wrong host fails there as it would here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrls {
    /// API host root (paths `v1/…` are appended).
    pub api: Url,
    /// Authenticate page root.
    pub authenticate: Url,
    /// Invitations host root.
    pub invitations: Url,
}

impl BaseUrls {
    /// Trustpilot's production hosts.
    pub fn production() -> Self {
        let parse = |s: &str| Url::parse(s).expect("the production URLs are constants");
        Self {
            api: parse(PRODUCTION_API),
            authenticate: parse(PRODUCTION_AUTHENTICATE),
            invitations: parse(PRODUCTION_INVITATIONS),
        }
    }

    /// Three hosts given as text (e.g. the sandbox's URLs).
    pub fn parse(api: &str, authenticate: &str, invitations: &str) -> Result<Self, Error> {
        let p =
            |s: &str| Url::parse(s).map_err(|_| Error::Config("a base URL is not a URL".into()));
        Ok(Self {
            api: p(api)?,
            authenticate: p(authenticate)?,
            invitations: p(invitations)?,
        })
    }
}

/// Checks and normalises a base URL so that `join("v1/…")` appends to its path.
pub(crate) fn normalise_base(mut base: Url) -> Result<Url, Error> {
    if !matches!(base.scheme(), "http" | "https") {
        return Err(Error::Config("a base URL must be http or https".into()));
    }
    if base.cannot_be_a_base() || base.host_str().is_none() {
        return Err(Error::Config("a base URL needs a host".into()));
    }
    if !base.username().is_empty() || base.password().is_some() {
        return Err(Error::Config(
            "a base URL must not carry credentials".into(),
        ));
    }
    base.set_query(None);
    base.set_fragment(None);
    if !base.path().ends_with('/') {
        let p = format!("{}/", base.path());
        base.set_path(&p);
    }
    Ok(base)
}

/// Network timeouts.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// TCP + TLS connect.
    pub connect: Duration,
    /// Silence allowed while waiting for each read of the answer.
    pub read: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(10),
            read: Duration::from_secs(30),
        }
    }
}

/// `ReviewDesk/<version>`: Trustpilot's CDN answers an HTML 403 to requests without a real
/// User-Agent (SEEN-3P), and the HTTP client sends none by default.
pub fn default_user_agent() -> String {
    concat!("ReviewDesk/", env!("CARGO_PKG_VERSION")).to_owned()
}

/// Everything needed to build a [`TrustpilotClient`].
///
/// The merchant brings their own Trustpilot application: `api_key` and `api_secret` are theirs
/// (issue 16 §3), never shipped in ReviewDesk.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The three hosts.
    pub base_urls: BaseUrls,
    /// The application's API key (sent as `apikey` on every call; the `client_id` of sign-in).
    pub api_key: Secret,
    /// The application's API secret: needed by every grant except implicit.
    pub api_secret: Option<Secret>,
    /// `User-Agent` (must not be empty).
    pub user_agent: String,
    /// Timeouts.
    pub timeouts: Timeouts,
    /// Retry bounds and the way to wait.
    pub retry: RetryConfig,
    /// The call budget; hand the same `Arc` to every client of one application.
    pub budget: Arc<CallBudget>,
}

impl ClientConfig {
    /// Defaults for everything but the hosts and the application's credentials.
    pub fn new(base_urls: BaseUrls, api_key: Secret, api_secret: Option<Secret>) -> Self {
        Self {
            base_urls,
            api_key,
            api_secret,
            user_agent: default_user_agent(),
            timeouts: Timeouts::default(),
            retry: RetryConfig::default(),
            budget: Arc::new(CallBudget::default()),
        }
    }
}

/// The Trustpilot Business API client: sign-in grants, business units, private service
/// reviews and replies.
///
/// Why `Clone` with shared state: the app hands clones to many tasks; a token renewed by one
/// (after a 401, single-flight) is used by all, and all share one call budget.
#[derive(Clone, Debug)]
pub struct TrustpilotClient {
    pub(crate) door: Arc<Door>,
    pub(crate) authenticate: Url,
}

impl TrustpilotClient {
    /// Builds a client; fails on an unusable base URL, an empty API key or User-Agent.
    pub fn new(config: ClientConfig) -> Result<Self, Error> {
        let door = Door::new(DoorConfig {
            api: normalise_base(config.base_urls.api)?,
            invitations: normalise_base(config.base_urls.invitations)?,
            api_key: config.api_key,
            api_secret: config.api_secret,
            user_agent: config.user_agent,
            connect_timeout: config.timeouts.connect,
            read_timeout: config.timeouts.read,
            retry: config.retry,
            budget: config.budget,
        })?;
        Ok(Self {
            door: Arc::new(door),
            authenticate: normalise_base(config.base_urls.authenticate)?,
        })
    }

    /// Installs tokens kept from an earlier sign-in (e.g. read from the keyring at start).
    pub fn set_tokens(&self, tokens: TokenSet) {
        self.door.set_tokens(Some(tokens));
    }

    /// Forgets the tokens (without revoking them; see [`TrustpilotClient::sign_out`]).
    pub fn clear_tokens(&self) {
        self.door.set_tokens(None);
    }

    /// True when the client holds the application's API secret: every grant but implicit needs
    /// it, and so does renewing a token by itself.
    pub fn has_api_secret(&self) -> bool {
        self.door.has_secret()
    }

    /// The current tokens, for the code that keeps them in the keyring.
    pub fn tokens(&self) -> Option<TokenSet> {
        self.door.tokens()
    }

    /// Called with the new tokens each time the client renews them by itself (after a 401 or
    /// just before a known expiry), so they can be kept for the next start.
    pub fn set_token_listener(&self, listener: impl Fn(&TokenSet) + Send + Sync + 'static) {
        let listener: TokenListener = Arc::new(listener);
        self.door.set_listener(Some(listener));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn base_urls_are_normalised() {
        let u = normalise_base(Url::parse("http://127.0.0.1:8080").unwrap()).unwrap();
        assert_eq!(
            u.join("v1/x").unwrap().as_str(),
            "http://127.0.0.1:8080/v1/x"
        );
        let u = normalise_base(Url::parse("https://example.com/prefix?x=1#f").unwrap()).unwrap();
        assert_eq!(
            u.join("v1/x").unwrap().as_str(),
            "https://example.com/prefix/v1/x"
        );
        assert!(normalise_base(Url::parse("ftp://example.com").unwrap()).is_err());
        assert!(normalise_base(Url::parse("https://u:p@example.com").unwrap()).is_err());
    }

    #[test]
    fn an_empty_user_agent_or_key_is_refused() {
        let mut c = ClientConfig::new(BaseUrls::production(), Secret::new("k"), None);
        c.user_agent = " ".into();
        assert!(matches!(TrustpilotClient::new(c), Err(Error::Config(_))));
        let c = ClientConfig::new(BaseUrls::production(), Secret::new(""), None);
        assert!(matches!(TrustpilotClient::new(c), Err(Error::Config(_))));
        let c = ClientConfig::new(BaseUrls::production(), Secret::new("k"), None);
        assert!(TrustpilotClient::new(c).is_ok());
        assert!(default_user_agent().starts_with("ReviewDesk/"));
    }
}
