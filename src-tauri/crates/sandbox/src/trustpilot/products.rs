//! Product reviews (§1.8): the products of each business unit, their seeded reviews and the
//! conversations a business answers them through, and the JSON they are rendered as.
//!
//! Product reviews are few next to service reviews (a fifth of them, 12 to 300 a unit), so they
//! are kept whole rather than compact. They are seeded from their own random stream and their
//! own id space, so adding them changed nothing of the seeded service reviews.

use serde_json::{json, Value};

use super::data::{self, consumer, derived_oid, oid_hex, BusinessUnit};
use super::pools::LANGS;
use crate::data::{slug, ANCHOR};
use crate::util::{fmt_rfc3339, Rng};

/// The states a product review can be in (SEEN-TP; `published` is the listing's default).
pub const STATES: [&str; 4] = ["published", "unpublished", "underModeration", "archived"];

/// `source` of a product review's conversation (SEEN-DOC).
pub const CONVERSATION_SOURCE: &str = "Product reviews";

/// A product of a unit's catalogue.
#[derive(Debug, Clone)]
pub struct Product {
    /// Index of the unit.
    pub unit: usize,
    /// 24-hex id.
    pub id: String,
    /// Stock keeping unit (the `sku` filter).
    pub sku: String,
    /// Name.
    pub name: &'static str,
    /// Brand.
    pub brand: &'static str,
    /// GTIN (EAN-13).
    pub gtin: String,
    /// Manufacturer part number.
    pub mpn: String,
    /// Page on the shop.
    pub url: String,
}

/// One rated attribute of a product review.
#[derive(Debug, Clone, Copy)]
pub struct AttributeRating {
    /// Index into [`ATTRIBUTES`].
    pub attribute: usize,
    /// 1..=5 for a range, the option's position from 1 for a scale.
    pub rating: u8,
}

/// A consumer's review of a product.
#[derive(Debug, Clone)]
pub struct ProductReview {
    /// 24-hex id (an ObjectId with its creation time, like service reviews').
    pub id: String,
    /// Index of the unit.
    pub unit: usize,
    /// Index into `TpWorld::products`.
    pub product: usize,
    /// `createdAt` (unix s).
    pub created: i64,
    /// `updatedAt` (unix s).
    pub updated: i64,
    /// 1..=5.
    pub stars: u8,
    /// `content`.
    pub content: String,
    /// Consumer seed (`consumer{id, email, name}` are rebuilt from it).
    pub consumer: u32,
    /// Order number of the invitation, when invited.
    pub reference_id: Option<String>,
    /// e.g. `en-US`.
    pub locale: &'static str,
    /// e.g. `en`.
    pub language: &'static str,
    /// One of [`STATES`].
    pub state: &'static str,
    /// Whether moderation ever looked at it.
    pub has_moderation_history: bool,
    /// The conversation the business answers in, once created.
    pub conversation_id: Option<String>,
    /// Rated attributes.
    pub attribute_ratings: Vec<AttributeRating>,
    /// Ids of attached images.
    pub attachments: Vec<String>,
}

/// A comment in a conversation (the sandbox's comments are all the business's).
#[derive(Debug, Clone)]
pub struct Comment {
    /// 24-hex id (`commentId`).
    pub id: String,
    /// `createdAt` (unix s).
    pub created: i64,
    /// Last edit (unix s), when edited.
    pub updated: Option<i64>,
    /// The business user who wrote it.
    pub author: String,
    /// Text.
    pub content: String,
    /// `integrationId` the writer sent, if any.
    pub integration_id: Option<String>,
}

/// A conversation on a product review.
#[derive(Debug, Clone)]
pub struct Conversation {
    /// 24-hex id.
    pub id: String,
    /// Index of the unit.
    pub unit: usize,
    /// The reviewer.
    pub consumer_id: String,
    /// The product review it belongs to (`sourceId`).
    pub source_id: String,
    /// `public` or `private`.
    pub state: &'static str,
    /// Oldest first.
    pub comments: Vec<Comment>,
}

/// `(name, brand, price band)` of the products of unit 0 (outdoor clothing) and unit 1 (home).
const CATALOGUES: [&[(&str, &str)]; 2] = [
    &[
        ("Ridgeline Down Jacket", "Aurora"),
        ("Trailhead Merino Beanie", "Aurora"),
        ("Summit 35L Daypack", "Aurora Gear"),
        ("Coastal Rain Shell", "Aurora"),
        ("Alpine Fleece Pullover", "Aurora"),
        ("Basecamp Hiking Socks (3-pack)", "Aurora Gear"),
    ],
    &[
        ("Oak Serving Board", "Birch & Pine"),
        ("Linen Throw Blanket", "Birch & Pine"),
        ("Ceramic Pour-Over Set", "Birch & Pine"),
        ("Beeswax Candle Trio", "Hive & Wick"),
    ],
];

/// `(name, type, options)` of the rated attributes (attribute types and options are UNKNOWN in
/// the docs; CHOICES-trustpilot "Product reviews": `range` 1–5 without options, `scale` with
/// its options in order and the rating the chosen option's position from 1).
pub const ATTRIBUTES: [(&str, &str, &[&str]); 3] = [
    ("Quality", "range", &[]),
    ("Value for money", "range", &[]),
    (
        "Fit",
        "scale",
        &["Runs small", "True to size", "Runs large"],
    ),
];

/// Review texts by sentiment: `(english, german)` pools of 4–5★, 3★ and 1–2★ reviews.
const TEXTS: [(&[&str], &[&str]); 3] = [
    (
        &[
            "Excellent quality, exactly as pictured. Would buy again.",
            "Really well made and arrived quickly. Very happy with it.",
            "Better than I expected for the price. Recommended.",
            "Lovely product, great finish and sturdy. Gets used every day.",
            "Bought it as a gift and it went down a treat.",
            "Second one I have bought. Still as good as the first.",
        ],
        &[
            "Sehr gute Qualität, genau wie abgebildet.",
            "Schnell geliefert und toll verarbeitet. Gerne wieder.",
        ],
    ),
    (
        &[
            "Decent, but the colour is a little different from the photos.",
            "Does the job. Packaging could be better.",
            "Good overall, although it took a while to arrive.",
        ],
        &["Ganz okay, aber die Farbe weicht etwas ab."],
    ),
    (
        &[
            "Fell apart after two weeks. Disappointed.",
            "Much smaller than the description suggests.",
            "The stitching came loose on the first use.",
            "Arrived damaged and I am still waiting for a replacement.",
        ],
        &["Leider nach kurzer Zeit kaputt gegangen."],
    ),
];

/// The business's answers seeded in existing conversations.
const ANSWERS: [&str; 4] = [
    "Thank you so much for your review, we are glad you like it!",
    "Thanks for taking the time to share this. Enjoy it!",
    "We are sorry to hear this. Our team will email you to put it right.",
    "Thank you for the honest feedback, we have passed it on to our product team.",
];

/// What a seeded unit's product reviews are made from.
pub struct Seed<'a> {
    /// The unit.
    pub unit: &'a BusinessUnit,
    /// Its index.
    pub unit_index: usize,
    /// Service reviews of the unit (product reviews are a fifth of them, 12 to 300).
    pub service_reviews: usize,
    /// The business user who answered the seeded conversations.
    pub answered_by: String,
}

/// How many product reviews a unit with `service_reviews` service reviews gets.
pub fn count_for(service_reviews: usize) -> usize {
    (service_reviews / 5).clamp(12, 300)
}

/// The unit's products, product reviews and conversations, deterministic for `rng`'s seed.
pub fn seed(
    s: &Seed<'_>,
    rng: &mut Rng,
    products: &mut Vec<Product>,
    reviews: &mut Vec<ProductReview>,
    conversations: &mut Vec<Conversation>,
) {
    let catalogue = CATALOGUES[s.unit_index % CATALOGUES.len()];
    let first_product = products.len();
    for (i, (name, brand)) in catalogue.iter().enumerate() {
        let slugged = slug(name);
        let prefix: String = s.unit.identifying.chars().take(2).collect();
        products.push(Product {
            unit: s.unit_index,
            id: oid_hex(&derived_oid(
                0x9d0d_0000 ^ ((s.unit_index as u64) << 8) ^ i as u64,
            )),
            sku: format!("{}-{:03}", prefix.to_ascii_uppercase(), 101 + i),
            name,
            brand,
            gtin: format!("40{:011}", 7_301_000 + s.unit_index * 1000 + i),
            mpn: format!("MPN-{}{:02}", s.unit_index, i + 1),
            url: format!("{}/products/{slugged}", s.unit.website_url),
        });
    }
    // A product-review salt unlike the unit's service one, so neither kind is found as the other.
    let mut salt = s.unit.salt;
    salt[0] ^= 0xff;
    let n = count_for(s.service_reviews);
    let span: i64 = 365 * 86_400;
    let step = span / n as i64;
    let start = ANCHOR - span;
    let english = LANGS[0].0.code;
    for i in 0..n {
        let created = start + i as i64 * step + rng.below(step.max(1) as u64) as i64 / 2;
        let counter = 0x80_0000 + (s.unit_index as u32) * 0x1_0000 + i as u32;
        let stars = match rng.below(100) {
            0..=54 => 5,
            55..=74 => 4,
            75..=84 => 3,
            85..=91 => 2,
            _ => 1,
        };
        let german = rng.chance(15);
        let (en, de) = TEXTS[match stars {
            4 | 5 => 0,
            3 => 1,
            _ => 2,
        }];
        let pool = if german { de } else { en };
        let content = pool[rng.below(pool.len() as u64) as usize].to_string();
        let state = match rng.below(100) {
            0..=79 => STATES[0],
            80..=87 => STATES[1],
            88..=94 => STATES[2],
            _ => STATES[3],
        };
        let product = first_product + rng.below(catalogue.len() as u64) as usize;
        let mut attribute_ratings = Vec::new();
        if rng.chance(60) {
            for (a, (_, kind, options)) in ATTRIBUTES.iter().enumerate() {
                let rating = if *kind == "scale" {
                    1 + rng.below(options.len() as u64) as u8
                } else {
                    (stars as i64 + rng.below(3) as i64 - 1).clamp(1, 5) as u8
                };
                attribute_ratings.push(AttributeRating {
                    attribute: a,
                    rating,
                });
            }
        }
        let id_bytes = data::review_oid(created, &salt, counter);
        let id = oid_hex(&id_bytes);
        let attachments = if rng.chance(25) {
            (0..1 + rng.below(2))
                .map(|k| oid_hex(&derived_oid(0x00a7_7ac4 ^ ((counter as u64) << 4) ^ k)))
                .collect()
        } else {
            Vec::new()
        };
        let invited = rng.chance(85);
        let consumer_seed = 0x60_0000 + counter;
        let mut review = ProductReview {
            id: id.clone(),
            unit: s.unit_index,
            product,
            created,
            updated: created + if rng.chance(10) { 86_400 } else { 0 },
            stars,
            content,
            consumer: consumer_seed,
            reference_id: invited.then(|| format!("#{}", 5001 + i)),
            locale: if german {
                "de-DE"
            } else if s.unit.country == "GB" {
                "en-GB"
            } else {
                "en-US"
            },
            language: if german { "de" } else { english },
            state,
            has_moderation_history: (state != STATES[0] && state != STATES[1]) || rng.chance(3),
            conversation_id: None,
            attribute_ratings,
            attachments,
        };
        if state == STATES[0] && rng.chance(20) {
            let cid = oid_hex(&derived_oid(0x00c0_4e75 ^ ((counter as u64) << 8)));
            let answer = ANSWERS[if stars >= 4 { 0 } else { 2 } + rng.below(2) as usize];
            conversations.push(Conversation {
                id: cid.clone(),
                unit: s.unit_index,
                consumer_id: consumer_of(&review).0,
                source_id: id,
                state: "public",
                comments: vec![Comment {
                    id: oid_hex(&derived_oid(0x00c0_33e7 ^ ((counter as u64) << 8))),
                    created: created + 3600 + rng.below(2 * 86_400) as i64,
                    updated: None,
                    author: s.answered_by.clone(),
                    content: answer.to_string(),
                    integration_id: None,
                }],
            });
            review.conversation_id = Some(cid);
        }
        reviews.push(review);
    }
    ensure_every_state(reviews, s.unit_index);
}

/// A unit always shows every state at least once (12 reviews or more always are), so a small
/// demo or test world exercises the state filter, not only by luck.
fn ensure_every_state(reviews: &mut [ProductReview], unit: usize) {
    for (k, state) in STATES.iter().enumerate().skip(1) {
        let mine = || reviews.iter().filter(|r| r.unit == unit);
        if mine().any(|r| r.state == *state) {
            continue;
        }
        let published: Vec<usize> = reviews
            .iter()
            .enumerate()
            .filter(|(_, r)| r.unit == unit && r.state == STATES[0] && r.conversation_id.is_none())
            .map(|(i, _)| i)
            .collect();
        if let Some(&i) = published.get(k * 3 % published.len().max(1)) {
            reviews[i].state = state;
            reviews[i].has_moderation_history = k >= 2;
        }
    }
}

/// `(id, email, name)` of a product review's consumer. Unlike on service reviews, the private
/// product review carries the consumer's email (SEEN-3P).
pub fn consumer_of(r: &ProductReview) -> (String, String, String) {
    let c = consumer(r.consumer, &LANGS[0].0);
    let email = format!(
        "{}.{}{}@example.com",
        slug(c.first),
        slug(c.last),
        r.consumer % 89
    );
    (c.id, email, format!("{} {}", c.first, c.last))
}

/// `(dimension, width, height)` of each processed image file (dimension names UNKNOWN;
/// CHOICES-trustpilot: `WIDTHxHEIGHT`).
pub const IMAGE_SIZES: [(&str, u32, u32); 2] = [("1024x768", 1024, 768), ("256x192", 256, 192)];

/// The URL of one processed image file on the API host (a stand-in for Trustpilot's image CDN;
/// `GET /__sandbox/media/product-reviews/{attachment}/{dimension}.png`).
pub fn image_url(api_base: &str, attachment: &str, dimension: &str) -> String {
    format!("{api_base}/__sandbox/media/product-reviews/{attachment}/{dimension}.png")
}

fn product_json(p: &Product, api_base: &str) -> Value {
    json!({
        "id": p.id,
        "productUrl": p.url,
        "productImages": [image_url(api_base, &p.id, IMAGE_SIZES[0].0)],
        "name": p.name,
        "sku": p.sku,
        "gtin": p.gtin,
        "mpn": p.mpn,
        "brand": p.brand,
    })
}

/// A private product review (§1.8 field list, SEEN-3P).
pub fn review_json(
    r: &ProductReview,
    products: &[Product],
    unit: &BusinessUnit,
    api_base: &str,
) -> Value {
    let (consumer_id, email, name) = consumer_of(r);
    let product = products
        .get(r.product)
        .map(|p| product_json(p, api_base))
        .unwrap_or(Value::Null);
    let attribute_ratings: Vec<Value> = r
        .attribute_ratings
        .iter()
        .map(|a| {
            let (name, kind, options) = ATTRIBUTES[a.attribute % ATTRIBUTES.len()];
            json!({
                "attributeId": format!("attr-{}", slug(name)),
                "attributeName": name,
                "attributeType": kind,
                "attributeOptions": if options.is_empty() { Value::Null } else { json!(options) },
                "rating": a.rating,
            })
        })
        .collect();
    let attachments: Vec<Value> = r
        .attachments
        .iter()
        .map(|id| {
            json!({
                "id": id,
                // Attachment states are UNKNOWN; the sandbox's are all shown (`approved`).
                "state": "approved",
                "processedFiles": IMAGE_SIZES.iter().map(|(d, _, _)| json!({
                    "dimension": d,
                    "mimeType": "image/png",
                    "url": image_url(api_base, id, d),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "id": r.id,
        "createdAt": fmt_rfc3339(r.created),
        "updatedAt": fmt_rfc3339(r.updated),
        "businessUnitId": unit.id,
        "stars": r.stars,
        "content": r.content,
        "product": product,
        "consumer": {"id": consumer_id, "email": email, "name": name},
        "referenceId": r.reference_id,
        "locale": r.locale,
        "language": r.language,
        "redirectUri": Value::Null,
        "state": r.state,
        "hasModerationHistory": r.has_moderation_history,
        "conversationId": r.conversation_id,
        "attributeRatings": attribute_ratings,
        "attachments": attachments,
    })
}

/// A comment as the conversation and `GET …/comments/{id}` show it: the SEEN-DOC answer to a
/// post plus `updatedAt` (null until edited; CHOICES-trustpilot).
pub fn comment_json(c: &Comment) -> Value {
    let mut v = posted_comment_json(c);
    v["updatedAt"] = c
        .updated
        .map(fmt_rfc3339)
        .map_or(Value::Null, Value::String);
    v
}

/// The answer to posting a comment, exactly as SEEN-DOC: `{commentId, createdAt, author{id,
/// type: "businessUser"}, content}`.
pub fn posted_comment_json(c: &Comment) -> Value {
    json!({
        "commentId": c.id,
        "createdAt": fmt_rfc3339(c.created),
        "author": {"id": c.author, "type": "businessUser"},
        "content": c.content,
    })
}

/// A conversation (SEEN-DOC shape).
pub fn conversation_json(c: &Conversation, unit: &BusinessUnit) -> Value {
    json!({
        "id": c.id,
        "businessUnitId": unit.id,
        "consumerId": c.consumer_id,
        "source": CONVERSATION_SOURCE,
        "sourceId": c.source_id,
        "state": c.state,
        "comments": c.comments.iter().map(comment_json).collect::<Vec<_>>(),
    })
}
