//! The in-memory world: shops, products, customers, orders, events and reviews, plus the
//! deterministic seeder. Generated reviews keep only indices into phrase pools so that a
//! million of them fit in ~70 MB and are made in well under a second in release.

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::util::{fmt_plain, fmt_rfc3339, Rng};

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

const FIRST: &[&str] = &[
    "Emma",
    "Liam",
    "Olivia",
    "Noah",
    "Ava",
    "Ethan",
    "Sophia",
    "Mason",
    "Isabella",
    "Lucas",
    "Mia",
    "Oliver",
    "Charlotte",
    "Elijah",
    "Amelia",
    "James",
    "Harper",
    "Benjamin",
    "Evelyn",
    "Henry",
    "Abigail",
    "Alexander",
    "Emily",
    "Daniel",
    "Ella",
    "Matthew",
    "Chloe",
    "Jack",
    "Grace",
    "Samuel",
    "Zoe",
    "David",
    "Nora",
    "Joseph",
    "Lily",
    "Carter",
    "Hannah",
    "Owen",
    "Aria",
    "Wyatt",
    "Layla",
    "Julian",
    "Riley",
    "Leo",
    "Sofia",
    "Gabriel",
    "Camila",
    "Mateo",
    "Priya",
    "Arjun",
    "Yuki",
    "Hiro",
    "Ingrid",
    "Lars",
    "Chiara",
    "Luca",
    "Fatima",
    "Omar",
    "Aisha",
    "Diego",
    "Lucía",
    "Sven",
    "Anouk",
    "Maëlle",
    "Jonas",
    "Freya",
];
const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Martinez",
    "Lopez",
    "Wilson",
    "Anderson",
    "Taylor",
    "Thomas",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Nguyen",
    "Hill",
    "Green",
    "Adams",
    "Baker",
    "Nelson",
    "Carter",
    "Mitchell",
    "Patel",
    "Tanaka",
    "Müller",
    "Rossi",
    "Dubois",
    "Jansen",
    "Novak",
    "Kowalski",
    "Silva",
    "Andersson",
    "O'Brien",
    "MacLeod",
    "Fischer",
    "Moreau",
    "Sato",
    "Kim",
    "Singh",
];
/// Countries weighted like a US-centric Shopify store (duplicates raise the weight).
const COUNTRIES: &[&str] = &[
    "US", "US", "US", "US", "US", "US", "US", "US", "GB", "GB", "GB", "CA", "CA", "CA", "AU", "AU",
    "DE", "DE", "FR", "NL", "IE", "NZ", "SE", "IT", "ES", "JP", "SG", "NO", "DK", "BE",
];
const ITEM_TYPES: &[&str] = &[
    "Black / S",
    "Black / M",
    "Black / L",
    "Navy / M",
    "Olive / L",
    "Sand / S",
    "Red",
    "Forest Green",
    "Charcoal / XL",
    "Oatmeal / M",
    "One Size",
    "Rust / M",
    "Slate Blue / L",
    "Cream / S",
];

const POS_TITLES: &[&str] = &[
    "Absolutely love it",
    "Exceeded my expectations",
    "Great quality",
    "Perfect fit",
    "Worth every penny",
    "My new favorite",
    "Fantastic purchase",
    "So comfortable",
    "Beautiful and well made",
    "Highly recommend",
    "Better than the photos",
    "Bought a second one",
    "Fast shipping, great product",
    "Exactly as described",
    "Five stars",
    "Great gift",
    "Super cozy",
    "Impressed",
];
const MID_TITLES: &[&str] = &[
    "Decent, not amazing",
    "Good but runs small",
    "Okay for the price",
    "Nice but took a while to arrive",
    "Mixed feelings",
    "Pretty good overall",
    "Not quite what I expected",
    "Average",
];
const NEG_TITLES: &[&str] = &[
    "Disappointed",
    "Fell apart quickly",
    "Not as pictured",
    "Poor quality",
    "Wrong size sent",
    "Would not buy again",
    "Shipping took forever",
    "Returned it",
    "Color faded after one wash",
];
const POS_PHRASES: &[&str] = &[
    "The fabric feels really premium and soft.",
    "Fits true to size, I ordered my usual size.",
    "I've worn it almost every day since it arrived.",
    "Shipping was quick and the packaging was lovely.",
    "The color is exactly like the photos.",
    "Stitching is solid and it washes well.",
    "I get compliments every time I wear it.",
    "Great value for the quality.",
    "Customer service answered my question within an hour.",
    "Already ordered another one in a different color.",
    "Perfect for hiking and everyday wear.",
    "It kept me warm on a very cold morning.",
    "Bought it as a gift and my partner loves it.",
    "Lightweight but surprisingly durable.",
    "The details are thoughtful, nice pockets too.",
    "Comfortable right out of the box.",
    "Would definitely recommend to friends.",
    "Held up great after a month of use.",
];
const MID_PHRASES: &[&str] = &[
    "It's fine, but the sizing runs a little small.",
    "The material is thinner than I expected.",
    "Took about two weeks to arrive.",
    "Looks nice but wrinkles easily.",
    "Color is slightly different from the website.",
    "Good for the price, nothing special.",
    "One seam was a bit loose but I fixed it.",
    "Comfortable enough, though not very warm.",
    "I might exchange it for a bigger size.",
];
const NEG_PHRASES: &[&str] = &[
    "The seams came apart after two washes.",
    "It looked nothing like the pictures.",
    "I received the wrong size and the exchange took weeks.",
    "The zipper broke on the first day.",
    "Way too expensive for this quality.",
    "The color bled onto my other clothes.",
    "Customer service was slow to reply.",
    "It smelled strongly of chemicals when it arrived.",
    "I'm returning it.",
];
const REPLIES: &[&str] = &[
    "Thank you so much for your kind words! We're thrilled you love it.",
    "Thanks for the review! Enjoy your new favorite piece.",
    "We're sorry to hear this. Our support team has reached out by email to make it right.",
    "Thanks for the honest feedback, we've shared it with our design team.",
    "So glad it arrived quickly! Thanks for shopping with us.",
];

/// Product catalogue of the demo shop: (title, price in cents).
const DEMO_PRODUCTS: &[(&str, u32)] = &[
    ("Alpine Merino Crew Sweater", 11800),
    ("Summit Down Puffer Jacket", 24900),
    ("Trailhead Flannel Shirt", 6800),
    ("Northern Lights Wool Beanie", 3200),
    ("Glacier Waterproof Shell", 19800),
    ("Everyday Organic Cotton Tee", 2800),
    ("Fjord Cable Knit Cardigan", 12800),
    ("Basecamp Fleece Pullover", 7900),
    ("Ridge Runner Hiking Pants", 8900),
    ("Aurora Quilted Vest", 9800),
    ("Tundra Sherpa Lined Hoodie", 9400),
    ("Cascade Rain Poncho", 5400),
    ("Lakeside Linen Button-Down", 7200),
    ("Canyon Canvas Work Jacket", 13800),
    ("Pinecone Thermal Henley", 5200),
    ("Starlight Alpaca Scarf", 6400),
    ("Polar Insulated Gloves", 4200),
    ("Wanderer Recycled Backpack 28L", 11900),
    ("Meadow Midi Wrap Dress", 8800),
    ("Harbor Striped Breton Top", 5600),
    ("Driftwood Chino Shorts", 5800),
    ("Birchwood Corduroy Overshirt", 9200),
    ("Snowline Base Layer Set", 10400),
    ("Evergreen Softshell Jacket", 15800),
    ("Frostbite Wool Hiking Socks (3 Pack)", 2900),
    ("Cloudbreak Packable Windbreaker", 8400),
    ("Timberline Leather Belt", 4800),
    ("Moonrise Cashmere Wrap", 16800),
    ("Riverstone Denim Jacket", 11400),
    ("Solstice Ribbed Tank", 2400),
    ("Nomad Travel Duffel 45L", 13400),
    ("Granite Ripstop Cargo Pants", 9600),
    ("Ember Heated Mittens", 7800),
    ("Seafoam Quarter-Zip", 7400),
    ("Highland Tweed Cap", 3800),
    ("Prairie Smock Blouse", 6200),
    ("Coastal Rain Boots", 10800),
    ("Horizon Sun Hat", 3400),
    ("Aspen Lounge Joggers", 6600),
    ("Borealis Gift Card", 5000),
];
const SECOND_PRODUCTS: &[(&str, u32)] = &[
    ("Hand-Thrown Stoneware Mug", 3400),
    ("Linen Napkin Set of 4", 3800),
    ("Walnut Serving Board", 7200),
    ("Beeswax Pillar Candle", 2200),
    ("Chunky Knit Throw Blanket", 12400),
    ("Rattan Plant Basket", 4600),
    ("Ceramic Bud Vase Trio", 4200),
    ("Waffle Cotton Bath Towel", 3000),
    ("Brass Taper Candle Holders", 5200),
    ("Wool Felt Coasters", 1800),
    ("Pine Scented Soy Candle", 2800),
    ("Oak Wall Shelf", 8800),
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
    /// When the review request was sent (unix s), if it was.
    pub sent_at: Option<i64>,
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
    /// Events, by created ascending.
    pub events: Vec<Event>,
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

/// Phrase pools by rating (title pool, phrase pool).
fn pools(rating: u8) -> (&'static [&'static str], &'static [&'static str]) {
    match rating {
        4 | 5 => (POS_TITLES, POS_PHRASES),
        3 => (MID_TITLES, MID_PHRASES),
        _ => (NEG_TITLES, NEG_PHRASES),
    }
}

/// Lowercase ASCII words joined by `-`, for handles and email addresses: accented letters
/// become their plain ones first (Lucía Müller → `lucia`, `muller`), as a shop's real addresses
/// would be, not holes (`luc-a`, `m-ller`).
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in deunicode::deunicode(s).chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Author name of a review.
pub fn author(r: &Review) -> String {
    match &r.text {
        Text::Gen { first, last, .. } => format!(
            "{} {}.",
            FIRST[*first as usize % FIRST.len()],
            LAST[*last as usize % LAST.len()]
                .chars()
                .next()
                .unwrap_or('X')
        ),
        Text::Owned(o) => o.author.clone(),
    }
}

/// Title of a review.
pub fn title(r: &Review) -> String {
    match &r.text {
        Text::Gen { title, .. } => {
            let (t, _) = pools(r.rating);
            t[*title as usize % t.len()].to_string()
        }
        Text::Owned(o) => o.title.clone(),
    }
}

/// Writes the content of a review into `out` (no allocation for seeded ones beyond `out`).
pub fn content_into(r: &Review, out: &mut String) {
    out.clear();
    push_content(r, out);
}

fn push_content(r: &Review, out: &mut String) {
    match &r.text {
        Text::Gen { phrases, .. } => {
            let (_, p) = pools(r.rating);
            let mut first = true;
            for &i in phrases.iter().filter(|&&i| i != u16::MAX) {
                if !first {
                    out.push(' ');
                }
                first = false;
                out.push_str(p[i as usize % p.len()]);
            }
        }
        Text::Owned(o) => out.push_str(&o.content),
    }
}

/// Case-insensitive keyword match over author, title and content (CHOICES `keyword`).
/// Builds one haystack in a reused buffer so a scan of a million reviews stays cheap.
pub fn matches_keyword(r: &Review, kw_lower: &str, buf: &mut String) -> bool {
    buf.clear();
    match &r.text {
        Text::Gen {
            first, last, title, ..
        } => {
            buf.push_str(FIRST[*first as usize % FIRST.len()]);
            buf.push(' ');
            buf.push(
                LAST[*last as usize % LAST.len()]
                    .chars()
                    .next()
                    .unwrap_or('X'),
            );
            buf.push_str(".\n");
            let (t, _) = pools(r.rating);
            buf.push_str(t[*title as usize % t.len()]);
        }
        Text::Owned(o) => {
            buf.push_str(&o.author);
            buf.push('\n');
            buf.push_str(&o.title);
        }
    }
    buf.push('\n');
    push_content(r, buf);
    if buf.is_ascii() {
        buf.make_ascii_lowercase();
        buf.contains(kw_lower)
    } else {
        buf.to_lowercase().contains(kw_lower)
    }
}

/// Media of a review; seeded media point at images the sandbox itself renders.
pub fn media(r: &Review, shop_id: u64, base: &str) -> Vec<MediaItem> {
    match &r.text {
        Text::Gen { media, .. } => {
            let mut v = Vec::new();
            let n = match media {
                0 => 0,
                4 => 1,
                n => *n,
            };
            for i in 0..n {
                v.push(MediaItem {
                    url: format!("{base}/storage/seed/{shop_id}/{}-{i}.png", r.id),
                    thumbnail_url: format!("{base}/storage/seed/{shop_id}/{}-{i}-thumb.png", r.id),
                    kind: 1,
                    is_published: 1,
                });
            }
            if *media == 4 {
                v.push(MediaItem {
                    url: format!("{base}/storage/seed/{shop_id}/{}-video.mp4", r.id),
                    thumbnail_url: format!("{base}/storage/seed/{shop_id}/{}-0-thumb.png", r.id),
                    kind: 2,
                    is_published: 1,
                });
            }
            v
        }
        Text::Owned(o) => o.media.clone(),
    }
}

/// Renders a review as the CHOICES Review object.
pub fn render_review(r: &Review, sd: &ShopData, sources: &[String], base: &str) -> Value {
    let shop = sd.shop();
    let product = (r.product != STORE)
        .then(|| sd.products.get(r.product as usize))
        .flatten();
    let mut content = String::new();
    content_into(r, &mut content);
    let name = author(r);
    let (email, phone, country, item_type, order_id, reply, tag) = match &r.text {
        Text::Gen {
            first,
            last,
            country,
            item,
            reply,
            ..
        } => {
            let email = format!(
                "{}.{}{}@example.com",
                slug(FIRST[*first as usize % FIRST.len()]),
                slug(LAST[*last as usize % LAST.len()]),
                r.id % 97
            );
            let item = if *item == 0 {
                String::new()
            } else {
                ITEM_TYPES[(*item as usize - 1) % ITEM_TYPES.len()].to_string()
            };
            let order = if r.flags & 1 == 1 {
                format!("{}", 5_100_000_000_000u64 + r.id % 1_000_000_000)
            } else {
                String::new()
            };
            let reply = if *reply == 0 {
                Value::Null
            } else {
                json!({"content": REPLIES[(*reply as usize - 1) % REPLIES.len()], "reply_at": fmt_plain(r.created + 86_400)})
            };
            (
                email,
                String::new(),
                COUNTRIES[*country as usize % COUNTRIES.len()].to_string(),
                item,
                order,
                reply,
                String::new(),
            )
        }
        Text::Owned(o) => (
            o.email.clone(),
            o.phone.clone(),
            o.country.clone(),
            o.item_type.clone(),
            o.order_id.clone(),
            o.reply
                .as_ref()
                .map(|(c, at)| json!({"content": c, "reply_at": at}))
                .unwrap_or(Value::Null),
            o.tag.clone(),
        ),
    };
    let media: Vec<Value> = media(r, shop.id, base)
        .into_iter()
        .map(|m| json!({"url": m.url, "thumbnail_url": m.thumbnail_url, "type": m.kind, "is_published": m.is_published}))
        .collect();
    json!({
        "id": r.id.to_string(),
        "shop_id": shop.id.to_string(),
        "product_id": product.map(|p| p.id.to_string()).unwrap_or_else(|| "0".into()),
        "product_title": product.map(|p| p.title.clone()).unwrap_or_default(),
        "product_handle": product.map(|p| p.handle.clone()).unwrap_or_default(),
        "is_store_review": u8::from(product.is_none()),
        "rating": r.rating,
        "author": name,
        "author_email": email,
        "author_phone": phone,
        "author_country": country,
        "title": title(r),
        "content": content,
        "source": sources.get(r.source as usize).cloned().unwrap_or_default(),
        "is_verified": r.flags & 1,
        "is_featured": (r.flags >> 1) & 1,
        "is_published": (r.flags >> 2) & 1,
        "is_top": (r.flags >> 3) & 1,
        "item_type": item_type,
        "order_id": order_id,
        "tag": tag,
        "commented_at": fmt_plain(r.commented),
        "created_at": fmt_rfc3339(r.created),
        "updated_at": fmt_plain(r.created),
        "media": media,
        "reply": reply,
    })
}

fn pick_rating(rng: &mut Rng) -> u8 {
    // ~65% 5★, 18% 4★, 7% 3★, 4% 2★, 6% 1★
    match rng.below(100) {
        0..=64 => 5,
        65..=82 => 4,
        83..=89 => 3,
        90..=93 => 2,
        _ => 1,
    }
}

fn pick_source(rng: &mut Rng) -> u16 {
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

const EVENT_TYPES: &[&str] = &[
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
const OS_TYPES: &[&str] = &["IOS", "IOS", "ANDROID", "WINDOWS", "MACOS", "LINUX"];
const EVENT_SOURCES: &[&str] = &["STOREFRONT", "STOREFRONT", "STOREFRONT", "EMAIL", "ADMIN"];

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

/// Renders an order (CHOICES 9 fields).
pub fn render_order(o: &Order, sd: &ShopData) -> Value {
    let c = sd.customers.get(o.customer);
    json!({
        "id": o.id.to_string(),
        "order_number": format!("#{}", o.number),
        "customer_id": c.map(|c| c.id.to_string()).unwrap_or_default(),
        "customer_email": c.map(|c| c.email.clone()).unwrap_or_default(),
        "customer_name": c.map(|c| format!("{} {}", c.first, c.last)).unwrap_or_default(),
        "total_price": format!("{}.{:02}", o.total / 100, o.total % 100),
        "currency": "USD",
        "created_at": fmt_rfc3339(o.created),
        "request_status": o.status,
    })
}

/// Renders an event (CHOICES event fields).
pub fn render_event(e: &Event) -> Value {
    json!({
        "id": e.id.to_string(),
        "event_type": e.event_type,
        "event_source": e.event_source,
        "os_type": e.os_type,
        "customer_id": e.customer_id.to_string(),
        "review_id": e.review_id.to_string(),
        "product_id": e.product_id.to_string(),
        "created_at": fmt_rfc3339(e.created),
    })
}

/// Renders an exclusion (CustomerExclusion schema, SEEN).
pub fn render_exclusion(x: &Exclusion) -> Value {
    json!({
        "customer_id": x.customer_id.to_string(),
        "first_name": x.first,
        "last_name": x.last,
        "email": x.email,
        "phone": x.phone,
        "created_at": fmt_rfc3339(x.created),
        "updated_at": fmt_rfc3339(x.created),
    })
}

/// Renders a webhook (SEEN: `created_at` RFC 3339, `updated_at` plain).
pub fn render_webhook(w: &Webhook) -> Value {
    json!({
        "id": w.id.to_string(),
        "topic": w.topic,
        "url": w.url,
        "created_at": fmt_rfc3339(w.created),
        "updated_at": fmt_plain(w.updated),
    })
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

#[cfg(test)]
mod tests {
    use super::*;

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
                    events: 50,
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
}
