//! The figures the issues set, each printed beside its reference measured in the same run.
//! Run with `cargo xtask bench [NAME…]` (release mode, the sandbox on loopback). With names, only
//! the benchmarks whose name contains one of them run.

use reviewdesk_sandbox::{demo, Sandbox, SandboxConfig};
use reviewdesk_trustoo::{Auth, ClientConfig, ReviewQuery, Secret, SortOrder, TrustooClient};
use std::time::{Duration, Instant};

type Result<T> = anyhow::Result<T>;

#[path = "upload.rs"]
mod upload;

fn main() -> Result<()> {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted = |name: &str| filters.is_empty() || filters.iter().any(|f| name.contains(f));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    println!("ReviewDesk figures (release build, sandbox on 127.0.0.1)\n");
    if wanted("pager") {
        runtime.block_on(pager())?;
    }
    if wanted("upload") {
        runtime.block_on(upload::upload_figure())?;
    }
    Ok(())
}

fn demo_client(sandbox: &Sandbox) -> Result<TrustooClient> {
    let base = url::Url::parse(&sandbox.base_url())?;
    Ok(TrustooClient::new(ClientConfig::new(
        base,
        Auth::Hmac {
            public_token: Secret::new(demo::PUBLIC_TOKEN),
            private_token: Secret::new(demo::PRIVATE_TOKEN),
        },
    ))?)
}

fn per_second(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64().max(1e-9)
}

/// Issue 4: all pages of 100,000 reviews with the client's concurrent pager, against a plain
/// sequential loop over the same pages.
async fn pager() -> Result<()> {
    const REVIEWS: usize = 100_000;
    const CONCURRENCY: usize = 8;
    let sandbox = Sandbox::start(
        SandboxConfig {
            reviews: REVIEWS,
            ..SandboxConfig::default()
        },
        0,
    )
    .await?;
    let client = demo_client(&sandbox)?;
    // Warm the connection pool and the sandbox's caches once.
    reviewdesk_trustoo::bench::fetch_all_reviews_concurrent(&client, CONCURRENCY).await?;

    let start = Instant::now();
    let mut sequential = 0usize;
    let mut page = 1u32;
    loop {
        let query = ReviewQuery::new()
            .sort(SortOrder::CreatedAscending)
            .page_size(reviewdesk_trustoo::pager::DEFAULT_PAGE_SIZE)
            .page(page);
        let answer = client.list_reviews(&query).await?;
        sequential += answer.list.len();
        if answer.list.is_empty() || page >= answer.page.total_page {
            break;
        }
        page += 1;
    }
    let sequential_time = start.elapsed();

    let start = Instant::now();
    let concurrent =
        reviewdesk_trustoo::bench::fetch_all_reviews_concurrent(&client, CONCURRENCY).await?;
    let concurrent_time = start.elapsed();
    anyhow::ensure!(
        sequential == REVIEWS && concurrent == REVIEWS,
        "expected {REVIEWS} reviews, got {sequential} sequentially and {concurrent} concurrently"
    );

    let seq_rate = per_second(sequential, sequential_time);
    let con_rate = per_second(concurrent, concurrent_time);
    println!("pager: fetch all pages of {REVIEWS} reviews");
    println!(
        "  concurrent pager ({CONCURRENCY} in flight): {:>9.0} reviews/s ({:.2} s)",
        con_rate,
        concurrent_time.as_secs_f64()
    );
    println!(
        "  reference, plain sequential loop:  {:>9.0} reviews/s ({:.2} s)",
        seq_rate,
        sequential_time.as_secs_f64()
    );
    println!("  ratio: {:.2}x\n", con_rate / seq_rate.max(1e-9));
    sandbox.shutdown().await;
    Ok(())
}
