//! Running child processes: print what runs, stream its output, and keep a copy to parse.

use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// Prints a command the way a person would type it.
pub fn describe(cmd: &Command) -> String {
    let mut line = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        let arg = arg.to_string_lossy();
        if arg.contains(' ') {
            line.push_str(&format!(" '{arg}'"));
        } else {
            line.push(' ');
            line.push_str(&arg);
        }
    }
    line
}

/// Runs a command with inherited output and fails when it fails.
pub fn run(cmd: &mut Command) -> Result<()> {
    let status = status(cmd)?;
    if !status.success() {
        bail!("`{}` failed with {status}", describe(cmd));
    }
    Ok(())
}

/// Runs a command with inherited output and returns its exit status.
pub fn status(cmd: &mut Command) -> Result<ExitStatus> {
    eprintln!("\n==> {}", describe(cmd));
    cmd.status()
        .with_context(|| format!("could not start `{}`", describe(cmd)))
}

/// Runs a command, echoing stdout and stderr live, and returns the status with everything it
/// printed (both streams, interleaved by line).
pub fn tee(cmd: &mut Command) -> Result<(ExitStatus, String)> {
    let (status, captured, _) = tee_watched(cmd, None)?;
    Ok((status, captured))
}

/// A deadline on a command's progress: `progress` says which printed lines are progress, and
/// when none has come for `limit` the command and everything it started are stopped.
pub struct Watchdog {
    pub limit: Duration,
    pub progress: fn(&str) -> bool,
}

/// Like [`tee`], under a [`Watchdog`]: a child that hangs (a test waiting on a request that never
/// answers) is stopped, with every process below it, instead of holding the run until CI's own
/// limit ends it with nothing reported. The third value is the last progress line before a stop.
pub fn tee_watched(
    cmd: &mut Command,
    watchdog: Option<Watchdog>,
) -> Result<(ExitStatus, String, Option<String>)> {
    eprintln!("\n==> {}", describe(cmd));
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("could not start `{}`", describe(cmd)))?;
    let (tx, rx) = mpsc::channel::<String>();
    if let Some(out) = child.stdout.take() {
        spawn_line_reader(out, tx.clone(), false);
    }
    if let Some(err) = child.stderr.take() {
        spawn_line_reader(err, tx.clone(), true);
    }
    drop(tx);
    let mut captured = String::new();
    let mut last_progress = Instant::now();
    let mut last_line: Option<String> = None;
    let mut stalled = None;
    loop {
        let wait = watchdog.as_ref().map_or(Duration::from_secs(3600), |w| {
            w.limit.saturating_sub(last_progress.elapsed())
        });
        match rx.recv_timeout(wait) {
            Ok(line) => {
                if watchdog.as_ref().is_some_and(|w| (w.progress)(&line)) {
                    last_progress = Instant::now();
                    last_line = Some(line.clone());
                }
                captured.push_str(&line);
                captured.push('\n');
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let Some(watchdog) = &watchdog else { continue };
                if last_progress.elapsed() < watchdog.limit {
                    continue;
                }
                eprintln!(
                    "xtask: no progress for {} s: stopping `{}` and everything it started",
                    watchdog.limit.as_secs(),
                    describe(cmd)
                );
                stop_tree(child.id());
                stalled = Some(last_line.clone().unwrap_or_default());
                // A daemon that left the tree (reparented to init) can keep a pipe open: read
                // what is left for a moment, not until it exits.
                while let Ok(line) = rx.recv_timeout(Duration::from_secs(5)) {
                    captured.push_str(&line);
                    captured.push('\n');
                }
                break;
            }
        }
    }
    let status = child.wait().context("waiting for child")?;
    Ok((status, captured, stalled))
}

/// Sends SIGTERM, then SIGKILL, to `pid` and every process below it. (Not a process group of
/// its own: that would keep a developer's Ctrl-C from reaching the tests.)
fn stop_tree(pid: u32) {
    let mut tree = vec![pid];
    if let Some(table) = output(Command::new("ps").args(["-e", "-o", "pid=,ppid="])) {
        let pairs: Vec<(u32, u32)> = table
            .lines()
            .filter_map(|line| {
                let mut fields = line.split_whitespace().map(str::parse::<u32>);
                Some((fields.next()?.ok()?, fields.next()?.ok()?))
            })
            .collect();
        let mut next = 0;
        while let Some(&parent) = tree.get(next) {
            tree.extend(pairs.iter().filter(|p| p.1 == parent).map(|p| p.0));
            next += 1;
        }
    }
    let pids: Vec<String> = tree.iter().map(u32::to_string).collect();
    for signal in ["-TERM", "-KILL"] {
        let _ = Command::new("kill")
            .arg(signal)
            .args(&pids)
            .stderr(Stdio::null())
            .status();
        thread::sleep(Duration::from_secs(2));
    }
}

fn spawn_line_reader<R: Read + Send + 'static>(
    stream: R,
    tx: mpsc::Sender<String>,
    to_stderr: bool,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        let reader = BufReader::new(stream);
        for line in reader.split(b'\n') {
            let Ok(bytes) = line else { break };
            let text = String::from_utf8_lossy(&bytes).into_owned();
            if to_stderr {
                let _ = writeln!(std::io::stderr(), "{text}");
            } else {
                let _ = writeln!(std::io::stdout(), "{text}");
            }
            if tx.send(text).is_err() {
                break;
            }
        }
    })
}

/// Runs a command quietly and returns its stdout when it succeeds.
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.stderr(Stdio::null()).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// True when `program` can be found on PATH.
pub fn on_path(program: &str) -> bool {
    which(program).is_some()
}

/// Full path of `program` on PATH (or in cargo's bin directory), if present.
pub fn which(program: &str) -> Option<std::path::PathBuf> {
    let mut dirs: Vec<std::path::PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    dirs.push(cargo_bin_dir());
    dirs.into_iter()
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

/// Where `cargo install` puts binaries.
pub fn cargo_bin_dir() -> std::path::PathBuf {
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        return std::path::PathBuf::from(home).join("bin");
    }
    let home = std::env::var_os("HOME").unwrap_or_else(|| "/root".into());
    std::path::PathBuf::from(home).join(".cargo").join("bin")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_without_progress_is_stopped_with_what_it_started() {
        // The shell starts a grandchild that would outlive it; both are stopped.
        let mut cmd = Command::new("sh");
        cmd.args([
            "-c",
            "echo 'test one ... ok'; echo 'test two ... '; sleep 600 & wait",
        ]);
        let watchdog = Watchdog {
            limit: Duration::from_secs(1),
            progress: |line| line.starts_with("test "),
        };
        let started = Instant::now();
        let (status, out, stalled) = tee_watched(&mut cmd, Some(watchdog)).expect("runs");
        assert!(!status.success());
        assert!(out.contains("test one ... ok"));
        assert_eq!(stalled.as_deref(), Some("test two ... "));
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "stopped, not waited for"
        );
    }

    #[test]
    fn a_child_that_finishes_is_not_stopped() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo 'test one ... ok'; sleep 1; echo done"]);
        let watchdog = Watchdog {
            limit: Duration::from_secs(30),
            progress: |line| line.starts_with("test "),
        };
        let (status, out, stalled) = tee_watched(&mut cmd, Some(watchdog)).expect("runs");
        assert!(status.success());
        assert!(out.ends_with("done\n"));
        assert_eq!(stalled, None);
    }
}
