//! The HTTP machinery shared by every endpoint: base URL, auth headers, retries, decoding.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand::Rng;
use reqwest::header::{
    HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE,
};
use reqwest::{redirect, Method};
use url::Url;

use crate::auth::{sign, string_to_sign_get, string_to_sign_post, Auth};
use crate::error::{parse_retry_after, Error};
use crate::retry::{decide, Decision, MethodKind, Outcome, RetryConfig};
use crate::wire::{interpret, Data};

/// Production API root.
pub const PRODUCTION_BASE_URL: &str = "https://rapi.trustoo.io";

/// Network timeouts.
///
/// Why no whole-request timeout: uploads of large videos legitimately take minutes; what we want
/// to catch is a connection that cannot be made or goes silent.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// TCP + TLS connect.
    pub connect: Duration,
    /// Silence allowed while waiting for (each read of) the answer; for uploads, silence allowed
    /// between body chunks and before the answer.
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

/// Everything needed to build a [`TrustooClient`].
///
/// Why the base URL is explicit: the same client must run against `https://rapi.trustoo.io` and
/// the sandbox emulator, chosen by base URL alone.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// API root, e.g. [`PRODUCTION_BASE_URL`] or `Sandbox::base_url()`. A path prefix is kept.
    pub base_url: Url,
    /// Initial credentials (swap later with [`TrustooClient::set_auth`]).
    pub auth: Auth,
    /// `User-Agent` header.
    pub user_agent: String,
    /// Connect/read timeouts.
    pub timeouts: Timeouts,
    /// Retry bounds.
    pub retry: RetryConfig,
}

impl ClientConfig {
    /// A config with default user agent, timeouts and retries.
    pub fn new(base_url: Url, auth: Auth) -> Self {
        Self {
            base_url,
            auth,
            user_agent: default_user_agent(),
            timeouts: Timeouts::default(),
            retry: RetryConfig::default(),
        }
    }
}

/// `ReviewDesk/<version>`.
pub fn default_user_agent() -> String {
    concat!("ReviewDesk/", env!("CARGO_PKG_VERSION")).to_owned()
}

/// Checks and normalises a base URL so that `join("api/v1/…")` appends to its path.
pub(crate) fn normalise_base(mut base: Url) -> Result<Url, Error> {
    if !matches!(base.scheme(), "http" | "https") {
        return Err(Error::Config("base URL must be http or https".into()));
    }
    if base.cannot_be_a_base() || base.host_str().is_none() {
        return Err(Error::Config("base URL needs a host".into()));
    }
    if !base.username().is_empty() || base.password().is_some() {
        return Err(Error::Config("base URL must not carry credentials".into()));
    }
    base.set_query(None);
    base.set_fragment(None);
    if !base.path().ends_with('/') {
        let p = format!("{}/", base.path());
        base.set_path(&p);
    }
    Ok(base)
}

/// Builds a reqwest client: rustls, no redirects, connect timeout, and what `purpose` needs.
pub(crate) fn build_http(
    user_agent: &str,
    timeouts: Timeouts,
    purpose: HttpPurpose,
) -> Result<reqwest::Client, Error> {
    let mut b = reqwest::Client::builder()
        .user_agent(user_agent)
        .redirect(redirect::Policy::none())
        .connect_timeout(timeouts.connect);
    match purpose {
        HttpPurpose::Api => b = b.read_timeout(timeouts.read),
        // No idle pool: each upload runs on a runtime of its own that ends with it, so a
        // connection kept from one upload would be dead for the next (see upload.rs).
        HttpPurpose::Upload => b = b.pool_max_idle_per_host(0),
    }
    b.build()
        .map_err(|_| Error::Config("could not build the HTTP client".into()))
}

/// What an HTTP client is built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HttpPurpose {
    /// API calls: a read timeout per call, pooled connections.
    Api,
    /// Uploads to the storage host: no read timeout (an idle watchdog instead, since a long
    /// upload is legitimately slow) and no pooled connections.
    Upload,
}

/// One API call, rebuilt (and re-signed, with a fresh timestamp) on every attempt.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    /// Name for logs and decode errors (never the URL: queries may hold secrets).
    pub name: &'static str,
    pub method: Method,
    /// Relative path without leading slash, e.g. `api/v1/openapi/get_rating`.
    pub path: &'static str,
    /// Decoded query pairs in sending order.
    pub query: Vec<(String, String)>,
    /// Raw JSON body (POST).
    pub body: Option<Vec<u8>>,
    pub kind: MethodKind,
}

impl Call {
    pub(crate) fn get(
        name: &'static str,
        path: &'static str,
        query: Vec<(String, String)>,
    ) -> Self {
        Self {
            name,
            method: Method::GET,
            path,
            query,
            body: None,
            kind: MethodKind::Idempotent,
        }
    }

    pub(crate) fn post_json<B: serde::Serialize>(
        name: &'static str,
        path: &'static str,
        body: &B,
    ) -> Result<Self, Error> {
        let body = serde_json::to_vec(body)
            .map_err(|_| Error::Config(format!("could not encode the {name} request")))?;
        Ok(Self {
            name,
            method: Method::POST,
            path,
            query: Vec::new(),
            body: Some(body),
            kind: MethodKind::NonIdempotent,
        })
    }

    pub(crate) fn post_empty(name: &'static str, path: &'static str) -> Self {
        Self {
            name,
            method: Method::POST,
            path,
            query: Vec::new(),
            body: None,
            kind: MethodKind::NonIdempotent,
        }
    }
}

/// Base URL + HTTP client + retry policy; knows nothing about endpoints.
#[derive(Debug)]
pub(crate) struct Transport {
    pub http: reqwest::Client,
    pub base: Url,
    pub retry: RetryConfig,
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn sensitive(value: &str) -> Result<HeaderValue, Error> {
    let mut v = HeaderValue::from_str(value).map_err(|_| {
        Error::Config("credential contains characters not allowed in a header".into())
    })?;
    v.set_sensitive(true);
    Ok(v)
}

impl Transport {
    /// Runs `call` with retries; `auth` is re-read before every attempt so a token swapped by a
    /// concurrent refresh is picked up.
    pub(crate) async fn run(
        &self,
        call: &Call,
        auth: &(dyn Fn() -> Option<Auth> + Send + Sync),
    ) -> Result<Data, Error> {
        let mut attempt: u32 = 1;
        let mut waited = Duration::ZERO;
        loop {
            let creds = auth();
            match self.once(call, creds.as_ref(), attempt).await {
                Ok(v) => return Ok(v),
                Err(e) => {
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
                            tracing::debug!(call = call.name, attempt, error = %e, "trustoo call failed");
                            return Err(e);
                        }
                        Decision::Retry(delay) => {
                            tracing::debug!(
                                call = call.name,
                                attempt,
                                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                                error = %e,
                                "retrying trustoo call"
                            );
                            self.retry.sleeper.sleep(delay).await;
                            waited = waited.saturating_add(delay);
                            attempt += 1;
                        }
                    }
                }
            }
        }
    }

    async fn once(&self, call: &Call, auth: Option<&Auth>, attempt: u32) -> Result<Data, Error> {
        let url = self
            .base
            .join(call.path)
            .map_err(|_| Error::Config("invalid endpoint path".into()))?;
        let mut req = self
            .http
            .request(call.method.clone(), url)
            .header(ACCEPT, "application/json");
        if !call.query.is_empty() {
            req = req.query(&call.query);
        }
        match auth {
            Some(Auth::Bearer(token)) => {
                req = req.header(
                    AUTHORIZATION,
                    sensitive(&format!("Bearer {}", token.expose()))?,
                );
            }
            Some(Auth::Hmac {
                public_token,
                private_token,
            }) => {
                let ts = unix_now();
                let signature = if call.method == Method::GET {
                    sign(
                        private_token,
                        string_to_sign_get(&call.query, ts).as_bytes(),
                    )
                } else {
                    sign(
                        private_token,
                        &string_to_sign_post(ts, call.body.as_deref().unwrap_or_default()),
                    )
                };
                req = req
                    .header("Public-Token", sensitive(public_token.expose())?)
                    .header("Timestamp", ts.to_string())
                    .header("Sign", sensitive(&signature)?);
            }
            None => {}
        }
        if let Some(body) = &call.body {
            req = req
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let resp = req.send().await.map_err(Error::from_reqwest)?;
        let status = resp.status().as_u16();
        let header = |name| {
            resp.headers()
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let www = header(WWW_AUTHENTICATE);
        let retry_after = header(RETRY_AFTER).and_then(|v| parse_retry_after(&v));
        let request_id = header(reqwest::header::HeaderName::from_static("x-request-id"));
        let body = resp.bytes().await.map_err(Error::from_reqwest)?;
        tracing::debug!(
            call = call.name,
            attempt,
            status,
            bytes = body.len(),
            request_id = request_id.as_deref().unwrap_or(""),
            "trustoo answered"
        );
        interpret(call.name, status, &body, www.as_deref(), retry_after)
    }
}

/// Gets the client new credentials after Trustoo refused the ones a call carried (HTTP 401).
///
/// Why inside the client: every endpoint goes through [`TrustooClient`]'s one call path, so a
/// renewer installed once ([`TrustooClient::set_renewer`], done by the session manager for every
/// signed-in shop) covers every call of every feature (sync pages, deletes, exclusions, uploads'
/// policies…). There is no way to call Trustoo that skips it.
pub trait Renewer: Send + Sync + std::fmt::Debug {
    /// Called with the credentials the refused call carried. `Ok(true)`: the client now holds
    /// new credentials (set with [`TrustooClient::set_auth`]) and the call is made once more.
    /// `Ok(false)`: nothing can renew them (the sign-in ended, or the shop's own tokens were
    /// refused), so the 401 stands. `Err`: renewing failed (e.g. Trustoo unreachable), and that
    /// is the call's error. Implementations must be single-flight: many calls refused with the
    /// same credentials lead to one renewal.
    fn renew<'a>(&'a self, rejected: &'a Auth) -> RenewFuture<'a>;
}

/// What [`Renewer::renew`] returns.
pub type RenewFuture<'a> = Pin<Box<dyn Future<Output = Result<bool, Error>> + Send + 'a>>;

/// The Trustoo Open API client for data endpoints (reviews, webhooks, media, customers, …).
///
/// Why `Clone` + shared state: the app hands clones to many tasks; a token refresh done by one
/// ([`TrustooClient::set_auth`]) is seen by all of them, including calls mid-retry.
#[derive(Clone, Debug)]
pub struct TrustooClient {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub transport: Transport,
    pub upload_http: reqwest::Client,
    pub timeouts: Timeouts,
    pub auth: RwLock<Auth>,
    pub renewer: RwLock<Option<Arc<dyn Renewer>>>,
}

impl TrustooClient {
    /// Builds a client; fails only on an unusable base URL or TLS setup.
    pub fn new(config: ClientConfig) -> Result<Self, Error> {
        let base = normalise_base(config.base_url)?;
        let http = build_http(&config.user_agent, config.timeouts, HttpPurpose::Api)?;
        let upload_http = build_http(&config.user_agent, config.timeouts, HttpPurpose::Upload)?;
        Ok(Self {
            inner: Arc::new(Inner {
                transport: Transport {
                    http,
                    base,
                    retry: config.retry,
                },
                upload_http,
                timeouts: config.timeouts,
                auth: RwLock::new(config.auth),
                renewer: RwLock::new(None),
            }),
        })
    }

    /// Replaces the credentials (e.g. after an OAuth refresh); affects every clone.
    pub fn set_auth(&self, auth: Auth) {
        let mut guard = self
            .inner
            .auth
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *guard = auth;
    }

    /// Installs what renews the credentials when Trustoo refuses them; affects every clone.
    /// Without one (the sandbox demo, tests) a 401 is the call's answer.
    pub fn set_renewer(&self, renewer: Arc<dyn Renewer>) {
        let mut guard = self
            .inner
            .renewer
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *guard = Some(renewer);
    }

    fn renewer(&self) -> Option<Arc<dyn Renewer>> {
        self.inner
            .renewer
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// A copy of the current credentials (for the sign-in code that persists them).
    pub fn auth(&self) -> Auth {
        self.inner
            .auth
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Bearer or HMAC, without exposing anything.
    pub fn auth_mode(&self) -> reviewdesk_core::AuthMode {
        self.auth().mode()
    }

    /// The normalised API root this client talks to.
    pub fn base_url(&self) -> &Url {
        &self.inner.transport.base
    }

    /// Runs a call with the client's credentials: the one path of every endpoint. On a 401
    /// the [`Renewer`] (if any) renews the credentials once and the call is made once more;
    /// a call that fails again with 401 gives up.
    pub(crate) async fn run(&self, call: Call) -> Result<Data, Error> {
        let (result, used) = self.run_with_current_auth(&call).await;
        let refused = matches!(result, Err(Error::Unauthorized { .. }));
        let renewer = match self.renewer() {
            Some(renewer) if refused => renewer,
            _ => return result,
        };
        tracing::debug!(call = call.name, "credentials refused; renewing them");
        match renewer.renew(&used).await {
            Ok(true) => self.run_with_current_auth(&call).await.0,
            Ok(false) => result,
            Err(renewal_failed) => Err(renewal_failed),
        }
    }

    /// One call (with the transport's retries), and the credentials its last attempt carried.
    async fn run_with_current_auth(&self, call: &Call) -> (Result<Data, Error>, Auth) {
        let last_used = Mutex::new(self.auth());
        let auth = || {
            let current = self.auth();
            *last_used.lock().unwrap_or_else(|p| p.into_inner()) = current.clone();
            Some(current)
        };
        let result = self.inner.transport.run(call, &auth).await;
        let used = last_used.into_inner().unwrap_or_else(|p| p.into_inner());
        (result, used)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn base_url_is_normalised() {
        let u = normalise_base(Url::parse("http://127.0.0.1:8080").unwrap()).unwrap();
        assert_eq!(
            u.join("api/v1/x").unwrap().as_str(),
            "http://127.0.0.1:8080/api/v1/x"
        );
        let u = normalise_base(Url::parse("https://example.com/prefix?x=1#f").unwrap()).unwrap();
        assert_eq!(
            u.join("api/v1/x").unwrap().as_str(),
            "https://example.com/prefix/api/v1/x"
        );
        assert!(normalise_base(Url::parse("ftp://example.com").unwrap()).is_err());
        assert!(normalise_base(Url::parse("https://u:p@example.com").unwrap()).is_err());
    }

    #[test]
    fn set_auth_is_seen_by_clones() {
        let c = TrustooClient::new(ClientConfig::new(
            Url::parse(PRODUCTION_BASE_URL).unwrap(),
            Auth::Bearer("old".into()),
        ))
        .unwrap();
        let c2 = c.clone();
        c.set_auth(Auth::Bearer("new".into()));
        assert_eq!(c2.auth(), Auth::Bearer("new".into()));
        assert_eq!(c2.auth_mode(), reviewdesk_core::AuthMode::Oauth);
    }
}
