//! Signing in: the browser sign-in (start, the callback, the code exchange, an attempt kept
//! across a restart) and connecting with a shop's Public and Private Token.

use reviewdesk_core::{AuthMode, ShopId, ShopSession};
use reviewdesk_trustoo::{Auth, AuthorizeRequest, RatingQuery, Secret, Url};

use crate::callback::{parse_callback, CallbackParams, CallbackRejection, ProviderError};
use crate::error::AuthError;
use crate::login::{verifier, LoginStart, PendingLogin, LOGIN_TTL};
use crate::shops::{name_from_domain, normalize_shop_domain, KnownShop};
use crate::store::{SecretKind, StoreError, StoreKey};

use super::codec::{encode_hmac, OAuthTokens};
use super::{Creds, Live, LoginOutcome, SessionManager};

/// A callback link that belongs to the sign-in in progress, which it has consumed: the next
/// step is [`SessionManager::finish_login`]. Its `Debug` shows the shop only (the code and the
/// PKCE verifier are credentials).
pub struct AcceptedCallback {
    pending: PendingLogin,
    params: CallbackParams,
}

impl AcceptedCallback {
    /// The shop the merchant is signing in to.
    pub fn shop_domain(&self) -> &str {
        &self.pending.shop_domain
    }
}

impl std::fmt::Debug for AcceptedCallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AcceptedCallback")
            .field("shop_domain", &self.pending.shop_domain)
            .finish_non_exhaustive()
    }
}

impl SessionManager {
    // ---- Browser sign-in ----------------------------------------------------------------

    /// Starts a browser sign-in for `shop` (what the merchant typed: `my-store` or
    /// `my-store.myshopify.com`). Cancels any sign-in in progress. Open the returned URL in the
    /// system browser.
    ///
    /// The URL carries `client_id, redirect_uri, state, scope, response_type=code,
    /// code_challenge, code_challenge_method=S256`, plus `shop=<domain>` so the consent page can
    /// preselect the shop (Trustoo has no token-introspection endpoint; the domain is how we
    /// know which shop the tokens are for).
    ///
    /// The attempt is kept in the keyring too, so the callback still completes it when the
    /// app was closed meanwhile and the OS starts it afresh (cold start).
    pub async fn start_login(&self, shop: &str) -> Result<LoginStart, AuthError> {
        let shop_domain = normalize_shop_domain(shop)?;
        let now = self.now();
        let pending = PendingLogin::new(shop_domain.clone(), now);
        let url = self.authorize_url_of(&pending)?;
        self.inner
            .store
            .set(&Self::pending_key(), pending.to_secret())
            .await?;
        if self.login_flow().begin(pending) {
            tracing::info!("a newer sign-in replaced the one in progress");
        }
        Ok(LoginStart {
            authorize_url: url,
            shop_domain,
            expires_at: now + LOGIN_TTL,
        })
    }

    /// The consent page of `pending`: `client_id, redirect_uri, state, scope,
    /// response_type=code, code_challenge, code_challenge_method=S256`, plus `shop`.
    fn authorize_url_of(&self, pending: &PendingLogin) -> Result<Url, AuthError> {
        let mut url = self
            .inner
            .oauth
            .authorize_url(&AuthorizeRequest {
                redirect_uri: self.inner.cfg.redirect_uri.clone(),
                state: pending.state.clone(),
                scopes: self.inner.cfg.scopes.clone(),
                code_challenge: Some(pending.pkce.challenge.clone()),
            })
            .map_err(|e| AuthError::Config(e.to_string()))?;
        url.query_pairs_mut()
            .append_pair("shop", &pending.shop_domain);
        Ok(url)
    }

    /// The sign-in in progress, if one waits for its callback and has not expired: the one
    /// truth of "a sign-in is in progress", also right after a cold start that resumed it.
    pub fn pending_sign_in(&self) -> Option<LoginStart> {
        let pending = self.login_flow().pending().cloned()?;
        if pending.is_expired(self.now()) {
            return None;
        }
        let authorize_url = self.authorize_url_of(&pending).ok()?;
        Some(LoginStart {
            authorize_url,
            expires_at: pending.started_at + LOGIN_TTL,
            shop_domain: pending.shop_domain,
        })
    }

    /// Cancels the sign-in in progress (its callback will be refused). Returns true if there
    /// was one.
    pub async fn cancel_login(&self) -> bool {
        let cancelled = self.login_flow().cancel();
        self.forget_pending_login().await;
        cancelled
    }

    /// Handles the deep link `reviewdesk://oauth/callback?…` (pass the raw string the OS gave).
    /// On success the tokens are in the keyring, the shop is in the list and active.
    /// Same as [`SessionManager::accept_callback`] then [`SessionManager::finish_login`].
    pub async fn complete_login(&self, callback_url: &str) -> Result<LoginOutcome, AuthError> {
        let accepted = self.accept_callback(callback_url).await?;
        self.finish_login(accepted).await
    }

    /// First half of [`SessionManager::complete_login`]: parses the link strictly and takes the
    /// sign-in in progress if, and only if, the link belongs to it. Nothing slow happens here,
    /// so the caller knows at once whether this link is the genuine callback (then show
    /// "finishing sign-in" and call [`SessionManager::finish_login`]) or one to refuse.
    ///
    /// Why split: a refused link (forged, replayed, garbage, a second copy of the genuine one)
    /// must leave the sign-in in progress, and what the merchant sees of it, untouched. The
    /// pending attempt, in memory and in the keyring, is only consumed by its own `state`.
    pub async fn accept_callback(
        &self,
        callback_url: &str,
    ) -> Result<AcceptedCallback, CallbackRejection> {
        let params = parse_callback(callback_url, &self.inner.redirect)?;
        let taken = self.login_flow().take(params.state(), self.now());
        // Only a link with the pending attempt's own state consumes it (a match, or a match
        // that came too late); then its keyring copy goes too. A replayed state (an older,
        // spent attempt) leaves the newer attempt pending, and its keyring copy with it, so a
        // cold start can still finish it.
        if matches!(taken, Ok(_) | Err(CallbackRejection::StateExpired)) {
            self.forget_pending_login().await;
        }
        Ok(AcceptedCallback {
            pending: taken?,
            params,
        })
    }

    /// Second half of [`SessionManager::complete_login`]: exchanges the code of an accepted
    /// callback, confirms the shop and stores the tokens.
    pub async fn finish_login(
        &self,
        accepted: AcceptedCallback,
    ) -> Result<LoginOutcome, AuthError> {
        let AcceptedCallback { pending, params } = accepted;
        let code = match params {
            CallbackParams::Code { code, .. } => code,
            CallbackParams::Error {
                error: ProviderError::AccessDenied,
                ..
            } => return Ok(LoginOutcome::Declined),
            CallbackParams::Error { error, .. } => {
                return Err(CallbackRejection::Provider(error).into())
            }
        };
        let domain = pending.shop_domain.clone();
        let ts = self
            .inner
            .oauth
            .exchange_code(&code, &self.inner.cfg.redirect_uri, verifier(&pending))
            .await
            .map_err(|e| {
                if e.is_transient() {
                    AuthError::Trustoo(e)
                } else {
                    AuthError::Exchange(e)
                }
            })?;
        let granted = ts.scopes.clone();
        let tokens = OAuthTokens::from_set(ts, self.now(), None);

        // Which shop did the merchant authorize? Confirm it is the one they named.
        let info = match self.inner.oauth.authorization_info(&domain).await {
            Ok(i) => i,
            Err(e) => {
                self.revoke_quietly(&tokens).await;
                return Err(AuthError::Trustoo(e));
            }
        };
        let domain_matches =
            info.myshopify_domain.is_empty() || info.myshopify_domain.eq_ignore_ascii_case(&domain);
        if !info.is_authorized || !domain_matches {
            self.revoke_quietly(&tokens).await;
            return Err(AuthError::WrongShop);
        }
        if let Err(e) = self.persist_oauth(&domain, &tokens).await {
            self.revoke_quietly(&tokens).await;
            return Err(e);
        }
        // One mode per shop: drop an older HMAC entry.
        if let Err(e) = self
            .inner
            .store
            .delete(&StoreKey::new(&domain, SecretKind::Hmac))
            .await
        {
            tracing::warn!(error = %e, "could not delete an older HMAC entry");
        }
        let scopes = if granted.is_empty() {
            info.granted_scopes.clone()
        } else {
            granted
        };
        let shop_id = (!info.shop_id.as_str().is_empty()).then(|| info.shop_id.clone());
        let client = self.new_client(Auth::Bearer(tokens.access.clone()))?;
        let known = self
            .remember_shop(&domain, None, shop_id, scopes, AuthMode::Oauth)
            .await?;
        self.install_live(
            &domain,
            Live {
                client,
                creds: tokio::sync::Mutex::new(Creds::OAuth(tokens)),
            },
        )
        .await;
        Ok(LoginOutcome::SignedIn(self.session_of(&known)))
    }

    /// Adds/updates the shop in the file and makes it active; keeps an existing name.
    pub(super) async fn remember_shop(
        &self,
        domain: &str,
        name: Option<String>,
        shop_id: Option<ShopId>,
        scopes: Vec<String>,
        auth_mode: AuthMode,
    ) -> Result<KnownShop, AuthError> {
        let mut shops = self.inner.shops.lock().await;
        let old = shops.get(domain).cloned();
        let known = KnownShop {
            domain: domain.to_owned(),
            name: name
                .filter(|n| !n.trim().is_empty())
                .or_else(|| old.as_ref().map(|o| o.name.clone()))
                .unwrap_or_else(|| name_from_domain(domain)),
            shop_id: shop_id.or_else(|| old.and_then(|o| o.shop_id)),
            scopes,
            auth_mode,
        };
        shops.upsert_active(known.clone()).await?;
        Ok(known)
    }

    /// Installs a live session; the tokens of a replaced OAuth session are revoked quietly.
    pub(super) async fn install_live(&self, domain: &str, live: Live) {
        if let Some(old) = self.set_live(domain, Some(live)) {
            let creds = std::mem::replace(&mut *old.creds.lock().await, Creds::Expired);
            if let Creds::OAuth(t) = creds {
                self.revoke_quietly(&t).await;
            }
        }
    }

    pub(super) async fn revoke_quietly(&self, t: &OAuthTokens) {
        let token = t.refresh.as_ref().unwrap_or(&t.access);
        if let Err(e) = self.inner.oauth.revoke(token).await {
            tracing::warn!(error = %e, "could not revoke unused tokens");
        }
    }

    /// Saves OAuth tokens; if the blob is too large for the keyring, saves only the refresh
    /// token (the access token then lives in memory only).
    pub(super) async fn persist_oauth(
        &self,
        domain: &str,
        t: &OAuthTokens,
    ) -> Result<(), AuthError> {
        let key = StoreKey::new(domain, SecretKind::OAuth);
        match self.inner.store.set(&key, t.encode(true)).await {
            Err(StoreError::TooLarge { .. }) if t.refresh.is_some() => {
                tracing::info!(
                    "tokens too large for the keyring; keeping the access token in memory only"
                );
                Ok(self.inner.store.set(&key, t.encode(false)).await?)
            }
            other => Ok(other?),
        }
    }

    // ---- HMAC connect -------------------------------------------------------------------

    /// Connects a shop with its Public and Private Token (HMAC mode). The tokens are checked
    /// with a cheap read (`get_rating`) before anything is stored.
    pub async fn connect_hmac(
        &self,
        shop: &str,
        shop_name: Option<String>,
        public_token: Secret,
        private_token: Secret,
    ) -> Result<ShopSession, AuthError> {
        let domain = normalize_shop_domain(shop)?;
        if public_token.is_empty() || private_token.is_empty() {
            return Err(AuthError::CredentialsRejected);
        }
        let auth = Auth::Hmac {
            public_token: public_token.clone(),
            private_token: private_token.clone(),
        };
        let client = self.new_client(auth)?;
        match client.get_rating(RatingQuery::all()).await {
            Ok(_) => {}
            Err(reviewdesk_trustoo::Error::Unauthorized { .. }) => {
                return Err(AuthError::CredentialsRejected)
            }
            Err(e) => return Err(AuthError::Trustoo(e)),
        }
        // The shop id, if the platform endpoint knows the shop (best effort).
        let shop_id = match self.inner.oauth.authorization_info(&domain).await {
            Ok(i)
                if i.myshopify_domain.eq_ignore_ascii_case(&domain)
                    && !i.shop_id.as_str().is_empty() =>
            {
                Some(i.shop_id)
            }
            _ => None,
        };
        self.inner
            .store
            .set(
                &StoreKey::new(&domain, SecretKind::Hmac),
                encode_hmac(&public_token, &private_token),
            )
            .await?;
        if let Err(e) = self
            .inner
            .store
            .delete(&StoreKey::new(&domain, SecretKind::OAuth))
            .await
        {
            tracing::warn!(error = %e, "could not delete older OAuth tokens");
        }
        let known = self
            .remember_shop(&domain, shop_name, shop_id, Vec::new(), AuthMode::Hmac)
            .await?;
        self.install_live(
            &domain,
            Live {
                client,
                creds: tokio::sync::Mutex::new(Creds::Hmac),
            },
        )
        .await;
        Ok(self.session_of(&known))
    }
}
