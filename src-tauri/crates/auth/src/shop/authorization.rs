//! The Shop page's facts: how the sign-in connects ReviewDesk, and what Trustoo's "Get Shop
//! Authorization Info" and "Get Shop Installation Status" say, only as far as they say it.
//!
//! Both endpoints authenticate the platform (client id + secret), not the shop, so they answer
//! the same for a shop connected with its Public/Private Token: whether ReviewDesk's browser
//! sign-in is authorized there. A call that fails leaves its part `None` and says why in
//! `unavailable`; the page still shows the rest.

use std::future::Future;
use std::pin::Pin;

use reviewdesk_core::{
    scope_grants, AuthMode, AuthorizationFacts, InstallFacts, ShopAuthorization, ShopSession,
};

use crate::backend::OAuthBackend;

/// The shop's authorization as the Shop page shows it.
pub async fn gather(oauth: &dyn OAuthBackend, session: &ShopSession) -> ShopAuthorization {
    let mut unavailable = Vec::new();
    let (info, install) = tokio::join!(
        oauth.authorization_info(&session.domain),
        oauth.install_status(&session.domain)
    );
    let authorization = match info {
        Ok(info) => Some(AuthorizationFacts {
            is_authorized: info.is_authorized,
            authorized_at: info.authorized_at,
            granted_scopes: scope_grants(&info.granted_scopes),
            can_upload_video: info.can_upload_video,
        }),
        Err(e) => {
            unavailable.push(format!(
                "Trustoo did not say how this shop authorized ReviewDesk ({e})."
            ));
            None
        }
    };
    let installation = match install {
        Ok(s) => Some(InstallFacts {
            is_installed: s.is_installed,
            installed_at: s.installed_at,
        }),
        Err(e) => {
            unavailable.push(format!(
                "Trustoo did not say whether ReviewDesk is installed ({e})."
            ));
            None
        }
    };
    ShopAuthorization {
        domain: session.domain.clone(),
        shop_name: session.shop_name.clone(),
        auth_mode: session.auth_mode,
        session_scopes: match session.auth_mode {
            AuthMode::Oauth => scope_grants(&session.scopes),
            AuthMode::Hmac => Vec::new(),
        },
        missing_scopes: session.missing_scopes.clone(),
        authorization,
        installation,
        unavailable,
    }
}

/// A boxed, sendable future (keeps [`LocalData`] usable as a trait object).
pub type LocalFuture<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

/// The app's local copy of a shop's data (reviews, drafts, queue, history), which a disconnect
/// deletes when the merchant asks. Why a trait: the store belongs to the app, the steps to
/// this crate; tests count the calls.
pub trait LocalData: Send + Sync {
    /// Deletes every local row of the account; the error is a sentence safe to show.
    fn forget<'a>(&'a self, account: &'a reviewdesk_core::AccountKey) -> LocalFuture<'a>;
}

/// What happens to the shop's local data on disconnect.
#[derive(Clone, Copy)]
pub enum LocalDataChoice<'a> {
    /// It stays on this computer (readable again after signing in once more).
    Keep,
    /// It is deleted through the app's store.
    Delete(&'a dyn LocalData),
}

impl std::fmt::Debug for LocalDataChoice<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LocalDataChoice::Keep => "Keep",
            LocalDataChoice::Delete(_) => "Delete",
        })
    }
}
