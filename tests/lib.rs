//! Shared helpers of the workspace tests: launching the real ReviewDesk binary under WebDriver
//! against a sandbox, and small utilities the end-to-end and flow tests have in common.

pub mod app;
pub mod merchant;

/// A free TCP port on loopback, chosen by the OS.
pub fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}
