//! The deterministic seeder of shops, reviews, customers, orders and events.

use crate::util::Rng;

use super::*;

pub(crate) fn pick_rating(rng: &mut Rng) -> u8 {
    // ~65% 5★, 18% 4★, 7% 3★, 4% 2★, 6% 1★
    match rng.below(100) {
        0..=64 => 5,
        65..=82 => 4,
        83..=89 => 3,
        90..=93 => 2,
        _ => 1,
    }
}

pub(crate) fn pick_source(rng: &mut Rng) -> u16 {
    // Indices into SOURCES, weighted like a store that mostly collects via email and widget.
    const W: &[(u16, u64)] = &[
        (5, 38),
        (3, 22),
        (6, 10),
        (7, 8),
        (4, 6),
        (0, 6),
        (2, 4),
        (1, 3),
        (8, 2),
        (9, 1),
    ];
    let mut x = rng.below(100);
    for &(i, w) in W {
        if x < w {
            return i;
        }
        x -= w;
    }
    5
}

/// Seeds `n` reviews for a shop, spread over two years ending at [`ANCHOR`].
pub fn seed_reviews(sd: &mut ShopData, n: usize, rng: &mut Rng, next_id: &mut u64) {
    sd.reviews.reserve(n);
    let span: i64 = 2 * 365 * 86_400;
    let start = ANCHOR - span;
    let step = if n == 0 { 0 } else { span / n as i64 };
    let nprod = sd.products.len().max(1) as u64;
    for i in 0..n {
        let rating = pick_rating(rng);
        let (titles, phrases) = pools(rating);
        let np = 1 + rng.below(3) as usize;
        let mut ph = [u16::MAX; 3];
        for slot in ph.iter_mut().take(np) {
            *slot = rng.below(phrases.len() as u64) as u16;
        }
        let created = start + i as i64 * step + rng.below(step.max(1) as u64) as i64 / 2;
        let media = match rng.below(1000) {
            0..=19 => 4,
            20..=79 => 2,
            80..=99 => 3,
            100..=159 => 1,
            _ => 0,
        };
        let mut flags = 0u8;
        if rng.chance(72) {
            flags |= 1;
        }
        if rng.chance(5) {
            flags |= 2;
        }
        if rng.chance(97) {
            flags |= 4;
        }
        if rng.below(100) == 0 {
            flags |= 8;
        }
        let product = if rng.chance(8) {
            STORE
        } else {
            // Skew towards the first products so some have many reviews.
            let a = rng.below(nprod);
            let b = rng.below(nprod);
            a.min(b) as u32
        };
        let reply = if rng.chance(15) {
            let r = if rating >= 4 {
                [0u8, 1, 4][rng.below(3) as usize]
            } else {
                [2u8, 3][rng.below(2) as usize]
            };
            r + 1
        } else {
            0
        };
        sd.reviews.push(Review {
            id: *next_id,
            product,
            rating,
            flags,
            source: pick_source(rng),
            created,
            commented: created - rng.below(3600) as i64,
            text: Text::Gen {
                first: rng.below(FIRST.len() as u64) as u16,
                last: rng.below(LAST.len() as u64) as u16,
                country: rng.below(COUNTRIES.len() as u64) as u8,
                title: rng.below(titles.len() as u64) as u16,
                phrases: ph,
                item: if rng.chance(50) {
                    1 + rng.below(ITEM_TYPES.len() as u64) as u8
                } else {
                    0
                },
                reply,
                media,
            },
        });
        *next_id += 1;
    }
}

/// Parameters of one seeded shop.
pub struct ShopSeed {
    /// Identity.
    pub shop: Shop,
    /// Catalogue to use.
    pub catalogue: &'static [(&'static str, u32)],
    /// First product id.
    pub product_base: u64,
    /// Number of reviews.
    pub reviews: usize,
    /// Number of customers.
    pub customers: usize,
    /// Number of orders.
    pub orders: usize,
    /// Number of events.
    pub events: usize,
}

/// Catalogue of the demo shop.
pub fn demo_catalogue() -> &'static [(&'static str, u32)] {
    DEMO_PRODUCTS
}

/// Catalogue of the second shop.
pub fn second_catalogue() -> &'static [(&'static str, u32)] {
    SECOND_PRODUCTS
}

pub(crate) const EVENT_TYPES: &[&str] = &[
    "VIEW_REVIEW",
    "VIEW_REVIEW",
    "VIEW_REVIEW",
    "EXPAND_CONTENT",
    "SUBMIT_REVIEW",
    "CLICK_REVIEW",
    "PAGINATION",
    "FILTER_REVIEW",
    "SORT_REVIEW",
    "CLICK_MEDIA",
    "CLOSE_VIDEO_POPUP",
];
pub(crate) const OS_TYPES: &[&str] = &["IOS", "IOS", "ANDROID", "WINDOWS", "MACOS", "LINUX"];
pub(crate) const EVENT_SOURCES: &[&str] =
    &["STOREFRONT", "STOREFRONT", "STOREFRONT", "EMAIL", "ADMIN"];

/// Builds one shop's data deterministically.
pub fn seed_shop(seed: ShopSeed, rng: &mut Rng, next_review_id: &mut u64) -> ShopData {
    let mut sd = ShopData {
        shop: Some(seed.shop),
        ..Default::default()
    };
    for (i, (t, price)) in seed.catalogue.iter().enumerate() {
        sd.products.push(Product {
            id: seed.product_base + i as u64 * 131,
            title: (*t).to_string(),
            handle: slug(t),
            price: *price,
        });
    }
    let shop_id = sd.shop().id;
    for i in 0..seed.customers {
        let f = *rng.pick(FIRST);
        let l = *rng.pick(LAST);
        sd.customers.push(Customer {
            id: 7_000_000_000_000 + shop_id % 1000 * 100_000 + i as u64,
            first: f.to_string(),
            last: l.to_string(),
            email: format!("{}.{}{}@example.com", slug(f), slug(l), i),
            phone: format!("+1555{:07}", rng.below(10_000_000)),
        });
    }
    let span = 365 * 86_400;
    for i in 0..seed.orders {
        let created = ANCHOR - span + (i as i64 * span / seed.orders.max(1) as i64);
        let status = 1 + rng.below(6) as u8;
        let sent_at = (status >= 3 && status != 6).then_some(created + 7 * 86_400);
        let total = sd.products[rng.below(sd.products.len() as u64) as usize].price
            * (1 + rng.below(3) as u32);
        sd.orders.push(Order {
            id: 5_200_000_000_000 + shop_id % 1000 * 100_000 + i as u64,
            number: 1001 + i as u32,
            customer: rng.below(seed.customers.max(1) as u64) as usize,
            total,
            created,
            status,
            sent_at,
        });
    }
    seed_reviews(&mut sd, seed.reviews, rng, next_review_id);
    let nrev = sd.reviews.len() as u64;
    for i in 0..seed.events {
        let created = ANCHOR - 90 * 86_400 + (i as i64 * 90 * 86_400 / seed.events.max(1) as i64);
        let et = *rng.pick(EVENT_TYPES);
        sd.events.push(Event {
            id: 900_000 + shop_id % 1000 * 10_000 + i as u64,
            event_type: et,
            event_source: EVENT_SOURCES[rng.below(EVENT_SOURCES.len() as u64) as usize],
            os_type: OS_TYPES[rng.below(OS_TYPES.len() as u64) as usize],
            customer_id: if rng.chance(40) && !sd.customers.is_empty() {
                sd.customers[rng.below(sd.customers.len() as u64) as usize].id
            } else {
                0
            },
            review_id: if nrev > 0 && et != "PAGINATION" {
                sd.reviews[rng.below(nrev) as usize].id
            } else {
                0
            },
            product_id: sd.products[rng.below(sd.products.len() as u64) as usize].id,
            created,
        });
    }
    sd
}
