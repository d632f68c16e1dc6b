//! Benchmark helpers for `cargo xtask bench`: realistic synthetic reviews and random queries.
//!
//! Reviews use real English words with a skewed (Zipf-like) frequency so FTS5 posting lists look
//! like production ones: a few words are everywhere, most are rare. No timing here is asserted
//! by tests; the bench computes percentiles from [`run_random_queries`].

use std::time::{Duration, Instant};

use reviewdesk_core::{
    Media, MediaKind, ProductId, Review, ReviewFilter, ReviewId, ReviewQuery, ReviewReply,
    ReviewSort, TriageState,
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

const COMMON: &[&str] = &[
    "the",
    "and",
    "is",
    "it",
    "very",
    "i",
    "a",
    "to",
    "for",
    "this",
    "my",
    "of",
    "with",
    "was",
    "so",
    "but",
    "in",
    "great",
    "good",
    "love",
    "quality",
    "product",
    "nice",
    "fit",
    "size",
    "would",
    "recommend",
    "really",
    "just",
    "well",
    "not",
    "as",
    "on",
    "like",
    "fast",
    "shipping",
    "perfect",
    "beautiful",
    "happy",
    "price",
    "item",
    "after",
    "material",
    "looks",
    "color",
];

const WORDS: &[&str] = &[
    "comfortable",
    "soft",
    "fabric",
    "stitching",
    "delivery",
    "arrived",
    "package",
    "broken",
    "damaged",
    "refund",
    "return",
    "exchange",
    "customer",
    "service",
    "helpful",
    "friendly",
    "disappointed",
    "excellent",
    "amazing",
    "awesome",
    "terrible",
    "cheap",
    "expensive",
    "worth",
    "money",
    "small",
    "large",
    "tight",
    "loose",
    "length",
    "sleeve",
    "waist",
    "pocket",
    "zipper",
    "button",
    "collar",
    "cotton",
    "linen",
    "wool",
    "leather",
    "denim",
    "silk",
    "polyester",
    "waterproof",
    "warm",
    "cool",
    "summer",
    "winter",
    "spring",
    "autumn",
    "holiday",
    "gift",
    "daughter",
    "son",
    "husband",
    "wife",
    "mother",
    "father",
    "friend",
    "birthday",
    "wedding",
    "party",
    "office",
    "travel",
    "hiking",
    "running",
    "yoga",
    "gym",
    "kitchen",
    "garden",
    "bedroom",
    "sturdy",
    "durable",
    "flimsy",
    "lightweight",
    "heavy",
    "battery",
    "charger",
    "cable",
    "screen",
    "sound",
    "bass",
    "volume",
    "bluetooth",
    "wireless",
    "instructions",
    "assembly",
    "screws",
    "smell",
    "scent",
    "fragrance",
    "skin",
    "hair",
    "face",
    "cream",
    "serum",
    "lotion",
    "bottle",
    "lid",
    "leak",
    "spill",
    "crack",
    "scratch",
    "stain",
    "wash",
    "machine",
    "dryer",
    "shrink",
    "fade",
    "pilling",
    "elegant",
    "stylish",
    "cute",
    "gorgeous",
    "vibrant",
    "bright",
    "dark",
    "navy",
    "burgundy",
    "emerald",
    "turquoise",
    "beige",
    "charcoal",
    "ivory",
    "mustard",
    "olive",
    "packaging",
    "tracking",
    "courier",
    "customs",
    "weeks",
    "days",
    "late",
    "early",
    "quick",
    "slow",
    "photo",
    "picture",
    "description",
    "accurate",
    "misleading",
    "expected",
    "surprised",
    "compliments",
    "everyone",
    "twice",
    "again",
    "reorder",
    "favorite",
    "bestseller",
    "bargain",
    "discount",
    "coupon",
    "sale",
    "premium",
    "luxury",
    "handmade",
    "artisan",
    "vintage",
    "modern",
    "classic",
    "minimalist",
    "ergonomic",
    "adjustable",
    "removable",
    "washable",
    "reusable",
    "eco",
    "organic",
    "vegan",
    "sustainable",
    "recycled",
    "bamboo",
    "ceramic",
    "glass",
    "steel",
    "aluminium",
    "plastic",
    "wooden",
    "oak",
    "walnut",
    "marble",
    "velvet",
    "satin",
    "lace",
    "embroidery",
    "sequins",
    "beads",
    "crystal",
    "pendant",
    "necklace",
    "bracelet",
    "earrings",
    "ring",
    "watch",
    "strap",
    "buckle",
    "wallet",
    "backpack",
    "suitcase",
    "umbrella",
    "blanket",
    "pillow",
    "mattress",
    "lamp",
    "candle",
    "mug",
    "teapot",
    "blender",
    "toaster",
    "kettle",
    "puppy",
    "kitten",
    "leash",
    "collar",
    "aquarium",
    "toddler",
    "stroller",
    "diaper",
    "toy",
    "puzzle",
    "lego",
    "crayons",
    "notebook",
    "planner",
    "sticker",
    "keyboard",
    "mouse",
    "monitor",
    "tripod",
    "lens",
    "camera",
    "drone",
    "headphones",
    "earbuds",
    "speaker",
    "projector",
];

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
const SOURCES: &[&str] = &[
    "Store front",
    "Store front",
    "Store front",
    "AliExpress",
    "Amazon",
    "Import",
    "Email",
];

fn sentence(rng: &mut Rng, words: usize, out: &mut String) {
    for i in 0..words {
        if i > 0 {
            out.push(' ');
        }
        // Half the words are filler, half carry meaning (skewed so some are frequent).
        if rng.chance(55) {
            out.push_str(
                COMMON
                    .get(rng.skewed(COMMON.len()))
                    .copied()
                    .unwrap_or("the"),
            );
        } else {
            out.push_str(
                WORDS
                    .get(rng.skewed(WORDS.len()))
                    .copied()
                    .unwrap_or("good"),
            );
        }
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
        author_email: format!("{}.{}@example.com", first.to_lowercase(), id),
        author_country: rng.pick(COUNTRIES).to_owned(),
        title,
        content,
        source: rng.pick(SOURCES).to_owned(),
        is_verified: rng.chance(70),
        is_featured: rng.chance(5),
        is_published: rng.chance(95),
        is_pinned: rng.chance(1),
        item_type: String::new(),
        order_id: String::new(),
        commented_at,
        updated_at: commented_at,
        media,
        reply: rng.chance(10).then(|| ReviewReply {
            content: "Thank you for your review!".to_owned(),
            reply_at: "2024-01-01 00:00:00".to_owned(),
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

/// Reviews per transaction in [`fill_synthetic`] (like a few API pages).
pub const FILL_BATCH: usize = 2_000;

/// Writes `n` synthetic reviews for `shop`, newest first like a real first sync, spread over
/// about three years, and flags ~2 % for triage. Then runs [`Store::optimize`].
pub fn fill_synthetic(store: &mut Store, shop: &str, n: u64, seed: u64) -> Result<FillStats> {
    let mut rng = Rng::new(seed);
    let newest: i64 = 1_735_689_600; // 2025-01-01
    let span: i64 = 3 * 365 * 86_400;
    let step = (span / n.max(1) as i64).max(1);
    let mut insert_time = Duration::ZERO;
    let mut written = 0u64;
    let mut batch = Vec::with_capacity(FILL_BATCH);
    let mut flagged = Vec::new();
    while written < n {
        batch.clear();
        while batch.len() < FILL_BATCH && written + (batch.len() as u64) < n {
            let i = written + batch.len() as u64;
            let at = newest - (i as i64) * step - rng.below(step as u64) as i64;
            let review = synthetic_review(&mut rng, 1_000_000_000 + i, at);
            if rng.chance(2) {
                flagged.push(review.id.clone());
            }
            batch.push(review);
        }
        let start = Instant::now();
        store.upsert_reviews(shop, &batch)?;
        insert_time += start.elapsed();
        written += batch.len() as u64;
    }
    store.set_triage(shop, &flagged, TriageState::Flagged, "bench")?;
    store.optimize()?;
    Ok(FillStats {
        reviews: written,
        insert_time,
    })
}

/// A random list query like a merchant would make: always a keyword (one or two vocabulary
/// words, sometimes a prefix), plus zero to two filters and any sort.
pub fn random_query(rng: &mut Rng) -> ReviewQuery {
    let mut filter = ReviewFilter::default();
    let mut keyword = rng.pick(WORDS).to_owned();
    if rng.chance(25) {
        keyword.push(' ');
        keyword.push_str(rng.pick(WORDS));
    }
    if rng.chance(20) {
        // The user is still typing.
        let keep = (keyword.len() / 2).max(3).min(keyword.len());
        keyword.truncate(keep);
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

/// Runs `n` random filtered full-text page queries (page + capped total, as the list view
/// does) and returns each one's wall time, for percentiles.
pub fn run_random_queries(store: &Store, shop: &str, n: usize, seed: u64) -> Result<Vec<Duration>> {
    let mut rng = Rng::new(seed);
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let q = random_query(&mut rng);
        let start = Instant::now();
        let page = store.query_reviews(shop, &q)?;
        times.push(start.elapsed());
        std::hint::black_box(page);
    }
    Ok(times)
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
