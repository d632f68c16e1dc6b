//! Sign-in (§1.1): the authorize URL (code and implicit), the token grants, refresh, revoke.
//!
//! Every grant goes through the door as a form-encoded `POST` to
//! `/v1/oauth/oauth-business-users-for-applications/…` with `Authorization: Basic
//! base64(key:secret)` (SEEN-DOC, SEEN-TP; the Singer tap's missing `Basic ` prefix is a known
//! bug, §4.2). A grant that succeeds installs its tokens in the client, which then renews them
//! by itself: refresh tokens are used for password and authorization-code sign-ins; a
//! client-credentials token, which has no refresh token, is requested again (SEEN-DOC "issue the
//! same request") — only when it is about to expire or was refused, never more often.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::RngCore;
use url::Url;

use crate::client::TrustpilotClient;
use crate::door::Call;
use crate::error::Error;
use crate::secret::Secret;
use crate::wire::{Grant, TokenSet};

/// What the authenticate page should send back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseType {
    /// `response_type=code`: a code in the redirect's query, exchanged with the secret.
    Code,
    /// `response_type=token`: the implicit grant, a token in the redirect's fragment.
    Token,
}

/// What goes into the authorize URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeRequest {
    /// The application's registered redirect URI (https, SEEN-DOC).
    pub redirect_uri: String,
    /// Code or implicit.
    pub response_type: ResponseType,
    /// Anti-forgery value to compare on return. Whether Trustpilot echoes it is UNKNOWN
    /// (§1.1); it is sent anyway (the sandbox echoes it, as RFC 6749 says), and the app's
    /// redirect page should treat a missing `state` as a failed sign-in.
    pub state: Option<String>,
}

/// A random, URL-safe `state` (16 bytes).
pub fn random_state() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The refresh request. Endpoint `/refresh` as in the seed page's example (the docs also allow
/// `/accesstoken`; Airbyte's 400s on both are unexplained, §0.3), always with Basic.
pub(crate) fn refresh_call(refresh_token: &Secret) -> Call {
    Call::token(
        "refresh",
        "refresh",
        vec![
            ("grant_type", "refresh_token".into()),
            ("refresh_token", refresh_token.expose().to_owned()),
        ],
        true,
    )
}

/// The client-credentials request (also how such a token is renewed).
pub(crate) fn client_credentials_call() -> Call {
    Call::token(
        "client_credentials",
        "accesstoken",
        vec![("grant_type", "client_credentials".into())],
        true,
    )
}

impl TrustpilotClient {
    /// The authenticate page URL to open in the system browser:
    /// `?client_id=KEY&redirect_uri=…&response_type=code|token[&state=…]` (SEEN-DOC). No `scope`
    /// or PKCE parameters: none is documented (§1.1 UNKNOWN).
    pub fn authorize_url(&self, req: &AuthorizeRequest) -> Url {
        let mut u = self.authenticate.clone();
        {
            let mut q = u.query_pairs_mut();
            q.append_pair("client_id", self.door.api_key().expose());
            q.append_pair("redirect_uri", &req.redirect_uri);
            q.append_pair(
                "response_type",
                match req.response_type {
                    ResponseType::Code => "code",
                    ResponseType::Token => "token",
                },
            );
            if let Some(state) = &req.state {
                q.append_pair("state", state);
            }
        }
        u
    }

    /// Password grant: `username` and `password` are sent once and not kept. A business user
    /// with two-factor sign-in gets [`Error::TwoFactorNotSupported`].
    pub async fn sign_in_with_password(
        &self,
        username: &str,
        password: &Secret,
    ) -> Result<TokenSet, Error> {
        let call = Call::token(
            "password",
            "accesstoken",
            vec![
                ("grant_type", "password".into()),
                ("username", username.to_owned()),
                ("password", password.expose().to_owned()),
            ],
            true,
        );
        self.install(self.door.grant(call, Grant::Password).await?)
    }

    /// Authorization-code grant: exchanges the `code` the authenticate page sent to
    /// `redirect_uri` (the same URI as in the authorize URL). Key and secret go in Basic, the
    /// documented "recommended" way (SEEN-DOC; the body form is not used).
    pub async fn sign_in_with_code(
        &self,
        code: &Secret,
        redirect_uri: &str,
    ) -> Result<TokenSet, Error> {
        let call = Call::token(
            "authorization_code",
            "accesstoken",
            vec![
                ("grant_type", "authorization_code".into()),
                ("code", code.expose().to_owned()),
                ("redirect_uri", redirect_uri.to_owned()),
            ],
            true,
        );
        self.install(self.door.grant(call, Grant::AuthorizationCode).await?)
    }

    /// Client-credentials grant: the application alone, no business user signs in. Replies then
    /// need the business user id ([`crate::NewReply::author_business_user_id`]).
    pub async fn sign_in_with_client_credentials(&self) -> Result<TokenSet, Error> {
        let tokens = self
            .door
            .grant(client_credentials_call(), Grant::ClientCredentials)
            .await?;
        self.install(tokens)
    }

    /// Implicit grant: reads the redirect's fragment (`#access_token=…&expires_in=…&state=…`),
    /// checks `state` against `expected_state`, and installs the token (no refresh token: the
    /// merchant signs in again after about four days). `now` is the current unix time.
    pub fn sign_in_with_implicit_fragment(
        &self,
        fragment: &str,
        expected_state: Option<&str>,
        now: i64,
    ) -> Result<TokenSet, Error> {
        let (tokens, state) =
            TokenSet::from_implicit_fragment(fragment, now).ok_or(Error::InvalidGrant)?;
        if let Some(expected) = expected_state {
            if state.as_deref() != Some(expected) {
                return Err(Error::InvalidGrant);
            }
        }
        self.install(tokens)
    }

    /// Refreshes now with the session's refresh token and installs the new pair (the client
    /// also does this by itself on a 401). Without a refresh token: [`Error::InvalidGrant`].
    pub async fn refresh(&self) -> Result<TokenSet, Error> {
        let current = self.door.tokens().ok_or(Error::NotSignedIn)?;
        let refresh = current.refresh_token.clone().ok_or(Error::InvalidGrant)?;
        let mut fresh = self
            .door
            .grant(refresh_call(&refresh), current.grant)
            .await?;
        if fresh.refresh_token.is_none() {
            fresh.refresh_token = Some(refresh);
            fresh.refresh_expires_at = current.refresh_expires_at;
        }
        self.install(fresh)
    }

    /// Revokes a token (`POST …/revoke`, form `token=`; the seed page sends no client
    /// authentication, so neither does this). Revoking a refresh token also revokes its access
    /// token (SEEN-DOC). Which kind Trustpilot accepts is UNKNOWN (the seed says refresh,
    /// Bruno sends an access token): the seed is followed by [`TrustpilotClient::sign_out`].
    pub async fn revoke(&self, token: &Secret) -> Result<(), Error> {
        self.door
            .send(Call::token(
                "revoke",
                "revoke",
                vec![("token", token.expose().to_owned())],
                false,
            ))
            .await
    }

    /// Signs out: revokes the refresh token (or, without one, the access token) and forgets the
    /// session. The session is forgotten even when revoking fails (the error is returned).
    pub async fn sign_out(&self) -> Result<(), Error> {
        let Some(tokens) = self.door.tokens() else {
            return Ok(());
        };
        self.door.set_tokens(None);
        let token = tokens.refresh_token.unwrap_or(tokens.access_token);
        self.revoke(&token).await
    }

    fn install(&self, tokens: TokenSet) -> Result<TokenSet, Error> {
        self.door.set_tokens(Some(tokens.clone()));
        Ok(tokens)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::client::{BaseUrls, ClientConfig};

    fn client() -> TrustpilotClient {
        TrustpilotClient::new(ClientConfig::new(
            BaseUrls::production(),
            Secret::new("APIKey123"),
            Some(Secret::new("shh")),
        ))
        .unwrap()
    }

    #[test]
    fn authorize_urls_for_code_and_implicit() {
        let c = client();
        let u = c.authorize_url(&AuthorizeRequest {
            redirect_uri: "https://www.clientsSite.com".into(),
            response_type: ResponseType::Code,
            state: None,
        });
        // The seed page's example, byte for byte but for the encoding of the redirect.
        assert_eq!(
            u.as_str(),
            "https://authenticate.trustpilot.com/?client_id=APIKey123&redirect_uri=https%3A%2F%2Fwww.clientsSite.com&response_type=code"
        );
        let u = c.authorize_url(&AuthorizeRequest {
            redirect_uri: "https://reviewdesk.example/trustpilot/callback".into(),
            response_type: ResponseType::Token,
            state: Some("s t&x".into()),
        });
        let q: Vec<(String, String)> = u.query_pairs().into_owned().collect();
        assert_eq!(
            q,
            vec![
                ("client_id".into(), "APIKey123".into()),
                (
                    "redirect_uri".into(),
                    "https://reviewdesk.example/trustpilot/callback".into()
                ),
                ("response_type".into(), "token".into()),
                ("state".into(), "s t&x".into()),
            ]
        );
    }

    #[test]
    fn states_are_random_and_url_safe() {
        let a = random_state();
        assert_ne!(a, random_state());
        assert_eq!(a.len(), 22);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }

    #[test]
    fn implicit_fragment_is_read_and_its_state_checked() {
        let c = client();
        let t = c
            .sign_in_with_implicit_fragment(
                "#access_token=AccessToken&token_type=bearer&expires_in=359999&state=abc",
                Some("abc"),
                1_000,
            )
            .unwrap();
        assert_eq!(t.access_token.expose(), "AccessToken");
        assert_eq!(t.expires_at, Some(360_999));
        assert_eq!(t.refresh_token, None);
        assert_eq!(t.grant, Grant::Implicit);
        assert_eq!(c.tokens().unwrap(), t);
        assert!(matches!(
            c.sign_in_with_implicit_fragment("access_token=A&state=evil", Some("abc"), 0),
            Err(Error::InvalidGrant)
        ));
        assert!(matches!(
            c.sign_in_with_implicit_fragment("error=access_denied&state=abc", Some("abc"), 0),
            Err(Error::InvalidGrant)
        ));
    }
}
