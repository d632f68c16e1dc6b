//! The connected shop: who it is and how it is rated.

use crate::error::IpcError;
use crate::state::AppState;
use reviewdesk_core::{RatingSummary, ShopSession};
use reviewdesk_trustoo::RatingQuery;
use tauri::State;

/// The shop the app is connected to, or `null` when none is.
#[tauri::command]
pub async fn current_session(state: State<'_, AppState>) -> Result<Option<ShopSession>, IpcError> {
    state.current_session().await
}

/// The shop's rating over all its reviews, straight from Trustoo's Get Rating.
#[tauri::command]
pub async fn get_rating(state: State<'_, AppState>) -> Result<RatingSummary, IpcError> {
    Ok(state.client().await?.get_rating(RatingQuery::all()).await?)
}
