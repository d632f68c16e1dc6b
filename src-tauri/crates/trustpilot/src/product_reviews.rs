//! Product reviews (§1.8) and answering them: a business answers a product review through a
//! conversation (created once per review), by posting a comment in it. Every call is a `Call`
//! through the door, like the service-review endpoints in `api.rs`.

use serde_json::{json, Value};

use crate::api::segment;
use crate::client::TrustpilotClient;
use crate::door::{Call, Method};
use crate::error::Error;
use crate::query::ProductReviewQuery;
use crate::retry::CallKind;
use crate::wire::{
    Comment, Conversation, ConversationState, CreatedConversation, ProductReview, ProductReviewPage,
};

/// A comment to post in (or to replace one of) a product review's conversation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewComment {
    /// The text.
    pub content: String,
    /// An id naming the integration that wrote it (optional, SEEN-DOC `integrationId`).
    pub integration_id: Option<String>,
}

impl NewComment {
    /// A comment with this text and no integration id.
    pub fn new(content: impl Into<String>) -> Self {
        Self {
            content: content.into(),
            integration_id: None,
        }
    }

    fn body(&self) -> Result<Value, Error> {
        if self.content.trim().is_empty() {
            return Err(Error::Validation {
                message: "the comment is empty".into(),
            });
        }
        let mut body = json!({ "content": self.content });
        if let Some(id) = &self.integration_id {
            body["integrationId"] = Value::String(id.clone());
        }
        Ok(body)
    }
}

/// What answering a product review did: the conversation it went to, whether this call had to
/// create it, and the posted comment as Trustpilot answered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductReply {
    /// The review's conversation.
    pub conversation_id: String,
    /// True when the review had none and this call created it.
    pub created_conversation: bool,
    /// The comment posted.
    pub comment: Comment,
}

fn conversation_path(conversation_id: &str) -> Result<String, Error> {
    Ok(format!(
        "v1/private/conversations/{}",
        segment(conversation_id)?
    ))
}

impl TrustpilotClient {
    /// One page (from 1) of a unit's private product reviews
    /// (`GET /v1/private/product-reviews/business-units/{id}/reviews`). Only `published` ones
    /// unless the query names states.
    pub async fn private_product_reviews_page(
        &self,
        unit_id: &str,
        query: &ProductReviewQuery,
        page: u32,
    ) -> Result<ProductReviewPage, Error> {
        self.door
            .fetch(Call::private_get(
                "private_product_reviews",
                format!(
                    "v1/private/product-reviews/business-units/{}/reviews",
                    segment(unit_id)?
                ),
                query.to_pairs(page),
            ))
            .await
    }

    /// Walks every page of a unit's product reviews matching `query`.
    pub fn private_product_reviews(
        &self,
        unit_id: &str,
        query: ProductReviewQuery,
    ) -> ProductReviewPager {
        ProductReviewPager {
            client: self.clone(),
            unit_id: unit_id.to_owned(),
            query,
            next: Some(1),
        }
    }

    /// One product review (`GET /v1/private/product-reviews/{id}`), with its
    /// `conversationId` when the business has answered it.
    pub async fn private_product_review(&self, review_id: &str) -> Result<ProductReview, Error> {
        self.door
            .fetch(Call::private_get(
                "private_product_review",
                format!("v1/private/product-reviews/{}", segment(review_id)?),
                Vec::new(),
            ))
            .await
    }

    /// Opens the conversation a business answers a product review in
    /// (`POST /v1/private/product-reviews/{id}/create-conversation`, no body) and answers its
    /// id. Whether Trustpilot makes a second conversation when one exists is UNKNOWN, so this
    /// is not retried once it may have landed; [`TrustpilotClient::reply_to_product_review`]
    /// calls it only for a review without one.
    pub async fn create_conversation(&self, review_id: &str) -> Result<String, Error> {
        let created: CreatedConversation = self
            .door
            .fetch(Call::private_write(
                "create_conversation",
                Method::POST,
                format!(
                    "v1/private/product-reviews/{}/create-conversation",
                    segment(review_id)?
                ),
                None,
                CallKind::NonIdempotent,
            )?)
            .await?;
        created.into_id().ok_or(Error::Decode {
            context: "create_conversation",
            detail: "the answer names no conversation".into(),
        })
    }

    /// A conversation with its comments (`GET /v1/private/conversations/{id}`).
    pub async fn conversation(&self, conversation_id: &str) -> Result<Conversation, Error> {
        self.door
            .fetch(Call::private_get(
                "conversation",
                conversation_path(conversation_id)?,
                Vec::new(),
            ))
            .await
    }

    /// Posts a comment in a conversation (`POST /v1/private/conversations/{id}/comments`).
    /// `business_user_id` goes in `x-business-user-id`: needed with a client-credentials token
    /// (SEEN-3P), optional with a user's token. Not retried once it may have landed: each post
    /// adds a comment, and a second one would show twice on the review.
    pub async fn post_comment(
        &self,
        conversation_id: &str,
        comment: &NewComment,
        business_user_id: Option<&str>,
    ) -> Result<Comment, Error> {
        let mut call = Call::private_write(
            "post_comment",
            Method::POST,
            format!("{}/comments", conversation_path(conversation_id)?),
            Some(&comment.body()?),
            CallKind::NonIdempotent,
        )?;
        if let Some(user) = business_user_id {
            call.headers
                .push(("x-business-user-id", segment(user)?.to_owned()));
        }
        self.door.fetch(call).await
    }

    /// One comment of a conversation (`GET …/conversations/{id}/comments/{commentId}`).
    pub async fn comment(&self, conversation_id: &str, comment_id: &str) -> Result<Comment, Error> {
        self.door
            .fetch(Call::private_get(
                "comment",
                format!(
                    "{}/comments/{}",
                    conversation_path(conversation_id)?,
                    segment(comment_id)?
                ),
                Vec::new(),
            ))
            .await
    }

    /// Replaces a comment's text (`PUT …/conversations/{id}/comments/{commentId}`). Sending the
    /// same text twice leaves the same comment, so a lost answer is retried like a read. The
    /// success body is UNKNOWN and not read: read the comment again to see it.
    pub async fn update_comment(
        &self,
        conversation_id: &str,
        comment_id: &str,
        comment: &NewComment,
    ) -> Result<(), Error> {
        self.door
            .send(Call::private_write(
                "update_comment",
                Method::PUT,
                format!(
                    "{}/comments/{}",
                    conversation_path(conversation_id)?,
                    segment(comment_id)?
                ),
                Some(&comment.body()?),
                CallKind::Idempotent,
            )?)
            .await
    }

    /// Makes a conversation public or private (`POST …/conversations/{id}/state`). Setting a
    /// state twice changes nothing, so it is retried like a read.
    pub async fn set_conversation_state(
        &self,
        conversation_id: &str,
        state: &ConversationState,
    ) -> Result<(), Error> {
        let body = json!({ "state": state.as_str() });
        self.door
            .send(Call::private_write(
                "set_conversation_state",
                Method::POST,
                format!("{}/state", conversation_path(conversation_id)?),
                Some(&body),
                CallKind::Idempotent,
            )?)
            .await
    }

    /// Answers a product review the documented way (SEEN-3P Pipedream
    /// `reply-to-product-review`): read the review, create its conversation only when
    /// `conversationId` is null, then post the comment.
    ///
    /// When creating the conversation fails in a way that may have landed (a lost answer, a
    /// 5xx, or a refusal because one exists), the review is read once more and a conversation
    /// it now names is used, so a retry never opens a second one. The comment itself is never
    /// posted twice (see [`TrustpilotClient::post_comment`]).
    pub async fn reply_to_product_review(
        &self,
        review_id: &str,
        content: &str,
        business_user_id: Option<&str>,
    ) -> Result<ProductReply, Error> {
        let comment = NewComment::new(content);
        comment.body()?;
        let review = self.private_product_review(review_id).await?;
        let (conversation_id, created_conversation) = match review.conversation_id {
            Some(existing) => (existing, false),
            None => match self.create_conversation(review_id).await {
                Ok(created) => (created, true),
                Err(e) if may_exist_after(&e) => {
                    let again = self.private_product_review(review_id).await;
                    match again.ok().and_then(|r| r.conversation_id) {
                        Some(existing) => (existing, true),
                        None => return Err(e),
                    }
                }
                Err(e) => return Err(e),
            },
        };
        let comment = self
            .post_comment(&conversation_id, &comment, business_user_id)
            .await?;
        Ok(ProductReply {
            conversation_id,
            created_conversation,
            comment,
        })
    }
}

/// Whether a failed create-conversation may have left a conversation behind (or found one):
/// anything but a refusal that proves nothing happened.
fn may_exist_after(e: &Error) -> bool {
    !matches!(
        e,
        Error::Unauthorized { .. }
            | Error::NotSignedIn
            | Error::Forbidden
            | Error::NotFound
            | Error::BlockedByCdn
            | Error::Config(_)
            | Error::RateLimited { .. }
    )
}

/// Walks a unit's product reviews page by page, with the service pager's rule: stop after a
/// short page or one without a `next-page` link.
#[derive(Debug, Clone)]
pub struct ProductReviewPager {
    client: TrustpilotClient,
    unit_id: String,
    query: ProductReviewQuery,
    next: Option<u32>,
}

impl ProductReviewPager {
    /// The next page's reviews, or `None` when the walk is over. After an error the same page
    /// is asked again on the next call.
    pub async fn next_page(&mut self) -> Result<Option<Vec<ProductReview>>, Error> {
        let Some(page) = self.next else {
            return Ok(None);
        };
        let answer = self
            .client
            .private_product_reviews_page(&self.unit_id, &self.query, page)
            .await?;
        self.next = if answer.has_next(self.query.effective_per_page()) {
            page.checked_add(1)
        } else {
            None
        };
        Ok(Some(answer.product_reviews))
    }

    /// The page the next call asks for (`None`: done).
    pub fn next_page_number(&self) -> Option<u32> {
        self.next
    }

    /// Every remaining review, in order.
    pub async fn collect_all(mut self) -> Result<Vec<ProductReview>, Error> {
        let mut all = Vec::new();
        while let Some(page) = self.next_page().await? {
            all.extend(page);
        }
        Ok(all)
    }
}
