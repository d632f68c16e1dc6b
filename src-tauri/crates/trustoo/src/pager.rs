//! Streams over every page of a listing.
//!
//! Why this shape: the server allows page-number access, so after page 1 tells us `total_page`
//! the remaining pages are fetched with bounded concurrency (`buffered`, which keeps order).
//! Caveat: the listing can change while we page (a new review shifts a `created-descending`
//! listing by one); callers that need a consistent snapshot sort `created-ascending`.

use std::future::Future;

use futures::stream::{self, BoxStream, StreamExt};
use reviewdesk_core::{CustomerEvent, CustomerExclusion, Order, Page, Review};

use crate::client::TrustooClient;
use crate::error::Error;
use crate::types::{EventQuery, OrderQuery, ReviewQuery};

/// Page size used when the query leaves it unset (the documented maximum).
pub const DEFAULT_PAGE_SIZE: u32 = 100;

/// All pages of a listing: page 1, then pages 2..=total_page with at most `concurrency` in
/// flight, yielded in page order. An error is yielded in place of its page; the stream goes on
/// (drop it to stop).
pub fn pages<T, F, Fut>(fetch: F, concurrency: usize) -> BoxStream<'static, Result<Page<T>, Error>>
where
    T: Send + 'static,
    F: Fn(u32) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Page<T>, Error>> + Send + 'static,
{
    pages_from(1, fetch, concurrency)
}

/// Like [`pages`], from page `first` on (`0` counts as 1): `first` alone (it tells
/// `total_page`), then the rest up to `total_page`. Why: a long listing stopped part way (one
/// bad answer) is continued where it stopped instead of from page 1.
pub fn pages_from<T, F, Fut>(
    first: u32,
    fetch: F,
    concurrency: usize,
) -> BoxStream<'static, Result<Page<T>, Error>>
where
    T: Send + 'static,
    F: Fn(u32) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Page<T>, Error>> + Send + 'static,
{
    let concurrency = concurrency.max(1);
    let first = first.max(1);
    let head = fetch(first);
    stream::once(head)
        .flat_map(move |res| match res {
            Ok(page) => {
                let total = page.page.total_page;
                let rest = stream::iter(first.saturating_add(1)..=total)
                    .map(fetch.clone())
                    .buffered(concurrency);
                stream::once(async move { Ok(page) }).chain(rest).boxed()
            }
            Err(e) => stream::once(async move { Err(e) }).boxed(),
        })
        .boxed()
}

/// Flattens a page stream into items.
pub fn items<T: Send + 'static>(
    pages: BoxStream<'static, Result<Page<T>, Error>>,
) -> BoxStream<'static, Result<T, Error>> {
    pages
        .flat_map(|res| match res {
            Ok(p) => stream::iter(p.list.into_iter().map(Ok)).boxed(),
            Err(e) => stream::once(async move { Err(e) }).boxed(),
        })
        .boxed()
}

impl TrustooClient {
    /// Every page of reviews matching `query` (its `page` is ignored).
    pub fn review_pages(
        &self,
        query: ReviewQuery,
        concurrency: usize,
    ) -> BoxStream<'static, Result<Page<Review>, Error>> {
        self.review_pages_from(query, 1, concurrency)
    }

    /// The pages of reviews matching `query` from page `first` on (see [`pages_from`]).
    pub fn review_pages_from(
        &self,
        query: ReviewQuery,
        first: u32,
        concurrency: usize,
    ) -> BoxStream<'static, Result<Page<Review>, Error>> {
        let client = self.clone();
        let size = query.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
        pages_from(
            first,
            move |n| {
                let client = client.clone();
                let q = query.clone().page(n).page_size(size);
                async move { client.list_reviews(&q).await }
            },
            concurrency,
        )
    }

    /// Every review matching `query`, in listing order.
    pub fn all_reviews(
        &self,
        query: ReviewQuery,
        concurrency: usize,
    ) -> BoxStream<'static, Result<Review, Error>> {
        items(self.review_pages(query, concurrency))
    }

    /// Every page of orders matching `query`.
    pub fn order_pages(
        &self,
        query: OrderQuery,
        concurrency: usize,
    ) -> BoxStream<'static, Result<Page<Order>, Error>> {
        let client = self.clone();
        let size = query.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
        pages(
            move |n| {
                let client = client.clone();
                let mut q = query.clone();
                q.page = Some(n);
                q.page_size = Some(size);
                async move { client.list_orders(&q).await }
            },
            concurrency,
        )
    }

    /// Every page of customer events matching `query`.
    pub fn event_pages(
        &self,
        query: EventQuery,
        concurrency: usize,
    ) -> BoxStream<'static, Result<Page<CustomerEvent>, Error>> {
        let client = self.clone();
        let size = query.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
        pages(
            move |n| {
                let client = client.clone();
                let mut q = query.clone();
                q.page = Some(n);
                q.page_size = Some(size);
                async move { client.list_customer_events(&q).await }
            },
            concurrency,
        )
    }

    /// Every page of customer exclusions.
    pub fn exclusion_pages(
        &self,
        page_size: u32,
        concurrency: usize,
    ) -> BoxStream<'static, Result<Page<CustomerExclusion>, Error>> {
        let client = self.clone();
        pages(
            move |n| {
                let client = client.clone();
                async move { client.list_exclusions(n, page_size).await }
            },
            concurrency,
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use reviewdesk_core::PageInfo;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    fn fake(
        total_page: u32,
        fail_on: Option<u32>,
        in_flight: Arc<AtomicUsize>,
        max_seen: Arc<AtomicUsize>,
    ) -> impl Fn(u32) -> futures::future::BoxFuture<'static, Result<Page<u32>, Error>>
           + Clone
           + Send
           + Sync
           + 'static {
        move |n| {
            let in_flight = in_flight.clone();
            let max_seen = max_seen.clone();
            Box::pin(async move {
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                max_seen.fetch_max(now, Ordering::SeqCst);
                // Later pages finish first, to prove ordering is kept.
                for _ in 0..(total_page.saturating_sub(n)) {
                    tokio::task::yield_now().await;
                }
                in_flight.fetch_sub(1, Ordering::SeqCst);
                if Some(n) == fail_on {
                    return Err(Error::NotFound);
                }
                Ok(Page {
                    page: PageInfo {
                        page: n,
                        page_size: 2,
                        total_page,
                        count: u64::from(total_page) * 2,
                    },
                    list: vec![n * 10, n * 10 + 1],
                })
            })
        }
    }

    #[tokio::test]
    async fn pages_are_in_order_with_bounded_concurrency() {
        let in_flight = Arc::new(AtomicUsize::new(0));
        let max_seen = Arc::new(AtomicUsize::new(0));
        let got: Vec<u32> = pages(fake(7, None, in_flight, max_seen.clone()), 3)
            .map(|p| p.unwrap().page.page)
            .collect()
            .await;
        assert_eq!(got, [1, 2, 3, 4, 5, 6, 7]);
        assert!(max_seen.load(Ordering::SeqCst) <= 3);
    }

    #[tokio::test]
    async fn items_flatten_and_errors_are_yielded_in_place() {
        let z = || Arc::new(AtomicUsize::new(0));
        let all: Vec<Result<u32, Error>> =
            items(pages(fake(3, Some(2), z(), z()), 2)).collect().await;
        let shown: Vec<String> = all
            .iter()
            .map(|r| match r {
                Ok(n) => n.to_string(),
                Err(_) => "E".into(),
            })
            .collect();
        assert_eq!(shown, ["10", "11", "E", "30", "31"]);
    }

    #[tokio::test]
    async fn a_failing_first_page_ends_the_stream() {
        let z = || Arc::new(AtomicUsize::new(0));
        let all: Vec<_> = pages(fake(3, Some(1), z(), z()), 2).collect().await;
        assert_eq!(all.len(), 1);
        assert!(all[0].is_err());
    }

    #[tokio::test]
    async fn pages_from_starts_at_the_given_page_in_order() {
        let z = || Arc::new(AtomicUsize::new(0));
        let got: Vec<u32> = pages_from(5, fake(7, None, z(), z()), 2)
            .map(|p| p.unwrap().page.page)
            .collect()
            .await;
        assert_eq!(got, [5, 6, 7]);
        // Past the end: the one page asked for (the server's answer), nothing more.
        let got: Vec<u32> = pages_from(9, fake(7, None, z(), z()), 2)
            .map(|p| p.unwrap().page.page)
            .collect()
            .await;
        assert_eq!(got, [9]);
    }

    #[tokio::test]
    async fn empty_listing_yields_one_empty_page() {
        let f = |_n: u32| async {
            Ok::<_, Error>(Page::<u32> {
                page: PageInfo {
                    page: 1,
                    page_size: 20,
                    total_page: 0,
                    count: 0,
                },
                list: vec![],
            })
        };
        let all: Vec<_> = pages(f, 4).collect().await;
        assert_eq!(all.len(), 1);
    }
}
