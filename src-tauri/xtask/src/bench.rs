//! `cargo xtask bench`: the figures the issues set, each printed beside its reference measured in
//! the same run. The benchmarks live in the workspace test crate (`tests/benches/figures.rs`) and
//! run in release mode against the sandbox on loopback.
//!
//! `cargo xtask bench app` measures the window itself (`tests/benches/window.rs`): it builds the
//! pages, ReviewDesk's release binary and the hello-world reference app
//! (`src-tauri/bench-hello`), and runs the figures under Xvfb and a session bus of their own, as
//! the end-to-end tests run.

use crate::process;
use anyhow::{Context, Result};
use std::process::Command;

/// Runs every benchmark (or those whose name contains the given filter); `app` (named exactly)
/// runs the window's figures.
pub fn run(args: &[String]) -> Result<()> {
    let root = crate::root();
    if args.iter().any(|a| a == "app") {
        return window(&root, args);
    }
    let mut cmd = Command::new("cargo");
    cmd.args([
        "bench",
        "-p",
        "reviewdesk-tests",
        "--bench",
        "figures",
        "--",
    ])
    .args(args)
    .current_dir(&root);
    process::run(&mut cmd)
}

/// The window's figures: release builds of the app and the reference, then the bench binary
/// under the same headless session as the end-to-end tests.
fn window(root: &std::path::Path, args: &[String]) -> Result<()> {
    crate::demo::build_ui(root)?;
    process::run(
        Command::new("cargo")
            .args([
                "build",
                "--release",
                "-p",
                "reviewdesk",
                "-p",
                "reviewdesk-bench-hello",
            ])
            .current_dir(root),
    )?;
    let release = crate::target_dir()?.join("release");
    let bench = crate::e2e::build_binary_of(root, &["bench", "--bench", "figures"], "figures")?;
    let driver = process::which("tauri-driver")
        .context("tauri-driver is not installed (run `cargo xtask setup`)")?;
    let shots = root.join("target/e2e-shots");
    std::fs::create_dir_all(&shots)?;
    let (mut cmd, home) = crate::e2e::headless(root, bench.as_os_str())?;
    cmd.args(args)
        .arg("--bench")
        .env("REVIEWDESK_E2E_APP", release.join("reviewdesk"))
        .env(
            "REVIEWDESK_BENCH_HELLO",
            release.join("reviewdesk-bench-hello"),
        )
        .env("REVIEWDESK_E2E_DRIVER", &driver)
        .env("REVIEWDESK_E2E_SHOTS", &shots);
    let outcome = process::run(&mut cmd);
    let _ = std::fs::remove_dir_all(&home);
    outcome
}
