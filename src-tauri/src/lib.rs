//! ReviewDesk's Tauri shell. Commands are a few lines each: take the state, call a library crate,
//! map the error to [`error::IpcError`]. Everything with logic lives in the library crates so it
//! can be tested without a window.

pub mod commands;
pub mod composer;
pub mod config;
pub mod deep_link;
pub mod demo;
pub mod error;
pub mod events;
pub mod inbox;
pub mod rendering;
pub mod state;

use tauri::Manager;

/// Builds and runs the app. Plugin order matters: single-instance first, so a second launch (how
/// Linux and Windows deliver a deep link) forwards its URL to this process instead of starting a
/// second app, then deep-link (which only registers the scheme; links go through
/// [`deep_link::LinkInbox`]).
pub fn run() {
    rendering::paint_on_the_cpu_without_a_gpu();
    init_logging();
    // Before any plugin reads them: the deep-link plugin reads `std::env::args()`, which
    // panics on an argument that is not UTF-8 (see `deep_link`).
    let launch = deep_link::screen_args(std::env::args_os());
    if !launch.plugin_safe {
        tracing::warn!(
            "an argument is not UTF-8: the reviewdesk:// scheme is not registered on this run"
        );
    }
    let builder = tauri::Builder::default()
        .manage(events::NoticeBoard::default())
        .manage(deep_link::LinkInbox::new(launch.link))
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            // A second launch: bring the existing window forward, and take its link (argv is
            // not logged: it may hold a code).
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.set_focus();
            }
            deep_link::forwarded(app, &argv);
        }));
    let builder = if launch.plugin_safe {
        builder.plugin(tauri_plugin_deep_link::init())
    } else {
        builder
    };
    let app = builder
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .setup(|app| {
            let config_dir = app.path().app_config_dir().ok();
            let data_dir = app.path().app_data_dir()?;
            std::fs::create_dir_all(&data_dir)?;
            let config = config::AppConfig::load(config_dir.as_deref(), |k| std::env::var(k).ok());
            if let Err(err) = &config {
                tracing::error!(%err, "configuration is not usable");
            }
            let state = tauri::async_runtime::block_on(state::AppState::new(config, &data_dir));
            app.manage(state);
            let cache_dir = app.path().app_cache_dir().unwrap_or_else(|_| data_dir.join("cache"));
            let inbox = inbox::InboxState::open(&data_dir);
            app.manage(composer::ComposerState::new(inbox.store(), &cache_dir));
            app.manage(inbox);
            // Load each known shop's credentials from the keyring (bounded by a timeout inside),
            // then handle deep links, so a cold-start callback finds everything in place.
            let handle = app.handle().clone();
            tauri::async_runtime::block_on(async move {
                let state = handle.state::<state::AppState>();
                if let Ok(sessions) = state.sessions() {
                    for shop in sessions.restore().await {
                        if let Some(problem) = shop.problem {
                            tracing::warn!(shop = %shop.session.domain, "shop not restored: {problem}");
                        }
                    }
                }
                if let Ok(trustpilot) = state.trustpilot() {
                    for account in trustpilot.restore().await {
                        if let Some(problem) = account.problem {
                            tracing::warn!(unit = %account.session.domain, "Trustpilot account not restored: {problem}");
                        }
                    }
                }
            });
            deep_link::install(app);
            inbox::start(app.handle());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::shop::current_session,
            commands::shop::get_rating,
            commands::shop::shop_authorization,
            commands::shop::disconnect_shop,
            commands::webhooks::webhooks_overview,
            commands::webhooks::webhook_create,
            commands::webhooks::webhook_update,
            commands::webhooks::webhook_delete,
            commands::auth::auth_start,
            commands::auth::auth_status,
            commands::auth::auth_cancel,
            commands::auth::auth_reopen_browser,
            commands::auth::auth_connect_tokens,
            commands::auth::list_shops,
            commands::auth::switch_shop,
            commands::auth::sign_out,
            commands::auth::take_pending_notices,
            commands::trustpilot::trustpilot_sign_in,
            commands::trustpilot::trustpilot_sign_in_status,
            commands::trustpilot::trustpilot_cancel,
            commands::trustpilot::trustpilot_reopen_browser,
            commands::trustpilot::trustpilot_find_business_unit,
            commands::trustpilot::trustpilot_choose_business_unit,
            commands::trustpilot::trustpilot_business_unit,
            commands::trustpilot::trustpilot_save_redirect_page,
            commands::media::media_check,
            commands::media::draft_save,
            commands::media::draft_list,
            commands::media::draft_load,
            commands::media::draft_discard,
            commands::media::composer_products,
            commands::media::composer_publish,
            commands::media::composer_cancel,
            commands::reviews::query_reviews,
            commands::reviews::query_all_reviews,
            commands::reviews::get_review_detail,
            commands::reviews::set_triage,
            commands::reviews::delete_reviews,
            commands::reviews::post_reply,
            commands::reviews::delete_reply,
            commands::reviews::set_conversation_public,
            commands::reviews::add_tag,
            commands::invitations::invitation_templates,
            commands::invitations::create_invitation_link,
            commands::invitations::send_email_invitation,
            commands::reviews::remove_tag,
            commands::reviews::find_reviewer,
            commands::reviews::reply_draft,
            commands::reviews::save_reply_draft,
            commands::reviews::refresh_review,
            commands::reviews::check_reply,
            commands::reviews::list_reply_templates,
            commands::reviews::reply_insights,
            commands::reviews::save_reply_template,
            commands::reviews::delete_reply_template,
            commands::exclusions::exclude_author,
            commands::exclusions::list_exclusions,
            commands::exclusions::add_exclusion,
            commands::exclusions::remove_exclusion,
            commands::exclusions::unsubscribe_email,
            commands::reviews::sync_now,
            commands::reviews::sync_status,
            commands::reviews::pending_actions,
            commands::reviews::export_csv,
            commands::reviews::local_rating,
            commands::reviews::list_products,
            commands::reviews::list_sources,
            commands::reviews::list_languages,
            commands::reviews::list_tags,
            commands::reviews::first_rows_painted,
            commands::requests::list_orders,
            commands::requests::get_order,
            commands::requests::request_funnel,
            commands::requests::refresh_orders,
            commands::analytics::event_summary,
            commands::analytics::list_events,
            commands::analytics::event_options,
            commands::analytics::refresh_events,
        ])
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(|handle, event| {
            if let tauri::RunEvent::Exit = event {
                if let Some(inboxes) = handle.try_state::<inbox::InboxState>() {
                    inboxes.compact_journal();
                }
            }
        }),
        Err(err) => {
            tracing::error!(%err, "ReviewDesk could not start");
            eprintln!("ReviewDesk could not start: {err}");
            std::process::exit(1);
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
