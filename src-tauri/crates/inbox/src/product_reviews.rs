//! Trustpilot product reviews in the inbox (issue 17 §3): how one becomes a [`Review`] beside
//! the unit's service reviews, and how the business's answer (a comment in the review's
//! conversation) is sent, checked and read back.
//!
//! Choices where the docs are silent (trustpilot-api.md §1.8):
//! * The listing has no sort and no "since", so the sync reads it whole, every state, at each
//!   sync ([`crate::source::ReviewSource::listed_apart`]); a unit has a fraction as many product
//!   reviews as service ones (the sandbox seeds a fifth), so that is a few calls a poll.
//! * A review lists only its `conversationId`; the conversation (the business's comment and its
//!   public/private state) is read once when the id is new to this computer, then kept. A
//!   comment written elsewhere (Trustpilot Business) into a conversation already known shows
//!   when the review is read again ("Check for an answer", or after an answer from here).
//! * The answer the inbox shows as the review's reply is the business's latest comment.
//! * A review with a `referenceId` (it came from an invitation for an order) counts as verified.

use reviewdesk_core::{
    Media, MediaKind, ProductAttributeRating, ProductId, ProductReviewDetails, ProviderDetails,
    Review, ReviewId, ReviewReply, TrustpilotDetails, TrustpilotId,
};
use reviewdesk_trustpilot::wire::{Comment, Conversation, ConversationState, ProductReview};
use reviewdesk_trustpilot::{Error as ApiError, NewComment, TrustpilotClient};
use serde_json::Value;

use crate::actions::payload_str;
use crate::trustpilot::stamp;

/// The business's latest comment in a conversation: what the inbox shows as the answer.
fn business_comment(conversation: &Conversation) -> Option<&Comment> {
    conversation
        .comments
        .iter()
        .rev()
        .find(|c| c.is_from_business() && !c.content.trim().is_empty())
}

/// A product review as the inbox keeps it: a review of its product (not of the shop), its
/// attachments as photos, and — when `conversation` is given — the business's comment as the
/// reply.
pub fn product_review_from(r: ProductReview, conversation: Option<&Conversation>) -> Review {
    let created = r.created_at.unwrap_or(0);
    let product = r.product.unwrap_or_default();
    let media = r
        .attachments
        .iter()
        .filter_map(|a| {
            let large = a.largest()?;
            let kind = match large.mime_type.as_deref() {
                Some(m) if m.starts_with("video/") => MediaKind::Video,
                _ => MediaKind::Image,
            };
            Some(Media {
                url: large.url.clone(),
                thumbnail_url: a.smallest().map(|s| s.url.clone()).unwrap_or_default(),
                kind,
                is_published: true,
            })
        })
        .collect();
    let attributes = r
        .attribute_ratings
        .iter()
        .map(|a| ProductAttributeRating {
            name: a.attribute_name.clone(),
            option: a.chosen_option().map(str::to_owned),
            rating: a.rating,
        })
        .collect();
    let product_id = if product.id.is_empty() {
        product.sku.clone().unwrap_or_default()
    } else {
        product.id.clone()
    };
    let mut review = Review {
        id: ReviewId::from(r.id.as_str()),
        product_id: ProductId::from(product_id.as_str()),
        product_title: product.name.clone(),
        product_handle: String::new(),
        is_store_review: false,
        rating: r.stars,
        author: r.consumer.name,
        author_country: String::new(),
        title: String::new(),
        content: r.content,
        is_verified: r.reference_id.is_some(),
        commented_at: created,
        updated_at: r.updated_at.unwrap_or(created),
        media,
        reply: None,
        tags: Vec::new(),
        details: ProviderDetails::Trustpilot(TrustpilotDetails {
            source: String::new(),
            reference_id: r.reference_id,
            referral_email: r.consumer.email,
            report_status: "active".into(),
            report_reasons: Vec::new(),
            language: r.language,
            consumer_id: TrustpilotId::parse(&r.consumer.id).ok(),
            find_reviewer: None,
            product: Some(Box::new(ProductReviewDetails {
                state: r.state.as_str().to_owned(),
                sku: product.sku,
                product_url: product.product_url,
                image_url: product.product_images.into_iter().next(),
                brand: product.brand,
                attributes,
                conversation_public: true,
                comment_id: None,
                conversation_id: r.conversation_id,
            })),
        }),
    };
    if let Some(conversation) = conversation {
        apply_conversation(&mut review, conversation);
    }
    review
}

/// The conversation's part of a product review: the business's comment as the reply, its id,
/// and whether the conversation is public.
pub(crate) fn apply_conversation(review: &mut Review, conversation: &Conversation) {
    let comment = business_comment(conversation);
    review.reply = comment.map(|c| ReviewReply {
        content: c.content.clone(),
        reply_at: stamp(c.created_at),
        author: c.author.as_ref().map(|a| a.id.clone()),
        updated_at: c
            .updated_at
            .filter(|u| Some(*u) != c.created_at)
            .map(|u| stamp(Some(u))),
    });
    if let Some(details) = product_details_mut(review) {
        details.conversation_public = conversation.state == ConversationState::Public;
        details.comment_id = comment.map(|c| c.comment_id.clone());
    }
}

/// One product review read whole: the review, and its conversation when it has one.
pub(crate) async fn read_product_review(
    client: &TrustpilotClient,
    id: &str,
) -> Result<Review, ApiError> {
    let review = client.private_product_review(id).await?;
    let conversation = match review.conversation_id.as_deref() {
        Some(cid) => Some(client.conversation(cid).await?),
        None => None,
    };
    Ok(product_review_from(review, conversation.as_ref()))
}

/// A listed product review completed from the copy stored here: the listing names only the
/// conversation's id, so a known conversation keeps the comment and state read before. False
/// when the conversation is new here and must be read.
pub(crate) fn carry_conversation(listed: &mut Review, stored: Option<&Review>) -> bool {
    let Some(new) = product_details_mut(listed) else {
        return true;
    };
    let Some(cid) = new.conversation_id.clone() else {
        return true;
    };
    let Some(old_review) = stored else {
        return false;
    };
    let Some(old) = old_review.product_review() else {
        return false;
    };
    if old.conversation_id.as_deref() != Some(cid.as_str()) {
        return false;
    }
    new.comment_id = old.comment_id.clone();
    new.conversation_public = old.conversation_public;
    listed.reply = old_review.reply.clone();
    true
}

pub(crate) fn product_details_mut(review: &mut Review) -> Option<&mut ProductReviewDetails> {
    match &mut review.details {
        ProviderDetails::Trustpilot(t) => t.product.as_deref_mut(),
        ProviderDetails::Trustoo(_) => None,
    }
}

/// Whether a queued answer is to a product review (sent as a comment, not a reply).
pub(crate) fn is_product_answer(payload: &Value) -> bool {
    payload.get("product").and_then(Value::as_bool) == Some(true)
}

/// Sends a queued answer to a product review: a new comment (the conversation created only
/// when the review has none), or the business's existing comment replaced, then the
/// conversation's state when the merchant changed it.
pub(crate) async fn send_product_answer(
    client: &TrustpilotClient,
    review_id: &str,
    payload: &Value,
) -> Result<(), ApiError> {
    let message = payload_str(payload, "message").unwrap_or_default();
    let conversation = match (
        payload_str(payload, "conversation_id"),
        payload_str(payload, "comment_id"),
    ) {
        (Some(cid), Some(comment_id)) => {
            client
                .update_comment(cid, comment_id, &NewComment::new(message))
                .await?;
            cid.to_owned()
        }
        _ => {
            let author = payload_str(payload, "author_business_user_id");
            client
                .reply_to_product_review(review_id, message, author)
                .await?
                .conversation_id
        }
    };
    if let Some(public) = wanted_state(payload) {
        client
            .set_conversation_state(&conversation, &state_of(public))
            .await?;
    }
    Ok(())
}

/// Whether a product answer sent before is on Trustpilot: the conversation holds a business
/// comment with its words (and the state asked for).
pub(crate) async fn product_answer_landed(
    client: &TrustpilotClient,
    review_id: &str,
    payload: &Value,
) -> Result<bool, ApiError> {
    let review = client.private_product_review(review_id).await?;
    let Some(cid) = review.conversation_id else {
        return Ok(false);
    };
    let conversation = client.conversation(&cid).await?;
    let want = payload_str(payload, "message").unwrap_or_default().trim();
    let worded = conversation
        .comments
        .iter()
        .any(|c| c.is_from_business() && c.content.trim() == want);
    let state_ok = wanted_state(payload)
        .is_none_or(|public| (conversation.state == ConversationState::Public) == public);
    Ok(worded && state_ok)
}

/// The conversation a queued state change is for: the one it names, else the review's (a
/// change queued behind the first answer, offline, was queued before the conversation existed).
async fn conversation_of(client: &TrustpilotClient, payload: &Value) -> Result<String, ApiError> {
    if let Some(cid) = payload_str(payload, "conversation_id") {
        return Ok(cid.to_owned());
    }
    let review_id = payload_str(payload, "review_id").unwrap_or_default();
    client
        .private_product_review(review_id)
        .await?
        .conversation_id
        .ok_or_else(|| ApiError::Validation {
            message: "this review has no answer yet: answer it first, then choose who sees the \
                      conversation"
                .into(),
        })
}

/// Sends a queued change of a conversation's state.
pub(crate) async fn send_conversation_state(
    client: &TrustpilotClient,
    payload: &Value,
) -> Result<(), ApiError> {
    let cid = conversation_of(client, payload).await?;
    let public = wanted_state(payload).unwrap_or(true);
    client.set_conversation_state(&cid, &state_of(public)).await
}

/// Whether a conversation state change sent before took effect.
pub(crate) async fn conversation_state_landed(
    client: &TrustpilotClient,
    payload: &Value,
) -> Result<bool, ApiError> {
    let cid = match conversation_of(client, payload).await {
        Ok(cid) => cid,
        Err(ApiError::Validation { .. }) => return Ok(false),
        Err(e) => return Err(e),
    };
    let conversation = client.conversation(&cid).await?;
    let public = wanted_state(payload).unwrap_or(true);
    Ok((conversation.state == ConversationState::Public) == public)
}

/// The state a queued action asks for (`"public": true|false`), when it asks for one.
fn wanted_state(payload: &Value) -> Option<bool> {
    payload.get("public").and_then(Value::as_bool)
}

fn state_of(public: bool) -> ConversationState {
    if public {
        ConversationState::Public
    } else {
        ConversationState::Private
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn listed(json: &str) -> ProductReview {
        serde_json::from_str(json).expect("a product review")
    }

    const REVIEW: &str = r#"{
        "id": "6500f0c0aaaaaaaaaaaaaaaa", "createdAt": "2026-10-01T10:00:00Z",
        "updatedAt": "2026-10-02T10:00:00Z", "businessUnitId": "46d6a890000064000500e0c3",
        "stars": 2, "content": "The zip broke.", "state": "underModeration",
        "product": {"id": "p-1", "name": "Trail Jacket", "sku": "AU-101",
                    "productUrl": "https://shop.example/jacket", "productImages": ["https://img/1.png"],
                    "brand": "Aurora"},
        "consumer": {"id": "5f0c0c0c0c0c0c0c0c0c0c0c", "name": "Ana", "email": "ana@example.com"},
        "referenceId": "ORD-1", "language": "en", "conversationId": "c0ffee000000000000000001",
        "attributeRatings": [
            {"attributeId": "q", "attributeName": "Quality", "attributeType": "range", "rating": 2},
            {"attributeId": "f", "attributeName": "Fit", "attributeType": "scale",
             "attributeOptions": ["Small", "True to size", "Large"], "rating": 2}],
        "attachments": [{"id": "a1", "state": "processed", "processedFiles": [
            {"dimension": "1024x768", "mimeType": "image/png", "url": "https://img/a1-big.png"},
            {"dimension": "256x192", "mimeType": "image/png", "url": "https://img/a1-small.png"}]}]
    }"#;

    const CONVERSATION: &str = r#"{
        "id": "c0ffee000000000000000001", "businessUnitId": "46d6a890000064000500e0c3",
        "state": "private", "comments": [
            {"commentId": "k1", "createdAt": "2026-10-03T10:00:00Z",
             "author": {"id": "u1", "type": "businessUser"}, "content": "Sorry! A new zip is on its way."},
            {"commentId": "k2", "createdAt": "2026-10-04T10:00:00Z",
             "author": {"id": "5f0c", "type": "consumer"}, "content": "Thanks"}]
    }"#;

    #[test]
    fn a_product_review_is_a_review_of_its_product_with_photos_attributes_and_the_business_comment()
    {
        let conversation: Conversation = serde_json::from_str(CONVERSATION).unwrap();
        let r = product_review_from(listed(REVIEW), Some(&conversation));
        assert!(!r.is_store_review);
        assert_eq!(r.product_id.as_str(), "p-1");
        assert_eq!(r.product_title, "Trail Jacket");
        assert_eq!(r.rating, 2);
        assert!(r.is_verified, "an invited review names its order");
        assert_eq!(r.media.len(), 1);
        assert_eq!(r.media[0].url, "https://img/a1-big.png");
        assert_eq!(r.media[0].thumbnail_url, "https://img/a1-small.png");
        let reply = r.reply.as_ref().expect("the business's comment");
        assert_eq!(reply.content, "Sorry! A new zip is on its way.");
        assert_eq!(reply.author.as_deref(), Some("u1"));
        let p = r.product_review().expect("product details");
        assert_eq!(p.state, "underModeration");
        assert_eq!(p.sku.as_deref(), Some("AU-101"));
        assert_eq!(p.comment_id.as_deref(), Some("k1"));
        assert!(!p.conversation_public);
        assert_eq!(p.attributes[0].rating, Some(2));
        assert_eq!(p.attributes[1].option.as_deref(), Some("True to size"));
    }

    #[test]
    fn a_known_conversation_is_carried_over_and_a_new_one_asks_to_be_read() {
        let conversation: Conversation = serde_json::from_str(CONVERSATION).unwrap();
        let stored = product_review_from(listed(REVIEW), Some(&conversation));
        // Listed again: the listing has the id, not the comment.
        let mut again = product_review_from(listed(REVIEW), None);
        assert!(again.reply.is_none());
        assert!(carry_conversation(&mut again, Some(&stored)));
        assert_eq!(again, stored);
        // Nothing stored yet, or another conversation: read it.
        let mut fresh = product_review_from(listed(REVIEW), None);
        assert!(!carry_conversation(&mut fresh, None));
        let mut other = product_review_from(
            listed(&REVIEW.replace("c0ffee000000000000000001", "c0ffee000000000000000002")),
            None,
        );
        assert!(!carry_conversation(&mut other, Some(&stored)));
        // No conversation: complete as listed.
        let mut unanswered = product_review_from(
            listed(&REVIEW.replace(r#""c0ffee000000000000000001""#, "null")),
            None,
        );
        assert!(carry_conversation(&mut unanswered, None));
    }
}
