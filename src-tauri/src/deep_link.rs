//! Deep links (`reviewdesk://…`) arrive through the OS in two ways: at a cold start the URL is in
//! this process's own launch (`get_current`), and while the app runs a second launch hands it over
//! through single-instance to `on_open_url`. Both paths end in [`handle`].

use tauri::{App, AppHandle, Manager};
use tauri_plugin_deep_link::DeepLinkExt;

/// Registers the scheme with the OS where that is done at run time, reads the launch URL and
/// subscribes to later ones.
pub fn install(app: &mut App) -> tauri::Result<()> {
    // Linux (and Windows debug builds) register the handler at run time; the .desktop file of a
    // package does not pass the URL (`%u`), and a moved binary needs re-registering.
    #[cfg(any(target_os = "linux", all(debug_assertions, windows)))]
    if let Err(err) = app.deep_link().register_all() {
        tracing::warn!(%err, "could not register the reviewdesk:// scheme with the OS");
    }
    match app.deep_link().get_current() {
        Ok(Some(urls)) => {
            for url in urls {
                handle(app.handle(), &url);
            }
        }
        Ok(None) => {}
        Err(err) => tracing::warn!(%err, "could not read the launch URL"),
    }
    let handle_for_event = app.handle().clone();
    app.deep_link().on_open_url(move |event| {
        for url in event.urls() {
            handle(&handle_for_event, &url);
        }
    });
    Ok(())
}

/// Takes one deep link. Only the scheme and path are logged: the query may hold an
/// authorization code.
pub fn handle(app: &AppHandle, url: &url::Url) {
    tracing::info!(scheme = url.scheme(), host = ?url.host_str(), path = url.path(), "deep link received");
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.set_focus();
    }
    // Work off the OS callback thread: the exchange talks to Trustoo. The auth crate parses the
    // link strictly and accepts it only for the sign-in this app started.
    let app = app.clone();
    let url = url.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<crate::state::AppState>();
        crate::commands::auth::complete_from_deep_link(&app, &state, &url).await;
    });
}
