//! Events Rust sends to the webview. Payloads carry no secrets: shop facts, phases and
//! sentences only.

use reviewdesk_core::ShopSession;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager};

/// Where a browser sign-in stands (event `login-status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
pub struct LoginStatus {
    /// Where it stands.
    pub phase: LoginPhase,
    /// A sentence for the merchant, when there is something to say.
    pub message: Option<String>,
    /// The shop, once signed in.
    pub session: Option<ShopSession>,
    /// When the pending sign-in stops being accepted (unix seconds).
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

/// Payload of `notice`: something the merchant should see in a toast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    /// `info`, `warning` or `error`.
    pub level: &'static str,
    /// The sentence.
    pub message: String,
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

/// Sends `session-changed` with the active shop (or `null`).
pub fn session_changed(app: &AppHandle, session: Option<&ShopSession>) {
    if let Err(err) = app.emit("session-changed", session) {
        tracing::warn!(%err, "could not send session-changed to the window");
    }
}

/// Sends `notice`.
pub fn notice(app: &AppHandle, level: &'static str, message: impl Into<String>) {
    let notice = Notice {
        level,
        message: message.into(),
    };
    if let Err(err) = app.emit("notice", &notice) {
        tracing::warn!(%err, "could not send a notice to the window");
    }
}

/// Unix seconds of a system time (0 before the epoch).
pub fn unix_seconds(t: std::time::SystemTime) -> u64 {
    t.duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
