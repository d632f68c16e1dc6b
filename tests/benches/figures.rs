//! The figures the issues set, each printed beside its reference from the same run.
//! Run with `cargo xtask bench` (release mode, sandbox on loopback).

fn main() {
    println!("no figures yet");
}
