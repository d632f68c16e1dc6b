//! Signing in and out: browser sign-in (OAuth through the system browser and a deep link),
//! Public/Private Token connect, the list of shops and switching between them.

use crate::error::{ErrorCode, IpcError};
use crate::events::{self, LoginPhase, LoginStatus, NoticeLevel, SignInEvents};
use crate::state::AppState;
use reviewdesk_auth::{LoginOutcome, Secret, StepResult};
use reviewdesk_core::{ShopSession, TrustpilotId};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};

/// Starts a browser sign-in for the shop the merchant typed, and opens the system browser on
/// Trustoo's consent page. A second call replaces the first attempt.
#[tauri::command]
pub async fn auth_start(
    app: AppHandle,
    state: State<'_, AppState>,
    shop_domain: String,
) -> Result<LoginStatus, IpcError> {
    let start = state.sessions()?.start_login(&shop_domain).await?;
    open_browser(&start.authorize_url)?;
    let status = LoginStatus {
        expires_at: Some(events::unix_seconds(start.expires_at)),
        ..LoginStatus::new(LoginPhase::WaitingForBrowser, None)
    };
    events::login_status(&app, &status);
    Ok(status)
}

/// Where the browser sign-in stands now (the window asks at start, in case it missed events).
#[tauri::command]
pub async fn auth_status(state: State<'_, AppState>) -> Result<LoginStatus, IpcError> {
    let last = state
        .login_status
        .lock()
        .map(|s| s.clone())
        .unwrap_or_else(|_| LoginStatus::new(LoginPhase::Idle, None));
    let pending = state.sessions()?.pending_sign_in();
    Ok(events::current_login_status(last, pending.as_ref()))
}

/// Abandons the sign-in in progress; its callback will be refused.
#[tauri::command]
pub async fn auth_cancel(app: AppHandle, state: State<'_, AppState>) -> Result<(), IpcError> {
    state.sessions()?.cancel_login().await;
    events::login_status(&app, &LoginStatus::new(LoginPhase::Idle, None));
    Ok(())
}

/// Opens the consent page again (the merchant closed the tab).
#[tauri::command]
pub async fn auth_reopen_browser(state: State<'_, AppState>) -> Result<(), IpcError> {
    match state.sessions()?.pending_sign_in() {
        Some(start) => open_browser(&start.authorize_url),
        None => Err(IpcError::new(
            ErrorCode::Validation,
            "No sign-in is in progress. Start it again.",
        )),
    }
}

/// The Public and Private Token a shop owner copies from the Trustoo admin.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct TokenInput {
    /// The shop's `*.myshopify.com` domain.
    shop_domain: String,
    /// The Public Token (the UI trims it before sending).
    public_token: String,
    /// The Private Token (the UI trims it before sending).
    private_token: String,
}

/// Connects a shop with its Public and Private Token (checked against Trustoo first; the
/// private token goes to the OS keyring).
#[tauri::command]
pub async fn auth_connect_tokens(
    app: AppHandle,
    state: State<'_, AppState>,
    input: TokenInput,
) -> Result<ShopSession, IpcError> {
    let session = state
        .sessions()?
        .connect_hmac(
            &input.shop_domain,
            None,
            Secret::new(input.public_token.trim().to_owned()),
            Secret::new(input.private_token.trim().to_owned()),
        )
        .await?;
    state.choose_account(Some(session.account()));
    events::session_changed(&app, Some(&session));
    Ok(session)
}

/// A shop in the header's switcher.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ShopEntry {
    /// Shop facts (no token).
    pub session: ShopSession,
    /// Its credentials are loaded and work.
    pub signed_in: bool,
    /// It is the shop on screen.
    pub active: bool,
    /// Why it is not usable right now, as a sentence.
    pub problem: Option<String>,
}

/// Every account ReviewDesk knows: the Trustoo shops, then the Trustpilot business units.
#[tauri::command]
pub async fn list_shops(state: State<'_, AppState>) -> Result<Vec<ShopEntry>, IpcError> {
    let mut all = state.sessions()?.shops().await;
    if let Some(demo) = state.demo_session().await? {
        all.insert(
            0,
            reviewdesk_auth::ShopStatus {
                session: demo,
                signed_in: true,
                active: false,
                problem: None,
            },
        );
    }
    if let Ok(trustpilot) = state.trustpilot() {
        all.extend(trustpilot.sessions().await);
    }
    let on_screen = state.current_session().await?.map(|s| s.account());
    Ok(all
        .into_iter()
        .map(|s| ShopEntry {
            active: on_screen.as_ref() == Some(&s.session.account()),
            session: s.session,
            signed_in: s.signed_in,
            problem: s.problem,
        })
        .collect())
}

/// The Trustpilot business unit `id` names, when it is one of the known accounts.
async fn known_trustpilot(state: &AppState, id: &str) -> Option<TrustpilotId> {
    let unit = TrustpilotId::parse(id).ok()?;
    state.trustpilot().ok()?.account(&unit).await.map(|_| unit)
}

/// Makes another known account the one on screen: a Trustoo shop by its domain, or a
/// Trustpilot business unit by its id.
#[tauri::command]
pub async fn switch_shop(
    app: AppHandle,
    state: State<'_, AppState>,
    domain: String,
) -> Result<ShopSession, IpcError> {
    let session = match known_trustpilot(&state, &domain).await {
        Some(unit) => {
            let status = state
                .trustpilot()?
                .account(&unit)
                .await
                .ok_or_else(IpcError::not_signed_in)?;
            status.session
        }
        None => match state.demo_session().await? {
            Some(demo) if demo.domain == domain => demo,
            _ => state.sessions()?.set_active(&domain).await?,
        },
    };
    state.choose_account(Some(session.account()));
    events::session_changed(&app, Some(&session));
    Ok(session)
}

/// One line of the sign-out summary.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SignOutLine {
    /// What was done.
    pub step: &'static str,
    /// It worked (or did not apply).
    pub ok: bool,
    /// Why it failed.
    pub message: Option<String>,
}

/// What sign-out did.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SignOutSummary {
    /// Each step in order.
    pub steps: Vec<SignOutLine>,
}

/// Signs an account out: a Trustoo shop (revoke its tokens on Trustoo, delete its keyring
/// entries, forget it) or a Trustpilot business unit (revoke its refresh token, delete its
/// keyring entries, forget it). Each step's failure is reported; the others still run. Cached
/// reviews and drafts stay.
#[tauri::command]
pub async fn sign_out(
    app: AppHandle,
    state: State<'_, AppState>,
    domain: String,
) -> Result<SignOutSummary, IpcError> {
    let steps = match known_trustpilot(&state, &domain).await {
        Some(unit) => {
            let report = state.trustpilot()?.sign_out(&unit).await;
            summary_of(report.steps.into_iter().map(|(s, r)| (s.sentence(), r)))
        }
        None => summary(state.sessions()?.sign_out(&domain).await),
    };
    events::session_changed(&app, state.current_session().await?.as_ref());
    Ok(steps)
}

/// The report of sign-out or disconnect, one line per step in the library's words.
pub(crate) fn summary(report: reviewdesk_auth::SignOutReport) -> SignOutSummary {
    summary_of(
        report
            .steps
            .into_iter()
            .map(|(step, result)| (step.sentence(), result)),
    )
}

/// One line per step: its sentence and how it went.
fn summary_of(steps: impl IntoIterator<Item = (&'static str, StepResult)>) -> SignOutSummary {
    let steps = steps
        .into_iter()
        .map(|(step, result)| SignOutLine {
            step,
            ok: !matches!(result, StepResult::Failed(_)),
            message: match result {
                StepResult::Failed(message) => Some(message),
                _ => None,
            },
        })
        .collect();
    SignOutSummary { steps }
}

/// Finishes a browser sign-in from the deep link the OS delivered (the raw argument), and
/// tells the window.
///
/// A link that does not belong to the sign-in in progress (forged, replayed, a second copy of
/// the genuine one, garbage, bytes that were not UTF-8) is refused with a notice and nothing
/// else: the sign-in in progress keeps waiting or keeps exchanging, and the screen stays where
/// it is. Only the accepted link moves the screen to "finishing sign-in".
pub async fn complete_from_deep_link(events: &impl SignInEvents, state: &AppState, link: &str) {
    if reviewdesk_auth::route_link(link) == reviewdesk_auth::LinkRoute::Trustpilot {
        return super::trustpilot::complete_from_deep_link(events, state, link).await;
    }
    let sessions = match state.sessions() {
        Ok(sessions) => sessions,
        Err(err) => {
            events.notice(NoticeLevel::Error, err.message);
            return;
        }
    };
    let accepted = match sessions.accept_callback(link).await {
        Ok(accepted) => accepted,
        Err(rejection) => {
            tracing::warn!("refused a sign-in link");
            events.notice(
                NoticeLevel::Warning,
                format!("ReviewDesk ignored a sign-in link: {rejection}"),
            );
            return;
        }
    };
    events.login_status(&LoginStatus::new(LoginPhase::Exchanging, None));
    match sessions.finish_login(accepted).await {
        Ok(LoginOutcome::SignedIn(session)) => {
            tracing::info!(shop = %session.domain, "signed in");
            state.choose_account(Some(session.account()));
            events.login_status(&LoginStatus {
                session: Some(session.clone()),
                ..LoginStatus::new(LoginPhase::SignedIn, None)
            });
            events.session_changed(Some(&session));
        }
        Ok(LoginOutcome::Declined) => {
            events.login_status(&LoginStatus::new(
                LoginPhase::Declined,
                Some("You declined access.".into()),
            ));
        }
        Err(err) => {
            // The accepted attempt is spent: say why it failed (Trustoo refused the code, the
            // keyring, the wrong shop, a provider error).
            let err = IpcError::from(err);
            events.login_status(&LoginStatus::new(LoginPhase::Failed, Some(err.message)));
        }
    }
}

/// Notices said before the window listened (a refused link that started the app). The window
/// calls this once it listens to `notice`; from then on notices arrive as events.
#[tauri::command]
pub fn take_pending_notices(board: State<'_, events::NoticeBoard>) -> Vec<events::Notice> {
    board.take_held()
}

/// Opens `url` in the system browser (RFC 8252: never in a webview). `REVIEWDESK_BROWSER`
/// names another program to open it with, like `$BROWSER` (tests use it to stand in for the
/// merchant's browser).
pub(crate) fn open_browser(url: &url::Url) -> Result<(), IpcError> {
    let cannot = || {
        IpcError::new(
            ErrorCode::Internal,
            "ReviewDesk could not open your web browser. Check that a default browser is set, then try again.",
        )
    };
    match std::env::var_os("REVIEWDESK_BROWSER") {
        Some(program) => std::process::Command::new(program)
            .arg(url.as_str())
            .spawn()
            .map(drop)
            .map_err(|_| cannot()),
        None => open::that_detached(url.as_str()).map_err(|_| cannot()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::config::{AppConfig, REDIRECT_URI};
    use reviewdesk_auth::MemoryStore;
    use reviewdesk_core::ShopSession;
    use std::sync::{Arc, Mutex};

    /// Records what would go to the window.
    #[derive(Default)]
    struct RecordingWindow(Mutex<Vec<String>>);

    impl RecordingWindow {
        fn take(&self) -> Vec<String> {
            std::mem::take(&mut self.0.lock().unwrap())
        }
    }

    impl SignInEvents for RecordingWindow {
        fn login_status(&self, status: &LoginStatus) {
            self.0
                .lock()
                .unwrap()
                .push(format!("login-status {:?}", status.phase));
        }
        fn session_changed(&self, _: Option<&ShopSession>) {
            self.0.lock().unwrap().push("session-changed".into());
        }
        fn trustpilot_sign_in(&self, status: &crate::commands::trustpilot::TrustpilotSignIn) {
            self.0
                .lock()
                .unwrap()
                .push(format!("trustpilot-sign-in {:?}", status.phase));
        }
        fn notice(&self, level: NoticeLevel, message: String) {
            self.0
                .lock()
                .unwrap()
                .push(format!("notice {level:?}: {message}"));
        }
    }

    async fn app_state(dir: &std::path::Path) -> AppState {
        let config = AppConfig {
            // Nothing listens there: no test here reaches Trustoo.
            api_base: url::Url::parse("http://127.0.0.1:9/").unwrap(),
            client_id: "reviewdesk".into(),
            client_secret: "secret".into(),
            redirect_uri: REDIRECT_URI.into(),
            demo: false,
            trustpilot: reviewdesk_trustpilot::BaseUrls::production(),
        };
        AppState::with_store(Ok(config), dir, Arc::new(MemoryStore::new())).await
    }

    fn only_refusals(events: &[String], count: usize) {
        assert_eq!(events.len(), count, "{events:#?}");
        for event in events {
            assert!(
                event.starts_with("notice Warning: ReviewDesk ignored a sign-in link: "),
                "a refused link only raises a notice, never moves the screen: {events:#?}"
            );
        }
    }

    #[tokio::test]
    async fn a_trustpilot_link_goes_to_the_trustpilot_sign_in_and_leaves_trustoo_alone() {
        let dir = tempfile::tempdir().unwrap();
        let state = app_state(dir.path()).await;
        let sessions = state.sessions().unwrap();
        let _trustoo = sessions.start_login("shop-a").await.unwrap();
        let window = RecordingWindow::default();
        complete_from_deep_link(
            &window,
            &state,
            "reviewdesk://trustpilot/callback?code=a&state=b",
        )
        .await;
        let events = window.take();
        assert_eq!(events.len(), 1, "{events:?}");
        assert!(
            events[0].starts_with("notice Warning: ReviewDesk ignored a Trustpilot sign-in link: "),
            "{events:?}"
        );
        // The Trustoo sign-in in progress was not touched by it.
        assert!(sessions.pending_sign_in().is_some());
    }

    #[tokio::test]
    async fn a_refused_or_second_link_raises_a_notice_and_leaves_the_sign_in_screen_alone() {
        let dir = tempfile::tempdir().unwrap();
        let state = app_state(dir.path()).await;
        let sessions = state.sessions().unwrap();
        let window = RecordingWindow::default();

        // Nothing in progress: a link is refused with a notice only.
        complete_from_deep_link(
            &window,
            &state,
            "reviewdesk://oauth/callback?code=a&state=b",
        )
        .await;
        only_refusals(&window.take(), 1);

        // Waiting for the browser: forged, wrong host, garbage, a byte that was not UTF-8.
        let start = sessions.start_login("shop-a").await.unwrap();
        let st = start
            .authorize_url
            .query_pairs()
            .find(|(k, _)| k == "state")
            .unwrap()
            .1
            .into_owned();
        let genuine = format!("reviewdesk://oauth/callback?code=good&state={st}");
        for link in [
            "reviewdesk://oauth/callback?code=a&state=forged".to_owned(),
            format!("reviewdesk://elsewhere/callback?code=a&state={st}"),
            "not a link".to_owned(),
            format!("reviewdesk://oauth/callback?code=\u{FFFD}&state={st}"),
        ] {
            complete_from_deep_link(&window, &state, &link).await;
        }
        only_refusals(&window.take(), 4);

        // The genuine callback was accepted and its exchange runs: the same link again (a
        // browser that sends twice) and a forged one are refused, and say so, only.
        let exchanging = sessions.accept_callback(&genuine).await.unwrap();
        for link in [
            genuine.clone(),
            "reviewdesk://oauth/callback?code=a&state=f".into(),
        ] {
            complete_from_deep_link(&window, &state, &link).await;
        }
        let events = window.take();
        only_refusals(&events, 2);
        assert!(events[0].contains("already used"), "{events:?}");
        assert_eq!(exchanging.shop_domain(), "shop-a.myshopify.com");
    }
}
