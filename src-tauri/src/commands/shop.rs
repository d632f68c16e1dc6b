//! The connected shop: who it is, how it is rated, how ReviewDesk is connected to it, and
//! disconnecting ReviewDesk from it.

use crate::commands::auth::{summary, SignOutSummary};
use crate::error::IpcError;
use crate::events;
use crate::inbox::InboxState;
use crate::state::AppState;
use reviewdesk_auth::LocalDataChoice;
use reviewdesk_core::{RatingSummary, ShopAuthorization, ShopSession};
use reviewdesk_trustoo::RatingQuery;
use tauri::{AppHandle, State};

/// The shop the app is connected to, or `null` when none is.
#[tauri::command]
pub async fn current_session(state: State<'_, AppState>) -> Result<Option<ShopSession>, IpcError> {
    state.current_session().await
}

/// The account's rating over all its reviews: Trustoo's Get Rating, or the star counts Trustpilot
/// gives with the business unit.
#[tauri::command]
pub async fn get_rating(state: State<'_, AppState>) -> Result<RatingSummary, IpcError> {
    if let Some(unit) = state.current_trustpilot().await? {
        let unit = state.trustpilot()?.business_unit(&unit).await?;
        return Ok(RatingSummary::from_star_counts(
            unit.star_counts.unwrap_or_default(),
        ));
    }
    Ok(state.client().await?.get_rating(RatingQuery::all()).await?)
}

/// How ReviewDesk is connected to the active shop, and what Trustoo says about it.
#[tauri::command]
pub async fn shop_authorization(state: State<'_, AppState>) -> Result<ShopAuthorization, IpcError> {
    let session = state.require_session().await?;
    Ok(state.sessions()?.shop_authorization(&session).await)
}

/// Disconnects ReviewDesk from a shop on Trustoo, deletes its keyring entries, forgets it, and
/// keeps or deletes its local data. Every step is reported; a failed one does not stop the rest.
#[tauri::command]
pub async fn disconnect_shop(
    app: AppHandle,
    state: State<'_, AppState>,
    inboxes: State<'_, InboxState>,
    domain: String,
    delete_local_data: bool,
) -> Result<SignOutSummary, IpcError> {
    let sessions = state.sessions()?;
    let local = if delete_local_data {
        LocalDataChoice::Delete(inboxes.inner())
    } else {
        LocalDataChoice::Keep
    };
    let report = sessions.disconnect(&domain, local).await;
    events::session_changed(&app, sessions.active_shop().await.as_ref());
    Ok(summary(report))
}
