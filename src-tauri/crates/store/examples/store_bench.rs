//! Quick store benchmark: `cargo run -p reviewdesk-store --release --example store_bench -- 1000000 500`
//! (reviews, queries). Prints fill throughput, size per 100k reviews, query percentiles beside
//! the same queries without their keyword, and the slowest queries with their plans.
//!
//! With `STORE_BENCH_DB=/path/file.db` the database is kept, and reused (not refilled) when it
//! already exists, so query changes can be measured again in seconds. `STORE_BENCH_PLANS=1`
//! prints the query plan of each of the slowest queries. `STORE_BENCH_BATCH=1000` writes in
//! transactions of that many reviews (the sync engine's batch) instead of the bench's 20,000.

use std::time::Instant;

use reviewdesk_store::bench::{
    fill_synthetic, fill_synthetic_batched, percentile, random_queries, time_queries,
    without_keyword,
};
use reviewdesk_store::Store;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: u64 = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100_000);
    let queries: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(300);
    let kept = std::env::var_os("STORE_BENCH_DB").map(std::path::PathBuf::from);
    let dir = std::env::temp_dir().join(format!("store-bench-{}", std::process::id()));
    let path = match &kept {
        Some(p) => p.clone(),
        None => {
            std::fs::create_dir_all(&dir)?;
            dir.join("bench.db")
        }
    };
    let shop = &reviewdesk_core::AccountKey::trustoo("bench.myshopify.com");
    let reuse = kept.is_some() && path.exists();
    let mut store = Store::open(&path)?;
    if !reuse {
        let start = Instant::now();
        let stats = match std::env::var("STORE_BENCH_BATCH") {
            Ok(b) => fill_synthetic_batched(&mut store, shop, n, 42, b.parse()?)?,
            Err(_) => fill_synthetic(&mut store, shop, n, 42)?,
        };
        let total = start.elapsed();
        println!(
            "fill: {} reviews, upserts {:.2?} ({:.0}/s), total {:.2?}",
            stats.reviews,
            stats.insert_time,
            stats.reviews as f64 / stats.insert_time.as_secs_f64(),
            total
        );
    }
    store.checkpoint()?;
    let size = store.file_size()?;
    println!(
        "size: {} bytes, {:.1} MB per 100k reviews",
        size,
        size as f64 / (n as f64 / 100_000.0) / 1e6
    );
    for (name, bytes) in store.size_breakdown()? {
        println!("  {name}: {:.1} MB", bytes as f64 / 1e6);
    }
    drop(store);
    let store = Store::open(&path)?;
    // Warm-up (the app's first query also pays this once).
    time_queries(&store, shop, &random_queries(20, 1))?;
    let list = random_queries(queries, 7);
    let reference: Vec<_> = list.iter().map(without_keyword).collect();
    let times = time_queries(&store, shop, &list)?;
    let ref_times = time_queries(&store, shop, &reference)?;
    for (name, t) in [
        ("filtered+FTS", &times),
        ("same filters, no keyword", &ref_times),
    ] {
        println!(
            "{name} page queries (page+capped count) x{}: p50 {:.2?} p95 {:.2?} p99 {:.2?} max {:.2?}",
            t.len(),
            percentile(t, 50.0),
            percentile(t, 95.0),
            percentile(t, 99.0),
            percentile(t, 100.0)
        );
    }
    // Show the slowest queries for diagnosis.
    let mut labelled: Vec<_> = times.iter().zip(&list).collect();
    labelled.sort_by_key(|(t, _)| std::cmp::Reverse(**t));
    for (t, q) in labelled.iter().take(10) {
        println!("  {:.2?} {:?} {:?}", t, q.sort, q.filter);
        if std::env::var_os("STORE_BENCH_PLANS").is_some() {
            println!("{}", store.explain_page_query(shop, q)?);
        }
    }
    if kept.is_none() {
        std::fs::remove_dir_all(&dir)?;
    }
    Ok(())
}
