//! The OAuth endpoints the session manager needs, behind a trait.
//!
//! Why: unit tests drive the manager with a counting fake (single-flight refresh, failures),
//! while the app and the flow test use [`reviewdesk_trustoo::OAuthClient`] (which never follows
//! redirects: its reqwest client is built with `redirect::Policy::none()`).

use std::future::Future;
use std::pin::Pin;

use reviewdesk_trustoo::{
    AuthorizeRequest, Error, OAuthClient, Secret, ShopAuthorizationInfo, ShopInstallStatus,
    ShopRef, TokenSet, Url,
};

/// A boxed, sendable future (keeps [`OAuthBackend`] usable as a trait object).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Token grants, revocation, the shop check, and the authorize URL.
pub trait OAuthBackend: Send + Sync + std::fmt::Debug + 'static {
    /// Builds the browser URL (`…/oauth/authorize?client_id&redirect_uri&state&scope&response_type=code&code_challenge&code_challenge_method=S256`).
    fn authorize_url(&self, req: &AuthorizeRequest) -> Result<Url, Error>;
    /// `authorization_code` grant with the PKCE verifier.
    fn exchange_code<'a>(
        &'a self,
        code: &'a Secret,
        redirect_uri: &'a str,
        verifier: &'a Secret,
    ) -> BoxFuture<'a, Result<TokenSet, Error>>;
    /// `refresh_token` grant (the refresh token rotates).
    fn refresh<'a>(&'a self, refresh_token: &'a Secret) -> BoxFuture<'a, Result<TokenSet, Error>>;
    /// Revokes a token (and its pair).
    fn revoke<'a>(&'a self, token: &'a Secret) -> BoxFuture<'a, Result<(), Error>>;
    /// Whether `shop_domain` authorized this platform, with its id and scopes.
    fn authorization_info<'a>(
        &'a self,
        shop_domain: &'a str,
    ) -> BoxFuture<'a, Result<ShopAuthorizationInfo, Error>>;
    /// Whether `shop_domain` has installed this platform (the Shop page shows it).
    fn install_status<'a>(
        &'a self,
        shop_domain: &'a str,
    ) -> BoxFuture<'a, Result<ShopInstallStatus, Error>>;
}

impl OAuthBackend for OAuthClient {
    fn authorize_url(&self, req: &AuthorizeRequest) -> Result<Url, Error> {
        OAuthClient::authorize_url(self, req)
    }

    fn exchange_code<'a>(
        &'a self,
        code: &'a Secret,
        redirect_uri: &'a str,
        verifier: &'a Secret,
    ) -> BoxFuture<'a, Result<TokenSet, Error>> {
        Box::pin(OAuthClient::exchange_code(
            self,
            code,
            redirect_uri,
            Some(verifier),
        ))
    }

    fn refresh<'a>(&'a self, refresh_token: &'a Secret) -> BoxFuture<'a, Result<TokenSet, Error>> {
        Box::pin(OAuthClient::refresh(self, refresh_token))
    }

    fn revoke<'a>(&'a self, token: &'a Secret) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(OAuthClient::revoke(self, token))
    }

    fn authorization_info<'a>(
        &'a self,
        shop_domain: &'a str,
    ) -> BoxFuture<'a, Result<ShopAuthorizationInfo, Error>> {
        Box::pin(async move {
            self.shop_authorization_info(&ShopRef::domain(shop_domain))
                .await
        })
    }

    fn install_status<'a>(
        &'a self,
        shop_domain: &'a str,
    ) -> BoxFuture<'a, Result<ShopInstallStatus, Error>> {
        Box::pin(async move {
            self.shop_install_status(&ShopRef::domain(shop_domain))
                .await
        })
    }
}
