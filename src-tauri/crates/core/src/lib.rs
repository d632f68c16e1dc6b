//! Domain types of ReviewDesk.
//!
//! These are the shapes every other crate agrees on: the Trustoo client decodes the wire format
//! into them, the store persists them, and the Tauri commands hand them to the UI. They carry no
//! I/O so that every crate (and the TypeScript bindings generated with the `ts` feature) can share
//! them without pulling in a runtime.

use serde::{Deserialize, Serialize};

mod secret;
pub use secret::Secret;

mod shop;
pub use shop::{
    scope_grants, scope_words, AuthorizationFacts, InstallFacts, ScopeGrant, ShopAuthorization,
    WebhookInput, WebhookOverview, WebhookSaved, WebhookTopicChoice,
};

#[cfg(feature = "ts")]
use ts_rs::TS;

macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "ts", derive(TS), ts(export))]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The id as the API spells it.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }
    };
}

string_id!(
    /// A review id. Trustoo sends ids as strings or numbers; we keep the decimal text.
    ReviewId
);
string_id!(
    /// A Shopify product id as text; `"0"` means the review is about the store itself.
    ProductId
);
string_id!(
    /// A Shopify shop id as text.
    ShopId
);
string_id!(
    /// A Shopify customer id as text.
    CustomerId
);

/// Kind of an attached media file, as Trustoo's `type` numbers it (1 image, 2 video).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    /// A photo.
    Image,
    /// A video clip.
    Video,
}

/// One photo or video attached to a review, as stored by Trustoo's CDN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct Media {
    /// Full-size URL.
    pub url: String,
    /// Small preview URL; empty when the API gave none.
    pub thumbnail_url: String,
    /// Photo or video.
    pub kind: MediaKind,
    /// Whether the storefront shows it.
    pub is_published: bool,
}

/// The merchant's public answer to a review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct ReviewReply {
    /// Reply text.
    pub content: String,
    /// When it was written, as the API sent it.
    pub reply_at: String,
    /// Who answered, when the provider says (Trustpilot names the business user; Trustoo
    /// does not).
    #[serde(default)]
    pub author: Option<String>,
    /// When the reply last changed, as the API sent it (Trustpilot; Trustoo has no such field).
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// A label on a review (Trustpilot's tags: a group and a value, group `generic` unless the
/// business uses its own), filterable in the inbox.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct ReviewTag {
    /// The tag's group (`generic` by default).
    #[serde(default = "ReviewTag::generic_group")]
    pub group: String,
    /// The tag itself.
    pub value: String,
}

impl ReviewTag {
    /// The group of a tag that names none (Trustpilot's default).
    pub const GENERIC: &'static str = "generic";

    /// A tag of the `generic` group.
    pub fn generic(value: impl Into<String>) -> Self {
        Self {
            group: Self::GENERIC.to_owned(),
            value: value.into(),
        }
    }

    /// A tag of `group`.
    pub fn new(group: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            group: group.into(),
            value: value.into(),
        }
    }

    fn generic_group() -> String {
        Self::GENERIC.to_owned()
    }
}

/// One customer review: what every provider has, and a typed part for what only its provider
/// has ([`ProviderDetails`]).
///
/// Why split: Trustoo (a shop's product reviews) and Trustpilot (a business's service and
/// product reviews) agree on stars, text, author, dates, media, product, verified, a public
/// reply and tags, and on little else. Their own fields stay typed in their own part instead
/// of a union of every provider's columns, empty for the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct Review {
    /// The provider's id of the review.
    pub id: ReviewId,
    /// Product reviewed; `"0"` for a store (service) review.
    pub product_id: ProductId,
    /// Product title at the time of the review (may be empty).
    pub product_title: String,
    /// Product handle (URL slug; may be empty).
    pub product_handle: String,
    /// True when the review is about the store, not a product.
    pub is_store_review: bool,
    /// Stars, 1 to 5.
    pub rating: u8,
    /// Display name of the reviewer.
    pub author: String,
    /// ISO country code of the reviewer (may be empty).
    pub author_country: String,
    /// Review headline.
    pub title: String,
    /// Review body.
    pub content: String,
    /// A verified purchase or experience (as the provider decides it).
    pub is_verified: bool,
    /// When the customer wrote it, as unix seconds (0 when the API gave nothing parseable).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub commented_at: i64,
    /// When the provider last changed it, as unix seconds.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub updated_at: i64,
    /// Photos and videos.
    pub media: Vec<Media>,
    /// The merchant's reply, if any.
    pub reply: Option<ReviewReply>,
    /// Labels on the review (none for Trustoo, which has no tags).
    #[serde(default)]
    pub tags: Vec<ReviewTag>,
    /// What only this review's provider has.
    pub details: ProviderDetails,
}

/// The part of a review only its provider has, tagged by provider (`"provider": "trustoo"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(tag = "provider", rename_all = "snake_case")]
pub enum ProviderDetails {
    /// A Trustoo review's own fields.
    Trustoo(TrustooDetails),
    /// A Trustpilot review's own fields.
    Trustpilot(TrustpilotDetails),
}

/// What a Trustoo review has besides the common fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct TrustooDetails {
    /// Where the review came from (`Store front`, `AliExpress`, …).
    pub source: String,
    /// Reviewer's email, when the API shares it.
    pub author_email: String,
    /// Shopify order id, when known.
    pub order_id: String,
    /// Variant text such as "Red / M".
    pub item_type: String,
    /// Featured in widgets.
    pub is_featured: bool,
    /// Visible on the storefront.
    pub is_published: bool,
    /// Pinned to the top.
    pub is_pinned: bool,
}

/// What a Trustpilot review has besides the common fields (`shared/reference/trustpilot-api.md`
/// §1.3; the private fields come only from the private review endpoints).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct TrustpilotDetails {
    /// Where the review came from (`AFS` for an invitation, `Organic`, …), as Trustpilot sends
    /// it.
    pub source: String,
    /// `referenceId`: the order or reference number of the invitation (private).
    pub reference_id: Option<String>,
    /// `referralEmail`: the consumer's email (private).
    pub referral_email: Option<String>,
    /// `status`: `active`, or `reported` once the business reported it.
    pub report_status: String,
    /// `reportData.reasons` of a reported review (`sensitiveInformation`, …).
    pub report_reasons: Vec<String>,
    /// Language of the review text (`en`, `da`, …).
    pub language: String,
    /// The consumer's Trustpilot id, when known.
    pub consumer_id: Option<TrustpilotId>,
    /// Find Reviewer: whether the business may ask this consumer for order details, and what
    /// it asked and was answered (`findReviewer`, private only). Absent when Trustpilot sent
    /// none. Optional in TypeScript so rows built before it existed stay valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub find_reviewer: Option<FindReviewer>,
    /// What only a product review has (Trustpilot product reviews, §1.8): its state, product,
    /// attribute ratings and the conversation the business answers it in. `None` for a service
    /// review. Optional in TypeScript, like `find_reviewer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub product: Option<Box<ProductReviewDetails>>,
}

/// A Trustpilot product review's own fields.
///
/// Why the conversation's ids are kept: a business answers a product review by a comment in a
/// conversation, created once per review; an edit replaces that comment (`PUT`), so the answer
/// needs both ids, and "create the conversation only when missing" needs to know there is one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct ProductReviewDetails {
    /// `published`, `unpublished`, `underModeration` or `archived` (kept as sent when
    /// Trustpilot adds another).
    pub state: String,
    /// The product's SKU, when it has one.
    pub sku: Option<String>,
    /// The product's page on the shop.
    pub product_url: Option<String>,
    /// The product's first image.
    pub image_url: Option<String>,
    /// The product's brand.
    pub brand: Option<String>,
    /// Rated attributes ("Quality" 4/5, "Fit": "True to size"), in the order sent.
    pub attributes: Vec<ProductAttributeRating>,
    /// The conversation the business answers in, once there is one.
    pub conversation_id: Option<String>,
    /// Whether the conversation shows on Trustpilot (`public`) or only to the reviewer.
    pub conversation_public: bool,
    /// The business's own comment in it (what the inbox shows as the reply), to update it.
    pub comment_id: Option<String>,
}

/// One rated attribute of a product review.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct ProductAttributeRating {
    /// The attribute's name ("Quality").
    pub name: String,
    /// The number given, when it is one (stars for a range).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub rating: Option<i64>,
    /// The chosen option's label, for a scale of labels ("True to size").
    pub option: Option<String>,
}

/// Trustpilot's Find Reviewer on one review: asking the consumer for their order details.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct FindReviewer {
    /// Whether a request may be made (`isEligible`).
    pub eligible: bool,
    /// Requests made, oldest first.
    pub requests: Vec<FindReviewerRequest>,
}

/// One Find Reviewer request and, once given, the consumer's answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct FindReviewerRequest {
    /// Trustpilot's id of the request.
    pub id: String,
    /// Its status as Trustpilot words it (the values are UNKNOWN: shown as sent).
    pub status: String,
    /// When it was asked (`YYYY-MM-DD HH:MM:SS`, UTC, as reply times).
    pub created_at: Option<String>,
    /// What the business wrote to the consumer.
    pub message: Option<String>,
    /// What the consumer answered, once they did.
    pub answer: Option<FindReviewerAnswer>,
}

/// The consumer's answer to a Find Reviewer request (personal data: kept on this computer, shown
/// to the merchant, never logged).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct FindReviewerAnswer {
    /// The order or reference number they gave.
    pub reference_id: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Postal address.
    pub address: Option<String>,
    /// Their message.
    pub message: Option<String>,
    /// When they answered (`YYYY-MM-DD HH:MM:SS`, UTC).
    pub submitted_at: Option<String>,
}

impl ProviderDetails {
    /// Whose review this is.
    pub fn provider(&self) -> Provider {
        match self {
            ProviderDetails::Trustoo(_) => Provider::Trustoo,
            ProviderDetails::Trustpilot(_) => Provider::Trustpilot,
        }
    }

    /// Where the review came from as the provider names it: the source filter's value (empty
    /// when the provider did not say).
    pub fn source(&self) -> &str {
        match self {
            ProviderDetails::Trustoo(t) => &t.source,
            ProviderDetails::Trustpilot(t) => &t.source,
        }
    }

    /// The reviewer's email, when the provider shares it (empty otherwise).
    pub fn reviewer_email(&self) -> &str {
        match self {
            ProviderDetails::Trustoo(t) => &t.author_email,
            ProviderDetails::Trustpilot(t) => t.referral_email.as_deref().unwrap_or_default(),
        }
    }
}

impl Review {
    /// A Trustpilot product review's own fields; `None` for every other review (the inbox
    /// answers those through a conversation, not a reply).
    pub fn product_review(&self) -> Option<&ProductReviewDetails> {
        match &self.details {
            ProviderDetails::Trustpilot(t) => t.product.as_deref(),
            ProviderDetails::Trustoo(_) => None,
        }
    }

    /// True when at least one attachment is a photo (a common filter).
    pub fn has_image(&self) -> bool {
        self.media.iter().any(|m| m.kind == MediaKind::Image)
    }

    /// True when at least one attachment is a video.
    pub fn has_video(&self) -> bool {
        self.media.iter().any(|m| m.kind == MediaKind::Video)
    }

    /// The Trustoo part, for a Trustoo review.
    pub fn trustoo(&self) -> Option<&TrustooDetails> {
        match &self.details {
            ProviderDetails::Trustoo(t) => Some(t),
            ProviderDetails::Trustpilot(_) => None,
        }
    }

    /// The Trustpilot part, for a Trustpilot review.
    pub fn trustpilot(&self) -> Option<&TrustpilotDetails> {
        match &self.details {
            ProviderDetails::Trustpilot(t) => Some(t),
            ProviderDetails::Trustoo(_) => None,
        }
    }
}

/// Aggregate star statistics for a shop, a product or the store itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct RatingSummary {
    /// Mean stars, 0 when there are no reviews.
    pub average: f64,
    /// Number of reviews counted.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub count: u64,
    /// Reviews per star: index 0 holds 1★, index 4 holds 5★.
    #[cfg_attr(feature = "ts", ts(type = "[number, number, number, number, number]"))]
    pub stars: [u64; 5],
}

impl RatingSummary {
    /// Builds a summary from per-star counts, computing the average so callers cannot disagree.
    pub fn from_star_counts(stars: [u64; 5]) -> Self {
        let count: u64 = stars.iter().sum();
        let weighted: u64 = stars
            .iter()
            .zip(1u64..)
            .map(|(n, star)| n.saturating_mul(star))
            .sum();
        let average = if count == 0 {
            0.0
        } else {
            weighted as f64 / count as f64
        };
        Self {
            average,
            count,
            stars,
        }
    }
}

/// A customer kept out of review-request emails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct CustomerExclusion {
    /// Shopify customer id (may be empty when only an email is known).
    pub customer_id: CustomerId,
    /// Customer's first name.
    pub first_name: String,
    /// Customer's last name.
    pub last_name: String,
    /// Customer's email.
    pub email: String,
    /// Customer's phone.
    pub phone: String,
    /// Creation time as the API sent it.
    pub created_at: String,
    /// Last change as the API sent it.
    pub updated_at: String,
}

/// A webhook subscription of the shop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct Webhook {
    /// Webhook id (text).
    pub id: String,
    /// Topic such as `review/created`.
    pub topic: String,
    /// Where Trustoo posts events.
    pub url: String,
    /// Creation time as the API sent it.
    pub created_at: String,
    /// Last change as the API sent it.
    pub updated_at: String,
}

/// Where a review-request email for an order stands (Trustoo's order `type` / `request_status`
/// numbering: 1 waiting … 6 cancelled), so the UI can show and filter it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum RequestEmailStatus {
    /// Not scheduled yet (1).
    Waiting,
    /// Scheduled to be sent (2).
    Scheduled,
    /// Sent (3).
    Sent,
    /// Opened by the customer (4).
    Opened,
    /// The customer left a review (5).
    Evaluated,
    /// Cancelled (6).
    Cancelled,
    /// A number this build does not know (kept so new values do not fail decoding).
    Unknown,
}

impl RequestEmailStatus {
    /// Maps Trustoo's number to the status; unknown numbers become [`RequestEmailStatus::Unknown`].
    pub fn from_code(code: i64) -> Self {
        match code {
            1 => Self::Waiting,
            2 => Self::Scheduled,
            3 => Self::Sent,
            4 => Self::Opened,
            5 => Self::Evaluated,
            6 => Self::Cancelled,
            _ => Self::Unknown,
        }
    }

    /// Trustoo's number for the status (0 for unknown, which the API uses as "all" in filters).
    pub fn code(self) -> u8 {
        match self {
            Self::Waiting => 1,
            Self::Scheduled => 2,
            Self::Sent => 3,
            Self::Opened => 4,
            Self::Evaluated => 5,
            Self::Cancelled => 6,
            Self::Unknown => 0,
        }
    }
}

/// A Shopify order as Trustoo tracks it for review requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct Order {
    /// Shopify order id as text.
    pub id: String,
    /// Human order number such as `#1001`.
    pub order_number: String,
    /// Buyer's customer id (may be empty).
    pub customer_id: CustomerId,
    /// Buyer's email (may be empty).
    pub customer_email: String,
    /// Buyer's display name (may be empty).
    pub customer_name: String,
    /// The line items the request email asks about.
    pub products: Vec<OrderProduct>,
    /// When the order was placed, as unix seconds (0 when the API gave nothing parseable).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub created_at: i64,
    /// When the request email was sent (or is scheduled to be), as unix seconds.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub sent_at: Option<i64>,
    /// State of the review-request email for this order.
    pub request_status: RequestEmailStatus,
}

/// One line item of an order, so the Requests list can say what the email asks about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct OrderProduct {
    /// Shopify product id.
    pub product_id: ProductId,
    /// Product title at the time of the order.
    pub title: String,
    /// Quantity bought.
    pub quantity: u32,
}

/// One storefront/email/admin interaction recorded by Trustoo (e.g. `VIEW_REVIEW`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct CustomerEvent {
    /// Event id as text.
    pub id: String,
    /// Kind such as `VIEW_REVIEW` or `SUBMIT_REVIEW`.
    pub event_type: String,
    /// Where it happened: `STOREFRONT`, `EMAIL`, `ADMIN`, …
    pub event_source: String,
    /// Customer's OS: `IOS`, `ANDROID`, `WINDOWS`, …
    pub os_type: String,
    /// Customer involved (may be empty or `"0"`).
    pub customer_id: CustomerId,
    /// Review involved (may be empty or `"0"`).
    pub review_id: ReviewId,
    /// Product involved (may be empty or `"0"`).
    pub product_id: ProductId,
    /// When it happened, as unix seconds (0 when the API gave nothing parseable).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub created_at: i64,
}

/// Position inside a paged listing, as Trustoo reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct PageInfo {
    /// 1-based page number.
    pub page: u32,
    /// Items per page.
    pub page_size: u32,
    /// Number of pages.
    pub total_page: u32,
    /// Number of items across all pages.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub count: u64,
}

/// Where in a newest-first listing a page starts: each provider's own way of paging.
///
/// Why in the domain: the inbox asks a provider for pages from one, and the store keeps one
/// so that a stopped pass goes on from it after a restart (a page token cannot be worked out
/// again from how many reviews are stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PagePosition {
    /// The newest review (the first page).
    Newest,
    /// A 1-based page number (Trustoo).
    Page(u32),
    /// An opaque page token or cursor the provider handed out with an earlier page
    /// (Trustpilot's `nextPageToken`).
    Token(String),
    /// Reviews created at or after this second (unix seconds), newest first.
    CreatedSince(i64),
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    /// Where this page sits.
    pub page: PageInfo,
    /// Its items.
    pub list: Vec<T>,
}

/// How the merchant's session authenticates against Trustoo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum AuthMode {
    /// Signed in through the browser (OAuth Bearer tokens).
    Oauth,
    /// Connected with the shop's Public and Private Token (HMAC signing).
    Hmac,
}

/// Which Trustoo the app talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Environment {
    /// The local emulator (demo, tests).
    Sandbox,
    /// `https://rapi.trustoo.io`.
    Production,
}

/// The review platforms ReviewDesk speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    /// Trustoo (TrustWILL): a Shopify shop's product reviews.
    Trustoo,
    /// Trustpilot: a business unit's service and product reviews.
    Trustpilot,
}

impl Provider {
    /// The text the local store keeps (stable across releases; the serde spelling too).
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Trustoo => "trustoo",
            Provider::Trustpilot => "trustpilot",
        }
    }

    /// The provider's name as merchants know it, for sentences ("… cannot reach Trustpilot").
    pub const fn name(self) -> &'static str {
        match self {
            Provider::Trustoo => "Trustoo",
            Provider::Trustpilot => "Trustpilot",
        }
    }

    /// Parses the stored text; `None` for a provider this build does not know.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "trustoo" => Some(Provider::Trustoo),
            "trustpilot" => Some(Provider::Trustpilot),
            _ => None,
        }
    }
}

/// One account of one provider: the provider plus the provider's own id of it (Trustoo: the
/// shop's `*.myshopify.com` domain; Trustpilot: the business unit id).
///
/// Why a pair and not the id alone: ids of different providers live in one store and may be
/// spelt alike; every stored review, draft, queued action, audit entry and sync state belongs
/// to exactly one account, and two accounts never see each other's rows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub struct AccountKey {
    /// Whose account.
    pub provider: Provider,
    /// The provider's own id of the account, as the provider spells it.
    pub id: String,
}

impl AccountKey {
    /// An account of `provider` with the provider's id `id`.
    pub fn new(provider: Provider, id: impl Into<String>) -> Self {
        Self {
            provider,
            id: id.into(),
        }
    }

    /// A Trustoo account: a Shopify shop, by its domain.
    pub fn trustoo(shop_domain: impl Into<String>) -> Self {
        Self::new(Provider::Trustoo, shop_domain)
    }

    /// A Trustpilot account: a business unit, by its (validated) id.
    pub fn trustpilot(business_unit: &TrustpilotId) -> Self {
        Self::new(Provider::Trustpilot, business_unit.as_str())
    }
}

impl std::fmt::Display for AccountKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.provider.as_str(), self.id)
    }
}

/// A Trustpilot id (business unit, review, …): always 24 lowercase or uppercase hex digits.
///
/// Why validated: a Trustpilot id goes into URL paths of its API; anything but hex there is a
/// bug or an attack, and refusing it at the edge means the rest of the code never checks again.
/// Trustoo ids stay the decimal text of [`ReviewId`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export, type = "string"))]
#[serde(try_from = "String", into = "String")]
pub struct TrustpilotId(String);

/// Why a text is not a [`TrustpilotId`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidTrustpilotId(pub String);

impl std::fmt::Display for InvalidTrustpilotId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "not a Trustpilot id (24 hex digits): {:?}", self.0)
    }
}

impl std::error::Error for InvalidTrustpilotId {}

impl TrustpilotId {
    /// Digits of every Trustpilot id.
    pub const LEN: usize = 24;

    /// Accepts exactly 24 ASCII hex digits, nothing else (no spaces, no prefix).
    pub fn parse(text: &str) -> Result<Self, InvalidTrustpilotId> {
        if text.len() == Self::LEN && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Self(text.to_owned()))
        } else {
            Err(InvalidTrustpilotId(text.chars().take(64).collect()))
        }
    }

    /// The id as Trustpilot spells it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TrustpilotId {
    type Error = InvalidTrustpilotId;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<TrustpilotId> for String {
    fn from(value: TrustpilotId) -> Self {
        value.0
    }
}

impl std::fmt::Display for TrustpilotId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a provider lets a business answer a review in public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ReplyAbility {
    /// No public reply to an existing review.
    None,
    /// A reply can be posted and edited in place.
    Editable,
    /// A reply can be posted; to change it, delete it and post again.
    DeleteAndPostAgain,
}

/// What an account's provider lets ReviewDesk do: the one place the UI and the inbox ask
/// "may I?", so a new provider is a new set of answers, not checks of its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct Capabilities {
    /// Delete a review.
    pub delete_reviews: bool,
    /// Create a review, with photos and videos.
    pub create_reviews: bool,
    /// Keep a review's author out of review requests; unsubscribe an address.
    pub exclusions: bool,
    /// Answer a review in public.
    pub reply: ReplyAbility,
    /// Tag reviews.
    pub tags: bool,
    /// Ask the reviewer for their order details.
    pub find_reviewer: bool,
    /// Conversations on product reviews.
    pub product_review_conversations: bool,
    /// Invite customers to review.
    pub invitations: bool,
    /// Webhook subscriptions.
    pub webhooks: bool,
    /// Orders with their review-request status.
    pub orders: bool,
    /// Widget analytics (customer events).
    pub customer_events: bool,
    /// Reviews name their language (the language filter).
    pub languages: bool,
    /// The business reports reviews to the provider; a reported review says so (the reported
    /// filter, the report status and reasons in the detail pane).
    pub reports: bool,
    /// Reviews are about products (the product filter, Overview's "By product"). Trustpilot's
    /// service reviews are about the business (the filter's "Store reviews"), its product
    /// reviews about their products.
    pub products: bool,
    /// Reviews carry photos and videos (the photo and video filters).
    pub media: bool,
}

impl Provider {
    /// What the provider's API documents today (`shared/reference/trustoo-api.md`,
    /// `trustpilot-api.md`). Trustoo: a reply only as part of creating a review (no endpoint
    /// answers an existing one), no tags, no invitations API. Trustpilot: a business can never
    /// delete or create a review; it answers (delete and post again to change), tags, finds the
    /// reviewer and invites; its webhooks are set up only in its own web UI.
    pub fn capabilities(self) -> Capabilities {
        match self {
            Provider::Trustoo => Capabilities {
                delete_reviews: true,
                create_reviews: true,
                exclusions: true,
                reply: ReplyAbility::None,
                tags: false,
                find_reviewer: false,
                product_review_conversations: false,
                invitations: false,
                webhooks: true,
                orders: true,
                customer_events: true,
                languages: false,
                reports: false,
                products: true,
                media: true,
            },
            Provider::Trustpilot => Capabilities {
                delete_reviews: false,
                create_reviews: false,
                exclusions: false,
                reply: ReplyAbility::DeleteAndPostAgain,
                tags: true,
                find_reviewer: true,
                product_review_conversations: true,
                invitations: true,
                webhooks: false,
                orders: false,
                customer_events: false,
                languages: true,
                reports: true,
                // Its product reviews sit in the inbox under their products, with their photos.
                products: true,
                media: true,
            },
        }
    }
}

/// A part of ReviewDesk that works only when the shop granted it a scope (OAuth sign-in; the
/// shop's own Public/Private Token carries every scope).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    /// The inbox: list, read and search reviews, the rating.
    ReadReviews,
    /// Delete reviews and create them (with photos and videos).
    WriteReviews,
    /// Keep customers out of review requests (exclusions) and unsubscribe addresses.
    Exclusions,
    /// Review requests (orders) and their status.
    Orders,
    /// Widget analytics (customer events).
    CustomerEvents,
}

impl Feature {
    /// What the merchant would call it, for "sign in again to allow …".
    pub fn label(self) -> &'static str {
        match self {
            Feature::ReadReviews => "reading your reviews",
            Feature::WriteReviews => "deleting and creating reviews",
            Feature::Exclusions => "excluding customers and unsubscribing addresses",
            Feature::Orders => "review requests",
            Feature::CustomerEvents => "widget analytics",
        }
    }
}

/// Which Trustoo scope each feature needs: the one list the sign-in asks from and the UI checks.
///
/// Scopes from `shared/reference/trustoo-api.md` §3 and the sandbox's CHOICES: reviews
/// `read_reviews`/`write_reviews` (SEEN), exclusions and unsubscribe `write_customers` (SEEN
/// for delete-exclusion; the docs say "probably" for create and are silent for unsubscribe),
/// customer events `read_customer_events` (SEEN). Orders' scope is UNKNOWN: `read_orders` is our
/// choice (the sandbox's too). No documented endpoint needs a `read_customers` scope (listing
/// exclusions is `write_customers` in the sandbox), so it is not asked for: the consent page
/// refuses scopes it does not know.
pub const TRUSTOO_FEATURE_SCOPES: &[(Feature, &str)] = &[
    (Feature::ReadReviews, "read_reviews"),
    (Feature::WriteReviews, "write_reviews"),
    (Feature::Exclusions, "write_customers"),
    (Feature::Orders, "read_orders"),
    (Feature::CustomerEvents, "read_customer_events"),
];

/// The scopes a browser sign-in asks for: every feature's, in the list's order, once each.
pub fn trustoo_scopes_to_request() -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (_, scope) in TRUSTOO_FEATURE_SCOPES {
        if !out.iter().any(|s| s == scope) {
            out.push((*scope).to_owned());
        }
    }
    out
}

/// A feature the shop's sign-in does not allow, and the scope it lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct MissingScope {
    /// The feature that cannot be used.
    pub feature: Feature,
    /// The scope it needs.
    pub scope: String,
    /// What to tell the merchant where the feature is ("… Sign in again to allow it.").
    pub message: String,
}

/// The features a sign-in with `granted` scopes cannot use (none for a Public/Private Token).
pub fn missing_scopes(mode: AuthMode, granted: &[String]) -> Vec<MissingScope> {
    if mode == AuthMode::Hmac {
        return Vec::new();
    }
    TRUSTOO_FEATURE_SCOPES
        .iter()
        .filter(|(_, scope)| !granted.iter().any(|g| g == scope))
        .map(|(feature, scope)| MissingScope {
            feature: *feature,
            scope: (*scope).to_owned(),
            message: format!(
                "This shop's sign-in does not allow {} (Trustoo scope {scope}). Sign in again to allow it.",
                feature.label()
            ),
        })
        .collect()
}

/// What the UI may know about the signed-in shop: never a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct ShopSession {
    /// Shopify shop id.
    pub shop_id: ShopId,
    /// Shop's display name.
    pub shop_name: String,
    /// `*.myshopify.com` domain.
    pub domain: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// Features these scopes do not allow (see [`missing_scopes`]), so the UI can say "sign in
    /// again to allow …" where the feature is, before any call.
    pub missing_scopes: Vec<MissingScope>,
    /// Whose account this is.
    pub provider: Provider,
    /// What the provider allows (see [`Provider::capabilities`]): the UI shows actions from it.
    pub capabilities: Capabilities,
    /// How the session authenticates.
    pub auth_mode: AuthMode,
    /// Sandbox or production.
    pub environment: Environment,
    /// API base URL (no credentials in it).
    pub api_base: String,
}

impl ShopSession {
    /// The account this session is for: the one place a signed-in shop becomes the
    /// [`AccountKey`] the store, the inbox and the composer work with.
    pub fn account(&self) -> AccountKey {
        AccountKey::new(self.provider, self.domain.as_str())
    }

    /// Why `feature` cannot be used with this sign-in, as a sentence, or `None` when it can.
    pub fn refusal(&self, feature: Feature) -> Option<String> {
        self.missing_scopes
            .iter()
            .find(|m| m.feature == feature)
            .map(|m| m.message.clone())
    }
}

/// The merchant's own reading state of a review, kept only on this machine (Trustoo has no such
/// field), so a team can work through new reviews without losing track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum TriageState {
    /// Not looked at yet (every review starts here).
    #[default]
    New,
    /// Read and handled.
    Reviewed,
    /// Needs attention (reply, escalate, delete…).
    Flagged,
}

impl TriageState {
    /// The text the local store keeps, stable across releases.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Reviewed => "reviewed",
            Self::Flagged => "flagged",
        }
    }

    /// Parses the stored text; `None` for anything else so a corrupt row is reported, not guessed.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "new" => Some(Self::New),
            "reviewed" => Some(Self::Reviewed),
            "flagged" => Some(Self::Flagged),
            _ => None,
        }
    }
}

/// Which reviews a listing shows with respect to deletion, so deleted reviews stay findable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ReviewView {
    /// Reviews neither deleted by the merchant nor gone from the server (the normal list).
    #[default]
    Active,
    /// Only reviews deleted here or noticed as gone from the server (the "Deleted" record).
    Deleted,
    /// Everything, deleted or not (exports, audits).
    All,
}

/// Order of a review listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ReviewSort {
    /// Most recently written first (the API's default, `created-descending`).
    #[default]
    Newest,
    /// Oldest first.
    Oldest,
    /// Five stars first, newest first within a star.
    RatingHigh,
    /// One star first, newest first within a star.
    RatingLow,
}

/// What to show of a shop's reviews; every field narrows the list, empty means "no filter".
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(default)]
pub struct ReviewFilter {
    /// Stars to keep (any of them); empty keeps all.
    pub ratings: Vec<u8>,
    /// Only this product (`"0"` for store reviews).
    pub product_id: Option<ProductId>,
    /// Only this source, exactly as stored (`AliExpress`, …).
    pub source: Option<String>,
    /// `Some(true)`: with at least one photo; `Some(false)`: without any.
    pub has_image: Option<bool>,
    /// `Some(true)`: with at least one video; `Some(false)`: without any.
    pub has_video: Option<bool>,
    /// Only verified purchases (`Some(true)`) or only unverified ones (`Some(false)`).
    pub verified: Option<bool>,
    /// Written at or after this unix second.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub commented_from: Option<i64>,
    /// Written before this unix second (exclusive).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub commented_to: Option<i64>,
    /// Only reviews in this local triage state.
    pub triage: Option<TriageState>,
    /// Active, deleted only, or all.
    pub view: ReviewView,
    /// The user's search words, matched as word prefixes in author, title, content, product
    /// title and reply. Any text is accepted; it is never interpreted as query syntax.
    pub keyword: Option<String>,
    /// Only reviews carrying this tag (group and value exactly). Optional in TypeScript so
    /// filters built before tags existed stay valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub tag: Option<ReviewTag>,
    /// Only reviews written in this language (Trustpilot's `language`, `en`, `da`, …; Trustoo
    /// reviews have none). Optional in TypeScript, like `tag`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub language: Option<String>,
    /// `Some(true)`: answered in public; `Some(false)`: awaiting a reply (Trustpilot's
    /// `responded`). Optional in TypeScript, like `tag`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub replied: Option<bool>,
    /// `Some(true)`: reported by the business (Trustpilot's `status` `reported`); `Some(false)`:
    /// not reported. Optional in TypeScript, like `tag`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub reported: Option<bool>,
}

/// Position after the last row of a page, for keyset pagination (stable while rows arrive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct ReviewCursor {
    /// Stars of the last row (used by rating sorts).
    pub rating: u8,
    /// The store's ordering key of the last row (opaque to callers).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub key: i64,
}

/// One request for a page of reviews.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(default)]
pub struct ReviewQuery {
    /// Which reviews.
    pub filter: ReviewFilter,
    /// In which order.
    pub sort: ReviewSort,
    /// Page size (the store caps it at 1000).
    pub limit: u32,
    /// Rows to skip (ignored when `after` is given).
    pub offset: u32,
    /// Continue after this row instead of using `offset` (cheaper on deep pages).
    pub after: Option<ReviewCursor>,
    /// Count matching rows only up to this number so the total stays cheap on huge shops;
    /// `None` counts exactly, `Some(0)` skips counting.
    pub count_limit: Option<u32>,
}

impl Default for ReviewQuery {
    fn default() -> Self {
        Self {
            filter: ReviewFilter::default(),
            sort: ReviewSort::Newest,
            limit: 50,
            offset: 0,
            after: None,
            count_limit: Some(1000),
        }
    }
}

/// A review as the local list shows it: the server's copy plus the merchant's local state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct ReviewRow {
    /// Whose review: the All accounts view lists several accounts' rows together, and triage
    /// and the detail pane act on the row's own account.
    pub account: AccountKey,
    /// The review as last received from the server.
    pub review: Review,
    /// Local triage state.
    pub triage: TriageState,
    /// When the merchant deleted it here (unix seconds); the copy is kept.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub deleted_at: Option<i64>,
    /// When a full sync noticed it gone from the server (unix seconds); the copy is kept.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub deleted_remotely_at: Option<i64>,
    /// Cursor to continue right after this row.
    pub cursor: ReviewCursor,
}

/// One page of a local review listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct ReviewPage {
    /// The rows of this page.
    pub rows: Vec<ReviewRow>,
    /// Matching rows counted (at most the query's `count_limit`).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total: u64,
    /// False when counting stopped at `count_limit` (show "1000+").
    pub total_exact: bool,
    /// Cursor for the next page, `None` when this page is the last.
    pub next: Option<ReviewCursor>,
}

/// How many reviews of one account match a filter (the All accounts view's account chips).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct AccountCount {
    /// The account counted.
    pub account: AccountKey,
    /// Matching reviews counted (at most the query's `count_limit`).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total: u64,
    /// False when counting stopped at `count_limit`.
    pub total_exact: bool,
}

/// How far the local copy of a shop's reviews has been synced.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct SyncCursor {
    /// `commented_at` of the newest review seen (unix seconds).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub newest_commented_at: i64,
    /// Id of the newest review seen.
    pub newest_id: Option<ReviewId>,
    /// When the last full sync (id sweep) finished (unix seconds).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub last_full_sync_at: Option<i64>,
    /// When the last incremental sync finished (unix seconds).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub last_incremental_sync_at: Option<i64>,
}

/// How a group of reviews was answered: how many, and how fast. Trustpilot's own pages show
/// neither the reply rate nor the time to reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct ReplyStats {
    /// The group: `"1"`…`"5"` (stars) or `"2026-10"` (the month the reviews were written).
    pub group: String,
    /// Active reviews in the group.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub reviews: u64,
    /// Those with a public reply.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub replied: u64,
    /// Median hours from the review to its reply, when any was answered.
    pub median_hours: Option<f64>,
}

/// An account's reply rate and time to reply, by star rating and by month (the last twelve).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct ReplyInsights {
    /// Every active review together.
    pub overall: ReplyStats,
    /// 1★ to 5★.
    pub by_stars: Vec<ReplyStats>,
    /// The months with reviews, oldest first, at most twelve, up to the newest review's.
    pub by_month: Vec<ReplyStats>,
}

/// A reply the merchant keeps for reuse: `{first_name}`, `{shop_name}` and `{product}` in its
/// body are filled from the review and the account when it is picked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct ReplyTemplate {
    /// Its id in the local store (0 for one not saved yet).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    /// The name in the picker.
    pub name: String,
    /// The star ratings it is offered first for.
    pub stars: Vec<u8>,
    /// The text, with its variables.
    pub body: String,
}

/// Why a reply might break the provider's guidelines for businesses (Trustpilot's: no personal
/// details in public, no asking to change or remove a review, no incentives, a courteous tone).
/// Shown before posting; the merchant may post anyway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ReplyRule {
    /// Nothing written.
    Empty,
    /// Longer than the provider takes.
    TooLong,
    /// An email address, a phone number, or an order or reference number.
    PersonalDetails,
    /// Asks the reviewer to change, update or remove their review.
    AsksToChangeReview,
    /// Offers something (a discount, a voucher, a gift) that reads as a reward.
    Incentive,
    /// Words that read as an attack on the reviewer.
    Aggressive,
}

/// One guideline a reply may break, with what in it made the check say so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct ReplyWarning {
    /// Which guideline.
    pub rule: ReplyRule,
    /// The warning in the merchant's words.
    pub message: String,
    /// The words of the reply that made it (empty for `empty` and `too_long`).
    pub excerpt: String,
    /// Whether the reply cannot be posted at all (`empty`, `too_long`); the others are advice.
    pub blocking: bool,
}

/// What a queued action does once the server is reachable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// `delete_review`.
    DeleteReview,
    /// `create_review` (e.g. a review typed in by the merchant).
    CreateReview,
    /// `create_customer_exclude`.
    CreateExclusion,
    /// `delete_customer_exclude`.
    DeleteExclusion,
    /// `email_unsubscribe`.
    Unsubscribe,
    /// Answers a review in public (Trustpilot `POST …/reviews/{id}/reply`).
    PostReply,
    /// Takes the public answer down (Trustpilot `DELETE …/reviews/{id}/reply`); an edit is
    /// this, then [`ActionKind::PostReply`].
    DeleteReply,
    /// Adds tags to a review (Trustpilot `PUT …/reviews/{id}/tags`; adding again changes
    /// nothing).
    AddTags,
    /// Removes one tag from a review (Trustpilot `DELETE …/reviews/{id}/tags?group=&value=`).
    RemoveTag,
    /// Asks the reviewer for their order details (Trustpilot `POST …/reviews/{id}/find-reviewer`).
    FindReviewer,
    /// Shows a product review's conversation on Trustpilot or keeps it between the business
    /// and the reviewer (Trustpilot `POST …/conversations/{id}/state`).
    SetConversationState,
}

impl ActionKind {
    /// The text the local store keeps.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DeleteReview => "delete_review",
            Self::CreateReview => "create_review",
            Self::CreateExclusion => "create_exclusion",
            Self::DeleteExclusion => "delete_exclusion",
            Self::Unsubscribe => "unsubscribe",
            Self::PostReply => "post_reply",
            Self::DeleteReply => "delete_reply",
            Self::AddTags => "add_tags",
            Self::RemoveTag => "remove_tag",
            Self::FindReviewer => "find_reviewer",
            Self::SetConversationState => "set_conversation_state",
        }
    }

    /// Parses the stored text; `None` for a kind this build does not know.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "delete_review" => Some(Self::DeleteReview),
            "create_review" => Some(Self::CreateReview),
            "create_exclusion" => Some(Self::CreateExclusion),
            "delete_exclusion" => Some(Self::DeleteExclusion),
            "unsubscribe" => Some(Self::Unsubscribe),
            "post_reply" => Some(Self::PostReply),
            "delete_reply" => Some(Self::DeleteReply),
            "add_tags" => Some(Self::AddTags),
            "remove_tag" => Some(Self::RemoveTag),
            "find_reviewer" => Some(Self::FindReviewer),
            "set_conversation_state" => Some(Self::SetConversationState),
            _ => None,
        }
    }
}

/// Where a queued action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ActionState {
    /// Waiting to be sent.
    Pending,
    /// Handed to the sender; may or may not have reached the server.
    InFlight,
    /// The server accepted it.
    Done,
    /// Gave up after an error.
    Failed,
    /// The server state no longer allows it (e.g. the review is already gone); needs the merchant.
    Conflict,
}

impl ActionState {
    /// The text the local store keeps.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::InFlight => "in_flight",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Conflict => "conflict",
        }
    }

    /// Parses the stored text.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pending" => Some(Self::Pending),
            "in_flight" => Some(Self::InFlight),
            "done" => Some(Self::Done),
            "failed" => Some(Self::Failed),
            "conflict" => Some(Self::Conflict),
            _ => None,
        }
    }
}

/// An action the merchant took that must reach the server, kept until it has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct QueuedAction {
    /// Local id of the action.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    /// The account it belongs to.
    pub account: AccountKey,
    /// What to do.
    pub kind: ActionKind,
    /// The request body or parameters, as JSON.
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub payload: serde_json::Value,
    /// Where it stands.
    pub state: ActionState,
    /// How many times it was handed out for sending.
    pub attempts: u32,
    /// The last error message, if any.
    pub last_error: Option<String>,
    /// Unique key so the same merchant action is never queued (or sent) twice.
    pub idempotency_key: String,
    /// When it was queued (unix seconds).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub created_at: i64,
    /// When it last changed (unix seconds).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub updated_at: i64,
}

/// One line of the merchant's audit log: who did what to which review, and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct AuditEntry {
    /// Local id (increasing).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    /// When (unix seconds).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub at: i64,
    /// Who (the signed-in user's name or email, `system` for the app itself).
    pub actor: String,
    /// What, e.g. `delete_review`, `set_triage`.
    pub action: String,
    /// The review concerned, if any.
    pub review_id: Option<ReviewId>,
    /// Free-form details as JSON.
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub details: serde_json::Value,
}

/// A half-written form (review, reply, exclusion…) kept so nothing typed is lost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct Draft {
    /// Caller-chosen id, e.g. `reply:123` or a random id for a new review.
    pub id: String,
    /// The form's fields as JSON.
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub form: serde_json::Value,
    /// Paths of files picked for upload (local files, not yet uploaded).
    pub attachments: Vec<String>,
    /// When first saved (unix seconds).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub created_at: i64,
    /// When last saved (unix seconds).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub updated_at: i64,
}

/// Answer of `get_review_detail`: the row plus its audit history and the actions still waiting
/// for it, so the detail pane needs one round trip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct ReviewDetail {
    /// The review with its local state.
    pub row: ReviewRow,
    /// Every audit entry about this review, oldest first.
    pub audit: Vec<AuditEntry>,
    /// Queued actions about this review that have not reached Trustoo yet.
    pub pending: Vec<QueuedAction>,
}

/// How a write action ended, so the UI can tell "done" from "will be sent later" from "refused".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    /// Trustoo accepted it.
    Done,
    /// Trustoo could not be reached; the action waits on disk and is replayed later.
    Queued,
    /// Trustoo's state does not allow it (already deleted, not found, invalid); not retried.
    Conflict,
    /// It failed for good (e.g. permission); not retried.
    Failed,
}

/// Answer of every write action (`delete_reviews` answers one per id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct ActionOutcome {
    /// The review id (or the exclusion's email / customer id) the outcome is about.
    pub id: String,
    /// How it ended.
    pub status: ActionStatus,
    /// A sentence for the merchant.
    pub message: String,
}

/// Where the sync of the active shop stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    /// No sync running.
    #[default]
    Idle,
    /// Pages are being fetched and stored.
    Fetching,
    /// The last sync finished.
    Done,
    /// The last sync failed (`message` says why).
    Failed,
    /// Trustoo could not be reached; the local store still works.
    Offline,
    /// Trustoo answered, but with server errors (5xx) or "too many requests": it is not
    /// offline, and the sync is tried again shortly (`message` names the error).
    ServerTrouble,
}

/// Answer of `sync_status` and payload of the `sync-progress` event.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct SyncStatus {
    /// Where it stands.
    pub phase: SyncPhase,
    /// Reviews fetched so far by this sync.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub fetched: u64,
    /// Reviews the server reports in all; `None` while unknown.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub total: Option<u64>,
    /// Reviews this sync added to the local store.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub new_count: u64,
    /// Unix seconds of the last finished sync.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub last_synced_at: Option<i64>,
    /// A sentence for the merchant, when there is something to say.
    pub message: Option<String>,
}

/// Payload of the `new-reviews` event: a sync brought reviews the merchant has not seen.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct NewReviews {
    /// How many reviews are new.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub count: u64,
    /// How many of them have one star (the ones a merchant wants to see first).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub one_star: u64,
    /// Their ids, newest first (capped, see the inbox crate), to filter the list to them.
    pub ids: Vec<ReviewId>,
}

/// One entry of `list_products`: a product with reviews in the local store (for the filter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct ProductSummary {
    /// Product id (`"0"` for store reviews).
    pub id: ProductId,
    /// Product title as last seen on a review (may be empty).
    pub title: String,
    /// Active reviews of the product in the local store.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub count: u64,
}

/// One language of the account's reviews with how many active reviews are written in it: the
/// language filter's options, from the data (Trustpilot names the language of every review;
/// the set depends on where the business's customers are).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct LanguageSummary {
    /// The language code exactly as Trustpilot sends it (`en`, `da`, …); the value the filter
    /// sends back.
    pub language: String,
    /// Active reviews in this language in the local store.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub count: u64,
}

/// One entry of `list_sources`: a review source present in the local store, with its count.
///
/// Why from the data: Trustoo's sources are an open set (the documented enum, plus newer ones
/// such as `ChatWILL`), so the source filter offers what the shop's reviews carry, never a
/// hard-coded list that offers sources no review has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct SourceSummary {
    /// The source exactly as Trustoo sends it (`Store front`, `Email request`, …); the value
    /// the filter sends back.
    pub source: String,
    /// Active reviews with this source in the local store.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub count: u64,
}

/// One entry of `list_tags`: a tag present on the account's reviews, with its count (the tag
/// filter's options, from the data like sources).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct TagSummary {
    /// The tag, the value the filter sends back.
    pub tag: ReviewTag,
    /// Active reviews with this tag in the local store.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub count: u64,
}

/// Who an exclusion is about: exactly one of the two is given (the UI sends only that key).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct ExclusionTarget {
    /// The customer's email.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub email: Option<String>,
    /// The Shopify customer id.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub customer_id: Option<String>,
}

/// Answer of `list_exclusions`: one page of excluded customers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct ExclusionPage {
    /// Where this page sits.
    pub page: PageInfo,
    /// The excluded customers on it.
    pub list: Vec<CustomerExclusion>,
}

/// Answer of `export_csv`: where the file went and how many reviews it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct ExportResult {
    /// Absolute path of the written file.
    pub path: String,
    /// Data rows written (the header not counted).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub rows: u64,
}

/// How the Requests list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum OrderSort {
    /// Newest order first.
    #[default]
    CreatedDesc,
    /// Oldest order first.
    CreatedAsc,
    /// Most recently sent request first (unsent last).
    SentDesc,
    /// Earliest sent request first (unsent last).
    SentAsc,
}

/// A query of the cached orders: the Requests page's filters, sort, search and window.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct OrderListQuery {
    /// Only this request status (`None` = all).
    #[serde(default)]
    pub status: Option<RequestEmailStatus>,
    /// Orders created at or after (unix s).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub created_from: Option<i64>,
    /// Orders created before (unix s, exclusive).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub created_to: Option<i64>,
    /// Requests sent at or after (unix s).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub sent_from: Option<i64>,
    /// Requests sent before (unix s, exclusive).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub sent_to: Option<i64>,
    /// Order number, order id, customer name or email (substring, case-insensitive).
    #[serde(default)]
    pub search: String,
    /// Order of the list.
    #[serde(default)]
    pub sort: OrderSort,
    /// Rows to skip (the virtual list's window).
    #[serde(default)]
    pub offset: u32,
    /// Rows to return.
    #[serde(default)]
    pub limit: u32,
}

/// One row of the Requests list: the order and, when its request brought a review, that review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct OrderRow {
    /// The cached order.
    pub order: Order,
    /// The review whose `order_id` is this order's id, if it is in the store.
    pub review_id: Option<ReviewId>,
}

/// A window of the Requests list with the count of every row the filters match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct OrderPage {
    /// Rows `offset..offset + limit`.
    pub rows: Vec<OrderRow>,
    /// Rows matching the filters.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total: u64,
    /// When the orders were last fetched from the provider (unix s), `None` = never.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub synced_at: Option<i64>,
}

/// The request funnel of a period: requests sent in it, how many were opened, how many reviewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct RequestFunnel {
    /// Requests sent in the period (sent, opened or reviewed now).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub sent: u64,
    /// Of those, opened (opened or reviewed now).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub opened: u64,
    /// Of those, reviewed.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub reviewed: u64,
}

/// Width of an Analytics time bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum EventBucket {
    /// One UTC day.
    #[default]
    Day,
    /// Seven days starting on a Monday (UTC).
    Week,
    /// A calendar month (UTC).
    Month,
}

/// The Analytics page's filters (also used by the raw events table).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct EventFilter {
    /// Events at or after (unix s; rounded down to its UTC day for the charts).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub from: i64,
    /// Events before (unix s, exclusive; rounded up to a UTC day for the charts).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub to: i64,
    /// Only this type (e.g. `VIEW_REVIEW`).
    #[serde(default)]
    pub event_type: Option<String>,
    /// Only this source (e.g. `STOREFRONT`).
    #[serde(default)]
    pub event_source: Option<String>,
    /// Only this OS (e.g. `IOS`).
    #[serde(default)]
    pub os_type: Option<String>,
}

/// A count under a name (a type, a source, an OS).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct NamedCount {
    /// The value as the provider spells it.
    pub key: String,
    /// Events.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub count: u64,
}

/// Events of one type in one time bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct EventPoint {
    /// First second of the bucket (unix s, UTC).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub start: i64,
    /// Event type.
    pub event_type: String,
    /// Events.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub count: u64,
}

/// What the Analytics page draws: counts over time by type, and totals by type, source and OS.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct EventSummary {
    /// Bucket width of `series`.
    pub bucket: EventBucket,
    /// Non-zero (bucket, type) counts, by bucket then type.
    pub series: Vec<EventPoint>,
    /// Totals by type, largest first.
    pub by_type: Vec<NamedCount>,
    /// Totals by source, largest first.
    pub by_source: Vec<NamedCount>,
    /// Totals by OS, largest first.
    pub by_os: Vec<NamedCount>,
    /// Every event matching the filter.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total: u64,
    /// When events were last fetched (unix s), `None` = never.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub synced_at: Option<i64>,
}

/// The values the Analytics filters offer, as present in the stored events (not a list in the
/// code: the docs end each enum with "etc.").
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct EventOptions {
    /// Event types seen.
    pub event_types: Vec<String>,
    /// Sources seen.
    pub event_sources: Vec<String>,
    /// Operating systems seen.
    pub os_types: Vec<String>,
}

/// A window of the raw events table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct EventPage {
    /// Newest first.
    pub rows: Vec<CustomerEvent>,
    /// Events matching the filter.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total: u64,
}

/// What a refresh of orders or events brought: how many items were fetched and stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct FeedRefresh {
    /// Items fetched from the provider.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub fetched: u64,
    /// Items the store did not have.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub new: u64,
    /// When it finished (unix s).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub synced_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trustpilot_ids_are_24_hex_digits_and_nothing_else() {
        let id = TrustpilotId::parse("507f191e810c19729de860ea").expect("valid");
        assert_eq!(id.as_str(), "507f191e810c19729de860ea");
        for bad in [
            "",
            "507f191e810c19729de860e",
            "507f191e810c19729de860eaa",
            "507f191e810c19729de860eg",
            " 507f191e810c19729de860e",
            "507f191e810c19729de860é",
            "123",
        ] {
            assert!(TrustpilotId::parse(bad).is_err(), "{bad:?}");
        }
        let json = serde_json::to_string(&id).expect("serialize");
        assert_eq!(json, "\"507f191e810c19729de860ea\"");
        assert!(serde_json::from_str::<TrustpilotId>("\"../../admin\"").is_err());
    }

    #[test]
    fn an_account_is_a_provider_and_its_id() {
        let shop = AccountKey::trustoo("aurora.myshopify.com");
        assert_eq!(shop.provider, Provider::Trustoo);
        let unit = TrustpilotId::parse("507f191e810c19729de860ea").expect("valid");
        let tp = AccountKey::trustpilot(&unit);
        assert_eq!(tp.provider, Provider::Trustpilot);
        assert_ne!(AccountKey::trustoo(unit.as_str()), tp);
        assert_eq!(
            serde_json::to_value(&shop).expect("serialize"),
            serde_json::json!({"provider": "trustoo", "id": "aurora.myshopify.com"})
        );
        for p in [Provider::Trustoo, Provider::Trustpilot] {
            assert_eq!(Provider::parse(p.as_str()), Some(p));
        }
        assert_eq!(Provider::parse("yelp"), None);
    }

    #[test]
    fn trustpilot_answers_reviews_but_never_deletes_or_creates_them() {
        let trustoo = Provider::Trustoo.capabilities();
        assert!(trustoo.delete_reviews && trustoo.create_reviews && trustoo.exclusions);
        assert_eq!(trustoo.reply, ReplyAbility::None);
        let trustpilot = Provider::Trustpilot.capabilities();
        assert!(!trustpilot.delete_reviews && !trustpilot.create_reviews);
        assert_eq!(trustpilot.reply, ReplyAbility::DeleteAndPostAgain);
        assert!(trustpilot.tags && trustpilot.find_reviewer && trustpilot.invitations);
    }

    #[test]
    fn a_browser_sign_in_asks_for_every_features_scope_once() {
        assert_eq!(
            trustoo_scopes_to_request(),
            [
                "read_reviews",
                "write_reviews",
                "write_customers",
                "read_orders",
                "read_customer_events"
            ]
        );
    }

    #[test]
    fn missing_scopes_name_the_features_they_stop() {
        let granted = vec!["read_reviews".to_owned(), "write_reviews".to_owned()];
        let missing = missing_scopes(AuthMode::Oauth, &granted);
        let features: Vec<Feature> = missing.iter().map(|m| m.feature).collect();
        assert_eq!(
            features,
            [
                Feature::Exclusions,
                Feature::Orders,
                Feature::CustomerEvents
            ]
        );
        assert!(missing_scopes(AuthMode::Hmac, &[]).is_empty());
        let session = ShopSession {
            shop_id: ShopId("1".into()),
            shop_name: "Aurora".into(),
            domain: "aurora.myshopify.com".into(),
            scopes: granted,
            missing_scopes: missing,
            provider: Provider::Trustoo,
            capabilities: Provider::Trustoo.capabilities(),
            auth_mode: AuthMode::Oauth,
            environment: Environment::Sandbox,
            api_base: "http://127.0.0.1:1".into(),
        };
        assert_eq!(
            session.refusal(Feature::Exclusions).as_deref(),
            Some("This shop's sign-in does not allow excluding customers and unsubscribing addresses (Trustoo scope write_customers). Sign in again to allow it.")
        );
        assert_eq!(session.refusal(Feature::WriteReviews), None);
        assert_eq!(
            session.account(),
            AccountKey::trustoo("aurora.myshopify.com")
        );
    }

    #[test]
    fn rating_summary_average_is_weighted_by_star() {
        let s = RatingSummary::from_star_counts([1, 0, 0, 0, 3]);
        assert_eq!(s.count, 4);
        assert!((s.average - 4.0).abs() < 1e-9);
    }

    #[test]
    fn rating_summary_of_nothing_is_zero() {
        let s = RatingSummary::from_star_counts([0; 5]);
        assert_eq!(s.count, 0);
        assert_eq!(s.average, 0.0);
    }

    #[test]
    fn ids_serialize_as_plain_strings() {
        let json = serde_json::to_string(&ReviewId::from("42")).expect("serialize");
        assert_eq!(json, "\"42\"");
    }

    #[test]
    fn media_helpers_look_at_kinds() {
        let mut r = sample_review();
        assert!(!r.has_image() && !r.has_video());
        r.media.push(Media {
            url: "u".into(),
            thumbnail_url: String::new(),
            kind: MediaKind::Video,
            is_published: true,
        });
        assert!(r.has_video() && !r.has_image());
    }

    fn sample_review() -> Review {
        Review {
            id: "1".into(),
            product_id: "0".into(),
            product_title: String::new(),
            product_handle: String::new(),
            is_store_review: true,
            rating: 5,
            author: "A".into(),
            author_country: "US".into(),
            title: String::new(),
            content: String::new(),
            is_verified: false,
            commented_at: 0,
            updated_at: 0,
            media: vec![],
            reply: None,
            tags: vec![],
            details: ProviderDetails::Trustoo(TrustooDetails {
                source: "Shop".into(),
                is_published: true,
                ..TrustooDetails::default()
            }),
        }
    }

    #[test]
    fn the_provider_part_is_tagged_by_provider_in_snake_case() {
        let mut r = sample_review();
        let json = serde_json::to_value(&r).expect("serialize");
        assert_eq!(json["details"]["provider"], "trustoo");
        assert_eq!(json["details"]["source"], "Shop");
        assert_eq!(json["details"]["is_published"], true);
        assert!(json.get("source").is_none(), "not a common field");
        assert_eq!(r.details.source(), "Shop");
        assert_eq!(r.details.provider(), Provider::Trustoo);
        r.details = ProviderDetails::Trustpilot(TrustpilotDetails {
            source: "AFS".into(),
            referral_email: Some("ana@example.com".into()),
            report_status: "reported".into(),
            report_reasons: vec!["sensitiveInformation".into()],
            consumer_id: TrustpilotId::parse("507f191e810c19729de860ea").ok(),
            ..TrustpilotDetails::default()
        });
        let json = serde_json::to_value(&r).expect("serialize");
        assert_eq!(json["details"]["provider"], "trustpilot");
        assert_eq!(json["details"]["consumer_id"], "507f191e810c19729de860ea");
        assert_eq!(
            serde_json::from_value::<Review>(json).expect("decode"),
            r,
            "round trip"
        );
        assert_eq!(r.details.reviewer_email(), "ana@example.com");
        assert!(r.trustoo().is_none() && r.trustpilot().is_some());
    }

    #[test]
    fn a_tag_without_a_group_is_generic() {
        let tag: ReviewTag = serde_json::from_str(r#"{"value":"shipping"}"#).expect("decode");
        assert_eq!(tag, ReviewTag::generic("shipping"));
        let reply: ReviewReply =
            serde_json::from_str(r#"{"content":"Thanks","reply_at":"2024-01-01"}"#)
                .expect("decode");
        assert_eq!((reply.author, reply.updated_at), (None, None));
    }
}
