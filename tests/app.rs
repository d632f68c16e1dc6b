//! The real ReviewDesk binary under WebDriver.
//!
//! Each [`AppUnderTest`] starts its own `tauri-driver` (which starts `WebKitWebDriver`, which
//! starts the app) with the environment the app should see, so every test chooses its sandbox,
//! its data directory and its configuration. `cargo xtask e2e` provides the display (Xvfb), the
//! session bus (`dbus-run-session`), the unlocked keyring and these variables:
//! `REVIEWDESK_E2E_APP` (the binary), `REVIEWDESK_E2E_DRIVER` (tauri-driver),
//! `REVIEWDESK_E2E_SHOTS` (where screenshots go).

use anyhow::{bail, Context, Result};
use fantoccini::{Client, ClientBuilder, Locator};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What the harness needs from `cargo xtask e2e`.
pub struct Harness {
    /// The app binary under test.
    pub app: PathBuf,
    /// The tauri-driver binary.
    pub driver: PathBuf,
    /// Where screenshots and driver logs go.
    pub shots: PathBuf,
}

impl Harness {
    /// Reads the harness variables; fails loudly (never skips) when they are missing, so a
    /// mis-wired run cannot pass without having tested anything.
    pub fn from_env() -> Result<Self> {
        let var = |name: &str| {
            std::env::var_os(name).map(PathBuf::from).with_context(|| {
                format!("{name} is not set: run the end-to-end tests with `cargo xtask e2e`")
            })
        };
        Ok(Self {
            app: var("REVIEWDESK_E2E_APP")?,
            driver: var("REVIEWDESK_E2E_DRIVER")?,
            shots: var("REVIEWDESK_E2E_SHOTS")?,
        })
    }
}

/// A running app driven over WebDriver.
pub struct AppUnderTest {
    /// The WebDriver session (its window is the app's main window).
    pub client: Client,
    driver: Child,
    shots: PathBuf,
    log: PathBuf,
    /// Directory holding the app's data, config and cache for this launch.
    pub home: tempfile::TempDir,
}

impl AppUnderTest {
    /// Starts tauri-driver with `env` added to the app's environment and opens a session, with
    /// a fresh, empty home for the app.
    pub async fn launch(name: &str, env: &[(&str, String)]) -> Result<Self> {
        let home = tempfile::Builder::new()
            .prefix("reviewdesk-e2e-")
            .tempdir()?;
        Self::relaunch(name, env, home).await
    }

    /// Like [`AppUnderTest::launch`] with the app data of an earlier launch (a restart).
    pub async fn relaunch(
        name: &str,
        env: &[(&str, String)],
        home: tempfile::TempDir,
    ) -> Result<Self> {
        Self::start(name, env, home, None).await
    }

    /// Like [`AppUnderTest::relaunch`], but the app is started the way the OS starts it for a
    /// deep link at a cold start: with `argument` as its only command-line argument. The bytes
    /// are passed as they are (a wrapper script in `home` execs the binary), so the argument may
    /// hold bytes that are not UTF-8, which WebDriver's JSON capabilities cannot carry.
    pub async fn relaunch_with_argument(
        name: &str,
        env: &[(&str, String)],
        home: tempfile::TempDir,
        argument: &std::ffi::OsStr,
    ) -> Result<Self> {
        let body = [
            b"exec \"$APP\" ".as_slice(),
            &shell_quote(argument.as_encoded_bytes()),
            b"\n",
        ]
        .concat();
        Self::relaunch_through(name, env, home, &body).await
    }

    /// Like [`AppUnderTest::relaunch`], with the app started by the shell script `body` instead
    /// of directly: `$APP` names the binary, and the one process of it that ends up as the
    /// running instance is the one WebDriver drives (WebKitWebDriver hands the automation
    /// address down through the environment). The script must not exit before that instance
    /// does.
    pub async fn relaunch_through(
        name: &str,
        env: &[(&str, String)],
        home: tempfile::TempDir,
        body: &[u8],
    ) -> Result<Self> {
        let harness = Harness::from_env()?;
        let script = home.path().join(format!("{name}-launch.sh"));
        let app = shell_quote(harness.app.as_os_str().as_encoded_bytes());
        let text = [b"#!/bin/sh\nAPP=".as_slice(), &app, b"\n", body].concat();
        std::fs::write(&script, text)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))?;
        }
        Self::start(name, env, home, Some(script)).await
    }

    async fn start(
        name: &str,
        env: &[(&str, String)],
        home: tempfile::TempDir,
        application: Option<PathBuf>,
    ) -> Result<Self> {
        let harness = Harness::from_env()?;
        let application = application.unwrap_or_else(|| harness.app.clone());
        // A copy left over by an earlier test that failed half-way (one the OS started for a
        // deep link has no driver to stop it) would swallow this launch through single-instance.
        let app = harness.app.clone();
        tokio::task::spawn_blocking(move || stop_all(&app))
            .await
            .unwrap_or(());
        // tauri-driver connects to the WebKitWebDriver it has just started without waiting for
        // it to listen, so on a loaded machine the first session request can fail with a
        // connect error before any app was started (seen once in CI): one more attempt then.
        let mut attempt = 0;
        let (client, driver, log_path) = loop {
            attempt += 1;
            let port = crate::free_port()?;
            let native_port = crate::free_port()?;
            std::fs::create_dir_all(&harness.shots)?;
            let log_path = harness.shots.join(format!("{name}-driver.log"));
            let log = std::fs::File::create(&log_path)?;
            let mut cmd = Command::new(&harness.driver);
            cmd.args(["--port", &port.to_string()])
                .args(["--native-port", &native_port.to_string()])
                .env("XDG_DATA_HOME", home.path().join("data"))
                .env("XDG_CONFIG_HOME", home.path().join("config"))
                .env("XDG_CACHE_HOME", home.path().join("cache"))
                .env("RUST_LOG", "reviewdesk=debug,info")
                .stdin(Stdio::null())
                .stdout(log.try_clone()?)
                .stderr(log);
            for (key, value) in env {
                cmd.env(key, value);
            }
            let mut driver = cmd.spawn().context("starting tauri-driver")?;
            if let Err(err) = wait_for_port(port, Duration::from_secs(20)).await {
                let _ = driver.kill();
                return Err(err);
            }

            let mut caps = serde_json::Map::new();
            caps.insert("browserName".into(), "wry".into());
            caps.insert(
                "tauri:options".into(),
                serde_json::json!({ "application": application }),
            );
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            let mut builder = ClientBuilder::new(connector);
            builder.capabilities(caps);
            let webdriver_url = format!("http://127.0.0.1:{port}");
            let connect = builder.connect(&webdriver_url);
            match tokio::time::timeout(Duration::from_secs(60), connect).await {
                Ok(Ok(client)) => break (client, driver, log_path),
                Ok(Err(err)) => {
                    stop_group(&mut driver);
                    if attempt < 2 {
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                    bail!("WebDriver session did not start: {err}");
                }
                Err(_) => {
                    stop_group(&mut driver);
                    bail!("WebDriver session did not start within 60 s (is another ReviewDesk running on this D-Bus session?)");
                }
            }
        };
        Ok(Self {
            client,
            driver,
            shots: harness.shots,
            log: log_path,
            home,
        })
    }

    /// Takes the app's home out of this launch so it outlives [`AppUnderTest::quit`] (for a
    /// restart with the same data).
    pub fn keep_home(&mut self) -> tempfile::TempDir {
        let placeholder = tempfile::Builder::new()
            .prefix("reviewdesk-e2e-spent-")
            .tempdir()
            .unwrap_or_else(|_| panic!("cannot create a temporary directory"));
        std::mem::replace(&mut self.home, placeholder)
    }

    /// The file that receives the app's (and the drivers') stdout and stderr.
    pub fn log_path(&self) -> &std::path::Path {
        &self.log
    }

    /// Waits until the element with `data-testid` exists and shows non-empty text, and returns
    /// that text. (An element can be in the DOM a moment before WebKit lays it out, and
    /// WebDriver reports only rendered text.)
    pub async fn text_of(&self, test_id: &str, within: Duration) -> Result<String> {
        let selector = format!("[data-testid=\"{test_id}\"]");
        let start = Instant::now();
        loop {
            if let Ok(element) = self.client.find(Locator::Css(&selector)).await {
                let text = element.text().await?;
                if !text.trim().is_empty() {
                    return Ok(text.trim().to_owned());
                }
            }
            if start.elapsed() > within {
                let geometry = self
                    .client
                    .execute(
                        "const e = document.querySelector(arguments[0]); \
                         const r = e && e.getBoundingClientRect(); \
                         return JSON.stringify({w: innerWidth, h: innerHeight, rect: r, \
                           vis: document.visibilityState});",
                        vec![serde_json::Value::String(selector.clone())],
                    )
                    .await
                    .map(|v| v.to_string())
                    .unwrap_or_default();
                eprintln!("text_of({test_id}): window and element geometry: {geometry}");
                let page = self.client.source().await.unwrap_or_default();
                let dump = self.shots.join(format!("missing-{test_id}.html"));
                let _ = std::fs::write(&dump, page);
                bail!(
                    "no element [data-testid={test_id}] with text within {within:?} (page saved to {})",
                    dump.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks the element with `data-testid`, waiting up to `within` for it to exist.
    pub async fn click(&self, test_id: &str, within: Duration) -> Result<()> {
        let selector = format!("[data-testid=\"{test_id}\"]");
        self.client
            .wait()
            .at_most(within)
            .for_element(Locator::Css(&selector))
            .await
            .with_context(|| format!("no element [data-testid={test_id}]"))?
            .click()
            .await
            .with_context(|| format!("clicking [data-testid={test_id}]"))?;
        Ok(())
    }

    /// Replaces the text of the field with `data-testid` by `text`, as typed keys.
    pub async fn type_into(&self, test_id: &str, text: &str, within: Duration) -> Result<()> {
        let selector = format!("[data-testid=\"{test_id}\"]");
        // The page may re-render the field while WebKit's driver types (a sync's first rows
        // arriving): the driver then answers an error with no message. Found again and typed
        // again, a few times.
        let mut attempt = 0;
        loop {
            let field = self
                .client
                .wait()
                .at_most(within)
                .for_element(Locator::Css(&selector))
                .await
                .with_context(|| format!("no field [data-testid={test_id}]"))?;
            let typed = async {
                field.clear().await?;
                field.send_keys(text).await
            }
            .await;
            match typed {
                Ok(()) => return Ok(()),
                Err(_) if attempt < 3 => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(300)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Types `keys` into whatever has the focus (the page itself when nothing does), the way a
    /// merchant uses keyboard shortcuts.
    pub async fn press(&self, keys: &str) -> Result<()> {
        let target = self.client.active_element().await?;
        target.send_keys(keys).await?;
        Ok(())
    }

    /// Runs `script` (a function body; `arguments` are `args`) in the page and returns its value.
    pub async fn eval(
        &self,
        script: &str,
        args: Vec<serde_json::Value>,
    ) -> Result<serde_json::Value> {
        Ok(self.client.execute(script, args).await?)
    }

    /// Polls `script` until it returns something other than `null`/`false`, and returns that.
    pub async fn wait_for_js(
        &self,
        what: &str,
        script: &str,
        within: Duration,
    ) -> Result<serde_json::Value> {
        let start = Instant::now();
        loop {
            let value = self.eval(script, vec![]).await?;
            if !(value.is_null() || value == serde_json::Value::Bool(false)) {
                return Ok(value);
            }
            if start.elapsed() > within {
                let page = self.client.source().await.unwrap_or_default();
                let dump = self
                    .shots
                    .join(format!("timeout-{}.html", what.replace(' ', "-")));
                let _ = std::fs::write(&dump, page);
                // The app's own log beside it: what the app was doing meanwhile (a sync that
                // did not end, a call that waited) is only there, and the app's home is gone
                // once the test ends.
                let log = self
                    .shots
                    .join(format!("timeout-{}.app.log", what.replace(' ', "-")));
                let _ = std::fs::copy(&self.log, &log);
                bail!(
                    "{what}: not within {within:?} (page saved to {}, the app's log to {})",
                    dump.display(),
                    log.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Saves a PNG of the window under the shots directory once WebKit has painted two more
    /// frames (a screenshot straight after a DOM change can show the previous paint).
    ///
    /// Without compositing (the app's choice on a machine with no GPU, `src-tauri/src/rendering.rs`)
    /// WebKitWebDriver's screenshot waits for the page's next paint, and a page that is not
    /// changing (the sign-in screen) never paints again: the request never returned and CI ran
    /// out of time. So a transparent pixel changes on every frame until the screenshot is in,
    /// and the request has a deadline of its own.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let _ = self.client.execute_async(REPAINT_UNTIL_SHOT, vec![]).await;
        tokio::time::sleep(Duration::from_millis(700)).await;
        let png = tokio::time::timeout(Duration::from_secs(30), self.client.screenshot()).await;
        let _ = self
            .client
            .execute("window.__reviewdeskShotTaken = true;", vec![])
            .await;
        let png =
            png.map_err(|_| anyhow::anyhow!("the screenshot {name} did not come within 30 s"))??;
        let path = self.shots.join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// Ends the session (which closes the app) and stops the driver.
    pub async fn quit(mut self) {
        let _ = self.client.clone().close().await;
        stop_group(&mut self.driver);
    }
}

/// Starts changing a transparent 1-pixel element on every animation frame (until the screenshot
/// is taken, at most 20 s) and answers after two frames: see [`AppUnderTest::screenshot`].
const REPAINT_UNTIL_SHOT: &str = "const done = arguments[arguments.length - 1];\
    window.__reviewdeskShotTaken = false;\
    const dot = document.createElement('div');\
    dot.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:1px;pointer-events:none';\
    document.body.appendChild(dot);\
    const start = performance.now();\
    let frames = 0;\
    const step = () => {\
      frames += 1;\
      dot.style.background = frames % 2 ? 'rgba(0,0,0,0.004)' : 'rgba(0,0,0,0)';\
      if (frames === 2) done(true);\
      if (window.__reviewdeskShotTaken || performance.now() - start > 20000) dot.remove();\
      else requestAnimationFrame(step);\
    };\
    requestAnimationFrame(step);";

impl Drop for AppUnderTest {
    fn drop(&mut self) {
        stop_group(&mut self.driver);
    }
}

/// Stops `child` and every process below it: tauri-driver and everything it started
/// (WebKitWebDriver, the app and the app's web processes), or an app the bench started itself.
/// WebKitWebDriver puts the app in a process group of its own, so the whole tree is found
/// through `/proc` and stopped; a surviving app would otherwise swallow the next test's launch
/// through single-instance.
pub fn stop_group(child: &mut Child) {
    if let Ok(None) = child.try_wait() {
        let tree = descendants(child.id());
        let _ = child.kill();
        let _ = child.wait();
        terminate(&tree);
    }
}

/// Stops every running copy of the app under test that no driver started (e.g. one the OS
/// started for a deep link), found by its executable.
pub async fn stop_app_instances() {
    let Ok(harness) = Harness::from_env() else {
        return;
    };
    tokio::task::spawn_blocking(move || stop_all(&harness.app))
        .await
        .unwrap_or(());
}

/// Stops every copy of `app`, then waits until the session bus has let go of the
/// single-instance name the last one held: a copy started before that would hand its
/// arguments to the dying one and exit.
fn stop_all(app: &std::path::Path) {
    let pids = instances_of(app);
    if pids.is_empty() {
        return;
    }
    terminate(&pids);
    let deadline = Instant::now() + Duration::from_secs(5);
    while single_instance_taken() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whether a process owns the app's single-instance name on the session bus
/// (`<identifier>.SingleInstance`, see tauri-plugin-single-instance's Linux implementation).
fn single_instance_taken() -> bool {
    Command::new("gdbus")
        .args([
            "call",
            "--session",
            "--dest",
            "org.freedesktop.DBus",
            "--object-path",
            "/org/freedesktop/DBus",
            "--method",
            "org.freedesktop.DBus.NameHasOwner",
            "io.reviewdesk.desktop.SingleInstance",
        ])
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).contains("true"))
        .unwrap_or(false)
}

/// Every running process whose executable is `app`.
fn instances_of(app: &std::path::Path) -> Vec<u32> {
    let target = std::fs::canonicalize(app).unwrap_or_else(|_| app.to_path_buf());
    processes()
        .into_iter()
        .filter(|(pid, _)| {
            std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == target)
        })
        .map(|(pid, _)| pid)
        .collect()
}

/// SIGTERM, up to 5 s of grace, then SIGKILL for what is left.
fn terminate(pids: &[u32]) {
    let signal = |name: &str, pid: u32| {
        let _ = Command::new("kill").args([name, &pid.to_string()]).status();
    };
    for pid in pids.iter().rev() {
        signal("-TERM", *pid);
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while pids.iter().any(|pid| alive(*pid)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    for pid in pids.iter().filter(|pid| alive(**pid)) {
        signal("-KILL", *pid);
    }
}

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| !stat.contains(") Z "))
        .unwrap_or(false)
}

/// What `read` answers for each running process (its pid and `/proc/<pid>`), skipping those it
/// answers `None` for (gone meanwhile, not readable, not wanted).
pub fn each_process<T>(read: impl Fn(u32, &std::path::Path) -> Option<T>) -> Vec<T> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid = entry.file_name().to_str()?.parse::<u32>().ok()?;
            read(pid, &entry.path())
        })
        .collect()
}

/// Every process as `(pid, parent pid)`, from `/proc`.
fn processes() -> Vec<(u32, u32)> {
    each_process(|pid, dir| {
        // Field 4 of /proc/PID/stat is the parent; the command name before it is in parens.
        let stat = std::fs::read_to_string(dir.join("stat")).ok()?;
        let ppid = stat
            .rsplit_once(')')?
            .1
            .split_whitespace()
            .nth(1)?
            .parse::<u32>()
            .ok()?;
        Some((pid, ppid))
    })
}

/// Every process below `root`, parents before children.
pub fn descendants(root: u32) -> Vec<u32> {
    let all = processes();
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(
            all.iter()
                .filter(|(_, ppid)| *ppid == parent)
                .map(|(pid, _)| *pid),
        );
        i += 1;
    }
    found.remove(0);
    found
}

/// `bytes` as one word for `sh`: in single quotes, each `'` written as `'\\''`. Any other
/// byte, including ones that are not UTF-8, stands for itself.
pub fn shell_quote(bytes: &[u8]) -> Vec<u8> {
    let mut quoted = vec![b'\''];
    for &byte in bytes {
        if byte == b'\'' {
            quoted.extend_from_slice(b"'\\''");
        } else {
            quoted.push(byte);
        }
    }
    quoted.push(b'\'');
    quoted
}

async fn wait_for_port(port: u16, within: Duration) -> Result<()> {
    let start = Instant::now();
    while start.elapsed() < within {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("tauri-driver did not listen on port {port} within {within:?}")
}
