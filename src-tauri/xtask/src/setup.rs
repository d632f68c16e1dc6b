//! `cargo xtask setup`: installs what a fresh Debian 12 machine lacks, and does nothing when
//! everything is already there.

use crate::process::{self, on_path};
use anyhow::{bail, Context, Result};
use std::path::Path;
use std::process::Command;

/// Build dependencies of Tauri on Linux plus the tools the tests and the demo use
/// (`shared/reference/tauri-on-linux.md` §1).
pub const APT_PACKAGES: &[&str] = &[
    // build
    "libwebkit2gtk-4.1-dev",
    "libgtk-3-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
    "libsoup-3.0-dev",
    "libjavascriptcoregtk-4.1-dev",
    "libdbus-1-dev",
    "build-essential",
    "pkg-config",
    "libssl-dev",
    "libxdo-dev",
    "file",
    // run, screenshot, end-to-end tests, deep links, keyring
    "xvfb",
    "xauth",
    "dbus",
    "at-spi2-core",
    "imagemagick",
    "webkit2gtk-driver",
    "gnome-keyring",
    "libsecret-1-0",
    "libsecret-tools",
    "xdg-utils",
    "desktop-file-utils",
    "libglib2.0-bin",
    "xdotool",
    // xprop: the package test reads the window's icon (`_NET_WM_ICON`)
    "x11-utils",
    "curl",
    // Country flags and other emoji in reviews render as boxes without a colour emoji font
    // (desktops have one; a bare Xvfb machine does not).
    "fonts-noto-color-emoji",
];

/// tauri-driver bridges WebDriver to WebKitWebDriver; 2.x matches Tauri 2.
const TAURI_DRIVER_VERSION: &str = "^2";

/// Runs every setup step.
pub fn run() -> Result<()> {
    apt()?;
    node()?;
    npm_ci()?;
    cargo_tool("tauri-driver", "tauri-driver", TAURI_DRIVER_VERSION)?;
    cargo_tool("cargo-nextest", "cargo-nextest", "^0.9")?;
    Ok(())
}

fn apt() -> Result<()> {
    let missing: Vec<&str> = APT_PACKAGES
        .iter()
        .copied()
        .filter(|pkg| !dpkg_installed(pkg))
        .collect();
    if missing.is_empty() {
        eprintln!("setup: all {} Debian packages present", APT_PACKAGES.len());
        return Ok(());
    }
    eprintln!(
        "setup: installing {} Debian packages: {}",
        missing.len(),
        missing.join(" ")
    );
    let sudo = !is_root();
    let mut update = apt_command(sudo, &["update"]);
    process::run(&mut update)?;
    let mut install = apt_command(sudo, &["install", "-y", "--no-install-recommends"]);
    install.args(&missing);
    install.env("DEBIAN_FRONTEND", "noninteractive");
    process::run(&mut install)
}

fn apt_command(sudo: bool, args: &[&str]) -> Command {
    let mut cmd = if sudo {
        let mut c = Command::new("sudo");
        c.arg("apt-get");
        c
    } else {
        Command::new("apt-get")
    };
    cmd.args(args);
    cmd
}

/// Whether the Debian package `pkg` is installed.
pub fn dpkg_installed(pkg: &str) -> bool {
    process::output(Command::new("dpkg-query").args(["-W", "-f=${Status}", pkg]))
        .is_some_and(|s| s.contains("install ok installed"))
}

/// Whether xtask runs as root (apt then needs no sudo).
pub fn is_root() -> bool {
    process::output(Command::new("id").arg("-u")).is_some_and(|s| s.trim() == "0")
}

/// Vite 7 needs Node 20.19 or newer; Debian 12's own nodejs is 18, so we only check and explain.
fn node() -> Result<()> {
    let Some(version) = process::output(Command::new("node").arg("--version")) else {
        bail!(
            "Node.js is not installed. ReviewDesk's UI needs Node.js 20.19 or newer \
             (with npm); install it and run the command again."
        );
    };
    let version = version.trim().trim_start_matches('v').to_owned();
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    if major < 20 || (major == 20 && minor < 19) {
        bail!("Node.js {version} is too old: the UI build (Vite 7) needs 20.19 or newer");
    }
    Ok(())
}

fn npm_ci() -> Result<()> {
    let ui = crate::root().join("ui");
    if npm_up_to_date(&ui) {
        eprintln!("setup: ui/node_modules is up to date");
        return Ok(());
    }
    let mut ci = Command::new("npm");
    ci.args(["ci", "--no-audit", "--no-fund"]).current_dir(&ui);
    process::run(&mut ci)
}

/// npm writes `node_modules/.package-lock.json` on install; it is current when it is newer than
/// the committed lock file.
fn npm_up_to_date(ui: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (
        modified(&ui.join("node_modules/.package-lock.json")),
        modified(&ui.join("package-lock.json")),
    ) {
        (Some(installed), Some(lock)) => installed >= lock,
        _ => false,
    }
}

fn cargo_tool(binary: &str, krate: &str, version: &str) -> Result<()> {
    if on_path(binary) {
        return Ok(());
    }
    eprintln!("setup: installing {krate} {version} with cargo");
    let mut install = Command::new("cargo");
    install.args(["install", krate, "--locked", "--version", version]);
    process::run(&mut install).with_context(|| format!("installing {krate}"))
}
