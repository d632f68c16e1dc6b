//! The in-memory world: shops, products, customers, orders, events and reviews, plus the
//! deterministic seeder. Generated reviews keep only indices into phrase pools so that a
//! million of them fit in ~70 MB and are made in well under a second in release.
//!
//! `pools` (phrase pools, catalogues), `text` (a review's texts and media), `seed` (the
//! seeder); the JSON the routes answer with is in `crate::render`.

use std::collections::HashMap;

use serde_json::Value;

mod events;
mod pools;
mod seed;
#[cfg(test)]
mod tests;
mod text;

pub use events::{EventLog, EventSeed};
pub(crate) use pools::*;
pub use seed::*;
pub use text::*;

/// Every seeded timestamp lies before this instant (2026-11-01T00:00:00Z) so data is deterministic.
pub const ANCHOR: i64 = 1_793_491_200;

/// The documented `source` enum (older Create Review table) plus the newer `ChatWILL`.
pub const SOURCES: &[&str] = &[
    "CSV uploaded",
    "AliExpress",
    "Amazon",
    "Store front",
    "Store link",
    "Email request",
    "Auto",
    "Shop",
    "QR Code",
    "Shopee",
    "ChatWILL",
];

/// A shop known to the sandbox (HMAC credentials included).
#[derive(Debug, Clone)]
pub struct Shop {
    /// Shopify shop id.
    pub id: u64,
    /// `*.myshopify.com` domain.
    pub domain: String,
    /// Display name.
    pub name: String,
    /// HMAC `Public-Token`.
    pub public_token: String,
    /// HMAC key.
    pub private_token: String,
    /// When the Trustoo app was installed (unix s).
    pub installed_at: i64,
}

/// A product of a shop.
#[derive(Debug, Clone)]
pub struct Product {
    /// Shopify product id.
    pub id: u64,
    /// Title.
    pub title: String,
    /// URL handle.
    pub handle: String,
    /// Price in cents.
    pub price: u32,
}

/// A customer of a shop.
#[derive(Debug, Clone)]
pub struct Customer {
    /// Shopify customer id.
    pub id: u64,
    /// First name.
    pub first: String,
    /// Last name.
    pub last: String,
    /// Email.
    pub email: String,
    /// Phone.
    pub phone: String,
}

/// An order (CHOICES "Orders": 9 chosen fields).
#[derive(Debug, Clone)]
pub struct Order {
    /// Shopify order id.
    pub id: u64,
    /// `#1001` style number.
    pub number: u32,
    /// Index into customers.
    pub customer: usize,
    /// Total in cents.
    pub total: u32,
    /// Created (unix s).
    pub created: i64,
    /// Review request email status 1..=6.
    pub status: u8,
    /// When the review request was sent (unix s), or is scheduled to be (status 2).
    pub sent_at: Option<i64>,
    /// Line items: (index into the shop's products, quantity).
    pub items: Vec<(u32, u8)>,
}

/// A customer event (CHOICES "events").
#[derive(Debug, Clone)]
pub struct Event {
    /// Event id.
    pub id: u64,
    /// Event type (documented enum).
    pub event_type: &'static str,
    /// Event source.
    pub event_source: &'static str,
    /// OS type.
    pub os_type: &'static str,
    /// Customer id (0 = anonymous).
    pub customer_id: u64,
    /// Review id (0 = none).
    pub review_id: u64,
    /// Product id (0 = none).
    pub product_id: u64,
    /// Created (unix s).
    pub created: i64,
}

/// Review media item (CHOICES review object `media`).
#[derive(Debug, Clone)]
pub struct MediaItem {
    /// URL.
    pub url: String,
    /// Thumbnail URL.
    pub thumbnail_url: String,
    /// 1 image, 2 video.
    pub kind: u8,
    /// 0/1.
    pub is_published: u8,
}

/// Text fields of a review created through the API.
#[derive(Debug, Clone, Default)]
pub struct OwnedText {
    /// Author.
    pub author: String,
    /// Author email.
    pub email: String,
    /// Author phone.
    pub phone: String,
    /// Country code.
    pub country: String,
    /// Title.
    pub title: String,
    /// Content.
    pub content: String,
    /// Variant label.
    pub item_type: String,
    /// Tag.
    pub tag: String,
    /// Order id.
    pub order_id: String,
    /// Media.
    pub media: Vec<MediaItem>,
    /// Reply (content, reply_at).
    pub reply: Option<(String, String)>,
}

/// Where a review's text lives: phrase-pool indices (seeded) or owned strings (created).
#[derive(Debug, Clone)]
pub enum Text {
    /// Seeded review: indices into the pools above.
    Gen {
        /// FIRST index.
        first: u16,
        /// LAST index.
        last: u16,
        /// COUNTRIES index.
        country: u8,
        /// Title index (pool chosen by rating).
        title: u16,
        /// Up to three phrase indices (u16::MAX = none).
        phrases: [u16; 3],
        /// ITEM_TYPES index + 1 (0 = none).
        item: u8,
        /// REPLIES index + 1 (0 = none).
        reply: u8,
        /// 0 none, 1..=3 images, 4 video + image.
        media: u8,
    },
    /// Created through the API.
    Owned(Box<OwnedText>),
}

/// A review. The per-shop vector is sorted by (`created`, `id`) and therefore by `id`.
#[derive(Debug, Clone)]
pub struct Review {
    /// Review id.
    pub id: u64,
    /// Index into the shop's products; `u32::MAX` = store review.
    pub product: u32,
    /// 1..=5.
    pub rating: u8,
    /// bit0 verified, bit1 featured, bit2 published, bit3 top.
    pub flags: u8,
    /// Index into `World::sources`.
    pub source: u16,
    /// created_at (unix s).
    pub created: i64,
    /// commented_at (unix s).
    pub commented: i64,
    /// Text.
    pub text: Text,
    /// The seeded order this review answered (its request email), 0 = none.
    pub order: u64,
}

/// Store review marker for `Review::product`.
pub const STORE: u32 = u32::MAX;

/// A registered webhook.
#[derive(Debug, Clone)]
pub struct Webhook {
    /// Id.
    pub id: u64,
    /// Topic.
    pub topic: String,
    /// Target URL.
    pub url: String,
    /// Owning OAuth client (None = the shop itself via HMAC, platform_id 0).
    pub platform: Option<String>,
    /// Created.
    pub created: i64,
    /// Updated.
    pub updated: i64,
}

/// A customer exclusion (CustomerExclusion schema).
#[derive(Debug, Clone)]
pub struct Exclusion {
    /// Customer id.
    pub customer_id: u64,
    /// First name.
    pub first: String,
    /// Last name.
    pub last: String,
    /// Email.
    pub email: String,
    /// Phone.
    pub phone: String,
    /// Created.
    pub created: i64,
}

/// Everything the sandbox knows about one shop.
#[derive(Debug, Default)]
pub struct ShopData {
    /// Identity and credentials.
    pub shop: Option<Shop>,
    /// Products.
    pub products: Vec<Product>,
    /// Customers.
    pub customers: Vec<Customer>,
    /// Orders, by created ascending.
    pub orders: Vec<Order>,
    /// Events, by created ascending (computed on demand, see `EventLog`).
    pub events: EventLog,
    /// Reviews, by (created, id) ascending.
    pub reviews: Vec<Review>,
    /// Deleted reviews as rendered at deletion time.
    pub deleted: Vec<Value>,
    /// Exclusion list.
    pub exclusions: Vec<Exclusion>,
    /// (email, email_type, at).
    pub unsubscribes: Vec<(String, String, i64)>,
    /// Webhooks.
    pub webhooks: Vec<Webhook>,
}

impl ShopData {
    /// The shop (always present after seeding).
    pub fn shop(&self) -> &Shop {
        static EMPTY: std::sync::OnceLock<Shop> = std::sync::OnceLock::new();
        self.shop.as_ref().unwrap_or_else(|| {
            EMPTY.get_or_init(|| Shop {
                id: 0,
                domain: String::new(),
                name: String::new(),
                public_token: String::new(),
                private_token: String::new(),
                installed_at: 0,
            })
        })
    }

    /// An order by id (ids increase with position).
    pub fn order(&self, id: u64) -> Option<&Order> {
        self.orders
            .binary_search_by_key(&id, |o| o.id)
            .ok()
            .and_then(|i| self.orders.get(i))
    }

    /// Position of a review by id (binary search; ids are increasing).
    pub fn review_pos(&self, id: u64) -> Option<usize> {
        self.reviews.binary_search_by_key(&id, |r| r.id).ok()
    }

    /// Product index by Shopify id.
    pub fn product_idx(&self, id: u64) -> Option<u32> {
        self.products
            .iter()
            .position(|p| p.id == id)
            .map(|i| i as u32)
    }
}

/// Counts of generated data, for `/__sandbox/demo`.
pub fn counts(sd: &ShopData) -> HashMap<&'static str, usize> {
    HashMap::from([
        ("products", sd.products.len()),
        ("customers", sd.customers.len()),
        ("orders", sd.orders.len()),
        ("events", sd.events.len()),
        ("reviews", sd.reviews.len()),
    ])
}
