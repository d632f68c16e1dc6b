//! Signing in with each grant of Trustpilot's Authentication page, then placing the sign-in
//! on a business unit.

use std::time::SystemTime;

use reviewdesk_core::{Environment, TrustpilotId};
use reviewdesk_trustpilot::{
    AuthorizeRequest, Credential, Error as TpError, ResponseType, ReviewQuery, Secret, TokenSet,
    TrustpilotClient, Url,
};

use crate::callback::{CallbackRejection, ProviderError};
use crate::login::{random_state, LOGIN_TTL};

use super::accounts::KnownTrustpilotAccount;
use super::callback::{parse_trustpilot_callback, TrustpilotCallback};
use super::codec::{self, AccountSecrets, TrustpilotApp, TrustpilotGrant};
use super::error::TrustpilotAuthError;
use super::pending::{BrowserGrant, PendingSignIn};
use super::{lock, BusinessUnitSummary, Live, TrustpilotAccounts, TrustpilotStatus, Unplaced};

/// Longest redirect URI accepted.
const MAX_REDIRECT_LEN: usize = 1024;

/// What the merchant fills in for a browser sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserSignIn {
    /// Authorization code (recommended) or implicit.
    pub grant: BrowserGrant,
    /// The application; its secret is required for the code grant and never kept for implicit.
    pub app: TrustpilotApp,
    /// The https address the merchant registered for the application, where they host
    /// ReviewDesk's redirect page ([`super::TRUSTPILOT_REDIRECT_PAGE`]).
    pub redirect_uri: String,
    /// The business user who answers reviews, optional for these grants.
    pub business_user_id: Option<TrustpilotId>,
}

/// What the UI needs while the browser is open. `Debug` leaves out the URL (it carries the
/// API key as `client_id`): open it, do not log it.
#[derive(Clone, PartialEq, Eq)]
pub struct TrustpilotLoginStart {
    /// Open this in the system browser (never in a webview).
    pub authorize_url: Url,
    /// Which grant.
    pub grant: BrowserGrant,
    /// After this instant the callback is refused.
    pub expires_at: SystemTime,
}

impl std::fmt::Debug for TrustpilotLoginStart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustpilotLoginStart")
            .field("grant", &self.grant)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// A sign-in that worked, waiting for its business unit
/// ([`TrustpilotAccounts::find_business_unit`], [`TrustpilotAccounts::choose_business_unit`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInReady {
    /// How it signed in.
    pub grant: TrustpilotGrant,
    /// How long it lasts, as a sentence (the implicit grant's four days).
    pub renewal: String,
}

/// How a browser callback ended (errors aside).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInOutcome {
    /// Signed in: pick the business unit next.
    Ready(SignInReady),
    /// The merchant cancelled on Trustpilot's page.
    Declined,
}

/// A callback that belongs to the sign-in in progress, which it consumed: finish it with
/// [`TrustpilotAccounts::finish_sign_in`]. `Debug` shows no credential.
#[derive(Debug)]
pub struct AcceptedTrustpilotCallback {
    pending: PendingSignIn,
    callback: TrustpilotCallback,
}

/// Trims what was pasted and refuses what cannot be a credential (no sentence echoes it).
fn clean_credential(s: &Secret, what: &str) -> Result<Secret, TrustpilotAuthError> {
    let t = s.expose().trim();
    if t.is_empty() {
        return Err(TrustpilotAuthError::Input(format!("Enter the {what}.")));
    }
    if t.len() > 512 || t.bytes().any(|b| b <= b' ' || b >= 0x7f) {
        return Err(TrustpilotAuthError::Input(format!(
            "The {what} has characters a Trustpilot {what} never has; copy it again from Trustpilot Business (Integrations > Developers > APIs)."
        )));
    }
    Ok(Secret::new(t))
}

impl TrustpilotApp {
    /// The application with its values trimmed and checked; the secret is required when
    /// `needs_secret` and dropped otherwise (implicit keeps no secret on the machine).
    fn cleaned(&self, needs_secret: bool) -> Result<Self, TrustpilotAuthError> {
        let api_key = clean_credential(&self.api_key, "API key")?;
        let api_secret = if needs_secret {
            let s = self
                .api_secret
                .as_ref()
                .ok_or_else(|| TrustpilotAuthError::Input("Enter the API secret.".into()))?;
            Some(clean_credential(s, "API secret")?)
        } else {
            None
        };
        Ok(Self {
            api_key,
            api_secret,
        })
    }
}

/// The registered redirect URI: https (Trustpilot's rule, SEEN-DOC) with a host, no
/// credentials or fragment; the sandbox alone also takes a loopback `http` address.
fn check_redirect(uri: &str, env: Environment) -> Result<String, TrustpilotAuthError> {
    let bad = || {
        TrustpilotAuthError::Input(
            "The redirect URI must be the https address you registered for the Trustpilot application (where ReviewDesk's redirect page is hosted), e.g. https://example.com/reviewdesk/trustpilot.html.".into(),
        )
    };
    let uri = uri.trim();
    if uri.len() > MAX_REDIRECT_LEN {
        return Err(bad());
    }
    let u = Url::parse(uri).map_err(|_| bad())?;
    let loopback = matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    let scheme_ok = match u.scheme() {
        "https" => true,
        "http" => loopback && env == Environment::Sandbox,
        _ => false,
    };
    if !scheme_ok
        || u.host_str().is_none()
        || !u.username().is_empty()
        || u.password().is_some()
        || u.fragment().is_some()
    {
        return Err(bad());
    }
    Ok(uri.to_owned())
}

impl TrustpilotAccounts {
    // ---- Browser grants (authorization code, implicit) ---------------------------------

    /// Starts a browser sign-in: opens nothing itself — open the returned URL in the system
    /// browser. A random `state` binds the callback to this attempt (10 minutes, one at a
    /// time; an earlier attempt is cancelled). The attempt is kept in the keyring too, so the
    /// callback still completes it after a cold start.
    pub async fn start_browser_sign_in(
        &self,
        req: BrowserSignIn,
    ) -> Result<TrustpilotLoginStart, TrustpilotAuthError> {
        let app = req
            .app
            .cleaned(req.grant == BrowserGrant::AuthorizationCode)?;
        let redirect_uri = check_redirect(&req.redirect_uri, self.inner.cfg.environment)?;
        let pending = PendingSignIn {
            state: random_state(),
            grant: req.grant,
            app,
            redirect_uri,
            business_user_id: req.business_user_id,
            started_at: self.now(),
        };
        let authorize_url = self.authorize_url_of(&pending)?;
        self.inner
            .store
            .set(&codec::pending_key(), pending.to_secret())
            .await?;
        let start = TrustpilotLoginStart {
            authorize_url,
            grant: pending.grant,
            expires_at: pending.started_at + LOGIN_TTL,
        };
        lock(&self.inner.flow).begin(pending);
        Ok(start)
    }

    fn authorize_url_of(&self, p: &PendingSignIn) -> Result<Url, TrustpilotAuthError> {
        let client = self.new_client(&p.app)?;
        Ok(client.authorize_url(&AuthorizeRequest {
            redirect_uri: p.redirect_uri.clone(),
            response_type: match p.grant {
                BrowserGrant::AuthorizationCode => ResponseType::Code,
                BrowserGrant::Implicit => ResponseType::Token,
            },
            state: Some(p.state.clone()),
        }))
    }

    /// The browser sign-in in progress, if one waits and has not expired (also right after a
    /// cold start that resumed it).
    pub fn pending_sign_in(&self) -> Option<TrustpilotLoginStart> {
        let p = lock(&self.inner.flow).pending().cloned()?;
        if p.is_expired(self.now()) {
            return None;
        }
        Some(TrustpilotLoginStart {
            authorize_url: self.authorize_url_of(&p).ok()?,
            grant: p.grant,
            expires_at: p.started_at + LOGIN_TTL,
        })
    }

    /// Cancels the browser sign-in in progress. Returns true if there was one.
    pub async fn cancel_sign_in(&self) -> bool {
        let cancelled = lock(&self.inner.flow).cancel();
        self.forget_pending().await;
        cancelled
    }

    /// Picks up a browser sign-in an earlier run started (the OS may have started this run to
    /// deliver its callback). An expired or damaged entry is removed.
    pub(super) async fn resume_pending(&self) {
        let stored = match self.inner.store.get(&codec::pending_key()).await {
            Ok(Some(s)) => s,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the Trustpilot sign-in in progress");
                return;
            }
        };
        match PendingSignIn::from_secret(&stored) {
            Some(p) if !p.is_expired(self.now()) => {
                tracing::info!("resuming the Trustpilot sign-in started by an earlier run");
                lock(&self.inner.flow).resume(p);
            }
            _ => self.forget_pending().await,
        }
    }

    async fn forget_pending(&self) {
        if let Err(e) = self.inner.store.delete(&codec::pending_key()).await {
            tracing::warn!(error = %e, "could not delete the finished Trustpilot sign-in attempt");
        }
    }

    /// First half of handling `reviewdesk://trustpilot/callback?…`: parses it strictly and
    /// takes the sign-in in progress only when the link carries its `state`. Nothing slow
    /// happens; a refused link leaves the genuine attempt waiting.
    pub async fn accept_callback(
        &self,
        link: &str,
    ) -> Result<AcceptedTrustpilotCallback, CallbackRejection> {
        let callback = parse_trustpilot_callback(link)?;
        let taken = lock(&self.inner.flow).take(callback.state(), self.now());
        if matches!(taken, Ok(_) | Err(CallbackRejection::StateExpired)) {
            self.forget_pending().await;
        }
        let pending = taken?;
        // A code for an implicit attempt, or a token for a code attempt, is not what this
        // attempt asked for.
        let fits = matches!(
            (&callback, pending.grant),
            (
                TrustpilotCallback::Code { .. },
                BrowserGrant::AuthorizationCode
            ) | (TrustpilotCallback::Token { .. }, BrowserGrant::Implicit)
                | (TrustpilotCallback::Error { .. }, _)
        );
        if !fits {
            return Err(CallbackRejection::UnexpectedParameter);
        }
        Ok(AcceptedTrustpilotCallback { pending, callback })
    }

    /// Second half: exchanges the code (authorization code grant) or takes the token
    /// (implicit). The sign-in then waits for its business unit.
    pub async fn finish_sign_in(
        &self,
        accepted: AcceptedTrustpilotCallback,
    ) -> Result<SignInOutcome, TrustpilotAuthError> {
        let AcceptedTrustpilotCallback { pending, callback } = accepted;
        let client = self.new_client(&pending.app)?;
        match callback {
            TrustpilotCallback::Error {
                error: ProviderError::AccessDenied,
                ..
            } => return Ok(SignInOutcome::Declined),
            TrustpilotCallback::Error { error, .. } => {
                return Err(TrustpilotAuthError::Provider(error))
            }
            TrustpilotCallback::Code { code, .. } => {
                client
                    .sign_in_with_code(&code, &pending.redirect_uri)
                    .await?;
            }
            TrustpilotCallback::Token {
                access_token,
                expires_in,
                ..
            } => client.set_tokens(TokenSet {
                access_token,
                refresh_token: None,
                expires_at: Some(self.now_unix().saturating_add(expires_in)),
                refresh_expires_at: None,
                grant: reviewdesk_trustpilot::Grant::Implicit,
            }),
        }
        Ok(SignInOutcome::Ready(self.hold_unplaced(
            client,
            pending.app,
            pending.business_user_id,
        )))
    }

    /// [`TrustpilotAccounts::accept_callback`] then [`TrustpilotAccounts::finish_sign_in`].
    pub async fn complete_sign_in(&self, link: &str) -> Result<SignInOutcome, TrustpilotAuthError> {
        let accepted = self.accept_callback(link).await?;
        self.finish_sign_in(accepted).await
    }

    // ---- Password and client credentials -------------------------------------------------

    /// Password grant: `username` and `password` are sent once and never kept (only the
    /// tokens are). A business user with two-factor sign-in gets Trustpilot's refusal as a
    /// sentence pointing to the other grants.
    pub async fn sign_in_with_password(
        &self,
        app: TrustpilotApp,
        username: &str,
        password: Secret,
        business_user_id: Option<TrustpilotId>,
    ) -> Result<SignInReady, TrustpilotAuthError> {
        let app = app.cleaned(true)?;
        let username = username.trim();
        if username.is_empty() || password.is_empty() {
            return Err(TrustpilotAuthError::Input(
                "Enter the email and password of your Trustpilot Business login.".into(),
            ));
        }
        let client = self.new_client(&app)?;
        client.sign_in_with_password(username, &password).await?;
        drop(password);
        Ok(self.hold_unplaced(client, app, business_user_id))
    }

    /// Client-credentials grant: the application alone. The business user id is required
    /// (replies and invitations need it, since no user signs in). A new token is requested
    /// when the current one expires, never more often.
    pub async fn sign_in_with_client_credentials(
        &self,
        app: TrustpilotApp,
        business_user_id: TrustpilotId,
    ) -> Result<SignInReady, TrustpilotAuthError> {
        let app = app.cleaned(true)?;
        let client = self.new_client(&app)?;
        client.sign_in_with_client_credentials().await?;
        Ok(self.hold_unplaced(client, app, Some(business_user_id)))
    }

    fn hold_unplaced(
        &self,
        client: TrustpilotClient,
        app: TrustpilotApp,
        business_user_id: Option<TrustpilotId>,
    ) -> SignInReady {
        let tokens = client.tokens();
        let grant = tokens
            .as_ref()
            .map(|t| TrustpilotGrant::from_client(t.grant))
            .unwrap_or(TrustpilotGrant::Implicit);
        let renewal =
            super::renewal_sentence(grant, tokens.and_then(|t| t.expires_at), self.now_unix());
        let previous = lock(&self.inner.unplaced).replace(Unplaced {
            client,
            app,
            business_user_id,
        });
        if let Some(old) = previous {
            // An earlier sign-in that never got its business unit: its tokens are not needed.
            tokio::spawn(async move {
                if let Err(e) = old.client.sign_out().await {
                    tracing::warn!(error = %e, "could not revoke an unused Trustpilot sign-in");
                }
            });
        }
        SignInReady { grant, renewal }
    }

    /// True while a sign-in waits for its business unit.
    pub fn awaiting_business_unit(&self) -> bool {
        lock(&self.inner.unplaced).is_some()
    }

    // ---- The business unit ---------------------------------------------------------------

    /// Finds a business unit for the sign-in waiting to be placed: by its id, or by the
    /// name or domain Trustpilot knows it by (the shop's domain, or what the merchant types;
    /// `https://` and a trailing path are ignored). Nothing is stored yet.
    pub async fn find_business_unit(
        &self,
        name: &str,
    ) -> Result<BusinessUnitSummary, TrustpilotAuthError> {
        let client = lock(&self.inner.unplaced)
            .as_ref()
            .map(|u| u.client.clone())
            .ok_or(TrustpilotAuthError::NoSignInToPlace)?;
        let name = name.trim();
        let name = name
            .strip_prefix("https://")
            .or_else(|| name.strip_prefix("http://"))
            .unwrap_or(name);
        let name = name.split('/').next().unwrap_or("");
        if name.is_empty() || name.len() > 253 {
            return Err(TrustpilotAuthError::Input(
                "Type the business's domain as Trustpilot shows it (e.g. example.com), or its business unit id.".into(),
            ));
        }
        let found = match TrustpilotId::parse(name) {
            Ok(id) => client.business_unit(id.as_str()).await,
            Err(_) => client.find_business_unit(name).await,
        };
        match found {
            Ok(u) => BusinessUnitSummary::from_unit(u),
            Err(TpError::NotFound) => Err(TrustpilotAuthError::Input(
                "Trustpilot has no business unit by that name. Type the domain as it appears on your Trustpilot page (e.g. example.com).".into(),
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// Places the waiting sign-in on business unit `unit`: checks the sign-in can read its
    /// reviews, then keeps the credentials in the keyring (the account's entry and the
    /// application's), adds the account to the list and returns it with its TrustScore and
    /// star counts. A unit already signed in is replaced (its old tokens are revoked).
    pub async fn choose_business_unit(
        &self,
        unit: &TrustpilotId,
    ) -> Result<(TrustpilotStatus, BusinessUnitSummary), TrustpilotAuthError> {
        let Unplaced {
            client,
            app,
            business_user_id,
        } = lock(&self.inner.unplaced)
            .clone()
            .ok_or(TrustpilotAuthError::NoSignInToPlace)?;
        let summary = BusinessUnitSummary::from_unit(client.business_unit(unit.as_str()).await?)?;
        let probe = ReviewQuery {
            per_page: 1,
            ..ReviewQuery::default()
        };
        match client.private_reviews_page(unit.as_str(), &probe, 1).await {
            Ok(_) => {}
            Err(TpError::Unauthorized {
                credential: Credential::AccessToken,
            }) => {
                return Err(TrustpilotAuthError::UnitNotReadable(
                    summary.display_name.clone(),
                ))
            }
            Err(e) => return Err(e.into()),
        }
        let tokens = client.tokens().ok_or(TpError::NotSignedIn)?;
        let grant = TrustpilotGrant::from_client(tokens.grant);
        let fingerprint = app.fingerprint();
        let store = &self.inner.store;

        // The application's entry: an implicit sign-in adds no secret, and keeps one another
        // account of the same application already stored.
        let app_entry = codec::app_key(&fingerprint);
        let kept = match store.get(&app_entry).await? {
            Some(blob) => TrustpilotApp::decode(&blob).ok(),
            None => None,
        };
        let to_store = TrustpilotApp {
            api_key: app.api_key.clone(),
            api_secret: app
                .api_secret
                .clone()
                .or_else(|| kept.and_then(|k| k.api_secret)),
        };
        store.set(&app_entry, to_store.encode()).await?;
        let secrets = AccountSecrets {
            tokens,
            business_user_id: business_user_id.clone(),
        };
        store
            .set(&codec::account_key(unit), secrets.encode())
            .await?;

        let known = KnownTrustpilotAccount {
            business_unit_id: unit.clone(),
            display_name: summary.display_name.clone(),
            identifying_name: summary.identifying_name.clone(),
            grant,
            application: fingerprint,
        };
        let old_application = {
            let mut reg = self.inner.registry.lock().await;
            let old = reg.get(unit).map(|a| a.application.clone());
            reg.upsert(known.clone()).await?;
            old.filter(|fp| !reg.uses_application(fp))
        };
        if let Some(fp) = old_application {
            if let Err(e) = store.delete(&codec::app_key(&fp)).await {
                tracing::warn!(error = %e, "could not delete an unused Trustpilot application entry");
            }
        }
        lock(&self.inner.unplaced).take();
        let replaced = self.set_live(
            unit,
            Some(Live {
                client,
                business_user_id,
                persist: tokio::sync::Mutex::new(()),
            }),
        );
        if let Some(old) = replaced {
            if let Err(e) = old.client.sign_out().await {
                tracing::warn!(error = %e, "could not revoke the replaced Trustpilot sign-in");
            }
        }
        Ok((self.status_of(&known), summary))
    }
}

#[cfg(test)]
pub(super) mod tests_support {
    //! The private checks, for the unit tests beside the module.
    use super::*;

    pub fn check_redirect(uri: &str, env: Environment) -> Result<String, TrustpilotAuthError> {
        super::check_redirect(uri, env)
    }

    pub fn cleaned(
        app: &TrustpilotApp,
        needs_secret: bool,
    ) -> Result<TrustpilotApp, TrustpilotAuthError> {
        app.cleaned(needs_secret)
    }
}
