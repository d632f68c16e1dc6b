//! Trustpilot accounts: signing in with the merchant's own API application (every grant of
//! Trustpilot's Authentication page), picking the business unit, and its TrustScore. The
//! sign-in logic lives in `reviewdesk_auth::trustpilot`; these commands take what the form
//! says, call it, and tell the window.

use reviewdesk_auth::trustpilot::{
    BrowserGrant, BrowserSignIn, BusinessUnitSummary, SignInOutcome, SignInReady, TrustpilotApp,
    TRUSTPILOT_REDIRECT_PAGE,
};
use reviewdesk_auth::Secret;
use reviewdesk_core::{ShopSession, TrustpilotId};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};

use crate::error::{ErrorCode, IpcError};
use crate::events::{self, NoticeLevel, SignInEvents};
use crate::state::AppState;

/// What the merchant fills in, by grant. Key and secret come from Trustpilot Business
/// (Integrations > Developers > APIs); nothing typed here is written to a file: the key, the
/// secret and the tokens go to the OS keyring, a password is sent once and dropped.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(tag = "grant", rename_all = "snake_case")]
pub enum TrustpilotSignInInput {
    /// Through the browser with a code (recommended): renews itself for 30 days.
    AuthorizationCode {
        /// The application's API key.
        api_key: String,
        /// The application's API secret.
        api_secret: String,
        /// The https address registered for the application, hosting ReviewDesk's redirect page.
        redirect_uri: String,
        /// The business user who answers reviews (optional).
        business_user_id: Option<String>,
    },
    /// Through the browser with the token itself: no secret kept, about four days.
    Implicit {
        /// The application's API key.
        api_key: String,
        /// The https address registered for the application, hosting ReviewDesk's redirect page.
        redirect_uri: String,
        /// The business user who answers reviews (optional).
        business_user_id: Option<String>,
    },
    /// A Trustpilot Business login, sent once and never kept.
    Password {
        /// The application's API key.
        api_key: String,
        /// The application's API secret.
        api_secret: String,
        /// The business user's email.
        username: String,
        /// The business user's password.
        password: String,
        /// The business user who answers reviews (optional).
        business_user_id: Option<String>,
    },
    /// The application alone.
    ClientCredentials {
        /// The application's API key.
        api_key: String,
        /// The application's API secret.
        api_secret: String,
        /// The business user who answers reviews and sends invitations (required: no user
        /// signs in with this grant).
        business_user_id: String,
    },
}

/// Where a Trustpilot sign-in stands (event `trustpilot-sign-in`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum TrustpilotPhase {
    /// Nothing in progress.
    Idle,
    /// The browser is open on Trustpilot's authenticate page.
    WaitingForBrowser,
    /// The callback arrived; the code is being exchanged.
    Exchanging,
    /// Signed in: pick the business unit.
    ChooseBusinessUnit,
    /// Done: the business unit joined the accounts.
    SignedIn,
    /// The merchant cancelled on Trustpilot's page.
    Declined,
    /// The sign-in failed; `message` says why.
    Failed,
}

/// Payload of `trustpilot-sign-in` and the answer of the sign-in commands. No credential.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct TrustpilotSignIn {
    /// Where it stands.
    pub phase: TrustpilotPhase,
    /// A sentence for the merchant, when there is something to say.
    pub message: Option<String>,
    /// How the sign-in lasts ("renews itself…", the implicit grant's four days), once known.
    pub renewal: Option<String>,
    /// When the browser sign-in stops being accepted (unix seconds).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub expires_at: Option<u64>,
    /// The account, once signed in.
    pub session: Option<ShopSession>,
}

impl TrustpilotSignIn {
    /// A status with only a phase and a message.
    pub fn new(phase: TrustpilotPhase, message: Option<String>) -> Self {
        Self {
            phase,
            message,
            renewal: None,
            expires_at: None,
            session: None,
        }
    }

    fn ready(ready: &SignInReady) -> Self {
        Self {
            renewal: Some(ready.renewal.clone()),
            ..Self::new(TrustpilotPhase::ChooseBusinessUnit, None)
        }
    }
}

/// A business unit as the merchant picks it: names, TrustScore, star counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct BusinessUnit {
    /// The business unit id (24 hex digits).
    pub id: String,
    /// Name shown on Trustpilot.
    pub display_name: String,
    /// Identifying name, usually the domain.
    pub identifying_name: String,
    /// The business's site, when Trustpilot has it.
    pub website_url: Option<String>,
    /// TrustScore (0–5), when Trustpilot gave one.
    pub trust_score: Option<f64>,
    /// Stars shown (0–5 in halves).
    pub stars: Option<f64>,
    /// Reviews with 1★ … 5★ (index 0 is 1★).
    #[cfg_attr(feature = "ts", ts(type = "Array<number> | null"))]
    pub star_counts: Option<[u64; 5]>,
    /// Every review.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub total_reviews: Option<u64>,
}

impl From<BusinessUnitSummary> for BusinessUnit {
    fn from(u: BusinessUnitSummary) -> Self {
        Self {
            id: u.id.as_str().to_owned(),
            display_name: u.display_name,
            identifying_name: u.identifying_name,
            website_url: u.website_url,
            trust_score: u.trust_score,
            stars: u.stars,
            star_counts: u.star_counts,
            total_reviews: u.total_reviews,
        }
    }
}

/// A business unit that joined the accounts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct TrustpilotAccount {
    /// The switcher's entry (provider Trustpilot; `domain` is the business unit id).
    pub session: ShopSession,
    /// The business unit with its TrustScore.
    pub unit: BusinessUnit,
}

fn business_user(id: Option<String>) -> Result<Option<TrustpilotId>, IpcError> {
    match id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => TrustpilotId::parse(s).map(Some).map_err(|_| {
            IpcError::new(
                ErrorCode::Validation,
                "The business user id is 24 letters and digits (0–9, a–f), as Trustpilot Business shows it under your user's profile.",
            )
        }),
    }
}

fn app_of(api_key: String, api_secret: Option<String>) -> TrustpilotApp {
    TrustpilotApp {
        api_key: Secret::new(api_key),
        api_secret: api_secret.map(Secret::new),
    }
}

/// Starts a Trustpilot sign-in with the grant the merchant chose. Browser grants open the
/// system browser on Trustpilot's authenticate page and wait for the deep link; password and
/// client credentials sign in at once. Either way the business unit is picked next.
#[tauri::command]
pub async fn trustpilot_sign_in(
    app: AppHandle,
    state: State<'_, AppState>,
    input: TrustpilotSignInInput,
) -> Result<TrustpilotSignIn, IpcError> {
    let accounts = state.trustpilot()?;
    let status = match input {
        TrustpilotSignInInput::AuthorizationCode {
            api_key,
            api_secret,
            redirect_uri,
            business_user_id,
        } => {
            browser(
                &state,
                BrowserSignIn {
                    grant: BrowserGrant::AuthorizationCode,
                    app: app_of(api_key, Some(api_secret)),
                    redirect_uri,
                    business_user_id: business_user(business_user_id)?,
                },
            )
            .await?
        }
        TrustpilotSignInInput::Implicit {
            api_key,
            redirect_uri,
            business_user_id,
        } => {
            browser(
                &state,
                BrowserSignIn {
                    grant: BrowserGrant::Implicit,
                    app: app_of(api_key, None),
                    redirect_uri,
                    business_user_id: business_user(business_user_id)?,
                },
            )
            .await?
        }
        TrustpilotSignInInput::Password {
            api_key,
            api_secret,
            username,
            password,
            business_user_id,
        } => {
            let ready = accounts
                .sign_in_with_password(
                    app_of(api_key, Some(api_secret)),
                    &username,
                    Secret::new(password),
                    business_user(business_user_id)?,
                )
                .await?;
            TrustpilotSignIn::ready(&ready)
        }
        TrustpilotSignInInput::ClientCredentials {
            api_key,
            api_secret,
            business_user_id,
        } => {
            let user = business_user(Some(business_user_id))?.ok_or_else(|| {
                IpcError::new(
                    ErrorCode::Validation,
                    "Enter the business user id: with client credentials no user signs in, and Trustpilot needs it to post replies and send invitations.",
                )
            })?;
            let ready = accounts
                .sign_in_with_client_credentials(app_of(api_key, Some(api_secret)), user)
                .await?;
            TrustpilotSignIn::ready(&ready)
        }
    };
    events::trustpilot_sign_in(&app, &status);
    Ok(status)
}

async fn browser(state: &AppState, req: BrowserSignIn) -> Result<TrustpilotSignIn, IpcError> {
    let start = state.trustpilot()?.start_browser_sign_in(req).await?;
    super::auth::open_browser(&start.authorize_url)?;
    Ok(TrustpilotSignIn {
        expires_at: Some(events::unix_seconds(start.expires_at)),
        ..TrustpilotSignIn::new(TrustpilotPhase::WaitingForBrowser, None)
    })
}

/// Where the Trustpilot sign-in stands now (the window asks when it opens the form, in case it
/// missed events, also after a cold start that resumed a browser sign-in).
#[tauri::command]
pub async fn trustpilot_sign_in_status(
    state: State<'_, AppState>,
) -> Result<TrustpilotSignIn, IpcError> {
    let accounts = state.trustpilot()?;
    let last = state
        .trustpilot_sign_in
        .lock()
        .map(|s| s.clone())
        .unwrap_or_else(|_| TrustpilotSignIn::new(TrustpilotPhase::Idle, None));
    if last.phase == TrustpilotPhase::Exchanging {
        return Ok(last);
    }
    if let Some(start) = accounts.pending_sign_in() {
        return Ok(TrustpilotSignIn {
            expires_at: Some(events::unix_seconds(start.expires_at)),
            ..TrustpilotSignIn::new(TrustpilotPhase::WaitingForBrowser, None)
        });
    }
    if accounts.awaiting_business_unit() {
        return Ok(TrustpilotSignIn {
            phase: TrustpilotPhase::ChooseBusinessUnit,
            ..last
        });
    }
    Ok(match last.phase {
        TrustpilotPhase::WaitingForBrowser | TrustpilotPhase::ChooseBusinessUnit => {
            TrustpilotSignIn::new(TrustpilotPhase::Idle, None)
        }
        _ => last,
    })
}

/// Abandons the browser sign-in in progress (its callback will be refused).
#[tauri::command]
pub async fn trustpilot_cancel(app: AppHandle, state: State<'_, AppState>) -> Result<(), IpcError> {
    state.trustpilot()?.cancel_sign_in().await;
    events::trustpilot_sign_in(&app, &TrustpilotSignIn::new(TrustpilotPhase::Idle, None));
    Ok(())
}

/// Opens Trustpilot's authenticate page again (the merchant closed the tab).
#[tauri::command]
pub async fn trustpilot_reopen_browser(state: State<'_, AppState>) -> Result<(), IpcError> {
    match state.trustpilot()?.pending_sign_in() {
        Some(start) => super::auth::open_browser(&start.authorize_url),
        None => Err(IpcError::new(
            ErrorCode::Validation,
            "No Trustpilot sign-in is in progress. Start it again.",
        )),
    }
}

/// Finds the business unit for the sign-in waiting to be placed: by the domain Trustpilot
/// knows the business by, or by its id.
#[tauri::command]
pub async fn trustpilot_find_business_unit(
    state: State<'_, AppState>,
    name: String,
) -> Result<BusinessUnit, IpcError> {
    Ok(state.trustpilot()?.find_business_unit(&name).await?.into())
}

/// Places the sign-in on the business unit: its credentials go to the keyring, it joins the
/// switcher and becomes the account on screen.
#[tauri::command]
pub async fn trustpilot_choose_business_unit(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
) -> Result<TrustpilotAccount, IpcError> {
    let unit = TrustpilotId::parse(id.trim()).map_err(|_| {
        IpcError::new(
            ErrorCode::Validation,
            "That is not a Trustpilot business unit id.",
        )
    })?;
    let (status, summary) = state.trustpilot()?.choose_business_unit(&unit).await?;
    state.choose_account(Some(status.account_key()));
    let signed_in = TrustpilotSignIn {
        session: Some(status.session.clone()),
        renewal: Some(status.renewal.clone()),
        ..TrustpilotSignIn::new(TrustpilotPhase::SignedIn, None)
    };
    events::trustpilot_sign_in(&app, &signed_in);
    events::session_changed(&app, Some(&status.session));
    Ok(TrustpilotAccount {
        session: status.session,
        unit: summary.into(),
    })
}

/// The business unit on screen as Trustpilot has it now (TrustScore, star counts).
#[tauri::command]
pub async fn trustpilot_business_unit(
    state: State<'_, AppState>,
) -> Result<BusinessUnit, IpcError> {
    let unit = state.current_trustpilot().await?.ok_or_else(|| {
        IpcError::new(
            ErrorCode::Validation,
            "The account on screen is not a Trustpilot business unit.",
        )
    })?;
    Ok(state.trustpilot()?.business_unit(&unit).await?.into())
}

/// The file name the redirect page is saved as.
pub const REDIRECT_PAGE_FILE: &str = "reviewdesk-trustpilot-redirect.html";

/// Saves ReviewDesk's redirect page to the Downloads folder, for the merchant to host at the
/// https address they register for their application. Returns where it went.
#[tauri::command]
pub async fn trustpilot_save_redirect_page(app: AppHandle) -> Result<String, IpcError> {
    let dir = crate::inbox::downloads_dir(&app)?;
    let path = dir.join(REDIRECT_PAGE_FILE);
    let written = async {
        tokio::fs::create_dir_all(&dir).await?;
        tokio::fs::write(&path, TRUSTPILOT_REDIRECT_PAGE).await
    };
    written.await.map_err(|_| {
        IpcError::new(
            ErrorCode::Internal,
            "ReviewDesk could not save the redirect page in your Downloads folder.",
        )
    })?;
    Ok(path.display().to_string())
}

/// Finishes a Trustpilot browser sign-in from its deep link (`reviewdesk://trustpilot/…`).
/// A link that does not belong to the sign-in in progress is refused with a notice only: the
/// sign-in in progress keeps waiting.
pub async fn complete_from_deep_link(events: &impl SignInEvents, state: &AppState, link: &str) {
    let accounts = match state.trustpilot() {
        Ok(accounts) => accounts,
        Err(err) => {
            events.notice(NoticeLevel::Error, err.message);
            return;
        }
    };
    let accepted = match accounts.accept_callback(link).await {
        Ok(accepted) => accepted,
        Err(rejection) => {
            tracing::warn!("refused a Trustpilot sign-in link");
            events.notice(
                NoticeLevel::Warning,
                format!("ReviewDesk ignored a Trustpilot sign-in link: {rejection}"),
            );
            return;
        }
    };
    events.trustpilot_sign_in(&TrustpilotSignIn::new(TrustpilotPhase::Exchanging, None));
    let status = match accounts.finish_sign_in(accepted).await {
        Ok(SignInOutcome::Ready(ready)) => TrustpilotSignIn::ready(&ready),
        Ok(SignInOutcome::Declined) => TrustpilotSignIn::new(
            TrustpilotPhase::Declined,
            Some("You cancelled the sign-in on Trustpilot.".into()),
        ),
        Err(err) => {
            TrustpilotSignIn::new(TrustpilotPhase::Failed, Some(IpcError::from(err).message))
        }
    };
    events.trustpilot_sign_in(&status);
}
