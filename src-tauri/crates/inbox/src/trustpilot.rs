//! Trustpilot as a [`ReviewSource`]: a business unit's private service reviews, read by page
//! number, and one private review. Trustpilot lets a business answer, tag and invite, but never
//! delete a review nor exclude a customer: those queued actions are refused in words.
//!
//! How the sync meets Trustpilot (issue 16: "a first pass over every private service review
//! (`createdat.asc`, 100 a page), then new ones by creation date with an overlap, plus a regular
//! re-scan of the recent window"; Trustpilot has no "updated since"). The least invasive design
//! on the provider-neutral engine, chosen here:
//! * **Full passes** (the first one, a resumed one, the interval's deletion sweep) read
//!   `createdat.asc`, 100 a page ([`ReviewSource::full_pass_pages`]): a new review lands on the
//!   last page, so page numbers stay put while a pass runs, a pass cut off resumes at its page
//!   without skipping a review, and reviews written during the pass are read by it.
//! * **Incremental syncs** read `createdat.desc` pages ([`ReviewSource::newest_pages`]) until
//!   one holds a known review **and** its oldest review is older than [`RESCAN_WINDOW`]
//!   ([`ReviewSource::rescan_window`]): the window is both the overlap and the re-scan, so a
//!   reply, an edit, a new tag or a report on a review of the last two weeks shows up at the
//!   next poll (the store's upsert rewrites a known review's reply, tags and details). Choice
//!   (UNKNOWN how long replies keep coming): 14 days, where most replies and reports happen;
//!   older changes arrive with the interval's full pass.
//! * Trustpilot sends no total with a page (trustpilot-api.md §1.3): `total: None`, so the
//!   engine's count check that notices deletions is skipped and the interval's full pass sweeps
//!   them.

use std::time::Duration;

use futures::stream::{self, BoxStream, StreamExt};
use reviewdesk_core::{
    ActionKind, FindReviewer, FindReviewerAnswer, FindReviewerRequest, ProductId, Provider,
    ProviderDetails, QueuedAction, Review, ReviewId, ReviewReply, ReviewTag, TrustpilotDetails,
    TrustpilotId,
};
use reviewdesk_trustpilot::wire::{ReviewStatus, ServiceReview, Tag};
use reviewdesk_trustpilot::{
    Error as ApiError, NewReply, OrderBy, ProductReviewQuery, ReviewQuery, TrustpilotClient,
};

use crate::actions::{payload_str, payload_tags};
use crate::product_reviews::{
    apply_conversation, carry_conversation, conversation_state_landed, is_product_answer,
    product_answer_landed, product_review_from, read_product_review, send_conversation_state,
    send_product_answer,
};

use crate::source::{
    PagePosition, ReviewSource, SourceError, SourceErrorKind, SourceFuture, SourcePage,
};

/// The provider's name in sentences.
const TRUSTPILOT: &str = Provider::Trustpilot.name();

/// How far back an incremental sync reads again for replies, edits, tags and reports.
pub const RESCAN_WINDOW: Duration = Duration::from_secs(14 * 86_400);

impl From<ApiError> for SourceError {
    fn from(e: ApiError) -> Self {
        let kind = match &e {
            ApiError::Network { .. } => SourceErrorKind::Unreachable,
            ApiError::RateLimited { retry_after } => SourceErrorKind::RateLimited {
                retry_after: *retry_after,
            },
            ApiError::AuthTooFrequent => SourceErrorKind::RateLimited { retry_after: None },
            ApiError::Server { status } => SourceErrorKind::Server {
                error: i64::from(*status),
                transient: e.is_transient(),
            },
            ApiError::Decode { .. } => SourceErrorKind::Undecodable,
            ApiError::Unauthorized { .. }
            | ApiError::NotSignedIn
            | ApiError::InvalidGrant
            | ApiError::InvalidClient => SourceErrorKind::Unauthorized,
            ApiError::Forbidden | ApiError::BlockedByCdn => SourceErrorKind::Forbidden,
            ApiError::NotFound => SourceErrorKind::NotFound,
            ApiError::Validation { message } => SourceErrorKind::Refused {
                message: message.clone(),
            },
            _ => SourceErrorKind::Other,
        };
        SourceError::new(TRUSTPILOT, kind, e.to_string()).with_origin(e)
    }
}

/// A business unit's reviews as the inbox reads them.
#[derive(Debug, Clone)]
pub struct TrustpilotSource {
    client: TrustpilotClient,
    unit: TrustpilotId,
}

impl TrustpilotSource {
    /// The reviews of `unit`, read with `client` (whose door renews tokens and keeps to the
    /// call budget).
    pub fn new(client: TrustpilotClient, unit: TrustpilotId) -> Self {
        Self { client, unit }
    }
}

impl TrustpilotSource {
    /// Every page of the unit's private reviews in `order`, from `from` on (a page number;
    /// `Newest` is page 1), `concurrency` pages in flight, yielded in order.
    fn pages(
        &self,
        order: OrderBy,
        from: &PagePosition,
        page_size: u32,
        concurrency: usize,
    ) -> BoxStream<'static, Result<SourcePage, SourceError>> {
        let first = match from {
            PagePosition::Newest => 1,
            PagePosition::Page(n) => (*n).max(1),
            other => {
                let error = SourceError::new(
                    TRUSTPILOT,
                    SourceErrorKind::Other,
                    format!("Trustpilot's reviews are read by page number, not by {other:?}"),
                );
                return stream::once(async move { Err(error) }).boxed();
            }
        };
        let query = ReviewQuery {
            per_page: page_size,
            order_by: Some(order),
            ..ReviewQuery::default()
        };
        let per_page = query.effective_per_page();
        let (client, unit) = (self.client.clone(), self.unit.clone());
        // Pages are asked `concurrency` at a time, in order; the walk ends after the first page
        // that is short or has no `next-page` link (the pages asked beyond it are dropped).
        stream::iter(first..)
            .map(move |page| {
                let (client, unit, query) = (client.clone(), unit.clone(), query.clone());
                async move {
                    let got = client
                        .private_reviews_page(unit.as_str(), &query, page)
                        .await;
                    (page, got)
                }
            })
            .buffered(concurrency.max(1))
            .scan(false, move |ended, (page, got)| {
                if *ended {
                    return futures::future::ready(None);
                }
                let item = match got {
                    Ok(p) => {
                        *ended = !p.has_next(per_page);
                        Ok(SourcePage {
                            at: PagePosition::Page(page),
                            // A stopped pass asks this page again (a page number, no token).
                            next: None,
                            total: None,
                            reviews: p.reviews.into_iter().map(review_from).collect(),
                        })
                    }
                    Err(e) => {
                        *ended = true;
                        Err(SourceError::from(e))
                    }
                };
                futures::future::ready(Some(item))
            })
            .boxed()
    }
}

/// "2026-12-06 10:30:00" (UTC), the form reply dates are shown and exported in.
pub(crate) fn stamp(unix: Option<i64>) -> String {
    unix.and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
        .map(|t| {
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            )
        })
        .unwrap_or_default()
}

/// A Trustpilot service review as the inbox keeps it: a store review (no product), the
/// business's reply, tags, and Trustpilot's own fields.
pub fn review_from(r: ServiceReview) -> Review {
    let created = r.created_at.unwrap_or(0);
    let reply = r.company_reply.filter(|c| !c.text.is_empty()).map(|c| {
        let updated = c.updated_at.filter(|u| Some(*u) != c.created_at);
        ReviewReply {
            content: c.text,
            reply_at: stamp(c.created_at),
            author: c.author_business_user_id,
            updated_at: updated.map(|u| stamp(Some(u))),
        }
    });
    let (report_status, report_reasons) = match r.status {
        ReviewStatus::Active => ("active".to_owned(), Vec::new()),
        ReviewStatus::Reported => (
            "reported".to_owned(),
            r.report_data.map(|d| d.reasons).unwrap_or_default(),
        ),
        ReviewStatus::Other(s) => (s, Vec::new()),
    };
    Review {
        id: ReviewId::from(r.id.as_str()),
        product_id: ProductId::from("0"),
        product_title: String::new(),
        product_handle: String::new(),
        is_store_review: true,
        rating: r.stars,
        author: r.consumer.display_name,
        author_country: r.consumer.display_location.unwrap_or_default(),
        title: r.title,
        content: r.text,
        is_verified: r.is_verified,
        commented_at: created,
        updated_at: r.updated_at.unwrap_or(created),
        media: Vec::new(),
        reply,
        tags: r
            .tags
            .into_iter()
            .map(|t| ReviewTag {
                group: t.group,
                value: t.value,
            })
            .collect(),
        details: ProviderDetails::Trustpilot(TrustpilotDetails {
            source: r.source.unwrap_or_default(),
            reference_id: r.reference_id,
            referral_email: r.referral_email,
            report_status,
            report_reasons,
            language: r.language,
            consumer_id: TrustpilotId::parse(&r.consumer.id).ok(),
            find_reviewer: r.find_reviewer.map(find_reviewer_from),
            product: None,
        }),
    }
}

/// Trustpilot's `findReviewer` as the inbox keeps it.
fn find_reviewer_from(f: reviewdesk_trustpilot::wire::FindReviewer) -> FindReviewer {
    FindReviewer {
        eligible: f.is_eligible,
        requests: f
            .requests
            .into_iter()
            .map(|q| FindReviewerRequest {
                id: q.id,
                status: q.status,
                created_at: q.created.map(|t| stamp(Some(t))),
                message: q.business_user_message,
                answer: q.consumer_response.map(|a| FindReviewerAnswer {
                    reference_id: a.reference_id,
                    name: a.name,
                    email: a.email,
                    phone: a.phone_number,
                    address: a.address,
                    message: a.message,
                    submitted_at: a.submitted_at.map(|t| stamp(Some(t))),
                }),
            })
            .collect(),
    }
}

impl ReviewSource for TrustpilotSource {
    fn provider(&self) -> &'static str {
        TRUSTPILOT
    }

    fn rescan_window(&self) -> Option<Duration> {
        Some(RESCAN_WINDOW)
    }

    fn newest_pages(
        &self,
        from: &PagePosition,
        page_size: u32,
        concurrency: usize,
    ) -> BoxStream<'static, Result<SourcePage, SourceError>> {
        self.pages(OrderBy::CreatedAtDesc, from, page_size, concurrency)
    }

    fn full_pass_pages(
        &self,
        from: &PagePosition,
        page_size: u32,
        concurrency: usize,
    ) -> BoxStream<'static, Result<SourcePage, SourceError>> {
        self.pages(OrderBy::CreatedAtAsc, from, page_size, concurrency)
    }

    fn position_after(&self, stored: u64, page_size: u32) -> Option<(PagePosition, u64)> {
        // Pages are asked at most 100 long, whatever the inbox's page size.
        let page_size = page_size.clamp(1, reviewdesk_trustpilot::query::MAX_PER_PAGE);
        Some(crate::trustoo::page_holding(stored, page_size))
    }

    /// The unit's product reviews, every state, 100 a page (see `product_reviews.rs`). A unit
    /// Trustpilot refuses them for (`403`: no product reviews on its plan; `404`) has none,
    /// which ends the listing without failing the sync of its service reviews.
    fn listed_apart(&self) -> Option<BoxStream<'static, Result<SourcePage, SourceError>>> {
        let pager = self
            .client
            .private_product_reviews(self.unit.as_str(), ProductReviewQuery::every_state());
        let pages = stream::unfold(Some(pager), |pager| async move {
            let mut pager = pager?;
            let at = PagePosition::Page(pager.next_page_number()?);
            match pager.next_page().await {
                Ok(Some(reviews)) => {
                    let page = SourcePage {
                        at,
                        next: None,
                        total: None,
                        reviews: reviews
                            .into_iter()
                            .map(|r| product_review_from(r, None))
                            .collect(),
                    };
                    Some((Ok(page), Some(pager)))
                }
                Ok(None) => None,
                Err(ApiError::Forbidden | ApiError::NotFound) => {
                    tracing::info!("Trustpilot lists no product reviews for this business unit");
                    None
                }
                Err(e) => Some((Err(SourceError::from(e)), None)),
            }
        });
        Some(pages.boxed())
    }

    fn complete(&self, mut listed: Review, stored: Option<Review>) -> SourceFuture<'_, Review> {
        Box::pin(async move {
            if carry_conversation(&mut listed, stored.as_ref()) {
                return Ok(listed);
            }
            let cid = listed
                .product_review()
                .and_then(|p| p.conversation_id.clone())
                .unwrap_or_default();
            let conversation = self.client.conversation(&cid).await?;
            apply_conversation(&mut listed, &conversation);
            Ok(listed)
        })
    }

    /// A service review, else a product review of that id (the two have ids of their own,
    /// and the inbox holds both: a product review costs one `404` more to read).
    fn review<'a>(&'a self, id: &'a ReviewId) -> SourceFuture<'a, Review> {
        Box::pin(async move {
            match self.client.private_review(id.as_str()).await {
                Ok(review) => Ok(review_from(review)),
                Err(ApiError::NotFound) => {
                    Ok(read_product_review(&self.client, id.as_str()).await?)
                }
                Err(e) => Err(e.into()),
            }
        })
    }

    fn send<'a>(&'a self, action: &'a QueuedAction) -> SourceFuture<'a, ()> {
        Box::pin(async move {
            let p = &action.payload;
            let review_id = || {
                payload_str(p, "review_id").ok_or_else(|| {
                    SourceError::new(
                        TRUSTPILOT,
                        SourceErrorKind::Refused {
                            message: "the queued answer names no review".into(),
                        },
                        "the queued answer names no review",
                    )
                })
            };
            match action.kind {
                ActionKind::PostReply if is_product_answer(p) => {
                    return Ok(send_product_answer(&self.client, review_id()?, p).await?);
                }
                ActionKind::SetConversationState => {
                    return Ok(send_conversation_state(&self.client, p).await?);
                }
                ActionKind::PostReply => {
                    let reply = NewReply {
                        message: payload_str(p, "message").unwrap_or_default().to_owned(),
                        author_business_user_id: payload_str(p, "author_business_user_id")
                            .map(str::to_owned),
                        submitted_at: None,
                    };
                    return Ok(self.client.reply(review_id()?, &reply).await?);
                }
                ActionKind::DeleteReply => {
                    return match self.client.delete_reply(review_id()?).await {
                        // Nothing to take down: what the merchant wanted is already so.
                        Err(ApiError::NotFound) => Ok(()),
                        other => Ok(other?),
                    };
                }
                ActionKind::AddTags => {
                    let tags: Vec<Tag> = wire_tags(p);
                    return Ok(self.client.add_tags(review_id()?, &tags).await?);
                }
                ActionKind::RemoveTag => {
                    let Some(tag) = wire_tags(p).into_iter().next() else {
                        return Ok(());
                    };
                    return Ok(self.client.remove_tag(review_id()?, &tag).await?);
                }
                ActionKind::FindReviewer => {
                    let message = payload_str(p, "message");
                    return Ok(self.client.find_reviewer(review_id()?, message).await?);
                }
                _ => {}
            }
            let what = match action.kind {
                ActionKind::DeleteReview => "delete a review",
                ActionKind::CreateReview => "write a review in its own name",
                ActionKind::CreateExclusion | ActionKind::DeleteExclusion => {
                    "exclude a customer from review requests"
                }
                ActionKind::Unsubscribe => "unsubscribe a customer from review emails",
                ActionKind::PostReply
                | ActionKind::DeleteReply
                | ActionKind::AddTags
                | ActionKind::RemoveTag
                | ActionKind::FindReviewer
                | ActionKind::SetConversationState => "answer or tag a review",
            };
            let sentence = format!(
                "Trustpilot does not let a business {what}: a Trustpilot review can be answered, \
                 tagged or reported, not deleted."
            );
            Err(SourceError::new(
                TRUSTPILOT,
                SourceErrorKind::Refused {
                    message: sentence.clone(),
                },
                sentence,
            ))
        })
    }

    /// A reply sent before landed when the review now carries it (its text, or none after a
    /// delete): read back from Trustpilot, which is also how the docs say to learn the reply.
    fn landed<'a>(&'a self, action: &'a QueuedAction) -> SourceFuture<'a, bool> {
        Box::pin(async move {
            let p = &action.payload;
            let Some(id) = payload_str(p, "review_id") else {
                return Ok(false);
            };
            match action.kind {
                ActionKind::PostReply if is_product_answer(p) => {
                    Ok(product_answer_landed(&self.client, id, p).await?)
                }
                ActionKind::SetConversationState => {
                    Ok(conversation_state_landed(&self.client, p).await?)
                }
                ActionKind::PostReply => {
                    let review = self.client.private_review(id).await?;
                    let want = payload_str(p, "message").unwrap_or_default().trim();
                    Ok(review.company_reply.is_some_and(|r| r.text.trim() == want))
                }
                ActionKind::DeleteReply => {
                    let review = self.client.private_review(id).await?;
                    Ok(!review.has_reply())
                }
                ActionKind::AddTags => {
                    let review = self.client.private_review(id).await?;
                    Ok(wire_tags(p).iter().all(|t| review.tags.contains(t)))
                }
                ActionKind::RemoveTag => {
                    let review = self.client.private_review(id).await?;
                    Ok(!wire_tags(p).iter().any(|t| review.tags.contains(t)))
                }
                // Landed when the review lists more requests than it did when this was queued.
                ActionKind::FindReviewer => {
                    let review = self.client.private_review(id).await?;
                    let before = p
                        .get("requests_before")
                        .and_then(serde_json::Value::as_u64)
                        .unwrap_or(0);
                    let now = review.find_reviewer.map_or(0, |f| f.requests.len());
                    Ok(now as u64 > before)
                }
                _ => Ok(false),
            }
        })
    }
}

/// The tags a queued tag action names, as Trustpilot spells them (`tags: [{group, value}]`, or
/// one `group` + `value`).
fn wire_tags(p: &serde_json::Value) -> Vec<Tag> {
    payload_tags(p)
        .into_iter()
        .map(|t| Tag {
            group: t.group,
            value: t.value,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reviewdesk_core::{AccountKey, ActionState};
    use reviewdesk_trustpilot::{BaseUrls, ClientConfig, Credential, NetworkKind, Secret};

    fn kind(e: ApiError) -> SourceErrorKind {
        SourceError::from(e).kind().clone()
    }

    #[test]
    fn trustpilot_errors_map_to_the_kinds_the_engine_and_the_queue_branch_on() {
        let network = ApiError::Network {
            kind: NetworkKind::Connect,
            source: None,
        };
        assert_eq!(kind(network), SourceErrorKind::Unreachable);
        assert_eq!(
            kind(ApiError::RateLimited {
                retry_after: Some(Duration::from_secs(3))
            }),
            SourceErrorKind::RateLimited {
                retry_after: Some(Duration::from_secs(3))
            }
        );
        assert_eq!(
            kind(ApiError::Unauthorized {
                credential: Credential::AccessToken
            }),
            SourceErrorKind::Unauthorized
        );
        assert_eq!(kind(ApiError::Forbidden), SourceErrorKind::Forbidden);
        assert_eq!(kind(ApiError::NotFound), SourceErrorKind::NotFound);
        assert_eq!(
            kind(ApiError::Validation {
                message: "the reply is empty".into()
            }),
            SourceErrorKind::Refused {
                message: "the reply is empty".into()
            }
        );
        assert_eq!(
            kind(ApiError::Server { status: 503 }),
            SourceErrorKind::Server {
                error: 503,
                transient: true
            }
        );
        assert_eq!(
            kind(ApiError::Server { status: 418 }),
            SourceErrorKind::Server {
                error: 418,
                transient: false
            }
        );
        assert_eq!(
            kind(ApiError::Decode {
                context: "private_reviews",
                detail: "Syntax error at line 1 column 2".into()
            }),
            SourceErrorKind::Undecodable
        );
        // The sentence is the client's own (never a body or a secret).
        let e = SourceError::from(ApiError::NotFound);
        assert_eq!(e.to_string(), "Not found on Trustpilot.");
        assert_eq!(e.provider(), "Trustpilot");
    }

    #[tokio::test]
    async fn what_trustpilot_cannot_do_is_refused_in_a_sentence_and_never_landed() {
        let client = TrustpilotClient::new(ClientConfig::new(
            BaseUrls::production(),
            Secret::new("key"),
            None,
        ))
        .expect("a client");
        let unit = TrustpilotId::parse("46d6a890000064000500e0c3").expect("an id");
        let source = TrustpilotSource::new(client, unit.clone());
        let action = QueuedAction {
            id: 1,
            account: AccountKey::trustpilot(&unit),
            kind: ActionKind::DeleteReview,
            payload: serde_json::json!({"id": "r1"}),
            state: ActionState::Pending,
            attempts: 0,
            last_error: None,
            idempotency_key: "k".into(),
            created_at: 0,
            updated_at: 0,
        };
        let e = source.send(&action).await.expect_err("refused");
        assert!(matches!(e.kind(), SourceErrorKind::Refused { .. }));
        assert!(!e.is_transient());
        assert_eq!(
            e.to_string(),
            "Trustpilot does not let a business delete a review: a Trustpilot review can be \
             answered, tagged or reported, not deleted."
        );
        assert!(!source.landed(&action).await.expect("an answer"));
    }
}
