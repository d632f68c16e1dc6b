//! End-to-end tests of the real ReviewDesk binary, driven over WebDriver against a sandbox that
//! each test starts in-process. Run with `cargo xtask e2e` (or as part of `cargo xtask test`),
//! which provides Xvfb, a private D-Bus session and an unlocked keyring.

#![allow(clippy::unwrap_used)]

mod cold_links;
mod composer;
mod inbox;
mod oauth;
mod package;
mod shop_tools;
mod signin;
mod skeleton;
mod support;
mod trustpilot;
