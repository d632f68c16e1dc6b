//! Quick store benchmark: `cargo run -p reviewdesk-store --release --example store_bench -- 1000000 500`
//! (reviews, queries). Prints insert throughput, size per 100k reviews and query percentiles.

use std::time::Instant;

use reviewdesk_store::bench::{fill_synthetic, percentile, random_query, run_random_queries, Rng};
use reviewdesk_store::Store;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: u64 = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100_000);
    let queries: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(300);
    let dir = std::env::temp_dir().join(format!("store-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("bench.db");
    let shop = "bench.myshopify.com";
    let mut store = Store::open(&path)?;
    let start = Instant::now();
    let stats = fill_synthetic(&mut store, shop, n, 42)?;
    let total = start.elapsed();
    store.checkpoint()?;
    let size = store.file_size()?;
    println!(
        "fill: {} reviews, upserts {:.2?} ({:.0}/s), total incl. generation+optimize {:.2?}",
        stats.reviews,
        stats.insert_time,
        stats.reviews as f64 / stats.insert_time.as_secs_f64(),
        total
    );
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
    run_random_queries(&store, shop, 20, 1)?;
    let times = run_random_queries(&store, shop, queries, 7)?;
    println!(
        "random filtered+FTS page queries (page+capped count) x{}: p50 {:.2?} p95 {:.2?} p99 {:.2?} max {:.2?}",
        times.len(),
        percentile(&times, 50.0),
        percentile(&times, 95.0),
        percentile(&times, 99.0),
        percentile(&times, 100.0)
    );
    // Show the slowest queries for diagnosis.
    let mut rng = Rng::new(7);
    let mut labelled: Vec<_> = times.iter().map(|t| (*t, random_query(&mut rng))).collect();
    labelled.sort_by_key(|(t, _)| std::cmp::Reverse(*t));
    for (t, q) in labelled.iter().take(8) {
        println!("  {:.2?} {:?} {:?}", t, q.sort, q.filter);
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
