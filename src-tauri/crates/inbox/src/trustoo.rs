//! Trustoo as a [`ReviewSource`]: `get_reviews` newest-first by page number, `get_review`, and
//! the write calls of the queued actions (delete, exclusions, unsubscribe).
//!
//! Why here and not in `reviewdesk-trustoo`: that crate stays a faithful, standalone API
//! client; what the inbox needs from it (and how its errors read to the queue) is the inbox's.

use futures::stream::{BoxStream, StreamExt};
use reviewdesk_core::{ActionKind, Provider, QueuedAction, Review, ReviewId};
use reviewdesk_trustoo::types::{ExclusionTarget as ApiTarget, ReviewQuery, SortOrder};
use reviewdesk_trustoo::{Error as ApiError, TrustooClient};
use serde_json::Value;

use crate::actions::{parse_email_type, payload_str};
use crate::source::{
    PagePosition, ReviewSource, SourceError, SourceErrorKind, SourceFuture, SourcePage,
};

/// The provider's name in sentences.
const TRUSTOO: &str = Provider::Trustoo.name();

impl From<ApiError> for SourceError {
    fn from(e: ApiError) -> Self {
        let kind = match &e {
            ApiError::Network { .. } => SourceErrorKind::Unreachable,
            ApiError::RateLimited { retry_after } => SourceErrorKind::RateLimited {
                retry_after: *retry_after,
            },
            ApiError::Server { status, code } => SourceErrorKind::Server {
                // An error envelope inside an HTTP 200 names its code instead.
                error: match code {
                    Some(code) if *status < 500 => *code,
                    _ => i64::from(*status),
                },
                transient: e.is_transient(),
            },
            ApiError::Decode { .. } => SourceErrorKind::Undecodable,
            ApiError::Unauthorized { .. } => SourceErrorKind::Unauthorized,
            ApiError::Forbidden { .. } => SourceErrorKind::Forbidden,
            ApiError::NotFound => SourceErrorKind::NotFound,
            ApiError::AlreadyExists => SourceErrorKind::AlreadyExists,
            ApiError::Validation { message } => SourceErrorKind::Refused {
                message: message.clone(),
            },
            // Storage, a local file, the configuration, and whatever Trustoo's client adds.
            _ => SourceErrorKind::Other,
        };
        SourceError::new(TRUSTOO, kind, e.to_string()).with_origin(e)
    }
}

/// The exclusion target of a queued action's payload.
fn api_target(payload: &Value) -> Option<ApiTarget> {
    if let Some(email) = payload_str(payload, "email") {
        return Some(ApiTarget::Email(email.to_owned()));
    }
    payload_str(payload, "customer_id").map(|c| ApiTarget::CustomerId(c.into()))
}

/// The API call of an action.
async fn call(client: &TrustooClient, action: &QueuedAction) -> Result<(), ApiError> {
    let p = &action.payload;
    let bad = |what: &str| ApiError::Validation {
        message: format!("the queued action has no {what}"),
    };
    match action.kind {
        ActionKind::DeleteReview => {
            let id = payload_str(p, "id").ok_or_else(|| bad("review id"))?;
            client.delete_review(&ReviewId::from(id)).await
        }
        ActionKind::CreateExclusion => {
            let target = api_target(p).ok_or_else(|| bad("email or customer id"))?;
            client.create_exclusion(&target).await.map(|_| ())
        }
        ActionKind::DeleteExclusion => {
            let target = api_target(p).ok_or_else(|| bad("email or customer id"))?;
            client.delete_exclusion(&target).await
        }
        ActionKind::Unsubscribe => {
            let email = payload_str(p, "email").ok_or_else(|| bad("email"))?;
            let kind = payload_str(p, "email_type")
                .and_then(parse_email_type)
                .ok_or_else(|| bad("known email type"))?;
            client.email_unsubscribe(email, kind).await
        }
        ActionKind::CreateReview => Err(ApiError::Config(
            "create_review actions are sent by the composer".into(),
        )),
        // The Open API answers a review only as part of creating it (trustoo-api.md).
        ActionKind::PostReply | ActionKind::DeleteReply => Err(ApiError::Validation {
            message: "Trustoo has no way to answer an existing review".into(),
        }),
        ActionKind::AddTags | ActionKind::RemoveTag => Err(ApiError::Validation {
            message: "Trustoo reviews have no tags".into(),
        }),
        ActionKind::FindReviewer => Err(ApiError::Validation {
            message: "Trustoo has no Find Reviewer".into(),
        }),
        ActionKind::SetConversationState => Err(ApiError::Validation {
            message: "Trustoo reviews have no conversations".into(),
        }),
    }
}

/// Whether an action sent before already took effect on Trustoo.
async fn landed(client: &TrustooClient, action: &QueuedAction) -> Result<bool, ApiError> {
    let p = &action.payload;
    match action.kind {
        ActionKind::DeleteReview => {
            let Some(id) = payload_str(p, "id") else {
                return Ok(false);
            };
            match client.get_review(&ReviewId::from(id)).await {
                Ok(_) => Ok(false),
                Err(ApiError::NotFound) => Ok(true),
                Err(e) => Err(e),
            }
        }
        ActionKind::CreateExclusion => find_exclusion(client, p).await,
        ActionKind::DeleteExclusion => Ok(!find_exclusion(client, p).await?),
        // Unsubscribing twice leaves the same state on Trustoo, so it is simply sent again.
        ActionKind::Unsubscribe
        | ActionKind::CreateReview
        | ActionKind::PostReply
        | ActionKind::DeleteReply
        | ActionKind::AddTags
        | ActionKind::RemoveTag
        | ActionKind::FindReviewer
        | ActionKind::SetConversationState => Ok(false),
    }
}

/// Whether the exclusion list holds the payload's email / customer id.
async fn find_exclusion(client: &TrustooClient, p: &Value) -> Result<bool, ApiError> {
    let email = payload_str(p, "email").map(str::to_lowercase);
    let customer = payload_str(p, "customer_id").map(str::to_owned);
    let mut pages = client.exclusion_pages(100, 2);
    while let Some(page) = pages.next().await {
        let page = page?;
        let hit = page.list.iter().any(|x| {
            email
                .as_deref()
                .is_some_and(|e| x.email.to_lowercase() == e)
                || customer
                    .as_deref()
                    .is_some_and(|c| x.customer_id.as_str() == c)
        });
        if hit {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The page (of `page_size`) holding the `stored`-th review, and how many reviews precede it.
pub(crate) fn page_holding(stored: u64, page_size: u32) -> (PagePosition, u64) {
    let page_size = page_size.max(1);
    let first = stored.saturating_sub(1) / u64::from(page_size) + 1;
    let first = u32::try_from(first).unwrap_or(u32::MAX);
    (
        PagePosition::Page(first),
        u64::from(first - 1) * u64::from(page_size),
    )
}

impl ReviewSource for TrustooClient {
    fn provider(&self) -> &'static str {
        TRUSTOO
    }

    fn as_trustoo(&self) -> Option<&TrustooClient> {
        Some(self)
    }

    /// `get_reviews` created-descending: the first page alone (it tells `total_page`), then
    /// the rest with bounded concurrency, in order (the client's pager).
    fn newest_pages(
        &self,
        from: &PagePosition,
        page_size: u32,
        concurrency: usize,
    ) -> BoxStream<'static, Result<SourcePage, SourceError>> {
        let first = match from {
            PagePosition::Newest => 1,
            PagePosition::Page(n) => *n,
            other => {
                let error = SourceError::new(
                    TRUSTOO,
                    SourceErrorKind::Other,
                    format!("Trustoo pages by page number, not by {other:?}"),
                );
                return futures::stream::once(async move { Err(error) }).boxed();
            }
        };
        let query = ReviewQuery::new()
            .sort(SortOrder::CreatedDescending)
            .page_size(page_size);
        self.review_pages_from(query, first, concurrency)
            .map(|page| {
                page.map(|p| SourcePage {
                    at: PagePosition::Page(p.page.page),
                    // Asked again on resume: a page number shifts as reviews arrive.
                    next: None,
                    total: Some(p.page.count),
                    reviews: p.list,
                })
                .map_err(SourceError::from)
            })
            .boxed()
    }

    /// The page holding the last stored review (asked again, in case the listing moved).
    fn position_after(&self, stored: u64, page_size: u32) -> Option<(PagePosition, u64)> {
        Some(page_holding(stored, page_size))
    }

    fn review<'a>(&'a self, id: &'a ReviewId) -> SourceFuture<'a, Review> {
        Box::pin(async move { Ok(self.get_review(id).await?) })
    }

    fn send<'a>(&'a self, action: &'a QueuedAction) -> SourceFuture<'a, ()> {
        Box::pin(async move { Ok(call(self, action).await?) })
    }

    fn landed<'a>(&'a self, action: &'a QueuedAction) -> SourceFuture<'a, bool> {
        Box::pin(async move { Ok(landed(self, action).await?) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trustoo_errors_keep_their_sentence_and_read_as_the_queue_needs() {
        let e = SourceError::from(ApiError::Server {
            status: 200,
            code: Some(13),
        });
        assert_eq!(
            e.kind(),
            &SourceErrorKind::Server {
                error: 13,
                transient: true
            }
        );
        assert_eq!(e.to_string(), "Trustoo server error (HTTP 200, code 13)");
        let e = SourceError::from(ApiError::Server {
            status: 302,
            code: None,
        });
        assert!(!e.is_transient());
        assert!(matches!(
            SourceError::from(ApiError::NotFound).into_origin::<ApiError>(),
            Ok(ApiError::NotFound)
        ));
        let refused = SourceError::from(ApiError::Validation {
            message: "bad email".into(),
        });
        assert_eq!(
            refused.kind(),
            &SourceErrorKind::Refused {
                message: "bad email".into()
            }
        );
        assert_eq!(
            refused.to_string(),
            "Trustoo rejected the request: bad email"
        );
    }

    #[test]
    fn a_stopped_pass_continues_at_the_page_of_its_last_stored_review() {
        assert_eq!(page_holding(300, 100), (PagePosition::Page(3), 200));
        assert_eq!(page_holding(301, 100), (PagePosition::Page(4), 300));
        assert_eq!(page_holding(0, 100), (PagePosition::Page(1), 0));
        assert_eq!(page_holding(250, 0), (PagePosition::Page(250), 249));
    }
}
