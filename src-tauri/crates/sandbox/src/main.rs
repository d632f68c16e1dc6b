//! `reviewdesk-sandbox` binary: serves the Trustoo emulator and the Trustpilot one on 127.0.0.1.

use std::path::PathBuf;

use clap::Parser;
use reviewdesk_sandbox::{Sandbox, SandboxConfig};

/// Command line flags (mapped onto `SandboxConfig`).
#[derive(Debug, Parser)]
#[command(
    name = "reviewdesk-sandbox",
    about = "Offline emulator of the Trustoo Open API and the Trustpilot Business APIs"
)]
struct Args {
    /// Port on 127.0.0.1 (0 = ephemeral).
    #[arg(long, default_value_t = 8787, env = "SANDBOX_PORT")]
    port: u16,
    /// Reviews seeded for the demo shop.
    #[arg(long, default_value_t = 2000)]
    reviews: usize,
    /// Reviews seeded for the second shop.
    #[arg(long, default_value_t = 120)]
    second_shop_reviews: usize,
    /// Seed for the generated data.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Access-token lifetime in seconds.
    #[arg(long = "token-ttl", default_value_t = 3600)]
    token_ttl: u64,
    /// Directory for uploaded files (default: a temporary directory).
    #[arg(long)]
    storage_dir: Option<PathBuf>,
    /// Max image upload size in bytes (policy content-length-range).
    #[arg(long, default_value_t = 20 * 1024 * 1024)]
    image_max_bytes: u64,
    /// Max video upload size in bytes.
    #[arg(long, default_value_t = 2 * 1024 * 1024 * 1024)]
    video_max_bytes: u64,
    /// Trustpilot service reviews of the demo shop's business unit.
    #[arg(long, default_value_t = 1500)]
    trustpilot_reviews: usize,
    /// Trustpilot service reviews of the second shop's business unit.
    #[arg(long, default_value_t = 60)]
    trustpilot_second_reviews: usize,
    /// Trustpilot access-token lifetime in seconds (100 h, as Trustpilot's).
    #[arg(long = "trustpilot-token-ttl", default_value_t = 360_000)]
    trustpilot_token_ttl: u64,
    /// Token requests per API key per minute before Trustpilot's "too frequent" 429.
    #[arg(long, default_value_t = 30)]
    trustpilot_auth_per_minute: u32,
    /// Orders of the demo shop over the seeded year (~20 a day: a mid-size shop).
    #[arg(long, default_value_t = 7_300)]
    orders: usize,
    /// Average widget events a day of the demo shop (5,200 ≈ 2 M events over the year).
    #[arg(long, default_value_t = 5_200)]
    events_per_day: u32,
    /// Port of the Trustpilot API host (0 = ephemeral).
    #[arg(long, default_value_t = 0, env = "SANDBOX_TRUSTPILOT_API_PORT")]
    trustpilot_api_port: u16,
    /// Port of the Trustpilot authenticate page (0 = ephemeral).
    #[arg(long, default_value_t = 0, env = "SANDBOX_TRUSTPILOT_AUTH_PORT")]
    trustpilot_auth_port: u16,
    /// Port of the Trustpilot invitations host (0 = ephemeral).
    #[arg(long, default_value_t = 0, env = "SANDBOX_TRUSTPILOT_INVITATIONS_PORT")]
    trustpilot_invitations_port: u16,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let a = Args::parse();
    let cfg = SandboxConfig {
        reviews: a.reviews,
        second_shop_reviews: a.second_shop_reviews,
        seed: a.seed,
        token_ttl_secs: a.token_ttl,
        storage_dir: a.storage_dir,
        image_max_bytes: a.image_max_bytes,
        video_max_bytes: a.video_max_bytes,
        trustpilot_reviews: a.trustpilot_reviews,
        trustpilot_second_reviews: a.trustpilot_second_reviews,
        trustpilot_token_ttl_secs: a.trustpilot_token_ttl,
        trustpilot_auth_per_minute: a.trustpilot_auth_per_minute,
        trustpilot_ports: [
            a.trustpilot_api_port,
            a.trustpilot_auth_port,
            a.trustpilot_invitations_port,
        ],
        orders: a.orders,
        events_per_day: a.events_per_day,
    };
    let sb = Sandbox::start(cfg, a.port).await?;
    // The Trustpilot lines come first, so whoever waits for the Trustoo line has them all.
    let tp = sb.trustpilot();
    println!("trustpilot api listening on {}", tp.api_url());
    println!(
        "trustpilot authenticate listening on {}",
        tp.authenticate_url()
    );
    println!(
        "trustpilot invitations listening on {}",
        tp.invitations_url()
    );
    println!("sandbox listening on {}", sb.base_url());
    wait_for_signal().await?;
    tracing::info!("shutting down");
    sb.shutdown().await;
    Ok(())
}

/// Ctrl-C everywhere, plus SIGTERM on Unix (process managers and CI send that).
async fn wait_for_signal() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r?,
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await?;
    Ok(())
}
