//! Tauri commands, one file per area.

pub mod auth;
pub mod shop;
