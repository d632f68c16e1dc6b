//! `cargo xtask demo`: the app on the built-in sandbox with demo data, no account and no network.
//! Also `cargo xtask sandbox` (the sandbox alone).

use crate::process;
use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

struct DemoOptions {
    reviews: u64,
    screenshot: Option<PathBuf>,
}

fn parse_options(args: &[String]) -> Result<DemoOptions> {
    let mut options = DemoOptions {
        reviews: 2_000,
        screenshot: None,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--reviews" => {
                let value = it.next().context("--reviews needs a number")?;
                options.reviews = value
                    .parse()
                    .with_context(|| format!("--reviews: `{value}` is not a number"))?;
            }
            "--screenshot" => {
                let value = it.next().context("--screenshot needs a file name")?;
                options.screenshot = Some(PathBuf::from(value));
            }
            other => bail!("demo: unknown option `{other}`"),
        }
    }
    Ok(options)
}

/// Builds everything, starts the sandbox and opens the app signed in to the demo shop.
pub fn run(args: &[String]) -> Result<()> {
    let options = parse_options(args)?;
    crate::setup::run()?;
    let root = crate::root();
    build_ui(&root)?;
    process::run(
        Command::new("cargo")
            .args(["build", "-p", "reviewdesk", "-p", "reviewdesk-sandbox"])
            .current_dir(&root),
    )?;
    let storage = root.join("target/demo-storage");
    std::fs::create_dir_all(&storage)?;
    let (mut sandbox, base_url) = start_sandbox(&root, options.reviews, &storage)?;
    eprintln!(
        "demo: sandbox at {base_url} with {} reviews",
        options.reviews
    );
    let result = match &options.screenshot {
        Some(path) => screenshot(&root, &base_url, path),
        None => open_app(&root, &base_url),
    };
    let _ = sandbox.kill();
    let _ = sandbox.wait();
    result
}

/// Builds the window's pages (`ui/dist`, which the app embeds when it is compiled).
pub fn build_ui(root: &Path) -> Result<()> {
    process::run(
        Command::new("npm")
            .args(["run", "build"])
            .current_dir(root.join("ui")),
    )
}

/// Starts `reviewdesk-sandbox` on a free port and returns it with the URL it printed.
fn start_sandbox(root: &Path, reviews: u64, storage: &Path) -> Result<(Child, String)> {
    let mut child = Command::new(root.join("target/debug/reviewdesk-sandbox"))
        .args(["--port", "0", "--reviews", &reviews.to_string()])
        .arg("--storage-dir")
        .arg(storage)
        .stdout(Stdio::piped())
        .spawn()
        .context("starting reviewdesk-sandbox")?;
    let stdout = child.stdout.take().context("sandbox stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let base_url = loop {
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(url) = line.strip_prefix("sandbox listening on ") {
                    break url.trim().to_owned();
                }
            }
            _ => {
                let _ = child.kill();
                bail!("the sandbox exited before it was ready");
            }
        }
    };
    // Keep draining its stdout so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Ok((child, base_url))
}

fn app_command(root: &Path, base_url: &str) -> Command {
    let mut cmd = Command::new(root.join("target/debug/reviewdesk"));
    cmd.env("REVIEWDESK_API_BASE", base_url)
        .env("REVIEWDESK_DEMO", "1");
    cmd
}

fn open_app(root: &Path, base_url: &str) -> Result<()> {
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        bail!(
            "no display to open the window on. On a desktop run `cargo xtask demo` from a \
             terminal in your session; on a headless machine try \
             `cargo xtask demo --screenshot demo.png`"
        );
    }
    eprintln!("demo: opening ReviewDesk (close the window to stop the demo)");
    process::run(&mut app_command(root, base_url))
}

/// Runs the app under Xvfb with a private D-Bus, waits for it to paint, and saves the screen.
fn screenshot(root: &Path, base_url: &str, path: &Path) -> Result<()> {
    let path = if path.is_absolute() {
        path.to_owned()
    } else {
        std::env::current_dir()?.join(path)
    };
    let script = "\"$1\" & app=$!\n\
        sleep \"$3\"\n\
        import -window root \"$2\"\n\
        kill $app; wait $app 2>/dev/null || true";
    let app = root.join("target/debug/reviewdesk");
    let mut wrapped = Command::new("xvfb-run");
    wrapped
        .args([
            "-a",
            "-s",
            "-screen 0 1280x800x24",
            "dbus-run-session",
            "--",
        ])
        .args(["bash", "-c", script, "demo"])
        .arg(&app)
        .arg(&path)
        .arg("10")
        .env("REVIEWDESK_API_BASE", base_url)
        .env("REVIEWDESK_DEMO", "1")
        .env_remove("DBUS_SESSION_BUS_ADDRESS");
    process::run(&mut wrapped)?;
    eprintln!("demo: screenshot saved to {}", path.display());
    Ok(())
}

/// `cargo xtask sandbox …`: builds and runs the sandbox binary in the foreground.
pub fn sandbox_alone(args: &[String]) -> Result<()> {
    let root = crate::root();
    process::run(
        Command::new("cargo")
            .args(["run", "-q", "-p", "reviewdesk-sandbox", "--"])
            .args(args)
            .current_dir(&root),
    )
}
