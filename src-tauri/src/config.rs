//! Where the app finds Trustoo and who it is to Trustoo.
//!
//! Settings come from `settings.json` in the app's config directory, and each can be overridden
//! by an environment variable (tests and the demo use those). Nothing secret is configured here:
//! tokens live in the OS keyring and in memory only.

use reviewdesk_core::Environment;
use serde::Deserialize;
use std::path::Path;
use url::Url;

/// Production Trustoo Open API.
pub const PRODUCTION_API_BASE: &str = "https://rapi.trustoo.io";
/// The redirect URI registered for ReviewDesk (a private-use scheme, RFC 8252 §7.1).
pub const REDIRECT_URI: &str = "reviewdesk://oauth/callback";
/// The sandbox registers ReviewDesk's client with this secret (a fixture of the emulator).
pub const SANDBOX_CLIENT_SECRET: &str = "reviewdesk-sandbox-secret";
/// OAuth client id ReviewDesk uses when none is configured.
pub const DEFAULT_CLIENT_ID: &str = "reviewdesk";

/// The app's effective configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppConfig {
    /// Base URL of the Trustoo Open API (production or the sandbox).
    pub api_base: Url,
    /// OAuth client id registered with Trustoo.
    pub client_id: String,
    /// OAuth client secret. Trustoo's token endpoint asks for it; an app that ships it cannot
    /// keep it confidential (RFC 8252 §8.5), so it is configuration, not a credential of the
    /// merchant. The sandbox's own client secret is the default against the sandbox.
    pub client_secret: String,
    /// OAuth redirect URI.
    pub redirect_uri: String,
    /// Connect to the sandbox's demo shop at start (sandbox only).
    pub demo: bool,
    /// Trustpilot's three hosts (API, authenticate page, invitations): production unless
    /// configured (the sandbox's loopback listeners in tests and the demo). No Trustpilot
    /// credential is configured here: the merchant brings their own application at sign-in.
    pub trustpilot: reviewdesk_trustpilot::BaseUrls,
}

/// What `settings.json` may contain; every field optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsFile {
    api_base: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    trustpilot_api_base: Option<String>,
    trustpilot_authenticate_base: Option<String>,
    trustpilot_invitations_base: Option<String>,
}

/// Why the configuration could not be used; shown to the merchant as is.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// settings.json exists but is not valid.
    #[error("settings.json is not valid: {0}")]
    BadSettingsFile(String),
    /// The API base is not an http(s) URL.
    #[error("the API address `{0}` is not a valid http(s) URL")]
    BadApiBase(String),
    /// A Trustpilot address is not an http(s) URL.
    #[error("the Trustpilot address `{0}` is not a valid http(s) URL")]
    BadTrustpilotBase(String),
    /// Demo mode asked for against a real server.
    #[error("demo mode only works against the local sandbox, not {0}")]
    DemoNotOnSandbox(String),
}

impl AppConfig {
    /// Loads settings from `config_dir/settings.json` (if present), then applies overrides from
    /// `env` (`REVIEWDESK_API_BASE`, `REVIEWDESK_CLIENT_ID`, `REVIEWDESK_DEMO`).
    pub fn load(
        config_dir: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let file = match config_dir.map(|d| d.join("settings.json")) {
            Some(path) if path.is_file() => {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| ConfigError::BadSettingsFile(e.to_string()))?;
                serde_json::from_str::<SettingsFile>(&text)
                    .map_err(|e| ConfigError::BadSettingsFile(e.to_string()))?
            }
            _ => SettingsFile::default(),
        };
        let api_base_text = env("REVIEWDESK_API_BASE")
            .or(file.api_base)
            .unwrap_or_else(|| PRODUCTION_API_BASE.to_owned());
        let api_base = Url::parse(api_base_text.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .ok_or_else(|| ConfigError::BadApiBase(api_base_text.clone()))?;
        let client_id = env("REVIEWDESK_CLIENT_ID")
            .or(file.client_id)
            .unwrap_or_else(|| DEFAULT_CLIENT_ID.to_owned());
        let client_secret = env("REVIEWDESK_CLIENT_SECRET").or(file.client_secret);
        let demo = env("REVIEWDESK_DEMO").is_some_and(|v| v == "1" || v == "true");
        let trustpilot = trustpilot_bases([
            env("REVIEWDESK_TRUSTPILOT_API_BASE").or(file.trustpilot_api_base),
            env("REVIEWDESK_TRUSTPILOT_AUTHENTICATE_BASE").or(file.trustpilot_authenticate_base),
            env("REVIEWDESK_TRUSTPILOT_INVITATIONS_BASE").or(file.trustpilot_invitations_base),
        ])?;
        let mut config = Self {
            api_base,
            client_id,
            client_secret: client_secret.unwrap_or_default(),
            redirect_uri: REDIRECT_URI.to_owned(),
            demo,
            trustpilot,
        };
        if config.client_secret.is_empty() && config.environment() == Environment::Sandbox {
            config.client_secret = SANDBOX_CLIENT_SECRET.to_owned();
        }
        if config.demo && config.environment() != Environment::Sandbox {
            return Err(ConfigError::DemoNotOnSandbox(config.api_base.to_string()));
        }
        Ok(config)
    }

    /// A loopback API base is the sandbox; anything else is treated as the real Trustoo.
    pub fn environment(&self) -> Environment {
        if is_loopback(&self.api_base) {
            Environment::Sandbox
        } else {
            Environment::Production
        }
    }

    /// Trustpilot's environment: its API on loopback is the sandbox (which alone accepts a
    /// loopback redirect URI), anything else the real Trustpilot.
    pub fn trustpilot_environment(&self) -> Environment {
        if is_loopback(&self.trustpilot.api) {
            Environment::Sandbox
        } else {
            Environment::Production
        }
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    }
}

/// Trustpilot's hosts: each configured one replaces production's (all three or some: the
/// sandbox serves each on its own port).
fn trustpilot_bases(
    [api, authenticate, invitations]: [Option<String>; 3],
) -> Result<reviewdesk_trustpilot::BaseUrls, ConfigError> {
    let production = reviewdesk_trustpilot::BaseUrls::production();
    let pick = |given: Option<String>, default: &Url| given.unwrap_or_else(|| default.to_string());
    let (api, authenticate, invitations) = (
        pick(api, &production.api),
        pick(authenticate, &production.authenticate),
        pick(invitations, &production.invitations),
    );
    for text in [&api, &authenticate, &invitations] {
        let ok = Url::parse(text.trim())
            .ok()
            .is_some_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
        if !ok {
            return Err(ConfigError::BadTrustpilotBase(text.clone()));
        }
    }
    reviewdesk_trustpilot::BaseUrls::parse(api.trim(), authenticate.trim(), invitations.trim())
        .map_err(|_| ConfigError::BadTrustpilotBase(api))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |key| {
            pairs
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn defaults_to_production() {
        let c = AppConfig::load(None, env_of(&[])).expect("config");
        assert_eq!(c.api_base.as_str(), "https://rapi.trustoo.io/");
        assert_eq!(c.environment(), Environment::Production);
        assert_eq!(c.redirect_uri, "reviewdesk://oauth/callback");
        assert!(!c.demo);
    }

    #[test]
    fn env_overrides_and_loopback_is_sandbox() {
        let c = AppConfig::load(
            None,
            env_of(&[
                ("REVIEWDESK_API_BASE", "http://127.0.0.1:8787"),
                ("REVIEWDESK_DEMO", "1"),
            ]),
        )
        .expect("config");
        assert_eq!(c.environment(), Environment::Sandbox);
        assert!(c.demo);
        assert_eq!(c.client_secret, SANDBOX_CLIENT_SECRET);
    }

    #[test]
    fn production_has_no_default_secret() {
        let c = AppConfig::load(None, env_of(&[])).expect("config");
        assert_eq!(c.client_secret, "");
        let c =
            AppConfig::load(None, env_of(&[("REVIEWDESK_CLIENT_SECRET", "s3")])).expect("config");
        assert_eq!(c.client_secret, "s3");
    }

    #[test]
    fn demo_refuses_a_real_server() {
        let err = AppConfig::load(
            None,
            env_of(&[
                ("REVIEWDESK_API_BASE", "https://rapi.trustoo.io"),
                ("REVIEWDESK_DEMO", "1"),
            ]),
        )
        .expect_err("demo on production");
        assert!(matches!(err, ConfigError::DemoNotOnSandbox(_)));
    }

    #[test]
    fn trustpilot_defaults_to_production_and_each_host_can_be_moved() {
        let c = AppConfig::load(None, env_of(&[])).expect("config");
        assert_eq!(c.trustpilot, reviewdesk_trustpilot::BaseUrls::production());
        assert_eq!(c.trustpilot_environment(), Environment::Production);
        let c = AppConfig::load(
            None,
            env_of(&[
                ("REVIEWDESK_TRUSTPILOT_API_BASE", "http://127.0.0.1:9001"),
                (
                    "REVIEWDESK_TRUSTPILOT_AUTHENTICATE_BASE",
                    "http://127.0.0.1:9002",
                ),
            ]),
        )
        .expect("config");
        assert_eq!(c.trustpilot.api.as_str(), "http://127.0.0.1:9001/");
        assert_eq!(c.trustpilot.authenticate.as_str(), "http://127.0.0.1:9002/");
        assert_eq!(
            c.trustpilot.invitations,
            reviewdesk_trustpilot::BaseUrls::production().invitations
        );
        assert_eq!(c.trustpilot_environment(), Environment::Sandbox);
        let err = AppConfig::load(
            None,
            env_of(&[("REVIEWDESK_TRUSTPILOT_API_BASE", "ftp://x")]),
        )
        .expect_err("ftp");
        assert!(matches!(err, ConfigError::BadTrustpilotBase(_)));
    }

    #[test]
    fn rejects_a_non_http_base() {
        let err = AppConfig::load(
            None,
            env_of(&[("REVIEWDESK_API_BASE", "file:///etc/passwd")]),
        )
        .expect_err("file url");
        assert!(matches!(err, ConfigError::BadApiBase(_)));
    }

    #[test]
    fn reads_settings_file_and_env_wins() {
        let dir = std::env::temp_dir().join(format!("rd-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(
            dir.join("settings.json"),
            r#"{"api_base":"http://localhost:9000","client_id":"my-app"}"#,
        )
        .expect("write");
        let c = AppConfig::load(Some(&dir), env_of(&[])).expect("config");
        assert_eq!(c.api_base.as_str(), "http://localhost:9000/");
        assert_eq!(c.client_id, "my-app");
        let c = AppConfig::load(Some(&dir), env_of(&[("REVIEWDESK_CLIENT_ID", "other")]))
            .expect("config");
        assert_eq!(c.client_id, "other");
        std::fs::write(dir.join("settings.json"), r#"{"api_bse":"typo"}"#).expect("write");
        let err = AppConfig::load(Some(&dir), env_of(&[])).expect_err("typo");
        assert!(matches!(err, ConfigError::BadSettingsFile(_)));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
