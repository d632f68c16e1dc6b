//! The Linux packages: `cargo xtask bundle` (the release `.deb` and `.rpm` a merchant installs)
//! and `cargo xtask e2e --package` (a `.deb` installed on this machine with apt and driven like
//! a merchant's copy, `tests/e2e/package.rs`).
//!
//! Which build the package test installs. A release build of the app takes 15 minutes and more
//! on CI's two cores, on top of the debug build the rest of the suite needs. `tauri build
//! --debug` makes the same package (same files, same `.desktop` entry, icons and scheme) around
//! the debug binary, built with tauri's `custom-protocol` feature so it serves the UI embedded
//! from `ui/dist` exactly as the release binary does; on top of the suite's debug build it costs
//! about a minute (tauri and the crates above it compiled once more with that feature, then
//! only relinked). So the test installs the debug package by default, and
//! `cargo xtask e2e --package --release` installs the release one that `bundle` makes. The
//! measured figures are in the README.

use crate::process;
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The Debian package's name (tauri's bundler names it after `productName`, in kebab case).
pub const PACKAGE: &str = "review-desk";

/// Where the package installs the app (`mainBinaryName` under `/usr/bin`).
pub const INSTALLED_APP: &str = "/usr/bin/reviewdesk";

/// Which cargo profile the packaged binary is built with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    Debug,
    Release,
}

impl Profile {
    fn dir(self) -> &'static str {
        match self {
            Profile::Debug => "debug",
            Profile::Release => "release",
        }
    }
}

/// `cargo xtask bundle`: the release build packaged as `.deb` and `.rpm`. tauri writes the
/// `.rpm` itself (no `rpmbuild` needed); AppImage needs downloads, so it is not made.
pub fn bundle() -> Result<()> {
    crate::setup::run()?;
    let root = crate::root();
    process::run(
        Command::new("npm")
            .args(["run", "build"])
            .current_dir(root.join("ui")),
    )?;
    let started = Instant::now();
    let deb = build(&root, Profile::Release, "deb,rpm")?;
    eprintln!(
        "bundle: built in {:.0} s; packages under {}",
        started.elapsed().as_secs_f64(),
        deb.parent()
            .and_then(Path::parent)
            .unwrap_or(&deb)
            .display()
    );
    eprintln!(
        "bundle: install with `sudo apt-get install ./{}` (run from that folder)",
        deb.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    );
    Ok(())
}

/// Builds the app with `profile` and packages it as `bundles` (e.g. `deb` or `deb,rpm`).
/// Returns the `.deb`. The UI must have been built.
pub fn build(root: &Path, profile: Profile, bundles: &str) -> Result<PathBuf> {
    let out = crate::target_dir()?
        .join(profile.dir())
        .join("bundle")
        .join("deb");
    // Packages of an earlier version would be found instead of this build's.
    let _ = std::fs::remove_dir_all(&out);
    let mut tauri = Command::new(root.join("ui/node_modules/.bin/tauri"));
    tauri.arg("build");
    if profile == Profile::Debug {
        tauri.arg("--debug");
    }
    tauri
        .args(["--bundles", bundles, "--ignore-version-mismatches", "--ci"])
        .current_dir(root);
    process::run(&mut tauri)?;
    let debs: Vec<PathBuf> = std::fs::read_dir(&out)
        .with_context(|| format!("reading {}", out.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "deb"))
        .collect();
    match debs.as_slice() {
        [deb] => Ok(deb.clone()),
        [] => bail!("tauri made no .deb in {}", out.display()),
        _ => bail!("more than one .deb in {}: {debs:?}", out.display()),
    }
}

/// `cargo xtask e2e --package`: builds the `.deb` and runs the package test, which installs it,
/// walks the merchant's path with the installed copy and purges it.
pub fn e2e(tally: &mut crate::test::Tally, profile: Profile) {
    let label = "installed package (.deb)";
    if is_installed() {
        eprintln!(
            "xtask: {PACKAGE} is already installed on this machine; the package test installs \
             and purges it, so it does not run. Remove it first: `sudo apt-get remove {PACKAGE}`"
        );
        tally.add(label, 0, 1);
        return;
    }
    let started = Instant::now();
    let deb = match build(&crate::root(), profile, "deb") {
        Ok(deb) => deb,
        Err(err) => {
            eprintln!("xtask: building the .deb: {err:#}");
            tally.add(label, 0, 1);
            return;
        }
    };
    eprintln!(
        "xtask: {} built in {:.0} s",
        deb.display(),
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    crate::e2e::run_installed(tally, label, &deb);
    eprintln!(
        "xtask: package test took {:.0} s",
        started.elapsed().as_secs_f64()
    );
    // The test purges the package whatever happens; a test binary that was killed cannot.
    if is_installed() {
        eprintln!("xtask: {PACKAGE} is still installed after the test: purging it");
        let mut purge = if crate::setup::is_root() {
            Command::new("dpkg")
        } else {
            let mut sudo = Command::new("sudo");
            sudo.arg("dpkg");
            sudo
        };
        purge.args(["--purge", PACKAGE]);
        if let Err(err) = process::run(&mut purge) {
            eprintln!("xtask: {err:#}");
        }
        tally.add("package removed after its test", 0, 1);
    }
}

fn is_installed() -> bool {
    crate::setup::dpkg_installed(PACKAGE)
}
