//! Issue 19 §1: what a merchant feels in the window, measured on the release binary under Xvfb
//! beside a hello-world Tauri app built with the same tauri (`src-tauri/bench-hello`).
//!
//! `cargo xtask bench app` builds both, provides the display, the session bus and these
//! variables: `REVIEWDESK_E2E_APP` (ReviewDesk's release binary), `REVIEWDESK_E2E_DRIVER`
//! (tauri-driver), `REVIEWDESK_E2E_SHOTS`, `REVIEWDESK_BENCH_HELLO` (the reference app).
//!
//! - The stores of 100,000 and 1,000,000 reviews are made by the app itself: its first sync of
//!   each sandbox, in the running window (the 1 M one is the "first sync" figure, with the
//!   longest frame while it runs). Everything else starts from those stores.
//! - Launch → first row: the bench spawns the binary itself and notes the wall clock; the page
//!   reports the wall clock just after the frame with its first rows is painted (`paintedAt` in
//!   `ui/src/lib/paint.ts`, logged by the `first_rows_painted` command); the hello-world's page
//!   reports its text the same way.
//! - Typing, scrolling: the window driven over WebDriver, timed by the page's own clock: the
//!   key's `keydown` event, the last change of the list's DOM it caused, and the animation frame
//!   after it (the frame that paints it); frames from `requestAnimationFrame`.
//! - Memory: resident set of the app and every process below it (WebKit's web and network
//!   processes), idle after a launch.

use super::SandboxProcess;
use anyhow::{bail, Context, Result};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use reviewdesk_core::{AccountKey, ReviewQuery};
use reviewdesk_sandbox::demo;
use reviewdesk_tests::app::{descendants, stop_group, AppUnderTest};
use serde_json::Value;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Names the reference app's binary (set by `cargo xtask bench app`).
const HELLO_ENV: &str = "REVIEWDESK_BENCH_HELLO";
/// The line both apps print once their first rows (the hello-world: its text) are painted.
const PAINTED: &str = "first rows painted at_unix_ms=";
/// Warm launches measured per app and store (after one launch that warms the caches).
const LAUNCHES: usize = 5;

/// Goals the issue sets.
const LAUNCH_GOAL_RATIO: f64 = 1.5;
const KEY_GOAL: f64 = 50.0;
const SCROLL_GOAL: f64 = 50.0;
const MEMORY_GOAL_MIB: f64 = 100.0;
const SYNC_FRAME_GOAL: f64 = 100.0;

/// Runs the window figures named in `parts` (`launch`, `memory`, `sync`, `typing`, `scrolling`;
/// every one when none is named), at 100,000 and 1,000,000 reviews (only 100,000 with `small`).
pub async fn window_figures(parts: &[String]) -> Result<()> {
    let named = |p: &str| parts.iter().any(|a| a == p);
    let all = !["launch", "memory", "sync", "typing", "scrolling"]
        .iter()
        .any(|p| named(p));
    let wants = |p: &str| all || named(p);
    let hello = std::env::var_os(HELLO_ENV).map(PathBuf::from).context(
        "REVIEWDESK_BENCH_HELLO is not set: run this figure with `cargo xtask bench app`",
    )?;
    let app = reviewdesk_tests::app::Harness::from_env()?.app;
    println!("app: the release window under Xvfb (1920x1200, software rendering), beside a hello-world Tauri app");

    let launching = wants("launch") || wants("memory");
    let hello_runs = if launching {
        let hello_home = tempfile::tempdir()?;
        let runs = launches(&hello, hello_home.path(), &[])?;
        println!(
            "  hello-world launch → its text painted:  {}",
            Stats::of(&runs.times).show("ms")
        );
        println!(
            "  hello-world memory, idle:               {:.0} MiB (app + WebKit processes: {})",
            runs.memory_mib, runs.memory_parts
        );
        Some(runs)
    } else {
        None
    };

    let sizes: &[usize] = if named("small") {
        &[100_000]
    } else {
        &[100_000, 1_000_000]
    };
    for &reviews in sizes {
        let sandbox = SandboxProcess::start_remote(reviews)?;
        let env = app_env(&sandbox);
        let home = first_sync(reviews, &env).await?;
        if let Some(hello_runs) = &hello_runs {
            let runs = launches(&app, home.path(), &env)?;
            print_launches(reviews, &runs, hello_runs);
        }
        if reviews == 100_000 && wants("scrolling") {
            scrolling(home, &env).await?;
        } else if reviews == 1_000_000 && wants("typing") {
            typing(home, &env).await?;
        }
    }
    println!();
    Ok(())
}

/// Launch and memory of ReviewDesk at `reviews`, beside the hello-world's.
fn print_launches(reviews: usize, runs: &Launches, hello: &Launches) {
    let launch = Stats::of(&runs.times);
    let hello_median = Stats::of(&hello.times).median;
    let ratio = launch.max / hello_median;
    println!(
        "  launch → first row painted, {:>9} reviews: {}",
        thousands(reviews),
        launch.show("ms")
    );
    println!(
        "    slowest run {ratio:.1}x the hello-world's median (goal ≤ {LAUNCH_GOAL_RATIO}x every run: {})",
        verdict(ratio <= LAUNCH_GOAL_RATIO)
    );
    if let Some(first) = runs.steps.first() {
        let medians: Vec<String> = (0..first.len())
            .map(|i| {
                let values: Vec<f64> = runs
                    .steps
                    .iter()
                    .filter_map(|s| s.get(i).map(|(_, v)| *v))
                    .collect();
                format!("{} {:.0}", first[i].0, Stats::of(&values).median)
            })
            .collect();
        println!("    where it goes (medians, ms): {}", medians.join(", "));
    }
    let extra = runs.memory_mib - hello.memory_mib;
    let goal = if reviews == 1_000_000 {
        format!(
            " (goal ≤ + {MEMORY_GOAL_MIB:.0} MiB: {})",
            verdict(extra <= MEMORY_GOAL_MIB)
        )
    } else {
        String::new()
    };
    println!(
        "  memory, idle, {:>9} reviews: {:.0} MiB, hello-world + {extra:.0} MiB{goal} ({})",
        thousands(reviews),
        runs.memory_mib,
        runs.memory_parts,
    );
}

/// The environment that points the app at `sandbox`'s demo shop (no sign-in, no keyring).
fn app_env(sandbox: &SandboxProcess) -> Vec<(&'static str, String)> {
    let [api, authenticate, invitations] = sandbox.trustpilot.clone();
    vec![
        ("REVIEWDESK_API_BASE", sandbox.base.clone()),
        ("REVIEWDESK_DEMO", "1".to_owned()),
        ("REVIEWDESK_TRUSTPILOT_API_BASE", api),
        ("REVIEWDESK_TRUSTPILOT_AUTHENTICATE_BASE", authenticate),
        ("REVIEWDESK_TRUSTPILOT_INVITATIONS_BASE", invitations),
    ]
}

/// Records every animation frame's time (the page's clock) and whether the list had rows then.
const FRAME_RECORDER: &str = r#"
if (!window.__bench) {
  const b = (window.__bench = { frames: [], long: [], emptyFrames: 0, watchEmpty: false, maxRows: 0, keys: [], changes: [] });
  let last = null;
  const tick = () => {
    const now = performance.now();
    b.frames.push(now);
    // Frames over 100 ms with their wall clock, to find them in the app's log.
    if (last !== null && now - last > 100) b.long.push([Date.now(), Math.round(now - last)]);
    last = now;
    const rows = document.querySelectorAll('[data-testid="review-row"]').length;
    if (rows > b.maxRows) b.maxRows = rows;
    if (b.watchEmpty && rows === 0) b.emptyFrames++;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  // A timer beside the frames: when it stalls too, the page's own thread was busy (script,
  // layout); when only frames stall, the painting was.
  b.stalls = [];
  let lastTask = performance.now();
  setInterval(() => {
    const now = performance.now();
    if (now - lastTask > 100) b.stalls.push([Date.now(), Math.round(now - lastTask)]);
    lastTask = now;
  }, 10);
}
return true;
"#;

/// Takes the frames recorded so far (and clears them).
const TAKE_FRAMES: &str = "return window.__bench.frames.splice(0);";

/// Gaps between consecutive frames, in ms.
fn frame_gaps(value: &Value) -> Vec<f64> {
    let times = numbers(value);
    times.windows(2).map(|w| w[1] - w[0]).collect()
}

fn numbers(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default()
}

/// The app's first sync of the sandbox's `reviews` reviews, in the window with the inbox open.
/// Prints the time and the frames (the 1 M one is a figure; the 100 k one prepares its store)
/// and returns the app's home with the store it made.
async fn first_sync(reviews: usize, env: &[(&str, String)]) -> Result<tempfile::TempDir> {
    let started = Instant::now();
    let mut app = AppUnderTest::launch(&format!("bench-sync-{reviews}"), env).await?;
    app.eval(FRAME_RECORDER, vec![]).await?;
    let total = format!("{} reviews", thousands(reviews));
    let script = format!(
        "const t = document.querySelector('[data-testid=\"review-total\"]');\
         const b = document.querySelector('[data-testid=\"sync-now\"]');\
         return !!t && t.textContent.trim() === '{total}' && !!b && !b.disabled;"
    );
    app.wait_for_js("first sync done", &script, Duration::from_secs(900))
        .await?;
    let took = started.elapsed();
    let gaps = frame_gaps(&app.eval(TAKE_FRAMES, vec![]).await?);
    // The app's log and the long frames' wall clock beside it, for finding what blocked them.
    let shots = reviewdesk_tests::app::Harness::from_env()?.shots;
    let _ = std::fs::copy(
        app.log_path(),
        shots.join(format!("bench-sync-{reviews}.app.log")),
    );
    let long = app
        .eval(
            "return { frames: window.__bench.long, tasks: window.__bench.stalls };",
            vec![],
        )
        .await?;
    std::fs::write(
        shots.join(format!("bench-sync-{reviews}.long-frames.json")),
        long.to_string(),
    )?;
    let longest = gaps.iter().copied().fold(0.0, f64::max);
    let over = |limit: f64| gaps.iter().filter(|g| **g > limit).count();
    if reviews == 1_000_000 {
        println!(
            "  first sync of {} reviews in the running app (inbox open): {:.1} s from the launch",
            thousands(reviews),
            took.as_secs_f64()
        );
        println!(
            "    longest frame {longest:.0} ms, {} frames over 100 ms, {} over 50 ms, of {} (goal: none over {SYNC_FRAME_GOAL:.0} ms: {})",
            over(100.0),
            over(50.0),
            gaps.len(),
            verdict(longest <= SYNC_FRAME_GOAL)
        );
    } else {
        println!(
            "  (store of {} reviews made by the app's own first sync: {:.1} s; longest frame {longest:.0} ms)",
            thousands(reviews),
            took.as_secs_f64()
        );
    }
    let home = app.keep_home();
    app.quit().await;
    Ok(home)
}

/// A launch's steps: each named with its duration in ms.
type Steps = Vec<(String, f64)>;

/// Resident memory in MiB, and the same by process as text.
type Memory = (f64, String);

/// What the launches of one app measured.
struct Launches {
    /// Spawn → first rows painted, ms, one per measured launch.
    times: Vec<f64>,
    /// The steps of each measured launch (ReviewDesk's marks, see [`launch_steps`]).
    steps: Vec<Steps>,
    /// Resident memory of the app and its processes, idle, after the last launch.
    memory_mib: f64,
    /// The same by process.
    memory_parts: String,
}

/// One launch to warm the caches, then [`LAUNCHES`] measured ones of `binary` with its data in
/// `home`; the last one stays open a few seconds for the memory figure.
fn launches(binary: &Path, home: &Path, env: &[(&str, String)]) -> Result<Launches> {
    let mut times = Vec::new();
    let mut steps = Vec::new();
    let mut memory_mib = 0.0;
    let mut memory_parts = String::new();
    for run in 0..=LAUNCHES {
        let last = run == LAUNCHES;
        let (ms, run_steps, memory) = launch_once(binary, home, env, last)?;
        if run > 0 {
            times.push(ms);
            steps.push(run_steps);
        }
        if let Some((total, parts)) = memory {
            memory_mib = total;
            memory_parts = parts;
        }
    }
    Ok(Launches {
        times,
        steps,
        memory_mib,
        memory_parts,
    })
}

/// Spawns `binary`, waits for its painted line, and returns spawn → painted in ms, the launch's
/// steps, and (when `measure_memory`) the resident memory of its process tree after 8 s idle.
fn launch_once(
    binary: &Path,
    home: &Path,
    env: &[(&str, String)],
    measure_memory: bool,
) -> Result<(f64, Steps, Option<Memory>)> {
    let mut cmd = Command::new(binary);
    cmd.env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        cmd.env(key, value);
    }
    let spawned = unix_ms();
    let mut child = cmd
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    let (lines, painted) = std::sync::mpsc::channel::<String>();
    for stream in [
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
    ]
    .into_iter()
    .flatten()
    {
        let lines = lines.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stream)
                .lines()
                .map_while(|l| l.ok())
            {
                if lines.send(line).is_err() {
                    // Nobody listens any more: keep draining so the app never blocks on a full pipe.
                    continue;
                }
            }
        });
    }
    drop(lines);
    let deadline = Instant::now() + Duration::from_secs(120);
    let (at, steps) = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match painted.recv_timeout(left) {
            Ok(line) => {
                if let Some(at) = painted_at(&line) {
                    break (at, launch_steps(&line, spawned, at));
                }
            }
            Err(_) => {
                stop_group(&mut child);
                bail!("{} painted no rows within 120 s", binary.display());
            }
        }
    };
    let memory = if measure_memory {
        std::thread::sleep(Duration::from_secs(8));
        Some(resident_mib(child.id()))
    } else {
        None
    };
    stop_group(&mut child);
    Ok((at - spawned, steps, memory))
}

/// The steps of a launch from ReviewDesk's painted line (`marks=page-start:<unix ms>,script:<ms
/// since the page started>,…`): each step's duration in ms, from the spawn to the page's start,
/// between the marks in order, and from the last mark to the painted frame. Empty for a line
/// without marks (the hello-world's).
fn launch_steps(line: &str, spawned: f64, painted: f64) -> Steps {
    let Some(start) = line.find("marks=") else {
        return Vec::new();
    };
    let text = line[start + "marks=".len()..]
        .split_whitespace()
        .next()
        .unwrap_or_default();
    let mut origin = None;
    let mut marks = Vec::new();
    for pair in text.split(',') {
        let Some((name, value)) = pair.split_once(':') else {
            continue;
        };
        let Ok(value) = value.parse::<f64>() else {
            continue;
        };
        if name == "page-start" {
            origin = Some(value);
        } else {
            marks.push((name.to_owned(), value));
        }
    }
    let Some(origin) = origin else {
        return Vec::new();
    };
    let mut steps = vec![("spawn → page".to_owned(), origin - spawned)];
    let mut last = ("page".to_owned(), 0.0);
    for (name, at) in marks {
        steps.push((format!("→ {name}"), at - last.1));
        last = (name, at);
    }
    steps.push(("→ painted".to_owned(), painted - origin - last.1));
    steps
}

/// The wall-clock ms in a painted line, if it is one.
fn painted_at(line: &str) -> Option<f64> {
    let rest = &line[line.find(PAINTED)? + PAINTED.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

fn unix_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1e3)
        .unwrap_or(0.0)
}

/// Resident memory (VmRSS) of `pid` and every process below it, in MiB: the sum, and each
/// process by name (the app, WebKit's web and network processes).
fn resident_mib(pid: u32) -> Memory {
    let each: Vec<(String, f64)> = std::iter::once(pid)
        .chain(descendants(pid))
        .filter_map(|p| {
            let status = std::fs::read_to_string(format!("/proc/{p}/status")).ok()?;
            let name = status
                .lines()
                .next()?
                .strip_prefix("Name:")?
                .trim()
                .to_owned();
            let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
            let kib = line.split_whitespace().nth(1)?.parse::<f64>().ok()?;
            Some((name, kib / 1024.0))
        })
        .collect();
    let parts: Vec<String> = each.iter().map(|(n, m)| format!("{n} {m:.0}")).collect();
    (each.iter().map(|(_, m)| m).sum(), parts.join(", "))
}

/// A word the sandbox's reviews use often, typed letter by letter at 1 M, three times over.
const WORDS: [&str; 3] = ["quality", "recommend", "quality"];

/// Key press → list updated, a word typed letter by letter into the search box at 1 M reviews.
async fn typing(home: tempfile::TempDir, env: &[(&str, String)]) -> Result<()> {
    let app = AppUnderTest::relaunch("bench-typing", env, home).await?;
    wait_for_rows(&app).await?;
    app.eval(FRAME_RECORDER, vec![]).await?;
    app.eval(
        r#"const b = window.__bench;
           window.addEventListener('keydown', () => b.keys.push(performance.now()), true);
           const seen = () => b.changes.push(performance.now());
           const observer = new MutationObserver(seen);
           // The rows (not the total, whose exact count may come a moment later).
           const list = document.querySelector('[data-testid="review-list"]');
           if (list) observer.observe(list, { childList: true, subtree: true, characterData: true });
           return true;"#,
        vec![],
    )
    .await?;
    let store_path = home_store(&app);
    let store = reviewdesk_store::Store::open_reader(&store_path)
        .with_context(|| format!("opening {}", store_path.display()))?;
    let account = AccountKey::trustoo(demo::SHOP_DOMAIN);
    let mut latencies = Vec::new();
    let mut reference = Vec::new();
    let mut empty_frames = 0u64;
    let mut wrong = Vec::new();
    let search = app
        .client
        .find(fantoccini::Locator::Css("[data-testid=\"search\"]"))
        .await?;
    for word in WORDS {
        search.click().await?;
        // Emptied as a merchant does (select all, delete), before the clock starts.
        app.eval(
            "const s = document.querySelector('[data-testid=\"search\"]'); s.select(); return true;",
            vec![],
        )
        .await?;
        search
            .send_keys(&char::from(Key::Backspace).to_string())
            .await?;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        app.eval(
            "const b = window.__bench; b.keys = []; b.changes = []; b.frames = []; b.emptyFrames = 0; b.watchEmpty = true; return true;",
            vec![],
        )
        .await?;
        let mut shown_counts = Vec::new();
        for (i, letter) in word.char_indices() {
            search.send_keys(&letter.to_string()).await?;
            tokio::time::sleep(Duration::from_millis(700)).await;
            let prefix = &word[..i + letter.len_utf8()];
            let shown = app
                .eval(
                    "return document.querySelector('[data-testid=\"review-total\"]').textContent;",
                    vec![],
                )
                .await?;
            let shown = shown.as_str().unwrap_or_default().to_owned();
            // What the list asks at each key (ui/src/lib/inbox/query.ts: a page of 100 and
            // a total counted up to 1,000), then, untimed, the exact total it shows after.
            let query = ReviewQuery {
                filter: reviewdesk_core::ReviewFilter {
                    keyword: Some(prefix.to_owned()),
                    ..Default::default()
                },
                limit: 100,
                count_limit: Some(1000),
                ..Default::default()
            };
            let start = Instant::now();
            std::hint::black_box(store.query_reviews(&account, &query)?);
            reference.push(start.elapsed().as_secs_f64() * 1e3);
            let exact = ReviewQuery {
                limit: 1,
                count_limit: None,
                ..query
            };
            let page = store.query_reviews(&account, &exact)?;
            let expected = format!("{} review", thousands(page.total as usize));
            if !shown.trim().starts_with(&expected) {
                wrong.push(format!(
                    "`{prefix}`: window {shown:?}, store {}",
                    page.total
                ));
            }
            shown_counts.push(page.total);
        }
        let timing = app
            .eval(
                "const b = window.__bench; b.watchEmpty = false; return [b.keys, b.changes, b.frames, b.emptyFrames];",
                vec![],
            )
            .await?;
        let keys = numbers(&timing[0]);
        let changes = numbers(&timing[1]);
        let frames = numbers(&timing[2]);
        empty_frames += timing[3].as_u64().unwrap_or(0);
        for (k, key) in keys.iter().enumerate() {
            let next_key = keys.get(k + 1).copied().unwrap_or(f64::INFINITY);
            let Some(last_change) = changes
                .iter()
                .copied()
                .filter(|c| *c >= *key && *c < next_key)
                .reduce(f64::max)
            else {
                continue; // the same results (and count) as before: nothing to paint
            };
            if let Some(frame) = frames.iter().copied().find(|f| *f >= last_change) {
                latencies.push(frame - key);
            }
        }
        if shown_counts.windows(2).any(|w| w[1] > w[0]) {
            wrong.push(format!(
                "`{word}`: a longer prefix found more: {shown_counts:?}"
            ));
        }
    }
    app.quit().await;
    let keys = Stats::of(&latencies);
    let store_times = Stats::of(&reference);
    println!(
        "  key press → list updated, 1,000,000 reviews ({} keys of {:?}): {}",
        latencies.len(),
        WORDS,
        keys.show("ms")
    );
    println!(
        "    reference, the store's query alone for the same strings: {}",
        store_times.show("ms")
    );
    println!(
        "    goal p95 < {KEY_GOAL:.0} ms: {}; frames drawn with an empty list: {empty_frames}; prefixes: {}",
        verdict(keys.p95 < KEY_GOAL),
        if wrong.is_empty() {
            "each finds what the store finds".to_owned()
        } else {
            format!("WRONG: {}", wrong.join("; "))
        }
    );
    Ok(())
}

/// Holding `j`, then PageDown, through the 100,000-review list.
async fn scrolling(home: tempfile::TempDir, env: &[(&str, String)]) -> Result<()> {
    let app = AppUnderTest::relaunch("bench-scrolling", env, home).await?;
    wait_for_rows(&app).await?;
    app.client
        .find(fantoccini::Locator::Css("[data-testid=\"review-row\"]"))
        .await?
        .click()
        .await?;
    app.eval(FRAME_RECORDER, vec![]).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    for (name, key, presses, pause_ms) in [
        ("holding j (30 a second)", 'j', 150u32, 33u64),
        ("PageDown (10 a second)", char::from(Key::PageDown), 60, 100),
    ] {
        let before = selected_index(&app).await?;
        app.eval(TAKE_FRAMES, vec![]).await?;
        let mut actions = KeyActions::new("keyboard".to_owned());
        for _ in 0..presses {
            actions = actions
                .then(KeyAction::Down { value: key })
                .then(KeyAction::Up { value: key })
                .then(KeyAction::Pause {
                    duration: Duration::from_millis(pause_ms),
                });
        }
        app.client.perform_actions(actions).await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let gaps = frame_gaps(&app.eval(TAKE_FRAMES, vec![]).await?);
        let after = selected_index(&app).await?;
        let longest = gaps.iter().copied().fold(0.0, f64::max);
        let over = gaps.iter().filter(|g| **g > SCROLL_GOAL).count();
        let rows = app
            .eval("return window.__bench.maxRows;", vec![])
            .await?
            .as_u64()
            .unwrap_or(0);
        println!(
            "  scrolling 100,000 reviews, {name}: {presses} presses moved the selection {} rows; longest frame {longest:.0} ms, {over} frames over {SCROLL_GOAL:.0} ms of {} (goal none: {}); at most {rows} rows in the page",
            after.saturating_sub(before),
            gaps.len(),
            verdict(over == 0)
        );
    }
    app.quit().await;
    Ok(())
}

/// The selected row's index in the list.
async fn selected_index(app: &AppUnderTest) -> Result<u64> {
    let value = app
        .eval(
            "const r = document.querySelector('[data-testid=\"review-row\"][aria-selected=\"true\"]');\
             return r ? Number(r.dataset.index) : -1;",
            vec![],
        )
        .await?;
    Ok(value.as_i64().unwrap_or(-1).max(0) as u64)
}

async fn wait_for_rows(app: &AppUnderTest) -> Result<()> {
    app.wait_for_js(
        "rows",
        "return document.querySelectorAll('[data-testid=\"review-row\"]').length > 0;",
        Duration::from_secs(60),
    )
    .await?;
    Ok(())
}

/// Where the app keeps its store in `app`'s home.
fn home_store(app: &AppUnderTest) -> PathBuf {
    app.home
        .path()
        .join("data/io.reviewdesk.desktop")
        .join("reviewdesk.db")
}

/// Minimum, median, p95 and maximum of some timings.
struct Stats {
    min: f64,
    median: f64,
    p95: f64,
    max: f64,
    n: usize,
}

impl Stats {
    fn of(values: &[f64]) -> Stats {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let at = |q: f64| {
            if sorted.is_empty() {
                return f64::NAN;
            }
            let i = ((q / 100.0) * (sorted.len() - 1) as f64).round() as usize;
            sorted[i.min(sorted.len() - 1)]
        };
        Stats {
            min: at(0.0),
            median: at(50.0),
            p95: at(95.0),
            max: at(100.0),
            n: sorted.len(),
        }
    }

    fn show(&self, unit: &str) -> String {
        format!(
            "min {:.0} {unit}, median {:.0} {unit}, p95 {:.0} {unit}, max {:.0} {unit} (n = {})",
            self.min, self.median, self.p95, self.max, self.n
        )
    }
}

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "NOT met"
    }
}

fn thousands(n: usize) -> String {
    reviewdesk_tests::thousands(n as u64)
}
