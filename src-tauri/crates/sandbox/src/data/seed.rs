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
            order: 0,
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
    /// Average widget events per day over the year (see `EventLog`).
    pub events_per_day: u32,
}

/// Catalogue of the demo shop.
pub fn demo_catalogue() -> &'static [(&'static str, u32)] {
    DEMO_PRODUCTS
}

/// Catalogue of the second shop.
pub fn second_catalogue() -> &'static [(&'static str, u32)] {
    SECOND_PRODUCTS
}

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
    seed_orders(&mut sd, seed.orders, rng);
    seed_reviews(&mut sd, seed.reviews, rng, next_review_id);
    link_reviews_to_orders(&mut sd);
    sd.events = EventLog::new(
        EventSeed {
            end: ANCHOR,
            days: 365,
            per_day: seed.events_per_day,
            id_base: 1_000_000_000 * (1 + shop_id % 1000),
            customers: sd.customers.iter().map(|c| c.id).collect(),
            reviews: sd.reviews.iter().map(|r| r.id).collect(),
            products: sd.products.iter().map(|p| p.id).collect(),
        },
        rng,
    );
    sd
}

/// Seconds in a day.
const DAY: i64 = 86_400;

/// A year of orders ending at [`ANCHOR`], with the review-request email's life (chosen, the
/// docs only name the statuses): an order waits while unfulfilled (its last days), the request
/// is scheduled for about ten days after the order (delivery plus a week), then sent; about 4 %
/// are cancelled before sending (refund, unsubscribed); of the sent, ~45 % are opened. An
/// opened request becomes "reviewed" (5) only when a seeded review answers it, see
/// [`link_reviews_to_orders`]: the status is tied to a real review, never a bare number.
pub fn seed_orders(sd: &mut ShopData, n: usize, rng: &mut Rng) {
    let shop_id = sd.shop().id;
    let span = 365 * DAY;
    let step = span / n.max(1) as i64;
    let nprod = sd.products.len().max(1) as u64;
    let ncust = sd.customers.len().max(1) as u64;
    for i in 0..n {
        let created = ANCHOR - span + i as i64 * step + rng.below(step.max(1) as u64) as i64;
        let lines = match rng.below(100) {
            0..=69 => 1,
            70..=91 => 2,
            _ => 3,
        };
        let mut items: Vec<(u32, u8)> = Vec::with_capacity(lines);
        for _ in 0..lines {
            let p = rng.below(nprod).min(rng.below(nprod)) as u32;
            if !items.iter().any(|(q, _)| *q == p) {
                items.push((p, if rng.chance(10) { 2 } else { 1 }));
            }
        }
        let total = items
            .iter()
            .map(|(p, q)| sd.products.get(*p as usize).map_or(0, |x| x.price) * u32::from(*q))
            .sum();
        let send = created + 8 * DAY + rng.below(4 * DAY as u64) as i64;
        let (status, sent_at) = if created > ANCHOR - 3 * DAY && rng.chance(70) {
            (1, None)
        } else if send >= ANCHOR {
            (2, Some(send))
        } else if rng.chance(4) {
            (6, None)
        } else if rng.chance(45) {
            (4, Some(send))
        } else {
            (3, Some(send))
        };
        sd.orders.push(Order {
            id: 5_200_000_000_000 + shop_id % 1000 * 100_000 + i as u64,
            number: 1001 + i as u32,
            customer: rng.below(ncust) as usize,
            total,
            created,
            status,
            sent_at,
            items,
        });
    }
}

/// Ties opened requests to the reviews they brought in: for each opened order (oldest first)
/// the first unlinked "Email request" review written between two hours and three weeks after
/// the email becomes that order's review (its `order_id`, the buyer's name, verified), and the
/// order becomes "reviewed" (5). About a quarter of opened requests find one with the default
/// data, i.e. ~10 % of sent requests end in a review, a common rate for request emails.
pub fn link_reviews_to_orders(sd: &mut ShopData) {
    let email_source = SOURCES
        .iter()
        .position(|s| *s == "Email request")
        .unwrap_or(5) as u16;
    let candidates: Vec<usize> = sd
        .reviews
        .iter()
        .enumerate()
        .filter(|(_, r)| r.source == email_source && r.order == 0)
        .map(|(i, _)| i)
        .collect();
    let mut used = vec![false; candidates.len()];
    for o in 0..sd.orders.len() {
        let order = &sd.orders[o];
        let Some(sent) = order.sent_at.filter(|_| order.status == 4) else {
            continue;
        };
        // Only about a quarter of opened emails get answered.
        if !(order.id.wrapping_mul(0x9E37_79B9) >> 7).is_multiple_of(4) {
            continue;
        }
        let from = candidates.partition_point(|&j| sd.reviews[j].created < sent + 7200);
        let hit = (from..candidates.len())
            .take_while(|&k| sd.reviews[candidates[k]].created <= sent + 21 * DAY)
            .find(|&k| !used[k]);
        let Some(k) = hit else { continue };
        used[k] = true;
        let (order_id, customer) = (order.id, order.customer);
        sd.orders[o].status = 5;
        let name = sd
            .customers
            .get(customer)
            .map(|c| (c.first.clone(), c.last.clone()));
        let review = &mut sd.reviews[candidates[k]];
        review.order = order_id;
        review.flags |= 1;
        if let (Text::Gen { first, last, .. }, Some((f, l))) = (&mut review.text, name) {
            if let Some(i) = FIRST.iter().position(|x| *x == f) {
                *first = i as u16;
            }
            if let Some(i) = LAST.iter().position(|x| *x == l) {
                *last = i as u16;
            }
        }
    }
}
