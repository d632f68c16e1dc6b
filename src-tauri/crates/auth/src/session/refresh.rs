//! Using a session: the shop's client with a fresh token, and the single-flight refresh
//! behind it (before expiry, and when Trustoo refuses a token).

use std::sync::Arc;

use reviewdesk_trustoo::{Auth, Secret, TrustooClient};

use crate::error::AuthError;
use crate::shops::normalize_shop_domain;
use crate::store::{SecretKind, StoreKey};

use super::codec::OAuthTokens;
use super::{Creds, Inner, Live, SessionManager};

/// What a shop's client calls when Trustoo refuses its token: one refresh (single-flight
/// through [`SessionManager::ensure_fresh`]), after which the client retries the call.
///
/// Why weak references: the session owns the client and the client owns this; strong ones
/// would keep a signed-out session alive forever.
#[derive(Debug)]
pub(super) struct RefreshOn401 {
    pub(super) sessions: std::sync::Weak<Inner>,
    pub(super) live: std::sync::Weak<Live>,
    pub(super) domain: String,
}

impl reviewdesk_trustoo::Renewer for RefreshOn401 {
    fn renew<'a>(&'a self, rejected: &'a Auth) -> reviewdesk_trustoo::RenewFuture<'a> {
        Box::pin(async move {
            let (Some(inner), Some(live)) = (self.sessions.upgrade(), self.live.upgrade()) else {
                return Ok(false);
            };
            let sessions = SessionManager { inner };
            match sessions
                .after_unauthorized(&self.domain, &live, rejected)
                .await
            {
                Ok(()) => Ok(true),
                // The refresh itself could not be made (Trustoo unreachable, busy…): that is
                // what the call failed with, and the session is kept.
                Err(AuthError::Trustoo(e)) => Err(e),
                // The sign-in ended or the shop's own tokens were refused: the 401 stands.
                Err(e) => {
                    tracing::info!(error = %e, "credentials refused and cannot be renewed");
                    Ok(false)
                }
            }
        })
    }
}

/// Refresh refused for good (as opposed to a network or server problem).
fn refresh_rejected(e: &reviewdesk_trustoo::Error) -> bool {
    use reviewdesk_trustoo::Error as E;
    match e {
        E::Unauthorized { .. } => true,
        E::Validation { message } => message.contains("invalid_grant"),
        _ => false,
    }
}

impl SessionManager {
    // ---- Using a session ----------------------------------------------------------------

    pub(super) fn live_for(&self, shop: &str) -> Result<(String, Arc<Live>), AuthError> {
        let domain = normalize_shop_domain(shop)?;
        let live = self.live(&domain).ok_or(AuthError::NotSignedIn)?;
        Ok((domain, live))
    }

    /// The shop's client with a fresh token (refreshed first when it expires within the
    /// margin). Clones share credentials: a later refresh is seen by every clone. The client
    /// refreshes by itself when Trustoo refuses its token (401), single-flight across every
    /// clone and call, and makes the refused call once more: callers never handle a 401.
    pub async fn client(&self, shop: &str) -> Result<TrustooClient, AuthError> {
        let (domain, live) = self.live_for(shop)?;
        self.ensure_fresh(&domain, &live, None).await?;
        Ok(live.client.clone())
    }

    pub(super) async fn after_unauthorized(
        &self,
        domain: &str,
        live: &Live,
        used: &Auth,
    ) -> Result<(), AuthError> {
        match used {
            Auth::Bearer(token) => self.ensure_fresh(domain, live, Some(token)).await,
            Auth::Hmac { .. } => Err(AuthError::CredentialsRejected),
        }
    }

    /// The single-flight point: holds the shop's credential lock while refreshing, so
    /// concurrent callers wait and then see the new token instead of refreshing again.
    /// `failed`: the token a call was refused with (refresh only if it is still current).
    pub(super) async fn ensure_fresh(
        &self,
        domain: &str,
        live: &Live,
        failed: Option<&Secret>,
    ) -> Result<(), AuthError> {
        let mut creds = live.creds.lock().await;
        let refresh_token = match &*creds {
            Creds::Hmac => {
                return match failed {
                    Some(_) => Err(AuthError::CredentialsRejected),
                    None => Ok(()),
                }
            }
            Creds::Expired => return Err(AuthError::SessionExpired),
            Creds::OAuth(t) => {
                let needed = match failed {
                    Some(f) => t.access == *f,
                    None => {
                        let soon = self.now() + self.inner.cfg.refresh_margin;
                        t.access.is_empty() || t.expires_at.is_some_and(|e| e <= soon)
                    }
                };
                if !needed {
                    return Ok(());
                }
                t.refresh.clone()
            }
        };
        let Some(refresh_token) = refresh_token else {
            *creds = Creds::Expired;
            drop(creds);
            self.forget_dead_tokens(domain).await;
            return Err(AuthError::SessionExpired);
        };
        match self.inner.oauth.refresh(&refresh_token).await {
            Ok(ts) => {
                let new = OAuthTokens::from_set(ts, self.now(), Some(refresh_token));
                // Refresh tokens rotate: the old one is dead now, so save the new one. If the
                // keyring fails, the session goes on in memory; the next start asks to sign in.
                if let Err(e) = self.persist_oauth(domain, &new).await {
                    tracing::warn!(error = %e, "could not save refreshed tokens");
                }
                live.client.set_auth(Auth::Bearer(new.access.clone()));
                *creds = Creds::OAuth(new);
                tracing::debug!("access token refreshed");
                Ok(())
            }
            Err(e) if refresh_rejected(&e) => {
                *creds = Creds::Expired;
                drop(creds);
                self.forget_dead_tokens(domain).await;
                Err(AuthError::SessionExpired)
            }
            Err(e) => Err(AuthError::Trustoo(e)),
        }
    }

    pub(super) async fn forget_dead_tokens(&self, domain: &str) {
        if let Err(e) = self
            .inner
            .store
            .delete(&StoreKey::new(domain, SecretKind::OAuth))
            .await
        {
            tracing::warn!(error = %e, "could not delete expired tokens");
        }
    }
}
