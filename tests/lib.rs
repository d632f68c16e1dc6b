//! Shared helpers of the workspace tests: launching the real ReviewDesk binary under WebDriver
//! against a sandbox, and small utilities the end-to-end and flow tests have in common.

pub mod app;
pub mod merchant;

/// Formats a count the way the UI does (`toLocaleString('en-US')`): the end-to-end tests and
/// the window's benchmark read counts off the page.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A free TCP port on loopback, chosen by the OS.
pub fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// Polls `probe` every 200 ms until it gives `Some`, for at most `within` (for state that the
/// app changes on its own time, such as what it sent to the sandbox).
pub async fn loop_until<T, F, Fut>(within: std::time::Duration, probe: F) -> Option<T>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = std::time::Instant::now();
    loop {
        if let Some(found) = probe().await {
            return Some(found);
        }
        if start.elapsed() > within {
            return None;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
