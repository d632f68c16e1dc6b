//! The seeded world.
use super::*;
use crate::util::Rng;

fn shop() -> Shop {
    Shop {
        id: 1,
        domain: "x.myshopify.com".into(),
        name: "X".into(),
        public_token: "p".into(),
        private_token: "k".into(),
        installed_at: 0,
    }
}

#[test]
fn slugs_keep_accented_letters_as_plain_ones() {
    assert_eq!(slug("Lucía"), "lucia");
    assert_eq!(slug("Müller"), "muller");
    assert_eq!(slug("Maëlle"), "maelle");
    assert_eq!(
        slug("Wanderer Recycled Backpack 28L"),
        "wanderer-recycled-backpack-28l"
    );
    for (i, first) in FIRST.iter().enumerate() {
        let last = LAST[i % LAST.len()];
        let local = format!("{}.{}", slug(first), slug(last));
        assert!(
            local.len() > 2
                && local
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'-'),
            "{first} {last} -> {local}"
        );
    }
}

#[test]
fn seeding_is_deterministic_and_skewed() {
    let mk = || {
        let mut rng = Rng::new(42);
        let mut id = 1;
        seed_shop(
            ShopSeed {
                shop: shop(),
                catalogue: DEMO_PRODUCTS,
                product_base: 1000,
                reviews: 20_000,
                customers: 50,
                orders: 50,
                events_per_day: 5,
            },
            &mut rng,
            &mut id,
        )
    };
    let a = mk();
    let b = mk();
    let ra: Vec<u8> = a.reviews.iter().map(|r| r.rating).collect();
    let rb: Vec<u8> = b.reviews.iter().map(|r| r.rating).collect();
    assert_eq!(ra, rb);
    let five = ra.iter().filter(|&&r| r == 5).count() as f64 / ra.len() as f64;
    assert!((0.60..0.70).contains(&five), "{five}");
    assert!(a
        .reviews
        .windows(2)
        .all(|w| w[0].created <= w[1].created && w[0].id < w[1].id));
    assert_eq!(a.products.len(), 40);
    assert_eq!(a.products[0].handle, "alpine-merino-crew-sweater");
}
