//! Tauri commands, one file per area.

pub mod shop;
