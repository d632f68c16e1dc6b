//! Tauri commands, one file per area.

pub mod auth;
pub mod exclusions;
pub mod media;
pub mod reviews;
pub mod shop;
pub mod webhooks;
