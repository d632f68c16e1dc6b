//! Typed requests and the responses that have no home in `reviewdesk-core`.

use reviewdesk_core::{CustomerId, MediaKind, ProductId, RequestEmailStatus, ReviewId};
use serde::{Deserialize, Serialize, Serializer};

use crate::secret::Secret;
use crate::wire::format_plain;

/// Order of a listing by creation time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    /// Oldest first (`created-ascending`).
    CreatedAscending,
    /// Newest first (`created-descending`, the server default).
    CreatedDescending,
}

impl SortOrder {
    /// Wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SortOrder::CreatedAscending => "created-ascending",
            SortOrder::CreatedDescending => "created-descending",
        }
    }
}

/// Appends an array parameter as `key[i]=v` pairs (CHOICES.md: each element is its own pair,
/// signed with the key exactly as sent).
fn push_array(
    out: &mut Vec<(String, String)>,
    key: &str,
    values: impl IntoIterator<Item = String>,
) {
    for (i, v) in values.into_iter().enumerate() {
        out.push((format!("{key}[{i}]"), v));
    }
}

fn push_paging(
    out: &mut Vec<(String, String)>,
    sort: Option<SortOrder>,
    page: Option<u32>,
    size: Option<u32>,
) {
    if let Some(s) = sort {
        out.push(("sort_by".into(), s.as_str().into()));
    }
    if let Some(p) = page {
        out.push(("page".into(), p.to_string()));
    }
    if let Some(s) = size {
        out.push(("page_size".into(), s.to_string()));
    }
}

/// Filters of `get_reviews` (every one the docs and CHOICES.md know).
///
/// Why a builder: the UI composes filters incrementally; each setter documents the wire name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewQuery {
    /// `product_ids[i]`: only these products.
    pub product_ids: Vec<ProductId>,
    /// `is_store_review`: only store reviews (true) or only product reviews (false).
    pub store_review: Option<bool>,
    /// `keyword`: case-insensitive substring of author, title or content.
    pub keyword: Option<String>,
    /// `ratings[i]`: only these star values.
    pub ratings: Vec<u8>,
    /// `sources[i]`: only these sources (`Store front`, `AliExpress`, …).
    pub sources: Vec<String>,
    /// `sort_by`.
    pub sort: Option<SortOrder>,
    /// `page` (1-based; server default 1).
    pub page: Option<u32>,
    /// `page_size` (server default 20, max 100).
    pub page_size: Option<u32>,
}

impl ReviewQuery {
    /// No filter: every review, server defaults.
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds a product to `product_ids`.
    pub fn product(mut self, id: impl Into<ProductId>) -> Self {
        self.product_ids.push(id.into());
        self
    }
    /// Store reviews only (`true`) or product reviews only (`false`).
    pub fn store_review(mut self, yes: bool) -> Self {
        self.store_review = Some(yes);
        self
    }
    /// Text search.
    pub fn keyword(mut self, k: impl Into<String>) -> Self {
        self.keyword = Some(k.into());
        self
    }
    /// Adds a star value to `ratings`.
    pub fn rating(mut self, stars: u8) -> Self {
        self.ratings.push(stars);
        self
    }
    /// Adds a source to `sources`.
    pub fn source(mut self, s: impl Into<String>) -> Self {
        self.sources.push(s.into());
        self
    }
    /// Sort order.
    pub fn sort(mut self, s: SortOrder) -> Self {
        self.sort = Some(s);
        self
    }
    /// Page number (1-based).
    pub fn page(mut self, p: u32) -> Self {
        self.page = Some(p);
        self
    }
    /// Items per page.
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = Some(n);
        self
    }

    /// The decoded query pairs as sent (and signed).
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        push_array(
            &mut out,
            "product_ids",
            self.product_ids.iter().map(|p| p.0.clone()),
        );
        if let Some(s) = self.store_review {
            out.push(("is_store_review".into(), u8::from(s).to_string()));
        }
        if let Some(k) = &self.keyword {
            out.push(("keyword".into(), k.clone()));
        }
        push_array(&mut out, "ratings", self.ratings.iter().map(u8::to_string));
        push_array(&mut out, "sources", self.sources.iter().cloned());
        push_paging(&mut out, self.sort, self.page, self.page_size);
        out
    }
}

/// Which aggregate `get_rating` returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RatingQuery {
    /// One product (`product_id`).
    Product(ProductId),
    /// One product by handle (`product_handle`).
    ProductHandle(String),
    /// Store reviews only (`is_store_rating=1`).
    Store,
    /// All product reviews (`is_all_products_rating=1`).
    AllProducts,
    /// Everything (`is_all_rating=1`).
    All,
}

impl RatingQuery {
    /// All product reviews.
    pub fn all_products() -> Self {
        Self::AllProducts
    }
    /// Store reviews.
    pub fn store() -> Self {
        Self::Store
    }
    /// One product.
    pub fn product(id: impl Into<ProductId>) -> Self {
        Self::Product(id.into())
    }
    /// Everything.
    pub fn all() -> Self {
        Self::All
    }

    /// The decoded query pairs.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let p = |k: &str, v: &str| vec![(k.to_owned(), v.to_owned())];
        match self {
            Self::Product(id) => p("product_id", id.as_str()),
            Self::ProductHandle(h) => p("product_handle", h),
            Self::Store => p("is_store_rating", "1"),
            Self::AllProducts => p("is_all_products_rating", "1"),
            Self::All => p("is_all_rating", "1"),
        }
    }
}

fn ser_flag<S: Serializer>(v: &Option<bool>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(b) => s.serialize_u8(u8::from(*b)),
        None => s.serialize_none(),
    }
}

fn ser_kind<S: Serializer>(k: &MediaKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u8(match k {
        MediaKind::Image => 1,
        MediaKind::Video => 2,
    })
}

fn ser_bool_u8<S: Serializer>(b: &bool, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u8(u8::from(*b))
}

/// One attachment of the newer `media` array form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewMediaItem {
    /// Uploaded file URL (from an image upload or `video_url`).
    pub url: String,
    /// Preview URL (may be empty).
    pub thumbnail_url: String,
    /// 1 image, 2 video.
    #[serde(rename = "type", serialize_with = "ser_kind")]
    pub kind: MediaKind,
    /// Show on the storefront.
    #[serde(serialize_with = "ser_bool_u8")]
    pub is_published: bool,
}

/// The older `media` object form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LegacyMedia {
    /// Up to 10 image URLs.
    pub images: Vec<String>,
    /// Thumbnails, parallel to `images`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub thumbnails: Vec<String>,
    /// One video URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video: Option<String>,
    /// Its thumbnail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_thumbnail: Option<String>,
}

/// Both documented forms of `create_review`'s `media`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum NewMedia {
    /// Newer: `[{url, thumbnail_url, type, is_published}]`.
    Items(Vec<NewMediaItem>),
    /// Older: `{images, thumbnails, video, video_thumbnail}`.
    Legacy(LegacyMedia),
}

/// Merchant reply sent with a new review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewReply {
    /// Text.
    pub content: String,
    /// `YYYY-MM-DD HH:MM:SS`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_at: Option<String>,
}

/// Body of `create_review` (older field table ∪ newer example; optional fields are omitted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewReview {
    /// Product, `"0"` for a store review (sent as a string, like the newer example).
    pub product_id: ProductId,
    /// 1–5.
    pub rating: u8,
    /// ≤ 120 chars.
    pub author: String,
    /// Shopify order id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// Reviewer email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author_email: Option<String>,
    /// Reviewer phone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author_phone: Option<String>,
    /// Country code, e.g. `US`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author_country: Option<String>,
    /// ≤ 300 chars.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// ≤ 10000 chars.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// `YYYY-MM-DD HH:MM:SS` (server default: now).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commented_at: Option<String>,
    /// Variant, ≤ 120 chars.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_type: Option<String>,
    /// `Shop`, `AliExpress`, … (server default `Shop`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Free tag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// Verified purchase (0/1).
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "ser_flag")]
    pub is_verified: Option<bool>,
    /// Featured (0/1).
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "ser_flag")]
    pub is_featured: Option<bool>,
    /// Published (0/1; server default 1).
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "ser_flag")]
    pub is_published: Option<bool>,
    /// Pinned (0/1).
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "ser_flag")]
    pub is_top: Option<bool>,
    /// Attachments in either form.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media: Option<NewMedia>,
    /// Merchant reply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply: Option<NewReply>,
}

impl NewReview {
    /// The required fields; everything else starts unset.
    pub fn new(product_id: impl Into<ProductId>, rating: u8, author: impl Into<String>) -> Self {
        Self {
            product_id: product_id.into(),
            rating,
            author: author.into(),
            order_id: None,
            author_email: None,
            author_phone: None,
            author_country: None,
            title: None,
            content: None,
            commented_at: None,
            item_type: None,
            source: None,
            tag: None,
            is_verified: None,
            is_featured: None,
            is_published: None,
            is_top: None,
            media: None,
            reply: None,
        }
    }

    /// Sets `commented_at` from unix seconds (formatted `YYYY-MM-DD HH:MM:SS`, UTC).
    pub fn commented_at_unix(mut self, ts: i64) -> Self {
        self.commented_at = Some(format_plain(ts));
        self
    }
}

/// Topics a webhook can subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WebhookTopic {
    /// `review/created` (scope `write_reviews`).
    ReviewCreated,
    /// `review/updated` (scope `write_reviews`).
    ReviewUpdated,
    /// `review/deleted` (scope `write_reviews`).
    ReviewDeleted,
    /// `customer_event/created` (scope `read_customer_events`).
    CustomerEventCreated,
}

impl WebhookTopic {
    /// Wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReviewCreated => "review/created",
            Self::ReviewUpdated => "review/updated",
            Self::ReviewDeleted => "review/deleted",
            Self::CustomerEventCreated => "customer_event/created",
        }
    }
}

/// Filters of `get_orders`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderQuery {
    /// `type`: review-request status (`None` = all).
    pub status: Option<RequestEmailStatus>,
    /// `start_sent_at`/`end_sent_at` as unix seconds (sent as `YYYY-MM-DD HH:MM:SS` UTC).
    pub sent_between: Option<(i64, i64)>,
    /// `start_time`/`end_time` (order creation) as unix seconds.
    pub created_between: Option<(i64, i64)>,
    /// `sort_by`.
    pub sort: Option<SortOrder>,
    /// `page`.
    pub page: Option<u32>,
    /// `page_size`.
    pub page_size: Option<u32>,
}

impl OrderQuery {
    /// The decoded query pairs.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(s) = self.status {
            out.push(("type".into(), s.code().to_string()));
        }
        if let Some((a, b)) = self.sent_between {
            out.push(("start_sent_at".into(), format_plain(a)));
            out.push(("end_sent_at".into(), format_plain(b)));
        }
        if let Some((a, b)) = self.created_between {
            out.push(("start_time".into(), format_plain(a)));
            out.push(("end_time".into(), format_plain(b)));
        }
        push_paging(&mut out, self.sort, self.page, self.page_size);
        out
    }
}

/// Filters of `get_customer_events` (values like `VIEW_REVIEW`, `IOS`, `STOREFRONT`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventQuery {
    /// `event_type`.
    pub event_type: Option<String>,
    /// `os_type`.
    pub os_type: Option<String>,
    /// `event_source`.
    pub event_source: Option<String>,
    /// `sort_by`.
    pub sort: Option<SortOrder>,
    /// `page`.
    pub page: Option<u32>,
    /// `page_size`.
    pub page_size: Option<u32>,
}

impl EventQuery {
    /// The decoded query pairs.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (k, v) in [
            ("event_type", &self.event_type),
            ("os_type", &self.os_type),
            ("event_source", &self.event_source),
        ] {
            if let Some(v) = v {
                out.push((k.to_owned(), v.clone()));
            }
        }
        push_paging(&mut out, self.sort, self.page, self.page_size);
        out
    }
}

/// Who to exclude from / re-include in review-request emails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExclusionTarget {
    /// By Shopify customer id.
    CustomerId(CustomerId),
    /// By email.
    Email(String),
}

/// Email categories of `email_unsubscribe` (the documented list). Deserialize reads the wire
/// spelling back, e.g. what the UI or a queued action holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum EmailType {
    /// Every email.
    All,
    /// Review request emails.
    ReviewRequest,
    /// Test sends of review requests.
    ReviewRequestTest,
    /// Discount offers for photo reviews.
    DiscountForPhotoReview,
    /// Thank-you after a review was left.
    LeftReview,
    /// Marketing emails.
    MarketEmail,
    /// New question notifications.
    QuestionNotification,
    /// Answer notifications.
    AnswerNotification,
    /// Review-request quota exhausted notices.
    ReviewRequestQuotaExhausted,
    /// Review-display quota exhausted notices.
    ReviewDisplayQuotaExhausted,
    /// Merchant reply notifications.
    ReplyToReview,
    /// Post-purchase referral emails.
    PostPurchaseReferral,
    /// Referral reward paid notices.
    AdvocateRewardPaid,
    /// Referral reward refund notices.
    AdvocateRewardRefund,
    /// Reminders to add photos/videos.
    ReviewMediaRemind,
    /// Auto-review notices.
    AutoLeaveReview,
    /// Requests to update a review.
    RequestUpdateReview,
}

/// The `source` values Trustoo documents for Create Review (its older table, in that order).
///
/// [`NewReview::source`] stays free text, since newer sources such as `ChatWILL` exist; the
/// composer offers these as its suggestions, so the list lives here with the API's other facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum DocumentedSource {
    /// Imported from a CSV file.
    #[serde(rename = "CSV uploaded")]
    CsvUploaded,
    /// Imported from AliExpress.
    #[serde(rename = "AliExpress")]
    AliExpress,
    /// Imported from Amazon.
    #[serde(rename = "Amazon")]
    Amazon,
    /// Written in the storefront's review form.
    #[serde(rename = "Store front")]
    StoreFront,
    /// Written through a shared review link.
    #[serde(rename = "Store link")]
    StoreLink,
    /// Written from a review-request email.
    #[serde(rename = "Email request")]
    EmailRequest,
    /// Left automatically.
    #[serde(rename = "Auto")]
    Auto,
    /// Added by the shop (Trustoo's default).
    #[serde(rename = "Shop")]
    Shop,
    /// Written after scanning a QR code.
    #[serde(rename = "QR Code")]
    QrCode,
    /// Imported from Shopee.
    #[serde(rename = "Shopee")]
    Shopee,
}

/// Temporary OSS PostObject credentials from `get_image_upload_policy_token`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageUploadPolicy {
    /// `OSSAccessKeyId`.
    pub access_id: String,
    /// Storage host to POST to.
    pub host: String,
    /// Expiry as unix seconds (sent as a string).
    pub expire: i64,
    /// `Signature` (a credential: redacted in Debug).
    pub signature: Secret,
    /// Base64 policy document.
    pub policy: String,
    /// Required key prefix.
    pub dir: String,
    /// Base64 callback spec (may be empty).
    pub callback: String,
}

/// Presigned PUT target from `get_video_upload_url` (path chosen in CHOICES.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoUploadTarget {
    /// Presigned PUT URL (a credential: redacted in Debug).
    pub upload_url: Secret,
    /// Where the video will be readable; pass it in `create_review` media.
    pub video_url: String,
    /// Expiry as unix seconds.
    pub expire: i64,
    /// `Content-Type` the PUT must carry.
    pub content_type: String,
}

/// Result of a `create_review`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedReview {
    /// Id of the new review.
    pub id: ReviewId,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn documented_sources_are_spelled_as_the_create_review_table() {
        use DocumentedSource as S;
        let all = [
            S::CsvUploaded,
            S::AliExpress,
            S::Amazon,
            S::StoreFront,
            S::StoreLink,
            S::EmailRequest,
            S::Auto,
            S::Shop,
            S::QrCode,
            S::Shopee,
        ];
        let spelled: Vec<String> = all
            .iter()
            .map(|s| {
                serde_json::to_value(s)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(
            spelled,
            [
                "CSV uploaded",
                "AliExpress",
                "Amazon",
                "Store front",
                "Store link",
                "Email request",
                "Auto",
                "Shop",
                "QR Code",
                "Shopee"
            ]
        );
    }

    #[test]
    fn review_query_pairs_cover_every_filter() {
        let q = ReviewQuery::new()
            .product("11")
            .product("12")
            .store_review(false)
            .keyword("fit")
            .rating(5)
            .rating(4)
            .source("Amazon")
            .sort(SortOrder::CreatedAscending)
            .page(2)
            .page_size(50);
        let pairs: Vec<String> = q
            .to_pairs()
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        assert_eq!(
            pairs,
            [
                "product_ids[0]=11",
                "product_ids[1]=12",
                "is_store_review=0",
                "keyword=fit",
                "ratings[0]=5",
                "ratings[1]=4",
                "sources[0]=Amazon",
                "sort_by=created-ascending",
                "page=2",
                "page_size=50"
            ]
        );
    }

    #[test]
    fn rating_query_pairs() {
        assert_eq!(
            RatingQuery::all_products().to_pairs(),
            vec![("is_all_products_rating".into(), "1".into())]
        );
        assert_eq!(
            RatingQuery::store().to_pairs(),
            vec![("is_store_rating".into(), "1".into())]
        );
        assert_eq!(
            RatingQuery::product("9").to_pairs(),
            vec![("product_id".into(), "9".into())]
        );
    }

    #[test]
    fn new_review_serialises_both_media_forms_and_flags() {
        let mut r = NewReview::new("0", 5, "Ann").commented_at_unix(1_750_417_608);
        r.is_verified = Some(true);
        r.media = Some(NewMedia::Items(vec![NewMediaItem {
            url: "u".into(),
            thumbnail_url: "t".into(),
            kind: MediaKind::Video,
            is_published: true,
        }]));
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["product_id"], "0");
        assert_eq!(v["is_verified"], 1);
        assert_eq!(v["commented_at"], "2025-06-20 11:06:48");
        assert_eq!(v["media"][0]["type"], 2);
        assert!(v.get("title").is_none());
        r.media = Some(NewMedia::Legacy(LegacyMedia {
            images: vec!["a".into()],
            ..Default::default()
        }));
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["media"]["images"][0], "a");
    }

    #[test]
    fn email_type_wire_names() {
        assert_eq!(
            serde_json::to_value(EmailType::ReviewRequestQuotaExhausted).unwrap(),
            "review_request_quota_exhausted"
        );
        assert_eq!(serde_json::to_value(EmailType::All).unwrap(), "all");
    }
}
