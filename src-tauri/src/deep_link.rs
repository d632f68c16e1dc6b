//! Deep links (`reviewdesk://…`) arrive through the OS in two ways: at a cold start the link is
//! this process's only argument, and while the app runs a second launch hands its arguments
//! over through single-instance. Both go through one [`LinkInbox`], which holds them until the
//! app's state is in place, then to [`crate::commands::auth::complete_from_deep_link`].
//!
//! Why not the deep-link plugin's `get_current` / `on_open_url`: the plugin reads
//! `std::env::args()`, which panics on an argument that is not UTF-8, and at a cold start a link
//! forwarded by a second launch before `on_open_url` is subscribed is emitted to nobody and
//! replaces the launch link in `get_current` (the genuine callback was lost). So the arguments
//! are screened here, with `args_os()`, before the plugin sees them, and the single-instance
//! callback feeds the same inbox. The plugin still registers the scheme with the OS, and on
//! macOS (where links come as an event, not as arguments) still delivers them.

use std::ffi::OsString;
use std::sync::Mutex;
use tauri::{App, AppHandle, Manager};
#[cfg(any(
    target_os = "linux",
    target_os = "macos",
    all(debug_assertions, windows)
))]
use tauri_plugin_deep_link::DeepLinkExt;

/// The URL scheme ReviewDesk is registered for (tauri.conf.json, `plugins.deep-link`).
pub const SCHEME: &str = "reviewdesk";

/// What the launch arguments say, read before any plugin looks at them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaunchArgs {
    /// Every argument is UTF-8, so the deep-link plugin (which reads `std::env::args()` and
    /// panics otherwise) may be installed in this process.
    pub plugin_safe: bool,
    /// The deep link the OS started the app with, if any. Bytes that were not UTF-8 are
    /// replaced by U+FFFD, which the strict callback parser refuses as malformed.
    pub link: Option<String>,
}

/// Screens this process's arguments (`std::env::args_os()`, program name first).
pub fn screen_args(args: impl IntoIterator<Item = OsString>) -> LaunchArgs {
    let args: Vec<OsString> = args.into_iter().collect();
    let plugin_safe = args.iter().all(|a| a.to_str().is_some());
    let link = link_in_args(args.iter().map(|a| a.to_string_lossy()));
    LaunchArgs { plugin_safe, link }
}

/// The deep link among a launch's arguments (program name first), as the OS passes it on Linux
/// and Windows: the only argument, starting with `reviewdesk:` (any case). Anything else (no
/// argument, several, a file name) is not a link and is left alone.
pub fn link_in_args<S: AsRef<str>>(args: impl IntoIterator<Item = S>) -> Option<String> {
    let mut rest = args.into_iter().skip(1);
    let only = rest.next()?;
    if rest.next().is_some() {
        return None;
    }
    let only = only.as_ref();
    let is_ours = only
        .get(..SCHEME.len() + 1)
        .is_some_and(|head| head.eq_ignore_ascii_case(&format!("{SCHEME}:")));
    is_ours.then(|| only.to_owned())
}

/// Deep links that arrived before the app could handle them, in arrival order.
///
/// A link can arrive before the app's state exists: the launch link is known before the
/// builder runs, and a second launch can hand one over as soon as single-instance owns its
/// D-Bus name, while setup is still restoring shops from the keyring. They wait here, none
/// replacing another, until [`LinkInbox::open`].
#[derive(Debug, Default)]
pub struct LinkInbox {
    inner: Mutex<InboxState>,
}

#[derive(Debug, Default)]
struct InboxState {
    open: bool,
    waiting: Vec<String>,
}

impl LinkInbox {
    /// An inbox holding the launch link, if there is one.
    pub fn new(launch_link: Option<String>) -> Self {
        Self {
            inner: Mutex::new(InboxState {
                open: false,
                waiting: launch_link.into_iter().collect(),
            }),
        }
    }

    /// Takes a link. Returns it when the app can handle it now; keeps it otherwise.
    pub fn offer(&self, link: String) -> Option<String> {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if inner.open {
            Some(link)
        } else {
            inner.waiting.push(link);
            None
        }
    }

    /// From now on links pass straight through; returns the ones that waited, oldest first.
    pub fn open(&self) -> Vec<String> {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.open = true;
        std::mem::take(&mut inner.waiting)
    }
}

/// Registers the scheme with the OS where that is done at run time, then handles the links
/// that waited for the app's state (call once that state is managed).
pub fn install(app: &mut App) {
    // Linux (and Windows debug builds) register the handler at run time as well: the package's
    // .desktop file (which passes the link on with `%u`, see xtask/packaging) covers an
    // installed copy, but a build run from its tree or a moved binary needs registering.
    // Without the plugin (an argument was not UTF-8) this run skips it; the next start
    // registers.
    #[cfg(any(target_os = "linux", all(debug_assertions, windows)))]
    if app
        .try_state::<tauri_plugin_deep_link::DeepLink<tauri::Wry>>()
        .is_some()
    {
        if let Err(err) = app.deep_link().register_all() {
            tracing::warn!(%err, "could not register the reviewdesk:// scheme with the OS");
        }
    }
    let waiting = app
        .try_state::<LinkInbox>()
        .map(|inbox| inbox.open())
        .unwrap_or_default();
    for link in waiting {
        handle(app.handle(), link);
    }
    // macOS hands links to the running app as an event (no second process, no argv): the
    // plugin turns it into `on_open_url`, and keeps the one that started the app.
    #[cfg(target_os = "macos")]
    {
        if let Ok(Some(urls)) = app.deep_link().get_current() {
            for url in urls {
                handle(app.handle(), url.to_string());
            }
        }
        let for_event = app.handle().clone();
        app.deep_link().on_open_url(move |event| {
            for url in event.urls() {
                handle(&for_event, url.to_string());
            }
        });
    }
}

/// Takes the arguments a second launch handed over through single-instance (lossy UTF-8,
/// program name first).
pub fn forwarded(app: &AppHandle, argv: &[String]) {
    let Some(link) = link_in_args(argv) else {
        return;
    };
    match app.try_state::<LinkInbox>() {
        Some(inbox) => {
            if let Some(link) = inbox.offer(link) {
                handle(app, link);
            }
        }
        None => handle(app, link),
    }
}

/// Takes one deep link. Nothing of it is logged: the query may hold an authorization code.
fn handle(app: &AppHandle, link: String) {
    tracing::info!("deep link received");
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.set_focus();
    }
    // Work off the OS callback thread: the exchange talks to Trustoo. The auth crate parses the
    // link strictly and accepts it only for the sign-in this app started.
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<crate::state::AppState>();
        crate::commands::auth::complete_from_deep_link(&app, &state, &link).await;
    });
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn os(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_only_argument_with_our_scheme_is_the_link() {
        let link = "reviewdesk://oauth/callback?code=a&state=b";
        assert_eq!(
            screen_args(os(&["/bin/reviewdesk", link])),
            LaunchArgs {
                plugin_safe: true,
                link: Some(link.to_owned())
            }
        );
        let upper = "ReviewDesk://oauth/callback";
        assert_eq!(link_in_args(["x", upper]), Some(upper.to_owned()));
        for args in [
            vec!["/bin/reviewdesk"],
            vec!["/bin/reviewdesk", link, "--extra"],
            vec!["/bin/reviewdesk", "https://example.com"],
            vec!["/bin/reviewdesk", "reviewdesk"],
            vec!["/bin/reviewdesk", "review"],
            vec![],
        ] {
            assert_eq!(link_in_args(&args), None, "{args:?}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn an_argument_that_is_not_utf8_keeps_the_plugin_out_and_the_link_is_refused() {
        use std::os::unix::ffi::OsStringExt;
        let bad = OsString::from_vec(b"reviewdesk://oauth/callback?code=\xFF&state=x".to_vec());
        let screened = screen_args([OsString::from("/bin/reviewdesk"), bad]);
        assert!(!screened.plugin_safe);
        let link = screened.link.unwrap();
        assert!(link.contains('\u{FFFD}'), "{link}");
        let redirect = url::Url::parse(reviewdesk_auth::REDIRECT_URI).unwrap();
        assert_eq!(
            reviewdesk_auth::parse_callback(&link, &redirect).unwrap_err(),
            reviewdesk_auth::CallbackRejection::Malformed
        );
        // Not a link at all (a file name with a Latin-1 byte): the app just starts.
        let file = OsString::from_vec(b"caf\xE9.txt".to_vec());
        assert_eq!(
            screen_args([OsString::from("/bin/reviewdesk"), file]),
            LaunchArgs {
                plugin_safe: false,
                link: None
            }
        );
        // Percent-escaped bytes are plain ASCII: nothing to screen.
        assert!(screen_args(os(&["x", "reviewdesk://oauth/callback?code=%FF"])).plugin_safe);
    }

    #[test]
    fn links_wait_in_order_until_the_app_is_ready_and_none_replaces_another() {
        let inbox = LinkInbox::new(Some("reviewdesk://launch".into()));
        assert_eq!(inbox.offer("reviewdesk://second".into()), None);
        assert_eq!(inbox.offer("reviewdesk://third".into()), None);
        assert_eq!(
            inbox.open(),
            [
                "reviewdesk://launch",
                "reviewdesk://second",
                "reviewdesk://third"
            ]
        );
        assert_eq!(
            inbox.offer("reviewdesk://later".into()).as_deref(),
            Some("reviewdesk://later")
        );
        assert!(inbox.open().is_empty(), "each link is handed out once");
        assert!(LinkInbox::new(None).open().is_empty());
    }
}
