//! Reviews and the pages that carry them.

use reviewdesk_core::{
    Media, MediaKind, Page, PageInfo, ProviderDetails, Review, ReviewReply, TrustooDetails,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::de;

/// Review as sent by `get_review(s)`; aliases cover the field names third-party code reads.
#[derive(Debug, Deserialize)]
pub(crate) struct WireReview {
    #[serde(deserialize_with = "de::string")]
    id: String,
    #[serde(default, deserialize_with = "de::string")]
    product_id: String,
    #[serde(default, deserialize_with = "de::string")]
    product_title: String,
    #[serde(default, deserialize_with = "de::string")]
    product_handle: String,
    #[serde(default, deserialize_with = "de::opt_bool")]
    is_store_review: Option<bool>,
    #[serde(default, alias = "star", deserialize_with = "de::opt_i64")]
    rating: Option<i64>,
    #[serde(default, deserialize_with = "de::string")]
    author: String,
    #[serde(default, deserialize_with = "de::string")]
    author_email: String,
    #[serde(default, deserialize_with = "de::string")]
    author_country: String,
    #[serde(default, alias = "review_title", deserialize_with = "de::string")]
    title: String,
    #[serde(default, deserialize_with = "de::string")]
    content: String,
    #[serde(default, deserialize_with = "de::string")]
    source: String,
    #[serde(default, alias = "verified", deserialize_with = "de::bool")]
    is_verified: bool,
    #[serde(default, deserialize_with = "de::bool")]
    is_featured: bool,
    #[serde(default, deserialize_with = "de::opt_bool")]
    is_published: Option<bool>,
    #[serde(default, alias = "is_pinned", deserialize_with = "de::bool")]
    is_top: bool,
    #[serde(default, deserialize_with = "de::string")]
    item_type: String,
    #[serde(default, deserialize_with = "de::string")]
    order_id: String,
    #[serde(default, deserialize_with = "de::opt_ts")]
    commented_at: Option<i64>,
    #[serde(default, deserialize_with = "de::opt_ts")]
    created_at: Option<i64>,
    #[serde(default, deserialize_with = "de::opt_ts")]
    updated_at: Option<i64>,
    #[serde(default, deserialize_with = "de::value")]
    media: Value,
    #[serde(default, deserialize_with = "de::value")]
    reply: Value,
    #[serde(default, deserialize_with = "de::string")]
    reply_content: String,
}

fn media_kind(v: &Value) -> MediaKind {
    match v {
        Value::String(s) if s.eq_ignore_ascii_case("video") => MediaKind::Video,
        other if de::value_i64(other) == Some(2) => MediaKind::Video,
        _ => MediaKind::Image,
    }
}

fn str_field(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// Media as either the newer array `[{url, thumbnail_url, type, is_published}]` or the older
/// object `{images, thumbnails, video, video_thumbnail}`.
fn media_from(v: &Value) -> Vec<Media> {
    match v {
        Value::Array(items) => items
            .iter()
            .filter_map(|m| {
                let url = str_field(m, "url");
                (!url.is_empty()).then(|| Media {
                    url,
                    thumbnail_url: str_field(m, "thumbnail_url"),
                    kind: media_kind(m.get("type").unwrap_or(&Value::Null)),
                    is_published: m
                        .get("is_published")
                        .and_then(de::value_bool)
                        .unwrap_or(true),
                })
            })
            .collect(),
        Value::Object(_) => {
            let strings = |key: &str| -> Vec<String> {
                v.get(key)
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|s| s.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let thumbs = strings("thumbnails");
            let mut out: Vec<Media> = strings("images")
                .into_iter()
                .enumerate()
                .map(|(i, url)| Media {
                    url,
                    thumbnail_url: thumbs.get(i).cloned().unwrap_or_default(),
                    kind: MediaKind::Image,
                    is_published: true,
                })
                .collect();
            let video = str_field(v, "video");
            if !video.is_empty() {
                out.push(Media {
                    url: video,
                    thumbnail_url: str_field(v, "video_thumbnail"),
                    kind: MediaKind::Video,
                    is_published: true,
                });
            }
            out
        }
        _ => Vec::new(),
    }
}

impl WireReview {
    pub(crate) fn into_domain(self) -> Review {
        let reply = match &self.reply {
            Value::Object(_) => {
                let content = str_field(&self.reply, "content");
                (!content.is_empty()).then(|| ReviewReply {
                    content,
                    reply_at: str_field(&self.reply, "reply_at"),
                    author: None,
                    updated_at: None,
                })
            }
            Value::String(s) if !s.is_empty() => Some(ReviewReply {
                content: s.clone(),
                reply_at: String::new(),
                author: None,
                updated_at: None,
            }),
            _ => (!self.reply_content.is_empty()).then(|| ReviewReply {
                content: self.reply_content.clone(),
                reply_at: String::new(),
                author: None,
                updated_at: None,
            }),
        };
        let product_id = if self.product_id.is_empty() {
            "0".to_owned()
        } else {
            self.product_id
        };
        let is_store_review = self.is_store_review.unwrap_or(product_id == "0");
        let commented_at = self.commented_at.or(self.created_at).unwrap_or(0);
        Review {
            id: self.id.into(),
            product_id: product_id.into(),
            product_title: self.product_title,
            product_handle: self.product_handle,
            is_store_review,
            rating: u8::try_from(self.rating.unwrap_or(0).clamp(0, 5)).unwrap_or(0),
            author: self.author,
            author_country: self.author_country,
            title: self.title,
            content: self.content,
            is_verified: self.is_verified,
            commented_at,
            updated_at: self.updated_at.or(self.created_at).unwrap_or(commented_at),
            media: media_from(&self.media),
            reply,
            tags: Vec::new(),
            details: ProviderDetails::Trustoo(TrustooDetails {
                source: self.source,
                author_email: self.author_email,
                order_id: self.order_id,
                item_type: self.item_type,
                is_featured: self.is_featured,
                is_published: self.is_published.unwrap_or(true),
                is_pinned: self.is_top,
            }),
        }
    }
}

/// `data.page` of listings; aliases for the storefront-API spelling.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct WirePageInfo {
    #[serde(default, alias = "cur_page", deserialize_with = "de::u32")]
    page: u32,
    #[serde(default, alias = "limit", deserialize_with = "de::u32")]
    page_size: u32,
    #[serde(default, deserialize_with = "de::u32")]
    total_page: u32,
    #[serde(default, alias = "total", deserialize_with = "de::u64")]
    count: u64,
}

/// `data` of listings: `{page, list}`.
#[derive(Debug, Deserialize)]
#[serde(bound = "T: DeserializeOwned")]
pub(crate) struct WirePage<T> {
    #[serde(default)]
    page: Option<WirePageInfo>,
    #[serde(default = "Vec::new", deserialize_with = "null_as_empty")]
    list: Vec<T>,
}

fn null_as_empty<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

impl<T> WirePage<T> {
    /// Converts items and fills `total_page` when the server gave only `count`.
    pub(crate) fn into_domain<D>(
        self,
        requested_page: u32,
        requested_size: u32,
        f: impl FnMut(T) -> D,
    ) -> Page<D> {
        let p = self.page.unwrap_or_default();
        let page_size = if p.page_size == 0 {
            requested_size
        } else {
            p.page_size
        };
        let total_page = if p.total_page == 0 && p.count > 0 && page_size > 0 {
            u32::try_from(p.count.div_ceil(u64::from(page_size))).unwrap_or(u32::MAX)
        } else {
            p.total_page
        };
        Page {
            page: PageInfo {
                page: if p.page == 0 { requested_page } else { p.page },
                page_size,
                total_page,
                count: p.count,
            },
            list: self.list.into_iter().map(f).collect(),
        }
    }
}

/// `data` of `create_review`: `{id}` (string or number).
#[derive(Debug, Deserialize)]
pub(crate) struct WireCreated {
    #[serde(deserialize_with = "de::string")]
    pub id: String,
}
