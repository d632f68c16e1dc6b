//! Benchmark helpers for `cargo xtask bench`: realistic synthetic reviews and random queries.
//!
//! Reviews use real English words with a skewed (Zipf-like) frequency so FTS5 posting lists look
//! like production ones: a few words are everywhere, most are rare. No timing here is asserted
//! by tests; the bench computes percentiles from [`run_random_queries`].

use std::time::{Duration, Instant};

use reviewdesk_core::AccountKey;
use reviewdesk_core::{
    Media, MediaKind, ProductId, ProviderDetails, Review, ReviewFilter, ReviewId, ReviewQuery,
    ReviewReply, ReviewSort, TriageState, TrustooDetails,
};

use crate::{Result, Store};

/// Small, fast, seedable generator (SplitMix64) so benches are reproducible without a crate.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// Index into a list of `len`, skewed towards the front (roughly Zipf with s≈1).
    pub fn skewed(&mut self, len: usize) -> usize {
        let len = len.max(1) as f64;
        let u = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        // Inverse CDF of a continuous 1/x distribution on [1, len + 1).
        let x = (len + 1.0).powf(u) - 1.0;
        (x as usize).min(len as usize - 1)
    }

    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list.get(self.below(list.len() as u64) as usize)
            .copied()
            .unwrap_or("")
    }
}

/// Review language in rank order (most frequent first): function words, then the words
/// merchants' customers actually use (fit, size, shipping, quality, refund…), then a long tail
/// of products, materials, colours and feelings. One word a line.
const VOCABULARY_TEXT: &str = include_str!("bench/review_words.txt");

/// How many of the first vocabulary words are function words nobody searches for.
const STOP_WORDS: usize = 40;

/// The vocabulary as a list, in rank order.
pub fn vocabulary() -> &'static [&'static str] {
    static WORDS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    WORDS.get_or_init(|| {
        VOCABULARY_TEXT
            .lines()
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .collect()
    })
}

const PRODUCTS: &[&str] = &[
    "Linen Summer Dress",
    "Merino Wool Sweater",
    "Classic Denim Jacket",
    "Leather Crossbody Bag",
    "Bamboo Bath Towel Set",
    "Ceramic Pour Over Coffee Set",
    "Wireless Noise Cancelling Headphones",
    "Organic Face Serum",
    "Stainless Steel Water Bottle",
    "Velvet Throw Pillow",
    "Minimalist Leather Wallet",
    "Yoga Mat Pro",
    "Running Shoes Air",
    "Silk Sleep Mask",
    "Handmade Walnut Cutting Board",
    "Scented Soy Candle",
    "Kids Wooden Puzzle",
    "Dog Harness Plus",
    "Travel Backpack 30L",
    "Waterproof Hiking Boots",
];

const FIRST: &[&str] = &[
    "Emma", "Liam", "Olivia", "Noah", "Ava", "Sophia", "Jackson", "Mia", "Lucas", "Amelia",
    "Chloé", "José", "Zoë", "Mateo", "Hannah", "Yuki", "Priya", "Ahmed", "Fatima", "Lars",
    "Ingrid", "Giulia", "Pierre", "Anaïs", "Kwame", "Chen", "Olga", "Dmitri", "Sven", "Aisha",
];
const LAST: &[&str] = &[
    "S.",
    "M.",
    "Smith",
    "Johnson",
    "García",
    "Müller",
    "Rossi",
    "Dubois",
    "Kowalski",
    "Nguyen",
    "Tanaka",
    "Kim",
    "Silva",
    "O'Brien",
    "Andersson",
    "Patel",
];
const COUNTRIES: &[&str] = &[
    "US", "GB", "CA", "AU", "DE", "FR", "IT", "ES", "NL", "SE", "JP", "BR",
];
/// Trustoo's documented review sources (`shared/reference/trustoo-api.md`), storefront ones
/// most often, as in a real shop.
const SOURCES: &[&str] = &[
    "Store front",
    "Store front",
    "Store front",
    "AliExpress",
    "Amazon",
    "CSV uploaded",
    "Email request",
];

/// One word drawn with Zipf's law (s ≈ 1) over [`vocabulary`]; about one word in 80 carries a
/// typo (a letter dropped or doubled), which gives the term dictionary the long tail of rare
/// terms that real reviews have.
fn push_word(rng: &mut Rng, out: &mut String) {
    let words = vocabulary();
    let word = words
        .get(rng.skewed(words.len()))
        .copied()
        .unwrap_or("good");
    if word.len() > 3 && word.is_ascii() && rng.below(80) == 0 {
        let at = 1 + rng.below(word.len() as u64 - 2) as usize;
        let (head, tail) = word.split_at(at);
        out.push_str(head);
        if rng.chance(50) {
            // Dropped letter.
            out.push_str(tail.get(1..).unwrap_or(""));
        } else {
            // Doubled letter.
            out.push_str(tail.get(..1).unwrap_or(""));
            out.push_str(tail);
        }
    } else {
        out.push_str(word);
    }
}

fn sentence(rng: &mut Rng, words: usize, out: &mut String) {
    for i in 0..words {
        if i > 0 {
            out.push(' ');
        }
        push_word(rng, out);
    }
    out.push('.');
}

/// One realistic review written at `commented_at`.
pub fn synthetic_review(rng: &mut Rng, id: u64, commented_at: i64) -> Review {
    let rating = match rng.below(100) {
        0..=59 => 5,
        60..=79 => 4,
        80..=87 => 3,
        88..=92 => 2,
        _ => 1,
    };
    let product_index = rng.skewed(PRODUCTS.len());
    let is_store_review = rng.chance(8);
    let mut content = String::new();
    for _ in 0..1 + rng.below(4) {
        if !content.is_empty() {
            content.push(' ');
        }
        let n = 6 + rng.below(18) as usize;
        sentence(rng, n, &mut content);
    }
    let mut title = String::new();
    let title_words = 2 + rng.below(4) as usize;
    sentence(rng, title_words, &mut title);
    let mut media = Vec::new();
    if rng.chance(20) {
        for i in 0..1 + rng.below(3) {
            media.push(Media {
                url: format!("https://cdn.example.com/r/{id}/{i}.jpg"),
                thumbnail_url: format!("https://cdn.example.com/r/{id}/{i}_t.jpg"),
                kind: MediaKind::Image,
                is_published: true,
            });
        }
    }
    if rng.chance(3) {
        media.push(Media {
            url: format!("https://cdn.example.com/r/{id}/v.mp4"),
            thumbnail_url: String::new(),
            kind: MediaKind::Video,
            is_published: true,
        });
    }
    let first = rng.pick(FIRST);
    let last = rng.pick(LAST);
    // Drawn in the order of the fields of the flat review this data was first made for, so
    // the synthetic data (and the figures measured on it) stay the same.
    let author_email = format!("{}.{}@example.com", first.to_lowercase(), id);
    let author_country = rng.pick(COUNTRIES).to_owned();
    let source = rng.pick(SOURCES).to_owned();
    let is_verified = rng.chance(70);
    let is_featured = rng.chance(5);
    let is_published = rng.chance(95);
    let is_pinned = rng.chance(1);
    Review {
        id: ReviewId(id.to_string()),
        product_id: ProductId(if is_store_review {
            "0".to_owned()
        } else {
            (7_000_000_000u64 + product_index as u64).to_string()
        }),
        product_title: if is_store_review {
            String::new()
        } else {
            PRODUCTS
                .get(product_index)
                .copied()
                .unwrap_or("")
                .to_owned()
        },
        product_handle: String::new(),
        is_store_review,
        rating,
        author: format!("{first} {last}"),
        author_country,
        title,
        content,
        is_verified,
        commented_at,
        updated_at: commented_at,
        media,
        reply: rng.chance(10).then(|| ReviewReply {
            content: "Thank you for your review!".to_owned(),
            reply_at: "2024-01-01 00:00:00".to_owned(),
            author: None,
            updated_at: None,
        }),
        tags: Vec::new(),
        details: ProviderDetails::Trustoo(TrustooDetails {
            source,
            author_email,
            order_id: String::new(),
            item_type: String::new(),
            is_featured,
            is_published,
            is_pinned,
        }),
    }
}

/// What [`fill_synthetic`] did.
#[derive(Debug, Clone, Copy)]
pub struct FillStats {
    /// Reviews written.
    pub reviews: u64,
    /// Wall time of the upserts (generation excluded).
    pub insert_time: Duration,
}

/// Reviews per transaction in [`fill_synthetic`]: big transactions, so each one flushes the FTS5
/// write buffer once (32 MiB since schema version 2) and a million reviews make a few
/// dozen segments to merge, not hundreds.
pub const FILL_BATCH: usize = 20_000;

/// Writes `n` synthetic reviews for `shop`, newest first like a real first sync, spread over
/// about three years, and flags ~2 % for triage.
///
/// The store is left as a first sync leaves it: FTS5 segments merged only by its automerge,
/// no full `'optimize'` merge (measured at 1M: queries are ~1.6× faster after one, but it takes
/// twice as long as the whole fill, so the sync engine does not run it).
///
/// Reviews are generated on a second thread while the store writes the previous batch (the
/// writes use the real [`Store::upsert_reviews`], so the store is the one the app builds).
pub fn fill_synthetic(
    store: &mut Store,
    shop: &AccountKey,
    n: u64,
    seed: u64,
) -> Result<FillStats> {
    fill_synthetic_batched(store, shop, n, seed, FILL_BATCH)
}

/// [`fill_synthetic`] with `batch` reviews per transaction (the sync engine writes smaller
/// batches than the bench fill; this measures what that costs).
pub fn fill_synthetic_batched(
    store: &mut Store,
    shop: &AccountKey,
    n: u64,
    seed: u64,
    batch: usize,
) -> Result<FillStats> {
    let batch_size = batch.max(1) as u64;
    let (tx, rx) = std::sync::mpsc::sync_channel::<(Vec<Review>, Vec<ReviewId>)>(2);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut rng = Rng::new(seed);
            let newest: i64 = 1_735_689_600; // 2025-01-01
            let span: i64 = 3 * 365 * 86_400;
            let step = (span / n.max(1) as i64).max(1);
            let mut made = 0u64;
            while made < n {
                let size = (n - made).min(batch_size);
                let mut batch = Vec::with_capacity(size as usize);
                let mut flagged = Vec::new();
                for i in made..made + size {
                    let at = newest - (i as i64) * step - rng.below(step as u64) as i64;
                    let review = synthetic_review(&mut rng, 1_000_000_000 + i, at);
                    if rng.chance(2) {
                        flagged.push(review.id.clone());
                    }
                    batch.push(review);
                }
                made += size;
                if tx.send((batch, flagged)).is_err() {
                    // The writer stopped on an error; it reports it.
                    return;
                }
            }
        });
        let mut insert_time = Duration::ZERO;
        let mut written = 0u64;
        let mut flagged = Vec::new();
        for (batch, mut flags) in rx {
            let start = Instant::now();
            store.upsert_reviews(shop, &batch)?;
            insert_time += start.elapsed();
            written += batch.len() as u64;
            flagged.append(&mut flags);
        }
        store.set_triage(shop, &flagged, TriageState::Flagged, "bench")?;
        Ok(FillStats {
            reviews: written,
            insert_time,
        })
    })
}

/// A word a merchant would search for: a content word (never a function word), drawn with the
/// same Zipf skew as the reviews, so "size", "shipping" or "refund" come up often and rare words
/// sometimes; one search in ten is for a customer's first name.
fn search_word(rng: &mut Rng) -> String {
    if rng.chance(10) {
        return rng.pick(FIRST).to_owned();
    }
    let content = vocabulary().get(STOP_WORDS..).unwrap_or_default();
    content
        .get(rng.skewed(content.len()))
        .copied()
        .unwrap_or("size")
        .to_owned()
}

/// A random list query like a merchant would make: always a keyword (one word, or two in a
/// quarter of the searches; in a fifth the last word is still being typed), plus zero to two
/// filters and any sort.
pub fn random_query(rng: &mut Rng) -> ReviewQuery {
    let mut filter = ReviewFilter::default();
    let mut keyword = search_word(rng);
    if rng.chance(25) {
        keyword.push(' ');
        keyword.push_str(&search_word(rng));
    }
    if rng.chance(20) {
        // The user is still typing the last word: keep at least three of its letters.
        let last_start = keyword.rfind(' ').map_or(0, |i| i + 1);
        let last_len = keyword.len() - last_start;
        let keep = (last_len / 2).max(3).min(last_len);
        keyword.truncate(last_start + keep);
    }
    filter.keyword = Some(keyword);
    for _ in 0..rng.below(3) {
        match rng.below(7) {
            0 => filter.ratings = vec![1 + rng.below(5) as u8],
            1 => filter.ratings = vec![4, 5],
            2 => filter.has_image = Some(true),
            3 => filter.verified = Some(true),
            4 => {
                filter.product_id = Some(ProductId(
                    (7_000_000_000u64 + rng.below(PRODUCTS.len() as u64)).to_string(),
                ))
            }
            5 => filter.source = Some(rng.pick(SOURCES).to_owned()),
            _ => filter.commented_from = Some(1_735_689_600 - 365 * 86_400),
        }
    }
    let sort = match rng.below(10) {
        0..=6 => ReviewSort::Newest,
        7 => ReviewSort::Oldest,
        8 => ReviewSort::RatingHigh,
        _ => ReviewSort::RatingLow,
    };
    ReviewQuery {
        filter,
        sort,
        limit: 50,
        ..ReviewQuery::default()
    }
}

/// `n` queries from [`random_query`] with a fixed seed, so a benchmark can run the same list
/// twice (with and without the keyword).
pub fn random_queries(n: usize, seed: u64) -> Vec<ReviewQuery> {
    let mut rng = Rng::new(seed);
    (0..n).map(|_| random_query(&mut rng)).collect()
}

/// The same query without its keyword: the reference a search is measured against (same
/// filters, sort and page size, answered by the indexes on `reviews` instead of FTS5).
pub fn without_keyword(query: &ReviewQuery) -> ReviewQuery {
    let mut q = query.clone();
    q.filter.keyword = None;
    q
}

/// Runs each query as the list view does (page + capped total) and returns its wall time.
pub fn time_queries(
    store: &Store,
    shop: &AccountKey,
    queries: &[ReviewQuery],
) -> Result<Vec<Duration>> {
    let mut times = Vec::with_capacity(queries.len());
    for q in queries {
        let start = Instant::now();
        let page = store.query_reviews(shop, q)?;
        times.push(start.elapsed());
        std::hint::black_box(page);
    }
    Ok(times)
}

/// Runs `n` random filtered full-text page queries (page + capped total, as the list view
/// does) and returns each one's wall time, for percentiles.
pub fn run_random_queries(
    store: &Store,
    shop: &AccountKey,
    n: usize,
    seed: u64,
) -> Result<Vec<Duration>> {
    time_queries(store, shop, &random_queries(n, seed))
}

/// The `p`-th percentile (0–100) of `times` (nearest rank), zero for an empty list.
pub fn percentile(times: &[Duration], p: f64) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted
        .get(rank.saturating_sub(1).min(sorted.len() - 1))
        .copied()
        .unwrap_or(Duration::ZERO)
}
