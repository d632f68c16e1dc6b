//! The one door every Trustpilot call goes through.
//!
//! Only this module holds the HTTP client, the credentials and the session, in private fields:
//! an endpoint elsewhere in the crate can describe a [`Call`] and hand it to
//! [`Door::fetch`]/[`Door::send`], and nothing else. So every call, whatever feature adds it
//! later, gets the same things: the `User-Agent` and `apikey` headers, the Bearer token on
//! private calls, the call budget, bounded retries, typed errors, and on a 401 one renewal of
//! the token (single-flight across concurrent calls) and one more try. A test
//! (`only_the_door_speaks_http` in lib.rs) fails if another module names `reqwest`.

use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand::Rng;
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::redirect;
/// The HTTP method of a [`Call`] (re-exported so endpoints never name the HTTP client).
pub(crate) use reqwest::Method;
use url::Url;

use crate::budget::CallBudget;
use crate::error::{classify, parse_retry_after, CallClass, Credential, Error, ErrorAnswer};
use crate::retry::{decide, CallKind, Decision, Outcome, RetryConfig};
use crate::secret::Secret;
use crate::wire::{decode, Grant, TokenSet, WireToken};

/// Called with the new tokens whenever the client renews them by itself, so the app can keep
/// them (in the OS keyring) for the next start.
pub type TokenListener = Arc<dyn Fn(&TokenSet) + Send + Sync>;

/// Renew a token this long before its known expiry rather than wait for the 401.
const EXPIRY_MARGIN_SECS: i64 = 60;

/// Which Trustpilot host a call goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Host {
    /// `api.trustpilot.com`: tokens, business units, reviews, replies.
    Api,
    /// `invitations-api.trustpilot.com`: invitation links and emails.
    #[allow(dead_code)]
    Invitations,
}

/// A request body. Form values may be credentials, so `Call` has no `Debug`.
pub(crate) enum Body {
    Empty,
    Json(Vec<u8>),
    Form(Vec<(&'static str, String)>),
}

/// One call, as the endpoints describe it; rebuilt on every attempt.
pub(crate) struct Call {
    /// Name for logs and decode errors (never the URL: a query may hold personal data).
    pub name: &'static str,
    pub method: Method,
    pub host: Host,
    /// Path below the host, without a leading slash, e.g. `v1/business-units/find`.
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Body,
    /// Public (API key), private (API key + Bearer) or a token request.
    pub class: CallClass,
    /// Token requests only: send `Authorization: Basic base64(key:secret)`.
    pub basic: bool,
    pub kind: CallKind,
    /// Extra headers the endpoint needs (e.g. `x-business-user-id` on invitations).
    pub headers: Vec<(&'static str, String)>,
}

impl Call {
    /// A GET with the API key only (business units).
    pub(crate) fn public_get(
        name: &'static str,
        path: String,
        query: Vec<(String, String)>,
    ) -> Self {
        Self {
            name,
            method: Method::GET,
            host: Host::Api,
            path,
            query,
            body: Body::Empty,
            class: CallClass::Public,
            basic: false,
            kind: CallKind::Idempotent,
            headers: Vec::new(),
        }
    }

    /// A GET with the API key and the business user's token.
    pub(crate) fn private_get(
        name: &'static str,
        path: String,
        query: Vec<(String, String)>,
    ) -> Self {
        Self {
            class: CallClass::Private,
            ..Self::public_get(name, path, query)
        }
    }

    /// A private call with a JSON body (or none).
    pub(crate) fn private_write(
        name: &'static str,
        method: Method,
        path: String,
        json: Option<&serde_json::Value>,
        kind: CallKind,
    ) -> Result<Self, Error> {
        let body = match json {
            Some(v) => Body::Json(
                serde_json::to_vec(v)
                    .map_err(|_| Error::Config(format!("could not encode the {name} request")))?,
            ),
            None => Body::Empty,
        };
        Ok(Self {
            method,
            body,
            kind,
            ..Self::private_get(name, path, Vec::new())
        })
    }

    /// A form-encoded token request on the API host.
    pub(crate) fn token(
        name: &'static str,
        endpoint: &str,
        form: Vec<(&'static str, String)>,
        basic: bool,
    ) -> Self {
        Self {
            name,
            method: Method::POST,
            host: Host::Api,
            path: format!("v1/oauth/oauth-business-users-for-applications/{endpoint}"),
            query: Vec::new(),
            body: Body::Form(form),
            class: CallClass::Token,
            basic,
            kind: CallKind::Token,
            headers: Vec::new(),
        }
    }
}

/// Everything the door needs, from the client's config.
pub(crate) struct DoorConfig {
    pub api: Url,
    pub invitations: Url,
    pub api_key: Secret,
    pub api_secret: Option<Secret>,
    pub user_agent: String,
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
    pub retry: RetryConfig,
    pub budget: Arc<CallBudget>,
}

/// The HTTP client, credentials, session, budget and retry policy (all private).
pub(crate) struct Door {
    http: reqwest::Client,
    api: Url,
    invitations: Url,
    api_key: Secret,
    api_secret: Option<Secret>,
    retry: RetryConfig,
    budget: Arc<CallBudget>,
    session: RwLock<Option<TokenSet>>,
    renewing: tokio::sync::Mutex<()>,
    listener: RwLock<Option<TokenListener>>,
}

impl std::fmt::Debug for Door {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Door")
            .field("api", &self.api.as_str())
            .field("invitations", &self.invitations.as_str())
            .field("budget", &self.budget)
            .finish_non_exhaustive()
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn sensitive(value: &str) -> Result<HeaderValue, Error> {
    let mut v = HeaderValue::from_str(value).map_err(|_| {
        Error::Config("a credential contains characters not allowed in a header".into())
    })?;
    v.set_sensitive(true);
    Ok(v)
}

fn network(e: reqwest::Error) -> Error {
    if e.is_builder() {
        return Error::Config("could not build the HTTP request".into());
    }
    let kind = if e.is_connect() {
        crate::error::NetworkKind::Connect
    } else if e.is_timeout() {
        crate::error::NetworkKind::Timeout
    } else {
        crate::error::NetworkKind::Interrupted
    };
    Error::Network {
        kind,
        source: Some(Box::new(e.without_url())),
    }
}

impl Door {
    pub(crate) fn new(c: DoorConfig) -> Result<Self, Error> {
        if c.user_agent.trim().is_empty() {
            return Err(Error::Config(
                "a User-Agent is required: Trustpilot's CDN blocks requests without one".into(),
            ));
        }
        if c.api_key.is_empty() {
            return Err(Error::Config("the API key is empty".into()));
        }
        let http = reqwest::Client::builder()
            .user_agent(c.user_agent)
            .redirect(redirect::Policy::none())
            .connect_timeout(c.connect_timeout)
            .read_timeout(c.read_timeout)
            .build()
            .map_err(|_| Error::Config("could not build the HTTP client".into()))?;
        Ok(Self {
            http,
            api: c.api,
            invitations: c.invitations,
            api_key: c.api_key,
            api_secret: c.api_secret.filter(|s| !s.is_empty()),
            retry: c.retry,
            budget: c.budget,
            session: RwLock::new(None),
            renewing: tokio::sync::Mutex::new(()),
            listener: RwLock::new(None),
        })
    }

    /// The application's API key (the `client_id` of the authorize URL).
    pub(crate) fn api_key(&self) -> &Secret {
        &self.api_key
    }

    /// True when the client was given the API secret (every grant but implicit needs it).
    pub(crate) fn has_secret(&self) -> bool {
        self.api_secret.is_some()
    }

    pub(crate) fn tokens(&self) -> Option<TokenSet> {
        self.session
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(crate) fn set_tokens(&self, tokens: Option<TokenSet>) {
        *self.session.write().unwrap_or_else(|p| p.into_inner()) = tokens;
    }

    pub(crate) fn set_listener(&self, listener: Option<TokenListener>) {
        *self.listener.write().unwrap_or_else(|p| p.into_inner()) = listener;
    }

    /// Runs a call and decodes its JSON answer.
    pub(crate) async fn fetch<T: serde::de::DeserializeOwned>(
        &self,
        call: Call,
    ) -> Result<T, Error> {
        let name = call.name;
        self.run(&call, &|body: &[u8]| decode::<T>(name, body))
            .await
    }

    /// Runs a call whose answer has no body worth reading (reply, delete, revoke).
    pub(crate) async fn send(&self, call: Call) -> Result<(), Error> {
        self.run(&call, &|_: &[u8]| Ok(())).await
    }

    /// Runs a token request and installs nothing: the caller decides (sign-in) or
    /// [`Door::renew`] installs (renewal).
    pub(crate) async fn grant(&self, call: Call, grant: Grant) -> Result<TokenSet, Error> {
        if call.basic && self.api_secret.is_none() {
            return Err(Error::NoSecret);
        }
        // Straight to the attempts: a token request carries no Bearer token to renew.
        let name = call.name;
        let wire: WireToken = self
            .attempts(&call, None, &|body: &[u8]| decode::<WireToken>(name, body))
            .await?;
        wire.into_tokens(grant, unix_now()).ok_or(Error::Decode {
            context: "token",
            detail: "the answer has no access_token".into(),
        })
    }

    async fn run<T>(
        &self,
        call: &Call,
        decode: &(dyn Fn(&[u8]) -> Result<T, Error> + Sync),
    ) -> Result<T, Error> {
        if call.class != CallClass::Private {
            return self.attempts(call, None, decode).await;
        }
        let token = self.fresh_token().await?;
        match self.attempts(call, Some(&token), decode).await {
            Err(Error::Unauthorized {
                credential: Credential::AccessToken,
            }) => {
                tracing::debug!(call = call.name, "access token refused; renewing it once");
                if self.renew(&token).await? {
                    let token = self.current_token()?;
                    self.attempts(call, Some(&token), decode).await
                } else {
                    Err(Error::Unauthorized {
                        credential: Credential::AccessToken,
                    })
                }
            }
            other => other,
        }
    }

    fn current_token(&self) -> Result<Secret, Error> {
        self.tokens()
            .map(|t| t.access_token)
            .ok_or(Error::NotSignedIn)
    }

    /// The token to send: renewed first when it is known to be about to expire and can be
    /// renewed (a client-credentials token is re-requested only then, or after a 401).
    async fn fresh_token(&self) -> Result<Secret, Error> {
        let current = self.tokens().ok_or(Error::NotSignedIn)?;
        if current.expires_within(unix_now(), EXPIRY_MARGIN_SECS) && self.renewable(&current) {
            self.renew(&current.access_token).await?;
            return self.current_token();
        }
        Ok(current.access_token)
    }

    fn renewable(&self, t: &TokenSet) -> bool {
        self.api_secret.is_some()
            && (t.grant == Grant::ClientCredentials || t.refresh_token.is_some())
    }

    /// Renews the session after `rejected` was refused (or is about to expire). Single-flight:
    /// concurrent callers queue on one lock, and whoever finds the token already changed uses
    /// the new one without asking Trustpilot again. `Ok(false)`: nothing can renew it (implicit
    /// or password tokens without a refresh token, a spent refresh token): sign in again.
    async fn renew(&self, rejected: &Secret) -> Result<bool, Error> {
        let _one_at_a_time = self.renewing.lock().await;
        let Some(current) = self.tokens() else {
            return Ok(false);
        };
        if current.access_token != *rejected {
            return Ok(true);
        }
        if !self.renewable(&current) {
            return Ok(false);
        }
        let call = match (&current.grant, &current.refresh_token) {
            (Grant::ClientCredentials, _) => crate::oauth::client_credentials_call(),
            (_, Some(refresh)) => crate::oauth::refresh_call(refresh),
            (_, None) => return Ok(false),
        };
        match self.grant(call, current.grant).await {
            Ok(mut fresh) => {
                if fresh.refresh_token.is_none() && current.grant != Grant::ClientCredentials {
                    // Tolerance: an answer without a new refresh token keeps the old one.
                    fresh.refresh_token = current.refresh_token.clone();
                    fresh.refresh_expires_at = current.refresh_expires_at;
                }
                self.set_tokens(Some(fresh.clone()));
                let listener = self
                    .listener
                    .read()
                    .unwrap_or_else(|p| p.into_inner())
                    .clone();
                if let Some(listener) = listener {
                    listener(&fresh);
                }
                tracing::debug!(grant = ?current.grant, "trustpilot token renewed");
                Ok(true)
            }
            // The refresh token is spent, revoked or expired: the 401 stands.
            Err(Error::InvalidGrant) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The call with the budget, retries and backoff; `token` is sent as Bearer.
    async fn attempts<T>(
        &self,
        call: &Call,
        token: Option<&Secret>,
        decode: &(dyn Fn(&[u8]) -> Result<T, Error> + Sync),
    ) -> Result<T, Error> {
        let mut attempt: u32 = 1;
        let mut waited = Duration::ZERO;
        loop {
            let wait = self.budget.reserve();
            if !wait.is_zero() {
                tracing::debug!(
                    call = call.name,
                    wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                    "waiting for the call budget"
                );
                self.retry.sleeper.sleep(wait).await;
            }
            let result = match self.once(call, token).await {
                Ok(body) => decode(&body),
                Err(e) => Err(e),
            };
            let e = match result {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            let retry_after = match &e {
                Error::RateLimited { retry_after } => *retry_after,
                _ => None,
            };
            let jitter: f64 = rand::thread_rng().gen_range(0.0..=1.0);
            match decide(
                &self.retry,
                attempt,
                call.kind,
                Outcome::of(&e),
                retry_after,
                waited,
                jitter,
            ) {
                Decision::GiveUp => {
                    tracing::debug!(call = call.name, attempt, error = %e, "trustpilot call failed");
                    return Err(e);
                }
                Decision::Retry(delay) => {
                    tracing::debug!(call = call.name, attempt, delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX), error = %e, "retrying trustpilot call");
                    self.retry.sleeper.sleep(delay).await;
                    waited = waited.saturating_add(delay);
                    attempt += 1;
                }
            }
        }
    }

    /// One HTTP exchange: the success body, or the classified error.
    async fn once(&self, call: &Call, token: Option<&Secret>) -> Result<bytes::Bytes, Error> {
        let base = match call.host {
            Host::Api => &self.api,
            Host::Invitations => &self.invitations,
        };
        let url = base
            .join(&call.path)
            .map_err(|_| Error::Config("invalid endpoint path".into()))?;
        let mut req = self
            .http
            .request(call.method.clone(), url)
            .header(ACCEPT, "application/json")
            .header("apikey", sensitive(self.api_key.expose())?);
        if !call.query.is_empty() {
            req = req.query(&call.query);
        }
        for (name, value) in &call.headers {
            req = req.header(*name, value.as_str());
        }
        if let Some(token) = token {
            req = req.header(
                AUTHORIZATION,
                sensitive(&format!("Bearer {}", token.expose()))?,
            );
        }
        if call.basic {
            let secret = self.api_secret.as_ref().ok_or(Error::NoSecret)?;
            let pair = format!("{}:{}", self.api_key.expose(), secret.expose());
            let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, pair);
            req = req.header(AUTHORIZATION, sensitive(&format!("Basic {b64}"))?);
        }
        match &call.body {
            Body::Empty => {}
            Body::Json(bytes) => {
                req = req
                    .header(CONTENT_TYPE, "application/json")
                    .body(bytes.clone());
            }
            Body::Form(pairs) => {
                let mut s = url::form_urlencoded::Serializer::new(String::new());
                for (k, v) in pairs {
                    s.append_pair(k, v);
                }
                req = req
                    .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(s.finish());
            }
        }
        let resp = req.send().await.map_err(network)?;
        let status = resp.status().as_u16();
        let header = |name| {
            resp.headers()
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let html =
            header(CONTENT_TYPE).is_some_and(|c| c.to_ascii_lowercase().contains("text/html"));
        let retry_after = header(RETRY_AFTER).and_then(|v| parse_retry_after(&v));
        let body = resp.bytes().await.map_err(network)?;
        tracing::debug!(
            call = call.name,
            status,
            bytes = body.len(),
            "trustpilot answered"
        );
        if (200..300).contains(&status) {
            return Ok(body);
        }
        Err(classify(&ErrorAnswer {
            status,
            html,
            class: call.class,
            body: &body,
            retry_after,
        }))
    }
}
