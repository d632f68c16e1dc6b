//! Data endpoints on [`TrustooClient`] (everything authenticated by Bearer or HMAC).
//!
//! Paths are the current `/api/v1/openapi/…` ones; where the docs leave a path UNKNOWN the
//! comment names the CHOICES.md choice.

use reviewdesk_core::{
    CustomerEvent, CustomerExclusion, Order, Page, RatingSummary, Review, ReviewId, Webhook,
};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::client::{Call, TrustooClient};
use crate::error::Error;
use crate::types::{
    CreatedReview, EmailType, EventQuery, ExclusionTarget, ImageUploadPolicy, NewReview,
    OrderQuery, RatingQuery, ReviewQuery, VideoUploadTarget, WebhookTopic,
};
use crate::wire::{
    de, decode_data, WireCreated, WireEvent, WireExclusion, WireOrder, WirePage, WireRating,
    WireReview, WireWebhook, WireWebhookList,
};

/// Sends an id as a JSON number when it is one (the oldest docs type ids as integers) and as a
/// string otherwise (newer code sends strings); the sandbox accepts both.
fn id_json(id: &str) -> Value {
    match id.parse::<u64>() {
        Ok(n) if n.to_string() == id => json!(n),
        _ => json!(id),
    }
}

/// `data` of `get_image_upload_policy_token` (S-image: all strings, `expire` string).
#[derive(Debug, Deserialize)]
struct WireImagePolicy {
    #[serde(deserialize_with = "de::string")]
    access_id: String,
    #[serde(deserialize_with = "de::string")]
    host: String,
    #[serde(default, deserialize_with = "de::opt_i64")]
    expire: Option<i64>,
    #[serde(deserialize_with = "de::string")]
    signature: String,
    #[serde(deserialize_with = "de::string")]
    policy: String,
    #[serde(default, deserialize_with = "de::string")]
    dir: String,
    #[serde(default, deserialize_with = "de::string")]
    callback: String,
}

/// `data` of `get_video_upload_url` (CHOICES.md).
#[derive(Debug, Deserialize)]
struct WireVideoTarget {
    #[serde(deserialize_with = "de::string")]
    upload_url: String,
    #[serde(default, deserialize_with = "de::string")]
    video_url: String,
    #[serde(default, deserialize_with = "de::opt_i64")]
    expire: Option<i64>,
    #[serde(default, deserialize_with = "de::string")]
    content_type: String,
}

fn page_args(page: Option<u32>, size: Option<u32>) -> (u32, u32) {
    (page.unwrap_or(1), size.unwrap_or(20))
}

impl TrustooClient {
    // ---- Reviews -------------------------------------------------------------------------

    /// One page of reviews matching `query` (`GET get_reviews`, scope `read_reviews`).
    pub async fn list_reviews(&self, query: &ReviewQuery) -> Result<Page<Review>, Error> {
        let (p, s) = page_args(query.page, query.page_size);
        let data = self
            .run(Call::get(
                "get_reviews",
                "api/v1/openapi/get_reviews",
                query.to_pairs(),
            ))
            .await?;
        let page: WirePage<WireReview> = decode_data("get_reviews", data)?;
        Ok(page.into_domain(p, s, WireReview::into_domain))
    }

    /// One review (`GET get_review?id=`; the parameter name is a CHOICES.md choice).
    pub async fn get_review(&self, id: &ReviewId) -> Result<Review, Error> {
        let data = self
            .run(Call::get(
                "get_review",
                "api/v1/openapi/get_review",
                vec![("id".into(), id.0.clone())],
            ))
            .await?;
        let r: WireReview = decode_data("get_review", data)?;
        Ok(r.into_domain())
    }

    /// Creates a review (`POST create_review`, scope `write_reviews`).
    ///
    /// Not retried unless the connection provably failed before sending: on any other network
    /// error the review may exist. Callers that want "exactly once" check the newest reviews
    /// (author + content) before resending.
    pub async fn create_review(&self, review: &NewReview) -> Result<CreatedReview, Error> {
        let data = self
            .run(Call::post_json(
                "create_review",
                "api/v1/openapi/create_review",
                review,
            )?)
            .await?;
        let c: WireCreated = decode_data("create_review", data)?;
        Ok(CreatedReview { id: c.id.into() })
    }

    /// Deletes a review (`POST delete_review {id}`); an unknown id is [`Error::NotFound`].
    pub async fn delete_review(&self, id: &ReviewId) -> Result<(), Error> {
        self.run(Call::post_json(
            "delete_review",
            "api/v1/openapi/delete_review",
            &json!({ "id": id_json(id.as_str()) }),
        )?)
        .await?;
        Ok(())
    }

    /// Aggregate stars (`GET get_rating`, scope `read_reviews`).
    pub async fn get_rating(&self, query: RatingQuery) -> Result<RatingSummary, Error> {
        let data = self
            .run(Call::get(
                "get_rating",
                "api/v1/openapi/get_rating",
                query.to_pairs(),
            ))
            .await?;
        let r: WireRating = decode_data("get_rating", data)?;
        Ok(r.into_domain())
    }

    // ---- Media ---------------------------------------------------------------------------

    /// Fresh OSS upload credentials (`GET get_image_upload_policy_token`, scope `write_reviews`).
    /// Fetch one right before each upload attempt: they expire.
    pub async fn image_upload_policy(&self) -> Result<ImageUploadPolicy, Error> {
        let data = self
            .run(Call::get(
                "get_image_upload_policy_token",
                "api/v1/openapi/get_image_upload_policy_token",
                Vec::new(),
            ))
            .await?;
        let w: WireImagePolicy = decode_data("get_image_upload_policy_token", data)?;
        Ok(ImageUploadPolicy {
            access_id: w.access_id,
            host: w.host,
            expire: w.expire.unwrap_or(0),
            signature: w.signature.into(),
            policy: w.policy,
            dir: w.dir,
            callback: w.callback,
        })
    }

    /// A presigned PUT for one video (`GET get_video_upload_url?file_name&file_size`; the path is
    /// UNKNOWN in the docs, chosen in CHOICES.md).
    pub async fn video_upload_url(
        &self,
        file_name: &str,
        file_size: u64,
    ) -> Result<VideoUploadTarget, Error> {
        let data = self
            .run(Call::get(
                "get_video_upload_url",
                "api/v1/openapi/get_video_upload_url",
                vec![
                    ("file_name".into(), file_name.to_owned()),
                    ("file_size".into(), file_size.to_string()),
                ],
            ))
            .await?;
        let w: WireVideoTarget = decode_data("get_video_upload_url", data)?;
        Ok(VideoUploadTarget {
            upload_url: w.upload_url.into(),
            video_url: w.video_url,
            expire: w.expire.unwrap_or(0),
            content_type: w.content_type,
        })
    }

    // ---- Webhooks ------------------------------------------------------------------------

    /// Subscribes `url` to `topic` (`POST create_shop_webhook`); a duplicate is
    /// [`Error::AlreadyExists`].
    pub async fn create_webhook(&self, topic: WebhookTopic, url: &str) -> Result<Webhook, Error> {
        let data = self
            .run(Call::post_json(
                "create_shop_webhook",
                "api/v1/openapi/create_shop_webhook",
                &json!({ "topic": topic.as_str(), "url": url }),
            )?)
            .await?;
        let w: WireWebhook = decode_data("create_shop_webhook", data)?;
        Ok(w.into_domain())
    }

    /// Changes a webhook (`POST update_shop_webhook {id, topic, url}`; current path inferred).
    pub async fn update_webhook(
        &self,
        id: &str,
        topic: WebhookTopic,
        url: &str,
    ) -> Result<Webhook, Error> {
        let data = self
            .run(Call::post_json(
                "update_shop_webhook",
                "api/v1/openapi/update_shop_webhook",
                &json!({ "id": id_json(id), "topic": topic.as_str(), "url": url }),
            )?)
            .await?;
        let w: WireWebhook = decode_data("update_shop_webhook", data)?;
        Ok(w.into_domain())
    }

    /// Removes a webhook (`POST delete_shop_webhook {id}`; path from third-party code).
    pub async fn delete_webhook(&self, id: &str) -> Result<(), Error> {
        self.run(Call::post_json(
            "delete_shop_webhook",
            "api/v1/openapi/delete_shop_webhook",
            &json!({ "id": id_json(id) }),
        )?)
        .await?;
        Ok(())
    }

    /// Lists the webhooks visible to these credentials (`GET get_shop_webhooks`).
    pub async fn list_webhooks(&self) -> Result<Vec<Webhook>, Error> {
        let data = self
            .run(Call::get(
                "get_shop_webhooks",
                "api/v1/openapi/get_shop_webhooks",
                Vec::new(),
            ))
            .await?;
        if data.is_none() {
            return Ok(Vec::new());
        }
        let w: WireWebhookList = decode_data("get_shop_webhooks", data)?;
        Ok(w.into_domain())
    }

    // ---- Orders and events ---------------------------------------------------------------

    /// One page of orders (`GET get_orders`; scope `read_orders` is a CHOICES.md choice).
    pub async fn list_orders(&self, query: &OrderQuery) -> Result<Page<Order>, Error> {
        let (p, s) = page_args(query.page, query.page_size);
        let data = self
            .run(Call::get(
                "get_orders",
                "api/v1/openapi/get_orders",
                query.to_pairs(),
            ))
            .await?;
        let page: WirePage<WireOrder> = decode_data("get_orders", data)?;
        Ok(page.into_domain(p, s, WireOrder::into_domain))
    }

    /// One page of customer events (`GET get_customer_events`, scope `read_customer_events`).
    pub async fn list_customer_events(
        &self,
        query: &EventQuery,
    ) -> Result<Page<CustomerEvent>, Error> {
        let (p, s) = page_args(query.page, query.page_size);
        let data = self
            .run(Call::get(
                "get_customer_events",
                "api/v1/openapi/get_customer_events",
                query.to_pairs(),
            ))
            .await?;
        let page: WirePage<WireEvent> = decode_data("get_customer_events", data)?;
        Ok(page.into_domain(p, s, WireEvent::into_domain))
    }

    // ---- Customers -----------------------------------------------------------------------

    /// Unsubscribes an address from a category of emails (`POST email_unsubscribe`).
    pub async fn email_unsubscribe(&self, email: &str, email_type: EmailType) -> Result<(), Error> {
        self.run(Call::post_json(
            "email_unsubscribe",
            "api/v1/openapi/email_unsubscribe",
            &json!({ "email": email, "email_type": email_type }),
        )?)
        .await?;
        Ok(())
    }

    /// Stops review-request emails to a customer (`POST create_customer_exclude`).
    pub async fn create_exclusion(
        &self,
        target: &ExclusionTarget,
    ) -> Result<CustomerExclusion, Error> {
        let data = self
            .run(Call::post_json(
                "create_customer_exclude",
                "api/v1/openapi/create_customer_exclude",
                &exclusion_body(target),
            )?)
            .await?;
        let x: WireExclusion = decode_data("create_customer_exclude", data)?;
        Ok(x.into_domain())
    }

    /// Re-includes a customer (`POST delete_customer_exclude`, `customer_id` xor `email`).
    pub async fn delete_exclusion(&self, target: &ExclusionTarget) -> Result<(), Error> {
        self.run(Call::post_json(
            "delete_customer_exclude",
            "api/v1/openapi/delete_customer_exclude",
            &exclusion_body(target),
        )?)
        .await?;
        Ok(())
    }

    /// One page of exclusions (`GET get_customer_excludes?page&page_size`; path chosen in
    /// CHOICES.md).
    pub async fn list_exclusions(
        &self,
        page: u32,
        page_size: u32,
    ) -> Result<Page<CustomerExclusion>, Error> {
        let data = self
            .run(Call::get(
                "get_customer_excludes",
                "api/v1/openapi/get_customer_excludes",
                vec![
                    ("page".into(), page.to_string()),
                    ("page_size".into(), page_size.to_string()),
                ],
            ))
            .await?;
        let p: WirePage<WireExclusion> = decode_data("get_customer_excludes", data)?;
        Ok(p.into_domain(page, page_size, WireExclusion::into_domain))
    }

    // ---- Platform ------------------------------------------------------------------------

    /// Revokes this platform's authorization for the current shop (`POST oauth/disconnect`,
    /// Bearer only, no body). Used on sign-out.
    pub async fn disconnect(&self) -> Result<(), Error> {
        self.run(Call::post_empty(
            "disconnect",
            "api/v1/openapi/oauth/disconnect",
        ))
        .await?;
        Ok(())
    }
}

fn exclusion_body(target: &ExclusionTarget) -> Value {
    match target {
        ExclusionTarget::CustomerId(id) => json!({ "customer_id": id.as_str() }),
        ExclusionTarget::Email(e) => json!({ "email": e }),
    }
}

/// Decoders for the fixture test (typed responses of every documented example).
#[cfg(any(test, feature = "testing"))]
pub mod decode {
    use super::*;

    /// Decodes a full envelope body of `get_image_upload_policy_token`.
    pub fn image_policy(body: &[u8]) -> Result<ImageUploadPolicy, Error> {
        let data = crate::wire::interpret("fixture", 200, body, None, None)?;
        let w: WireImagePolicy = decode_data("fixture", data)?;
        Ok(ImageUploadPolicy {
            access_id: w.access_id,
            host: w.host,
            expire: w.expire.unwrap_or(0),
            signature: w.signature.into(),
            policy: w.policy,
            dir: w.dir,
            callback: w.callback,
        })
    }

    /// Decodes a `get_rating` body.
    pub fn rating(body: &[u8]) -> Result<RatingSummary, Error> {
        let data = crate::wire::interpret("fixture", 200, body, None, None)?;
        Ok(decode_data::<WireRating>("fixture", data)?.into_domain())
    }

    /// Decodes a webhook body (create/update).
    pub fn webhook(body: &[u8]) -> Result<Webhook, Error> {
        let data = crate::wire::interpret("fixture", 200, body, None, None)?;
        Ok(decode_data::<WireWebhook>("fixture", data)?.into_domain())
    }

    /// Decodes a `get_shop_webhooks` body.
    pub fn webhook_list(body: &[u8]) -> Result<Vec<Webhook>, Error> {
        let data = crate::wire::interpret("fixture", 200, body, None, None)?;
        Ok(decode_data::<WireWebhookList>("fixture", data)?.into_domain())
    }

    /// Decodes a `create_customer_exclude` body.
    pub fn exclusion(body: &[u8]) -> Result<CustomerExclusion, Error> {
        let data = crate::wire::interpret("fixture", 200, body, None, None)?;
        Ok(decode_data::<WireExclusion>("fixture", data)?.into_domain())
    }

    /// Decodes a `get_reviews` body.
    pub fn review_page(body: &[u8]) -> Result<Page<Review>, Error> {
        let data = crate::wire::interpret("fixture", 200, body, None, None)?;
        Ok(
            decode_data::<WirePage<WireReview>>("fixture", data)?.into_domain(
                1,
                20,
                WireReview::into_domain,
            ),
        )
    }

    /// Decodes a `create_review` body.
    pub fn created_review(body: &[u8]) -> Result<CreatedReview, Error> {
        let data = crate::wire::interpret("fixture", 200, body, None, None)?;
        let c: WireCreated = decode_data("fixture", data)?;
        Ok(CreatedReview { id: c.id.into() })
    }

    /// Decodes a body expected to carry no data (disconnect, unsubscribe, revoke `{}`).
    pub fn empty(body: &[u8]) -> Result<(), Error> {
        crate::wire::interpret("fixture", 200, body, None, None).map(|_| ())
    }
}
