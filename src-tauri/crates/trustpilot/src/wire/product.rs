//! Product reviews and the conversations a business answers them in (§1.8).
//!
//! The field names are SEEN-3P (Pipedream's `parseProductReview`) and SEEN-DOC (conversation,
//! posted comment); the attribute, attachment and comment details around them are UNKNOWN, so
//! everything is optional, unknown values are kept as sent, and shapes nobody documents are
//! kept raw.

use serde::Deserialize;
use serde_json::Value;

use super::de;
use super::model::Link;

/// `state` of a product review (SEEN-TP values); a value not seen in the docs is kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum ProductReviewState {
    /// Shown on the product (the listing's default).
    #[default]
    Published,
    /// Not shown.
    Unpublished,
    /// Waiting for Trustpilot's moderation.
    UnderModeration,
    /// Archived.
    Archived,
    /// A value not seen in the docs, kept as sent.
    Other(String),
}

impl ProductReviewState {
    /// The four documented states, for a listing that wants every review.
    pub const ALL: [ProductReviewState; 4] = [
        ProductReviewState::Published,
        ProductReviewState::Unpublished,
        ProductReviewState::UnderModeration,
        ProductReviewState::Archived,
    ];

    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            ProductReviewState::Published => "published",
            ProductReviewState::Unpublished => "unpublished",
            ProductReviewState::UnderModeration => "underModeration",
            ProductReviewState::Archived => "archived",
            ProductReviewState::Other(s) => s,
        }
    }

    /// Reads a wire value (without case); `Other` for anything undocumented.
    pub fn parse(s: &str) -> Self {
        match s.to_ascii_lowercase().as_str() {
            "published" => ProductReviewState::Published,
            "unpublished" => ProductReviewState::Unpublished,
            "undermoderation" => ProductReviewState::UnderModeration,
            "archived" => ProductReviewState::Archived,
            _ => ProductReviewState::Other(s.to_owned()),
        }
    }
}

impl<'de> Deserialize<'de> for ProductReviewState {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = de::string(d)?;
        Ok(if s.is_empty() {
            ProductReviewState::default()
        } else {
            ProductReviewState::parse(&s)
        })
    }
}

/// The product a review is about.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Product {
    /// Trustpilot's product id.
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// The product's page on the shop.
    #[serde(deserialize_with = "de::opt_string")]
    pub product_url: Option<String>,
    /// Image URLs.
    #[serde(deserialize_with = "de::vec")]
    pub product_images: Vec<String>,
    /// Name.
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    /// Stock keeping unit (what the `sku` filter matches).
    #[serde(deserialize_with = "de::opt_string")]
    pub sku: Option<String>,
    /// GTIN / EAN.
    #[serde(deserialize_with = "de::opt_string")]
    pub gtin: Option<String>,
    /// Manufacturer part number.
    #[serde(deserialize_with = "de::opt_string")]
    pub mpn: Option<String>,
    /// Brand.
    #[serde(deserialize_with = "de::opt_string")]
    pub brand: Option<String>,
}

/// The reviewer of a product review. Unlike on service reviews the email is here (personal
/// data: stored protected, never logged).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ProductConsumer {
    /// Consumer id.
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// Email.
    #[serde(deserialize_with = "de::opt_string")]
    pub email: Option<String>,
    /// Name.
    #[serde(deserialize_with = "de::string")]
    pub name: String,
}

/// One rated attribute of a product (e.g. "Quality" 4/5, or "Fit": "True to size").
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AttributeRating {
    /// Attribute id.
    #[serde(deserialize_with = "de::string")]
    pub attribute_id: String,
    /// Name shown.
    #[serde(deserialize_with = "de::string")]
    pub attribute_name: String,
    /// Kind (`range`, `scale`, …; values UNKNOWN, kept as sent).
    #[serde(deserialize_with = "de::opt_string")]
    pub attribute_type: Option<String>,
    /// The attribute's options, raw: their shape is UNKNOWN (the sandbox sends a list of
    /// labels for a scale and `null` for a range).
    pub attribute_options: Value,
    /// The rating given (a number; for a scale, the option's position from 1 in the sandbox).
    #[serde(deserialize_with = "de::opt_i64")]
    pub rating: Option<i64>,
}

impl AttributeRating {
    /// The chosen option's label when the options are a list of labels and the rating a
    /// position from 1 in it (how the sandbox sends a scale); `None` otherwise.
    pub fn chosen_option(&self) -> Option<&str> {
        let position = usize::try_from(self.rating?).ok()?.checked_sub(1)?;
        self.attribute_options.as_array()?.get(position)?.as_str()
    }
}

/// One processed size of an attached image.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ProcessedFile {
    /// Which size (names UNKNOWN; the sandbox writes `WIDTHxHEIGHT`).
    #[serde(deserialize_with = "de::string")]
    pub dimension: String,
    /// e.g. `image/jpeg`.
    #[serde(deserialize_with = "de::opt_string")]
    pub mime_type: Option<String>,
    /// Where to load it.
    #[serde(deserialize_with = "de::string")]
    pub url: String,
}

impl ProcessedFile {
    /// `(width, height)` when the dimension reads `WIDTHxHEIGHT`.
    pub fn pixel_size(&self) -> Option<(u32, u32)> {
        let (w, h) = self.dimension.split_once(['x', 'X'])?;
        Some((w.trim().parse().ok()?, h.trim().parse().ok()?))
    }

    fn area(&self) -> u64 {
        self.pixel_size()
            .map_or(0, |(w, h)| u64::from(w) * u64::from(h))
    }
}

/// An attachment (an image) of a product review.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Attachment {
    /// Id.
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// State (values UNKNOWN, kept as sent).
    #[serde(deserialize_with = "de::opt_string")]
    pub state: Option<String>,
    /// The sizes it was processed into.
    #[serde(deserialize_with = "de::vec")]
    pub processed_files: Vec<ProcessedFile>,
}

impl Attachment {
    /// The biggest file (for the detail view); the first when no size can be read.
    pub fn largest(&self) -> Option<&ProcessedFile> {
        self.processed_files
            .iter()
            .rev()
            .max_by_key(|f| f.area())
            .filter(|f| !f.url.is_empty())
    }

    /// The smallest file whose size can be read (for a thumbnail); else the first.
    pub fn smallest(&self) -> Option<&ProcessedFile> {
        self.processed_files
            .iter()
            .filter(|f| f.area() > 0)
            .min_by_key(|f| f.area())
            .or_else(|| self.processed_files.first())
            .filter(|f| !f.url.is_empty())
    }
}

/// A private product review (§1.8).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ProductReview {
    /// Review id.
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// When written (unix seconds).
    #[serde(deserialize_with = "de::opt_ts")]
    pub created_at: Option<i64>,
    /// When last changed.
    #[serde(deserialize_with = "de::opt_ts")]
    pub updated_at: Option<i64>,
    /// The unit.
    #[serde(deserialize_with = "de::string")]
    pub business_unit_id: String,
    /// 1–5 (0 when missing or out of range).
    #[serde(deserialize_with = "de::stars")]
    pub stars: u8,
    /// The review's text.
    #[serde(deserialize_with = "de::string")]
    pub content: String,
    /// The product reviewed.
    #[serde(deserialize_with = "de::opt_obj")]
    pub product: Option<Product>,
    /// The reviewer.
    #[serde(deserialize_with = "de::obj")]
    pub consumer: ProductConsumer,
    /// Order number from the invitation.
    #[serde(deserialize_with = "de::opt_string")]
    pub reference_id: Option<String>,
    /// e.g. `en-US`.
    #[serde(deserialize_with = "de::opt_string")]
    pub locale: Option<String>,
    /// e.g. `en`.
    #[serde(deserialize_with = "de::string")]
    pub language: String,
    /// Where the consumer was sent after reviewing.
    #[serde(deserialize_with = "de::opt_string")]
    pub redirect_uri: Option<String>,
    /// Published, unpublished, under moderation or archived.
    pub state: ProductReviewState,
    /// Whether moderation ever looked at it.
    #[serde(deserialize_with = "de::bool")]
    pub has_moderation_history: bool,
    /// The conversation the business answers in; `None` until one is created.
    #[serde(deserialize_with = "de::opt_string")]
    pub conversation_id: Option<String>,
    /// Rated attributes.
    #[serde(deserialize_with = "de::vec")]
    pub attribute_ratings: Vec<AttributeRating>,
    /// Attached images.
    #[serde(deserialize_with = "de::vec")]
    pub attachments: Vec<Attachment>,
}

/// One page of private product reviews: `{productReviews, links}` (SEEN-3P wrapper).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ProductReviewPage {
    /// The reviews of this page.
    #[serde(deserialize_with = "de::vec_strict")]
    pub product_reviews: Vec<ProductReview>,
    /// Paging links (`next-page`, `prev-page`).
    #[serde(deserialize_with = "de::vec")]
    pub links: Vec<Link>,
}

impl ProductReviewPage {
    /// Whether another page may follow a page asked with `per_page`: a full page with a
    /// `next-page` link (the service listing's rule, §1.3).
    pub fn has_next(&self, per_page: u32) -> bool {
        let full = u32::try_from(self.product_reviews.len()).is_ok_and(|n| n >= per_page.max(1));
        full && self
            .links
            .iter()
            .any(|l| l.rel.eq_ignore_ascii_case("next-page"))
    }
}

/// Who wrote a comment: `{id, type}` (`businessUser` for the business's, SEEN-DOC).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct CommentAuthor {
    /// The business user's (or consumer's) id.
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// `businessUser`, …
    #[serde(rename = "type", deserialize_with = "de::string")]
    pub kind: String,
}

/// A comment in a conversation: `{commentId, createdAt, author, content}` (SEEN-DOC); an `id`
/// is read when `commentId` is missing, and `updatedAt` when sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(from = "WireComment")]
pub struct Comment {
    /// Comment id.
    pub comment_id: String,
    /// When written.
    pub created_at: Option<i64>,
    /// When last edited, when Trustpilot says.
    pub updated_at: Option<i64>,
    /// Who wrote it.
    pub author: Option<CommentAuthor>,
    /// Text.
    pub content: String,
}

/// A comment as sent, before `commentId` and `id` are merged (an alias would fail on an
/// answer carrying both).
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct WireComment {
    #[serde(deserialize_with = "de::opt_string")]
    comment_id: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    id: Option<String>,
    #[serde(deserialize_with = "de::opt_ts")]
    created_at: Option<i64>,
    #[serde(deserialize_with = "de::opt_ts")]
    updated_at: Option<i64>,
    #[serde(deserialize_with = "de::opt_obj")]
    author: Option<CommentAuthor>,
    #[serde(deserialize_with = "de::string")]
    content: String,
}

impl From<WireComment> for Comment {
    fn from(w: WireComment) -> Self {
        Self {
            comment_id: w.comment_id.or(w.id).unwrap_or_default(),
            created_at: w.created_at,
            updated_at: w.updated_at,
            author: w.author,
            content: w.content,
        }
    }
}

impl Comment {
    /// True when the business wrote it (author type `businessUser`).
    pub fn is_from_business(&self) -> bool {
        self.author
            .as_ref()
            .is_some_and(|a| a.kind.eq_ignore_ascii_case("businessUser"))
    }
}

/// Whether a conversation shows on Trustpilot (`public`) or not (`private`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ConversationState {
    /// Shown with the review.
    #[default]
    Public,
    /// Hidden.
    Private,
    /// A value not seen in the docs, kept as sent.
    Other(String),
}

impl ConversationState {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            ConversationState::Public => "public",
            ConversationState::Private => "private",
            ConversationState::Other(s) => s,
        }
    }
}

impl<'de> Deserialize<'de> for ConversationState {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = de::string(d)?;
        Ok(match s.to_ascii_lowercase().as_str() {
            "" | "public" => ConversationState::Public,
            "private" => ConversationState::Private,
            _ => ConversationState::Other(s),
        })
    }
}

/// A conversation on a product review (SEEN-DOC shape).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Conversation {
    /// Conversation id.
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// The unit.
    #[serde(deserialize_with = "de::string")]
    pub business_unit_id: String,
    /// The reviewer.
    #[serde(deserialize_with = "de::opt_string")]
    pub consumer_id: Option<String>,
    /// `Product reviews`.
    #[serde(deserialize_with = "de::opt_string")]
    pub source: Option<String>,
    /// The product review's id.
    #[serde(deserialize_with = "de::opt_string")]
    pub source_id: Option<String>,
    /// Public or private.
    pub state: ConversationState,
    /// Comments (in the order sent).
    #[serde(deserialize_with = "de::vec")]
    pub comments: Vec<Comment>,
}

/// The answer to create-conversation: `{"conversationId"}` (SEEN-DOC); an `id` is read when
/// `conversationId` is missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct CreatedConversation {
    #[serde(deserialize_with = "de::opt_string")]
    conversation_id: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    id: Option<String>,
}

impl CreatedConversation {
    /// The new (or existing) conversation's id, when the answer named one.
    pub(crate) fn into_id(self) -> Option<String> {
        self.conversation_id.or(self.id)
    }
}
