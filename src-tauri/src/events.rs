//! Events Rust sends to the webview. Payloads carry no secrets: shop facts, phases and
//! sentences only.

use reviewdesk_core::ShopSession;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager};

/// Where a browser sign-in stands (event `login-status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum LoginPhase {
    /// No sign-in in progress.
    Idle,
    /// The browser is open on Trustoo's consent page.
    WaitingForBrowser,
    /// The callback arrived; tokens are being fetched.
    Exchanging,
    /// Done.
    SignedIn,
    /// The merchant clicked Deny.
    Declined,
    /// The sign-in failed; `message` says why.
    Failed,
}

/// Payload of `login-status`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct LoginStatus {
    /// Where it stands.
    pub phase: LoginPhase,
    /// A sentence for the merchant, when there is something to say.
    pub message: Option<String>,
    /// The shop, once signed in.
    pub session: Option<ShopSession>,
    /// When the pending sign-in stops being accepted (unix seconds).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub expires_at: Option<u64>,
}

impl LoginStatus {
    /// A status with only a phase and a message.
    pub fn new(phase: LoginPhase, message: Option<String>) -> Self {
        Self {
            phase,
            message,
            session: None,
            expires_at: None,
        }
    }
}

/// How a notice's toast looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum NoticeLevel {
    /// Something the merchant may like to know.
    Info,
    /// Something was refused or skipped; nothing broke.
    Warning,
    /// Something failed.
    Error,
}

/// Payload of `notice`: something the merchant should see in a toast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Notice {
    /// How the toast looks.
    pub level: NoticeLevel,
    /// The sentence.
    pub message: String,
}

/// The status the window should show: the sign-in in progress as the auth crate knows it
/// (also one an earlier run started and this run resumed at a cold start), else the last
/// outcome this run announced. A finishing exchange is never hidden.
pub fn current_login_status(
    last: LoginStatus,
    pending: Option<&reviewdesk_auth::LoginStart>,
) -> LoginStatus {
    match (pending, last.phase) {
        (_, LoginPhase::Exchanging) => last,
        (Some(start), _) => LoginStatus {
            expires_at: Some(unix_seconds(start.expires_at)),
            ..LoginStatus::new(LoginPhase::WaitingForBrowser, None)
        },
        (None, LoginPhase::WaitingForBrowser) => LoginStatus::new(LoginPhase::Idle, None),
        (None, _) => last,
    }
}

/// Sends `login-status` and remembers it for [`crate::commands::auth::auth_status`].
pub fn login_status(app: &AppHandle, status: &LoginStatus) {
    if let Some(state) = app.try_state::<crate::state::AppState>() {
        if let Ok(mut last) = state.login_status.lock() {
            *last = status.clone();
        }
    }
    if let Err(err) = app.emit("login-status", status) {
        tracing::warn!(%err, "could not send login-status to the window");
    }
}

/// Sends `trustpilot-sign-in` and remembers it for
/// [`crate::commands::trustpilot::trustpilot_sign_in_status`].
pub fn trustpilot_sign_in(app: &AppHandle, status: &crate::commands::trustpilot::TrustpilotSignIn) {
    if let Some(state) = app.try_state::<crate::state::AppState>() {
        if let Ok(mut last) = state.trustpilot_sign_in.lock() {
            *last = status.clone();
        }
    }
    if let Err(err) = app.emit("trustpilot-sign-in", status) {
        tracing::warn!(%err, "could not send trustpilot-sign-in to the window");
    }
}

/// Sends `session-changed` with the active shop (or `null`).
pub fn session_changed(app: &AppHandle, session: Option<&ShopSession>) {
    if let Err(err) = app.emit("session-changed", session) {
        tracing::warn!(%err, "could not send session-changed to the window");
    }
}

/// Sends `notice`, or keeps it on the [`NoticeBoard`] while the window does not listen yet.
pub fn notice(app: &AppHandle, level: NoticeLevel, message: impl Into<String>) {
    let notice = Notice {
        level,
        message: message.into(),
    };
    let notice = match app.try_state::<NoticeBoard>() {
        Some(board) => match board.post(notice) {
            Some(notice) => notice,
            None => return,
        },
        None => notice,
    };
    if let Err(err) = app.emit("notice", &notice) {
        tracing::warn!(%err, "could not send a notice to the window");
    }
}

/// Most notices kept for a window that has not asked yet (the oldest go first).
const MAX_HELD_NOTICES: usize = 20;

/// Notices said before the window listens, kept until it asks for them.
///
/// Why a pull: at a cold start (a refused deep link that started the app) the notice is made
/// during setup, before the page has loaded, and an event emitted then reaches nobody. The
/// window first subscribes to `notice`, then calls `take_pending_notices`; from that call on,
/// notices are emitted. Both steps hold the same lock, so each notice is either returned by
/// that call or emitted to the listener already in place: none lost, none shown twice. (A
/// "ui-ready" event from the page would need the same bookkeeping plus a listener in Rust; a
/// late emit on a timer would guess.)
#[derive(Debug, Default)]
pub struct NoticeBoard {
    inner: std::sync::Mutex<Board>,
}

#[derive(Debug, Default)]
struct Board {
    window_listens: bool,
    held: std::collections::VecDeque<Notice>,
}

impl NoticeBoard {
    /// Takes a notice: returns it when the window listens (send it now), keeps it otherwise.
    pub fn post(&self, notice: Notice) -> Option<Notice> {
        let mut board = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if board.window_listens {
            return Some(notice);
        }
        if board.held.len() >= MAX_HELD_NOTICES {
            board.held.pop_front();
        }
        board.held.push_back(notice);
        None
    }

    /// The window listens from now on: returns what was kept for it, oldest first.
    pub fn take_held(&self) -> Vec<Notice> {
        let mut board = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        board.window_listens = true;
        board.held.drain(..).collect()
    }
}

/// What the sign-in logic tells the window. The app sends Tauri events ([`AppHandle`]); unit
/// tests record them.
pub trait SignInEvents {
    /// `login-status` (and remembered for `auth_status`).
    fn login_status(&self, status: &LoginStatus);
    /// `session-changed`.
    fn session_changed(&self, session: Option<&ShopSession>);
    /// `trustpilot-sign-in` (and remembered for `trustpilot_sign_in_status`).
    fn trustpilot_sign_in(&self, status: &crate::commands::trustpilot::TrustpilotSignIn);
    /// `notice` (held until the window listens).
    fn notice(&self, level: NoticeLevel, message: String);
}

impl SignInEvents for AppHandle {
    fn login_status(&self, status: &LoginStatus) {
        login_status(self, status);
    }

    fn session_changed(&self, session: Option<&ShopSession>) {
        session_changed(self, session);
    }

    fn trustpilot_sign_in(&self, status: &crate::commands::trustpilot::TrustpilotSignIn) {
        trustpilot_sign_in(self, status);
    }

    fn notice(&self, level: NoticeLevel, message: String) {
        notice(self, level, message);
    }
}

/// Unix seconds of a system time (0 before the epoch).
pub fn unix_seconds(t: std::time::SystemTime) -> u64 {
    t.duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sign_in_the_auth_crate_resumed_at_a_cold_start_is_shown_as_waiting() {
        let start = reviewdesk_auth::LoginStart {
            authorize_url: url::Url::parse("http://127.0.0.1:1/authorize")
                .unwrap_or_else(|_| unreachable!("a valid URL")),
            shop_domain: "aurora-outfitters.myshopify.com".into(),
            expires_at: std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_600),
        };
        // This run announced nothing yet (the window of a cold start asks at once).
        let idle = LoginStatus::new(LoginPhase::Idle, None);
        let shown = current_login_status(idle.clone(), Some(&start));
        assert_eq!(shown.phase, LoginPhase::WaitingForBrowser);
        assert_eq!(shown.expires_at, Some(1_800_000_600));
        // Cancelled or expired in the auth crate: no longer waiting.
        let waiting = current_login_status(shown, None);
        assert_eq!(waiting.phase, LoginPhase::Idle);
        // An exchange under way, or an outcome, is what it is.
        let exchanging = LoginStatus::new(LoginPhase::Exchanging, None);
        assert_eq!(
            current_login_status(exchanging.clone(), Some(&start)),
            exchanging
        );
        let failed = LoginStatus::new(LoginPhase::Failed, Some("Trustoo said no.".into()));
        assert_eq!(current_login_status(failed.clone(), None), failed);
    }

    fn n(message: &str) -> Notice {
        Notice {
            level: NoticeLevel::Warning,
            message: message.into(),
        }
    }

    #[test]
    fn a_notice_is_its_level_and_sentence_in_json() {
        let json = serde_json::to_value(n("Link refused.")).unwrap_or_default();
        assert_eq!(
            json,
            serde_json::json!({"level": "warning", "message": "Link refused."})
        );
    }

    #[test]
    fn notices_before_the_window_listens_are_kept_for_it_and_later_ones_go_out() {
        let board = NoticeBoard::default();
        assert_eq!(board.post(n("refused at start")), None);
        assert_eq!(board.post(n("second")), None);
        assert_eq!(
            board.take_held(),
            [n("refused at start"), n("second")],
            "kept in order"
        );
        assert_eq!(board.post(n("later")), Some(n("later")), "sent at once");
        assert!(board.take_held().is_empty(), "never handed out twice");
    }

    #[test]
    fn a_window_that_never_asks_costs_a_bounded_list() {
        let board = NoticeBoard::default();
        for i in 0..(MAX_HELD_NOTICES + 5) {
            assert_eq!(board.post(n(&i.to_string())), None);
        }
        let held = board.take_held();
        assert_eq!(held.len(), MAX_HELD_NOTICES);
        assert_eq!(held[0], n("5"), "the oldest went first");
    }
}
