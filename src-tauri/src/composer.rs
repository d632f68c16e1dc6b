//! The review composer's place in the app state: one service per account
//! ([`reviewdesk_media::service::Composer`], which holds the account's drafts, checks, uploads
//! and publishing); the app only keeps them, or why they could not start (drafts live in the
//! review store).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use reviewdesk_core::AccountKey;
use reviewdesk_inbox::SharedStore;
use reviewdesk_media::service::Composer;

use crate::error::IpcError;
use crate::state::AppState;

/// Tauri-managed state of the composer: the store, and each account's composer once asked for.
pub struct ComposerState {
    store: Result<SharedStore, IpcError>,
    cache_dir: PathBuf,
    composers: Mutex<HashMap<AccountKey, Arc<Composer>>>,
}

impl ComposerState {
    /// Composers over the app's store (shared with the inbox), thumbnails under `cache_dir`.
    pub fn new(store: Result<SharedStore, IpcError>, cache_dir: &Path) -> Self {
        Self {
            store,
            cache_dir: cache_dir.to_path_buf(),
            composers: Mutex::new(HashMap::new()),
        }
    }

    /// The composer of the active account (kept, so a running upload can be cancelled from
    /// another call), or why there is none (no account signed in, the store did not open).
    pub async fn active(&self, app: &AppState) -> Result<Arc<Composer>, IpcError> {
        let account = app.current_account().await?;
        let store = self.store.as_ref().map_err(Clone::clone)?;
        let mut composers = self.composers.lock().unwrap_or_else(|p| p.into_inner());
        Ok(composers
            .entry(account.clone())
            .or_insert_with(|| Arc::new(Composer::new(store.clone(), account, &self.cache_dir)))
            .clone())
    }
}
