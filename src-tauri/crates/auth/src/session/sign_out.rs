//! Ending a shop's connection, every step reported: sign-out (revoke the tokens, forget the
//! shop here) and disconnect (also end ReviewDesk's authorization on Trustoo, and keep or
//! delete the shop's local data).

use reviewdesk_core::ShopSession;
use reviewdesk_trustoo::Auth;

use crate::shop::authorization::{gather, LocalDataChoice};
use crate::shops::normalize_shop_domain;
use crate::store::{SecretKind, StoreKey};

use super::codec::OAuthTokens;
use super::{Creds, SessionManager};

/// One step of sign-out or disconnect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignOutStep {
    /// `POST oauth/disconnect` with the Bearer token (disconnect only).
    Disconnect,
    /// Revoke the refresh token.
    RevokeRefreshToken,
    /// Revoke the access token.
    RevokeAccessToken,
    /// Delete the shop's keyring entries.
    DeleteKeyringEntries,
    /// Remove the shop from the known-shops file.
    ForgetShop,
    /// Delete the shop's reviews, drafts and history from this computer (disconnect, when asked).
    DeleteLocalData,
    /// Keep them (disconnect, when asked).
    KeepLocalData,
}

impl SignOutStep {
    /// What the step does, as the report shows it to the merchant.
    pub fn sentence(self) -> &'static str {
        match self {
            SignOutStep::Disconnect => "Disconnect ReviewDesk on Trustoo",
            SignOutStep::RevokeRefreshToken => "Revoke the refresh token",
            SignOutStep::RevokeAccessToken => "Revoke the access token",
            SignOutStep::DeleteKeyringEntries => "Delete the keyring entries",
            SignOutStep::ForgetShop => "Remove the shop from ReviewDesk",
            SignOutStep::DeleteLocalData => {
                "Delete the shop's reviews and drafts from this computer"
            }
            SignOutStep::KeepLocalData => "Keep the shop's reviews and drafts on this computer",
        }
    }
}

/// How one step went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepResult {
    /// Done.
    Done,
    /// Not applicable (e.g. no OAuth tokens for an HMAC shop).
    Skipped,
    /// Failed; the message is safe to show (no secrets).
    Failed(String),
}

/// What sign-out or disconnect did. Every step runs even when an earlier one fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOutReport {
    /// The shop.
    pub shop_domain: String,
    /// Each step in order.
    pub steps: Vec<(SignOutStep, StepResult)>,
}

impl SignOutReport {
    /// True when no step failed.
    pub fn is_clean(&self) -> bool {
        self.steps
            .iter()
            .all(|(_, r)| !matches!(r, StepResult::Failed(_)))
    }

    /// The result of one step.
    pub fn step(&self, step: SignOutStep) -> Option<&StepResult> {
        self.steps.iter().find(|(s, _)| *s == step).map(|(_, r)| r)
    }
}

fn fail(e: &dyn std::fmt::Display) -> StepResult {
    StepResult::Failed(e.to_string())
}

impl SessionManager {
    // ---- Sign-out and disconnect ---------------------------------------------------------

    /// Signs a shop out: revoke the refresh and access token, delete the keyring entries,
    /// forget the shop. ReviewDesk stays authorized on Trustoo (signing in again needs no new
    /// consent); [`SessionManager::disconnect`] ends that too. Every step runs even if an
    /// earlier one failed. Drafts and cached reviews are the caller's and are not touched.
    pub async fn sign_out(&self, shop: &str) -> SignOutReport {
        self.end(shop, false).await
    }

    /// Disconnects ReviewDesk from a shop: `POST oauth/disconnect` (Bearer; a shop connected
    /// with its Public/Private Token has no platform authorization to end, so the step is
    /// skipped), then revoke the tokens, delete the keyring entries, forget the shop, and keep or
    /// delete its local data as the merchant chose. Every step runs and is reported. Only this
    /// shop's keyring entries go.
    pub async fn disconnect(&self, shop: &str, local: LocalDataChoice<'_>) -> SignOutReport {
        let mut report = self.end(shop, true).await;
        let step = match local {
            LocalDataChoice::Keep => (SignOutStep::KeepLocalData, StepResult::Done),
            LocalDataChoice::Delete(data) => (
                SignOutStep::DeleteLocalData,
                // This manager's sessions are Trustoo's: the shop domain is the account's id.
                data.forget(&reviewdesk_core::AccountKey::trustoo(&report.shop_domain))
                    .await
                    .map_or_else(StepResult::Failed, |_| StepResult::Done),
            ),
        };
        report.steps.push(step);
        report
    }

    /// The Shop page's facts for `session` (Trustoo asked with the platform's credentials).
    pub async fn shop_authorization(
        &self,
        session: &ShopSession,
    ) -> reviewdesk_core::ShopAuthorization {
        gather(self.inner.oauth.as_ref(), session).await
    }

    /// The steps sign-out and disconnect share; `disconnect` adds Trustoo's disconnect first.
    async fn end(&self, shop: &str, disconnect: bool) -> SignOutReport {
        let domain = normalize_shop_domain(shop).unwrap_or_else(|_| shop.to_owned());
        let mut steps = Vec::new();
        let live = self.set_live(&domain, None);
        let creds = match &live {
            Some(l) => std::mem::replace(&mut *l.creds.lock().await, Creds::Expired),
            None => Creds::Expired,
        };
        match (creds, live) {
            (Creds::OAuth(mut t), Some(live)) => {
                if disconnect {
                    // Disconnect needs a working Bearer token; refresh once if it was refused.
                    let mut r = live.client.disconnect().await;
                    if matches!(r, Err(reviewdesk_trustoo::Error::Unauthorized { .. })) {
                        if let Some(rt) = t.refresh.clone() {
                            if let Ok(ts) = self.inner.oauth.refresh(&rt).await {
                                t = OAuthTokens::from_set(ts, self.now(), Some(rt));
                                live.client.set_auth(Auth::Bearer(t.access.clone()));
                                r = live.client.disconnect().await;
                            }
                        }
                    }
                    steps.push((
                        SignOutStep::Disconnect,
                        r.map_or_else(|e| fail(&e), |_| StepResult::Done),
                    ));
                }
                let refresh = match &t.refresh {
                    Some(rt) => self
                        .inner
                        .oauth
                        .revoke(rt)
                        .await
                        .map_or_else(|e| fail(&e), |_| StepResult::Done),
                    None => StepResult::Skipped,
                };
                steps.push((SignOutStep::RevokeRefreshToken, refresh));
                let access = self
                    .inner
                    .oauth
                    .revoke(&t.access)
                    .await
                    .map_or_else(|e| fail(&e), |_| StepResult::Done);
                steps.push((SignOutStep::RevokeAccessToken, access));
            }
            _ => {
                if disconnect {
                    steps.push((SignOutStep::Disconnect, StepResult::Skipped));
                }
                steps.push((SignOutStep::RevokeRefreshToken, StepResult::Skipped));
                steps.push((SignOutStep::RevokeAccessToken, StepResult::Skipped));
            }
        }
        let mut deleted = StepResult::Done;
        for kind in [SecretKind::OAuth, SecretKind::Hmac] {
            if let Err(e) = self.inner.store.delete(&StoreKey::new(&domain, kind)).await {
                deleted = fail(&e);
            }
        }
        steps.push((SignOutStep::DeleteKeyringEntries, deleted));
        let forgot = self
            .inner
            .shops
            .lock()
            .await
            .remove(&domain)
            .await
            .map_or_else(|e| fail(&e), |_| StepResult::Done);
        steps.push((SignOutStep::ForgetShop, forgot));
        SignOutReport {
            shop_domain: domain,
            steps,
        }
    }
}
