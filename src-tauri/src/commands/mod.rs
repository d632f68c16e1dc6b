//! Tauri commands, one file per area.

pub mod analytics;
pub mod auth;
pub mod exclusions;
pub mod invitations;
pub mod media;
pub mod requests;
pub mod reviews;
pub mod shop;
pub mod trustpilot;
pub mod webhooks;
