//! OAuth 2.0 for platforms: authorize URL (state, scope, PKCE S256), token grants, revoke, and
//! the platform-credential endpoints (shop authorization info, install status).
//!
//! Why a separate client: these calls authenticate with `client_id` + `client_secret`, not with
//! a shop's token, and the token endpoint must never follow a redirect (a redirect could carry
//! the secret or the code elsewhere) — this client's HTTP stack has redirects disabled.

use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::RngCore;
use reviewdesk_core::ShopId;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use url::Url;

use crate::client::{
    build_http, default_user_agent, normalise_base, Call, HttpPurpose, Timeouts, Transport,
};
use crate::error::Error;
use crate::retry::RetryConfig;
use crate::secret::Secret;
use crate::wire::{de, decode_data, Data};

/// Everything needed to build an [`OAuthClient`].
#[derive(Debug, Clone)]
pub struct OAuthConfig {
    /// API root (production or sandbox).
    pub base_url: Url,
    /// Platform client id (public).
    pub client_id: String,
    /// Platform client secret (a desktop app cannot keep it confidential; see RFC 8252 §8.5).
    pub client_secret: Secret,
    /// `User-Agent` header.
    pub user_agent: String,
    /// Connect/read timeouts.
    pub timeouts: Timeouts,
    /// Retry bounds (token grants are never resent once they may have landed).
    pub retry: RetryConfig,
}

impl OAuthConfig {
    /// A config with default user agent, timeouts and retries.
    pub fn new(base_url: Url, client_id: impl Into<String>, client_secret: Secret) -> Self {
        Self {
            base_url,
            client_id: client_id.into(),
            client_secret,
            user_agent: default_user_agent(),
            timeouts: Timeouts::default(),
            retry: RetryConfig::default(),
        }
    }
}

/// A PKCE pair (RFC 7636, method S256).
///
/// Why: the client secret ships inside the app, so PKCE is what makes an intercepted
/// authorization code useless.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pkce {
    /// Kept locally, sent only with the code exchange.
    pub verifier: Secret,
    /// `BASE64URL(SHA256(verifier))`, sent in the authorize URL.
    pub challenge: String,
}

impl Pkce {
    /// A fresh random verifier (32 bytes → 43 chars) and its challenge.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut bytes);
        Self::from_verifier(Secret::new(URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// The challenge for a given verifier.
    pub fn from_verifier(verifier: Secret) -> Self {
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.expose().as_bytes()));
        Self {
            verifier,
            challenge,
        }
    }
}

/// A random, URL-safe `state` value (16 bytes), to bind the redirect to this sign-in attempt.
pub fn random_state() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What goes into the authorize URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeRequest {
    /// Where Trustoo sends the browser back (must be registered).
    pub redirect_uri: String,
    /// Anti-CSRF value echoed back; compare it on return.
    pub state: String,
    /// Requested scopes (joined with commas: the separator is UNKNOWN, CHOICES.md picks comma).
    pub scopes: Vec<String>,
    /// PKCE S256 challenge, if used.
    pub code_challenge: Option<String>,
}

/// Identifies a shop to the platform endpoints (`shop_id` and/or `myshopify_domain`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShopRef {
    /// Shopify shop id.
    pub shop_id: Option<ShopId>,
    /// `*.myshopify.com` domain.
    pub myshopify_domain: Option<String>,
}

impl ShopRef {
    /// By id.
    pub fn id(id: impl Into<ShopId>) -> Self {
        Self {
            shop_id: Some(id.into()),
            myshopify_domain: None,
        }
    }
    /// By domain.
    pub fn domain(d: impl Into<String>) -> Self {
        Self {
            shop_id: None,
            myshopify_domain: Some(d.into()),
        }
    }
}

/// Tokens from the token endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSet {
    /// Bearer token for data calls.
    pub access_token: Secret,
    /// Normally `Bearer`.
    pub token_type: String,
    /// Lifetime of the access token, when given.
    pub expires_in: Option<Duration>,
    /// Refresh token (rotates on refresh: keep the new one).
    pub refresh_token: Option<Secret>,
    /// Granted scopes.
    pub scopes: Vec<String>,
}

/// Result of `get_shop_authorization_info`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopAuthorizationInfo {
    /// The shop has authorized this platform.
    pub is_authorized: bool,
    /// When, as unix seconds.
    pub authorized_at: Option<i64>,
    /// Granted scopes.
    pub granted_scopes: Vec<String>,
    /// Shop id.
    pub shop_id: ShopId,
    /// `*.myshopify.com` domain.
    pub myshopify_domain: String,
    /// Video uploads allowed (newer docs only).
    pub can_upload_video: Option<bool>,
}

/// Result of `get_shop_install_status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopInstallStatus {
    /// The shop has installed (authorized) the platform.
    pub is_installed: bool,
    /// When, as unix seconds.
    pub installed_at: Option<i64>,
}

/// Splits `scope` / `granted_scopes` on commas or whitespace (separator UNKNOWN).
pub fn split_scopes(s: &str) -> Vec<String> {
    s.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

#[derive(Debug, Deserialize)]
pub(crate) struct WireToken {
    #[serde(deserialize_with = "de::string")]
    access_token: String,
    #[serde(default, deserialize_with = "de::string")]
    token_type: String,
    #[serde(default, deserialize_with = "de::opt_i64")]
    expires_in: Option<i64>,
    #[serde(default, deserialize_with = "de::string")]
    refresh_token: String,
    #[serde(default, deserialize_with = "de::string")]
    scope: String,
}

impl WireToken {
    pub(crate) fn into_domain(self) -> TokenSet {
        TokenSet {
            access_token: Secret::new(self.access_token),
            token_type: if self.token_type.is_empty() {
                "Bearer".into()
            } else {
                self.token_type
            },
            expires_in: self
                .expires_in
                .and_then(|s| u64::try_from(s).ok())
                .map(Duration::from_secs),
            refresh_token: (!self.refresh_token.is_empty())
                .then(|| Secret::new(self.refresh_token)),
            scopes: split_scopes(&self.scope),
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct WireAuthInfo {
    #[serde(default, deserialize_with = "de::bool")]
    is_authorized: bool,
    #[serde(default, deserialize_with = "de::opt_ts")]
    authorized_at: Option<i64>,
    #[serde(default, deserialize_with = "de::string")]
    granted_scopes: String,
    #[serde(default, deserialize_with = "de::string")]
    shop_id: String,
    #[serde(default, deserialize_with = "de::string")]
    myshopify_domain: String,
    #[serde(default, deserialize_with = "de::opt_bool")]
    can_upload_video: Option<bool>,
}

impl WireAuthInfo {
    pub(crate) fn into_domain(self) -> ShopAuthorizationInfo {
        ShopAuthorizationInfo {
            is_authorized: self.is_authorized,
            authorized_at: self.authorized_at,
            granted_scopes: split_scopes(&self.granted_scopes),
            shop_id: self.shop_id.into(),
            myshopify_domain: self.myshopify_domain,
            can_upload_video: self.can_upload_video,
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct WireInstall {
    #[serde(default, deserialize_with = "de::bool")]
    is_installed: bool,
    #[serde(default, deserialize_with = "de::opt_ts")]
    installed_at: Option<i64>,
}

#[derive(Debug, Deserialize)]
struct WireAuthorizeUrl {
    #[serde(deserialize_with = "de::string")]
    authorize_url: String,
}

#[derive(Serialize)]
struct TokenBody<'a> {
    grant_type: &'a str,
    client_id: &'a str,
    client_secret: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    redirect_uri: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code_verifier: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    shop_id: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    myshopify_domain: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<String>,
}

/// Client for the OAuth and platform-credential endpoints.
#[derive(Debug, Clone)]
pub struct OAuthClient {
    transport: Arc<Transport>,
    client_id: String,
    client_secret: Secret,
}

impl OAuthClient {
    /// Builds the client (redirects disabled).
    pub fn new(config: OAuthConfig) -> Result<Self, Error> {
        let base = normalise_base(config.base_url)?;
        let http = build_http(&config.user_agent, config.timeouts, HttpPurpose::Api)?;
        Ok(Self {
            transport: Arc::new(Transport {
                http,
                base,
                retry: config.retry,
            }),
            client_id: config.client_id,
            client_secret: config.client_secret,
        })
    }

    /// The platform's client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// Builds the merchant-facing authorize URL locally:
    /// `…/api/v1/openapi/oauth/authorize?client_id&redirect_uri&state&scope&response_type=code
    /// [&code_challenge&code_challenge_method=S256]`.
    pub fn authorize_url(&self, req: &AuthorizeRequest) -> Result<Url, Error> {
        let mut url = self
            .transport
            .base
            .join("api/v1/openapi/oauth/authorize")
            .map_err(|_| Error::Config("invalid authorize path".into()))?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("client_id", &self.client_id)
                .append_pair("redirect_uri", &req.redirect_uri)
                .append_pair("state", &req.state)
                .append_pair("scope", &req.scopes.join(","))
                .append_pair("response_type", "code");
            if let Some(ch) = &req.code_challenge {
                q.append_pair("code_challenge", ch)
                    .append_pair("code_challenge_method", "S256");
            }
        }
        Ok(url)
    }

    /// Asks Trustoo for the authorize URL (`GET get_oauth_authorize_url`, documented on the
    /// older pages). Prefer [`OAuthClient::authorize_url`], which also carries PKCE.
    pub async fn fetch_authorize_url(&self, req: &AuthorizeRequest) -> Result<Url, Error> {
        let query = vec![
            ("client_id".to_owned(), self.client_id.clone()),
            ("redirect_uri".to_owned(), req.redirect_uri.clone()),
            ("state".to_owned(), req.state.clone()),
            ("scope".to_owned(), req.scopes.join(",")),
        ];
        let data = self
            .run(Call::get(
                "get_oauth_authorize_url",
                "api/v1/openapi/get_oauth_authorize_url",
                query,
            ))
            .await?;
        let w: WireAuthorizeUrl = decode_data("get_oauth_authorize_url", data)?;
        Url::parse(&w.authorize_url).map_err(|_| Error::Decode {
            context: "get_oauth_authorize_url",
            detail: "authorize_url is not a URL".into(),
        })
    }

    async fn run(&self, call: Call) -> Result<Data, Error> {
        self.transport.run(&call, &|| None).await
    }

    fn token_body<'a>(&'a self, grant_type: &'a str) -> TokenBody<'a> {
        TokenBody {
            grant_type,
            client_id: &self.client_id,
            client_secret: self.client_secret.expose(),
            code: None,
            redirect_uri: None,
            code_verifier: None,
            refresh_token: None,
            shop_id: None,
            myshopify_domain: None,
            scope: None,
        }
    }

    async fn token(&self, body: &TokenBody<'_>) -> Result<TokenSet, Error> {
        let data = self
            .run(Call::post_json(
                "oauth_token",
                "api/v1/openapi/oauth/token",
                body,
            )?)
            .await?;
        let t: WireToken = decode_data("oauth_token", data)?;
        Ok(t.into_domain())
    }

    /// `authorization_code` grant; pass the PKCE verifier when the URL carried a challenge.
    pub async fn exchange_code(
        &self,
        code: &Secret,
        redirect_uri: &str,
        code_verifier: Option<&Secret>,
    ) -> Result<TokenSet, Error> {
        let mut b = self.token_body("authorization_code");
        b.code = Some(code.expose());
        b.redirect_uri = Some(redirect_uri);
        b.code_verifier = code_verifier.map(Secret::expose);
        self.token(&b).await
    }

    /// `refresh_token` grant. The old refresh token stops working (rotation): store the new one.
    pub async fn refresh(&self, refresh_token: &Secret) -> Result<TokenSet, Error> {
        let mut b = self.token_body("refresh_token");
        b.refresh_token = Some(refresh_token.expose());
        self.token(&b).await
    }

    /// `client_credentials` grant for platforms allowed to skip shop OAuth.
    pub async fn client_credentials(
        &self,
        shop: &ShopRef,
        scopes: &[String],
    ) -> Result<TokenSet, Error> {
        let mut b = self.token_body("client_credentials");
        b.shop_id = shop.shop_id.as_ref().map(|id| match id.0.parse::<u64>() {
            Ok(n) => Value::from(n),
            Err(_) => Value::from(id.0.clone()),
        });
        b.myshopify_domain = shop.myshopify_domain.as_deref();
        if !scopes.is_empty() {
            b.scope = Some(scopes.join(","));
        }
        self.token(&b).await
    }

    /// Revokes a token (and its pair) — `POST oauth_revoke_token {client_id, client_secret, token}`
    /// (the older, SEEN path; the sandbox also serves `/oauth/revoke`). Answer is `{}`.
    pub async fn revoke(&self, token: &Secret) -> Result<(), Error> {
        let body = serde_json::json!({
            "client_id": self.client_id,
            "client_secret": self.client_secret.expose(),
            "token": token.expose(),
        });
        self.run(Call::post_json(
            "oauth_revoke_token",
            "api/v1/openapi/oauth_revoke_token",
            &body,
        )?)
        .await?;
        Ok(())
    }

    fn platform_query(&self, shop: &ShopRef) -> Vec<(String, String)> {
        let mut q = vec![
            ("client_id".to_owned(), self.client_id.clone()),
            (
                "client_secret".to_owned(),
                self.client_secret.expose().to_owned(),
            ),
        ];
        if let Some(id) = &shop.shop_id {
            q.push(("shop_id".into(), id.0.clone()));
        }
        if let Some(d) = &shop.myshopify_domain {
            q.push(("myshopify_domain".into(), d.clone()));
        }
        q
    }

    /// Whether a shop authorized this platform, and with which scopes
    /// (`GET get_shop_authorization_info`, credentials in the query).
    pub async fn shop_authorization_info(
        &self,
        shop: &ShopRef,
    ) -> Result<ShopAuthorizationInfo, Error> {
        let data = self
            .run(Call::get(
                "get_shop_authorization_info",
                "api/v1/openapi/get_shop_authorization_info",
                self.platform_query(shop),
            ))
            .await?;
        let w: WireAuthInfo = decode_data("get_shop_authorization_info", data)?;
        Ok(w.into_domain())
    }

    /// Whether a shop installed this platform (`GET get_shop_install_status`).
    pub async fn shop_install_status(&self, shop: &ShopRef) -> Result<ShopInstallStatus, Error> {
        let data = self
            .run(Call::get(
                "get_shop_install_status",
                "api/v1/openapi/get_shop_install_status",
                self.platform_query(shop),
            ))
            .await?;
        let w: WireInstall = decode_data("get_shop_install_status", data)?;
        Ok(ShopInstallStatus {
            is_installed: w.is_installed,
            installed_at: w.installed_at,
        })
    }
}

/// Decoders for the fixture test.
#[doc(hidden)]
pub mod decode {
    use super::*;

    /// Decodes a token endpoint body.
    pub fn token(body: &[u8]) -> Result<TokenSet, Error> {
        let data = crate::wire::interpret("fixture", 200, body, None, None)?;
        Ok(decode_data::<WireToken>("fixture", data)?.into_domain())
    }

    /// Decodes a `get_shop_authorization_info` body.
    pub fn auth_info(body: &[u8]) -> Result<ShopAuthorizationInfo, Error> {
        let data = crate::wire::interpret("fixture", 200, body, None, None)?;
        Ok(decode_data::<WireAuthInfo>("fixture", data)?.into_domain())
    }

    /// Decodes a `get_shop_install_status` body.
    pub fn install(body: &[u8]) -> Result<ShopInstallStatus, Error> {
        let data = crate::wire::interpret("fixture", 200, body, None, None)?;
        let w: WireInstall = decode_data("fixture", data)?;
        Ok(ShopInstallStatus {
            is_installed: w.is_installed,
            installed_at: w.installed_at,
        })
    }

    /// Decodes a `get_oauth_authorize_url` body.
    pub fn authorize_url(body: &[u8]) -> Result<String, Error> {
        let data = crate::wire::interpret("fixture", 200, body, None, None)?;
        Ok(decode_data::<WireAuthorizeUrl>("fixture", data)?.authorize_url)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn client() -> OAuthClient {
        OAuthClient::new(OAuthConfig::new(
            Url::parse("http://127.0.0.1:9/").unwrap(),
            "trustwill",
            Secret::new("oauth_test_secret_2026"),
        ))
        .unwrap()
    }

    #[test]
    fn pkce_matches_rfc7636_appendix_b() {
        let p = Pkce::from_verifier(Secret::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
        // RFC 7636 Appendix B; also: printf %s VERIFIER | openssl dgst -sha256 -binary | base64 | tr "+/" "-_" | tr -d =
        assert_eq!(p.challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        let g = Pkce::generate();
        assert_eq!(g.verifier.expose().len(), 43);
        assert_ne!(g.verifier, Pkce::generate().verifier);
    }

    #[test]
    fn authorize_url_carries_state_scope_and_pkce() {
        let c = client();
        let url = c
            .authorize_url(&AuthorizeRequest {
                redirect_uri: "http://localhost:3000/oauth/callback".into(),
                state: "st&te=1".into(),
                scopes: vec!["read_reviews".into(), "write_reviews".into()],
                code_challenge: Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into()),
            })
            .unwrap();
        assert_eq!(url.path(), "/api/v1/openapi/oauth/authorize");
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let get = |k: &str| pairs.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str());
        assert_eq!(get("client_id"), Some("trustwill"));
        assert_eq!(
            get("redirect_uri"),
            Some("http://localhost:3000/oauth/callback")
        );
        assert_eq!(get("state"), Some("st&te=1"));
        assert_eq!(get("scope"), Some("read_reviews,write_reviews"));
        assert_eq!(get("response_type"), Some("code"));
        assert_eq!(
            get("code_challenge"),
            Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        );
        assert_eq!(get("code_challenge_method"), Some("S256"));
        // The secret never goes into a browser URL.
        assert!(!url.as_str().contains("oauth_test_secret_2026"));
    }

    #[test]
    fn authorize_url_without_pkce_has_no_challenge() {
        let url = client()
            .authorize_url(&AuthorizeRequest {
                redirect_uri: "http://127.0.0.1:5000/cb".into(),
                state: random_state(),
                scopes: vec!["read_reviews".into()],
                code_challenge: None,
            })
            .unwrap();
        assert!(!url.as_str().contains("code_challenge"));
    }

    #[test]
    fn scopes_split_on_comma_or_space() {
        assert_eq!(
            split_scopes("read_reviews,write_reviews"),
            ["read_reviews", "write_reviews"]
        );
        assert_eq!(
            split_scopes("read_reviews write_reviews"),
            ["read_reviews", "write_reviews"]
        );
        assert_eq!(split_scopes(""), Vec::<String>::new());
    }

    #[test]
    fn token_with_string_expiry_and_no_refresh() {
        let t = decode::token(
            br#"{"code":0,"data":{"access_token":"A","expires_in":"3600","scope":"read_reviews"}}"#,
        )
        .unwrap();
        assert_eq!(t.expires_in, Some(Duration::from_secs(3600)));
        assert!(t.refresh_token.is_none());
        assert_eq!(t.token_type, "Bearer");
        assert!(!format!("{t:?}").contains("\"A\""));
    }
}
