//! End-to-end tests of the real binary: Xvfb for a display, `dbus-run-session` for a session bus
//! of its own, an unlocked gnome-keyring for the Secret Service, and tauri-driver for WebDriver
//! (`shared/reference/tauri-on-linux.md` §3–§5). The test binary starts the sandbox and
//! tauri-driver itself for each test.

use crate::process;
use crate::test::{libtest_so_far, parse_libtest, Tally};
use anyhow::{bail, Context, Result};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Builds the app and the e2e test binary, then runs the tests (those matching `filters`, all
/// when empty) under Xvfb and a private D-Bus.
pub fn run(tally: &mut Tally, filters: &[String]) {
    let outcome = build_app().and_then(|app| run_inner(&app, filters, &[]));
    count(tally, "end-to-end (real binary)", outcome);
}

/// Runs the package test (`tests/e2e/package.rs`, ignored in a plain run) against the copy
/// that `deb` installs in `/usr/bin`.
pub fn run_installed(tally: &mut Tally, label: &str, deb: &Path) {
    let args = ["--ignored".to_owned(), "package::".to_owned()];
    let outcome = run_inner(
        Path::new(crate::package::INSTALLED_APP),
        &args,
        &[("REVIEWDESK_E2E_DEB", deb.as_os_str())],
    )
    .and_then(|(passed, failed)| {
        // A filter that matches nothing runs nothing and succeeds: that is not a pass.
        if passed + failed == 0 {
            bail!("no package test ran (is `package::` still the test's module?)");
        }
        Ok((passed, failed))
    });
    count(tally, label, outcome);
}

fn count(tally: &mut Tally, label: &str, outcome: Result<(u64, u64)>) {
    match outcome {
        Ok((passed, failed)) => tally.add(label, passed, failed),
        Err(err) => {
            eprintln!("xtask: {label}: {err:#}");
            tally.add(label, 0, 1);
        }
    }
}

/// Builds the app's debug binary and returns its path.
fn build_app() -> Result<PathBuf> {
    let root = crate::root();
    process::run(
        Command::new("cargo")
            .args(["build", "-p", "reviewdesk", "--bin", "reviewdesk"])
            .current_dir(&root),
    )?;
    Ok(crate::target_dir()?.join("debug/reviewdesk"))
}

/// The longest one end-to-end test may take (all thirteen together take about 3 min here):
/// past it the run is stopped and the test counted as failed, rather than CI's limit ending
/// everything unreported.
const ONE_TEST_AT_MOST: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Runs the e2e test binary with `args` (filters and libtest options) against `app`, with
/// `extra_env` added to its environment.
fn run_inner(app: &Path, args: &[String], extra_env: &[(&str, &OsStr)]) -> Result<(u64, u64)> {
    let root = crate::root();
    let test_bin = build_test_binary(&root, "e2e")?;
    let driver = process::which("tauri-driver")
        .context("tauri-driver is not installed (run `cargo xtask setup`)")?;

    let shots = root.join("target/e2e-shots");
    std::fs::create_dir_all(&shots)?;
    let (mut cmd, home) = headless(&root, test_bin.as_os_str())?;
    cmd.args(["--test-threads=1"])
        .args(args)
        .env("REVIEWDESK_E2E_APP", app)
        .env("REVIEWDESK_E2E_DRIVER", &driver)
        .env("REVIEWDESK_E2E_SHOTS", &shots);
    for (key, value) in extra_env {
        cmd.env(key, value);
    }
    let watchdog = process::Watchdog {
        limit: ONE_TEST_AT_MOST,
        progress: |line| line.starts_with("test ") || line.starts_with("running "),
    };
    let (status, out, stalled) = process::tee_watched(&mut cmd, Some(watchdog))?;
    let (mut passed, mut failed) = parse_libtest(&out).unwrap_or((0, 0));
    if let Some(line) = stalled {
        // "test name ... " with whatever the app printed after it on the same line.
        let test = line.split(" ...").next().unwrap_or(&line);
        eprintln!(
            "xtask: an end-to-end test ran over {} min and was stopped: {test}",
            ONE_TEST_AT_MOST.as_secs() / 60
        );
        // The stopped binary printed no summary.
        (passed, failed) = libtest_so_far(&out);
    }
    if !status.success() && failed == 0 {
        failed = 1;
    }
    let _ = std::fs::remove_dir_all(&home);
    eprintln!("xtask: screenshots in {}", shots.display());
    Ok((passed, failed))
}

/// `program` under Xvfb (a 1920x1200 screen), a session bus of its own (`dbus-run-session`) and
/// an unlocked gnome-keyring, in a throwaway home where the keyring, app data, deep-link handler
/// registrations and mime defaults land, never in the developer's own profile. One home per run
/// (returned, for the caller to remove), so two runs side by side (two developers' terminals) do
/// not clear each other's keyring. Add the program's arguments to the returned command.
pub fn headless(root: &Path, program: &OsStr) -> Result<(Command, PathBuf)> {
    let home = root.join(format!("target/e2e-home/run-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    for sub in [".local/share", ".config", ".cache", "runtime"] {
        std::fs::create_dir_all(home.join(sub))?;
    }
    set_private(&home.join("runtime"));
    let script = "set -e\n\
        echo -n reviewdesk-e2e | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1\n\
        exec \"$@\"";
    let mut cmd = Command::new("xvfb-run");
    cmd.args([
        "-a",
        "-s",
        "-screen 0 1920x1200x24",
        "dbus-run-session",
        "--",
    ])
    .args(["bash", "-c", script, "e2e"])
    .arg(program)
    .env("HOME", &home)
    .env("XDG_DATA_HOME", home.join(".local/share"))
    .env("XDG_CONFIG_HOME", home.join(".config"))
    .env("XDG_CACHE_HOME", home.join(".cache"))
    .env("XDG_RUNTIME_DIR", home.join("runtime"))
    .env_remove("DBUS_SESSION_BUS_ADDRESS")
    .env_remove("DISPLAY")
    .current_dir(root);
    Ok((cmd, home))
}

#[cfg(unix)]
fn set_private(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
}

#[cfg(not(unix))]
fn set_private(_dir: &Path) {}

/// Compiles one integration test binary of the `reviewdesk-tests` crate and returns its path.
pub fn build_test_binary(root: &Path, test: &str) -> Result<PathBuf> {
    build_binary_of(root, &["test", "--test", test], test)
}

/// Compiles the target `name` of the `reviewdesk-tests` crate with `cargo <how…> --no-run` (a
/// test or a bench) and returns the executable's path.
pub fn build_binary_of(root: &Path, how: &[&str], name: &str) -> Result<PathBuf> {
    let mut cmd = Command::new("cargo");
    cmd.args(how)
        .args([
            "-p",
            "reviewdesk-tests",
            "--no-run",
            "--message-format=json-render-diagnostics",
        ])
        .current_dir(root)
        // The compiler's messages (rendered by cargo) and cargo's own errors, such as a full disk,
        // go to the terminal: only the JSON on stdout is read here.
        .stderr(Stdio::inherit());
    eprintln!("\n==> {}", process::describe(&cmd));
    let out = cmd.output().context("starting cargo")?;
    if !out.status.success() {
        bail!("building the {name} binary failed");
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .rev()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|msg| msg["reason"] == "compiler-artifact" && msg["target"]["name"] == name)
        .find_map(|msg| msg["executable"].as_str().map(PathBuf::from))
        .with_context(|| format!("cargo built no executable for `{name}`"))
}
