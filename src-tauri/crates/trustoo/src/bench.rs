//! Entry points for `cargo xtask bench` (timed by the caller against a large sandbox).
//!
//! Why here: the benchmark must exercise exactly the pager the app uses.

use futures::StreamExt;

use crate::client::TrustooClient;
use crate::error::Error;
use crate::types::{ReviewQuery, SortOrder};

/// Fetches every review with `concurrency` pages in flight; returns how many were received.
pub async fn fetch_all_reviews_concurrent(
    client: &TrustooClient,
    concurrency: usize,
) -> Result<usize, Error> {
    let query = ReviewQuery::new()
        .sort(SortOrder::CreatedAscending)
        .page_size(crate::pager::DEFAULT_PAGE_SIZE);
    let mut pages = client.review_pages(query, concurrency);
    let mut n = 0usize;
    while let Some(page) = pages.next().await {
        n += page?.list.len();
    }
    Ok(n)
}

/// Fetches every review one page at a time (the baseline).
pub async fn fetch_all_reviews_sequential(client: &TrustooClient) -> Result<usize, Error> {
    fetch_all_reviews_concurrent(client, 1).await
}
