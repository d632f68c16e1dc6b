//! `cargo xtask <command>`: the project's automation, written in Rust so it runs wherever cargo
//! does. The README's two commands are `cargo xtask demo` and `cargo xtask test`; `.ci/run` calls
//! the second and nothing else.

mod bench;
mod demo;
mod e2e;
mod package;
mod process;
mod setup;
mod test;

use anyhow::{bail, Context, Result};
use std::path::PathBuf;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  setup                 install what a fresh Debian 12 machine lacks (apt, npm ci, tauri-driver)
  demo [--reviews N] [--screenshot PNG]
                        set up, build, start the sandbox with demo data and open the app on it
                        (--screenshot: run under Xvfb, save a picture of the window, then quit)
  test                  set up, then run every check and test; prints `N passed, N failed`
  bindings [--check]    write the TypeScript bindings of every type that crosses IPC (ts-rs)
                        into ui/src/lib/ipc/bindings (the UI must have been built once);
                        --check: then fail when they differ from what git has (as `test` does)
  e2e [FILTER]          build the app and run only the end-to-end WebDriver tests (those whose
                        name contains FILTER)
  e2e --package [--release]
                        build the .deb (debug build; --release: the release build), install it
                        with apt on this machine, sign in through `gio open` with the installed
                        copy, remove and purge it (needs root or sudo; refuses to run where
                        ReviewDesk is already installed)
  bench                 run the benchmarks and print each figure beside its reference
  bundle                build the .deb and .rpm packages (release build) under
                        target/release/bundle
  sandbox [ARGS..]      run the Trustoo sandbox alone (ARGS go to reviewdesk-sandbox)
";

fn main() {
    if let Err(err) = run() {
        eprintln!("xtask: error: {err:#}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let Some(command) = args.next() else {
        print!("{USAGE}");
        return Ok(());
    };
    let rest: Vec<String> = args.collect();
    match command.as_str() {
        "setup" => setup::run(),
        "demo" => demo::run(&rest),
        "test" => test::run(),
        "bindings" if rest.iter().any(|a| a == "--check") => {
            let mut tally = test::Tally::default();
            test::bindings(&mut tally);
            tally.finish()
        }
        "bindings" => test::generate(),
        "e2e" => {
            let package = rest.iter().any(|a| a == "--package");
            let release = rest.iter().any(|a| a == "--release");
            if release && !package {
                bail!("--release goes with --package\n\n{USAGE}");
            }
            setup::run()?;
            let mut tally = test::Tally::default();
            test::build_ui(&mut tally);
            if package {
                let profile = if release {
                    package::Profile::Release
                } else {
                    package::Profile::Debug
                };
                package::e2e(&mut tally, profile);
            } else {
                e2e::run(&mut tally, &rest);
            }
            tally.finish()
        }
        "bench" => bench::run(&rest),
        "bundle" => package::bundle(),
        "sandbox" => demo::sandbox_alone(&rest),
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown command `{other}`\n\n{USAGE}"),
    }
}

/// Cargo's target directory (`CARGO_TARGET_DIR`, a `build.target-dir` setting, or `target/`
/// in the workspace), as cargo itself reports it.
pub fn target_dir() -> Result<PathBuf> {
    let mut cmd = std::process::Command::new("cargo");
    cmd.args(["metadata", "--format-version", "1", "--no-deps"])
        .current_dir(root());
    let out = process::output(&mut cmd).context("`cargo metadata` failed")?;
    let meta: serde_json::Value =
        serde_json::from_str(&out).context("`cargo metadata` printed no JSON")?;
    meta["target_directory"]
        .as_str()
        .map(PathBuf::from)
        .context("`cargo metadata` names no target directory")
}

/// The workspace root, found from this crate's location so xtask works from any directory.
pub fn root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.ancestors().nth(2).map(PathBuf::from).unwrap_or(here)
}
