//! `cargo xtask bench`: the figures the issues set, each printed beside its reference measured in
//! the same run. The benchmarks live in the workspace test crate (`tests/benches/figures.rs`) and
//! run in release mode against the sandbox on loopback.

use crate::process;
use anyhow::Result;
use std::process::Command;

/// Runs every benchmark (or those whose name contains the given filter).
pub fn run(args: &[String]) -> Result<()> {
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
    .current_dir(crate::root());
    process::run(&mut cmd)
}
