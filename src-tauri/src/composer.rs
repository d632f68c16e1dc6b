//! The review composer's place in the app state: the service itself
//! ([`reviewdesk_media::service::Composer`]) holds the drafts, checks, uploads and publishing;
//! the app only keeps it, or why it could not start (its drafts live in the review store).

use std::path::Path;
use std::sync::Arc;

use reviewdesk_inbox::SharedStore;
use reviewdesk_media::service::Composer;

use crate::error::IpcError;

/// Tauri-managed state of the composer.
pub struct ComposerState(Result<Arc<Composer>, IpcError>);

impl ComposerState {
    /// The composer over the app's store (shared with the inbox), thumbnails under `cache_dir`.
    pub fn new(store: Result<SharedStore, IpcError>, cache_dir: &Path) -> Self {
        Self(store.map(|store| Arc::new(Composer::new(store, cache_dir))))
    }

    /// The composer, or why the review store could not open.
    pub fn get(&self) -> Result<&Composer, IpcError> {
        self.0.as_deref().map_err(Clone::clone)
    }
}
