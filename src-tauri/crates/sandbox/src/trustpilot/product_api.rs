//! Product review endpoints (§1.8): the private listing and single review, and the
//! conversation a business answers a product review in (create it, read it, post, read and
//! update a comment, make it public or private). Same authentication and error shapes as the
//! service-review endpoints.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::api::{
    acting_user, body_json, caller, finish, int_param, owned_unit, page_links, Caller, TpError,
    TpResult,
};
use super::products::{self, Comment, Conversation, STATES};
use super::{TpState, TpWorld};
use crate::util::{json_response, q_array, q_get, query_pairs};

/// Longest comment the sandbox takes (UNKNOWN; CHOICES-trustpilot "Product reviews").
pub const MAX_COMMENT_CHARS: usize = 2048;

/// A product review of the caller's business: `404` unknown, `401` another business's.
fn owned_product_review(w: &TpWorld, who: &Caller, id: &str) -> TpResult<usize> {
    let i = w
        .find_product_review(id)
        .ok_or_else(|| TpError::not_found("Product review not found"))?;
    if w.units[w.product_reviews[i].unit].business != who.business {
        return Err(TpError::unauth(
            "Unauthorized: the token has no access to this product review",
        ));
    }
    Ok(i)
}

/// A conversation of the caller's business: `404` unknown, `401` another business's.
fn owned_conversation(w: &TpWorld, who: &Caller, id: &str) -> TpResult<usize> {
    let i = w
        .find_conversation(id)
        .ok_or_else(|| TpError::not_found("Conversation not found"))?;
    if w.units[w.conversations[i].unit].business != who.business {
        return Err(TpError::unauth(
            "Unauthorized: the token has no access to this conversation",
        ));
    }
    Ok(i)
}

/// The states asked for: `state=published,archived` or repeated, default `published`
/// (SEEN-TP); an unknown state is `400` (CHOICES-trustpilot).
fn wanted_states(pairs: &[(String, String)]) -> TpResult<Vec<&'static str>> {
    let asked = q_array(pairs, "state");
    if asked.is_empty() {
        return Ok(vec![STATES[0]]);
    }
    asked
        .iter()
        .map(|s| {
            STATES
                .iter()
                .find(|k| k.eq_ignore_ascii_case(s.trim()))
                .copied()
                .ok_or_else(|| {
                    TpError::bad(format!(
                        "state must be published, unpublished, underModeration or archived, got {s}"
                    ))
                })
        })
        .collect()
}

/// `GET /v1/private/product-reviews/business-units/{id}/reviews` (token; SEEN-TP parameters):
/// `page` from 1, `perPage` 1..=100 (default 20, as the service listing), `sku` (exact),
/// `language` (list), `state` (list, default `published`) and `locale` (the review's, without
/// case); newest first (the order is UNKNOWN). `{productReviews, links}` with `next-page` while
/// more match (SEEN-3P wrapper).
pub async fn list(
    State(st): State<TpState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let pairs = query_pairs(q.as_deref());
    let path = format!("/v1/private/product-reviews/business-units/{id}/reviews");
    finish((|| {
        let who = caller(&st, &headers, &pairs)?;
        let page = int_param(&pairs, "page", 1, 1_000_000_000)?;
        let per_page = int_param(&pairs, "perPage", 20, 100)?;
        let states = wanted_states(&pairs)?;
        let sku = q_get(&pairs, "sku").map(str::trim);
        let languages = q_array(&pairs, "language");
        let locale = q_get(&pairs, "locale").map(str::trim);
        let w = st.world();
        let u = owned_unit(&w, &who, &id)?;
        let unit = &w.units[u];
        let matches = |r: &&products::ProductReview| {
            r.unit == u
                && states.contains(&r.state)
                && sku.is_none_or(|s| w.products.get(r.product).is_some_and(|p| p.sku == s))
                && (languages.is_empty()
                    || languages.iter().any(|l| l.eq_ignore_ascii_case(r.language)))
                && locale.is_none_or(|l| l.eq_ignore_ascii_case(r.locale))
        };
        let skip = (page - 1).saturating_mul(per_page);
        let mut it = w.product_reviews.iter().rev().filter(matches).skip(skip);
        let chosen: Vec<Value> = it
            .by_ref()
            .take(per_page)
            .map(|r| products::review_json(r, &w.products, unit, &st.api_base))
            .collect();
        let more = chosen.len() == per_page && it.next().is_some();
        Ok(json_response(
            StatusCode::OK,
            &json!({
                "productReviews": chosen,
                "links": page_links(&st.api_base, &path, &pairs, page, more),
            }),
        ))
    })())
}

/// `GET /v1/private/product-reviews/{id}` (token; SEEN-TP). `locale` is accepted and ignored
/// (the sandbox's products have one name; CHOICES-trustpilot).
pub async fn one(
    State(st): State<TpState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let pairs = query_pairs(q.as_deref());
    finish((|| {
        let who = caller(&st, &headers, &pairs)?;
        let w = st.world();
        let i = owned_product_review(&w, &who, &id)?;
        let r = &w.product_reviews[i];
        Ok(json_response(
            StatusCode::OK,
            &products::review_json(r, &w.products, &w.units[r.unit], &st.api_base),
        ))
    })())
}

fn new_id() -> String {
    super::data::oid_hex(&super::data::derived_oid(rand::random()))
}

/// `POST /v1/private/product-reviews/{id}/create-conversation` (token; SEEN-DOC, no body; any
/// body sent is ignored) → `201 {"conversationId"}`. A review that already has a conversation
/// answers `200` with that conversation's id and makes none (UNKNOWN; CHOICES-trustpilot: so a
/// repeat after a lost answer is harmless).
pub async fn create_conversation(
    State(st): State<TpState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let pairs = query_pairs(q.as_deref());
    finish((|| {
        let who = caller(&st, &headers, &pairs)?;
        let mut w = st.world();
        let i = owned_product_review(&w, &who, &id)?;
        if let Some(existing) = &w.product_reviews[i].conversation_id {
            return Ok(json_response(
                StatusCode::OK,
                &json!({ "conversationId": existing }),
            ));
        }
        let review = &w.product_reviews[i];
        let conversation = Conversation {
            id: new_id(),
            unit: review.unit,
            consumer_id: products::consumer_of(review).0,
            source_id: review.id.clone(),
            state: "public",
            comments: Vec::new(),
        };
        let cid = conversation.id.clone();
        w.conversations.push(conversation);
        w.product_reviews[i].conversation_id = Some(cid.clone());
        Ok(json_response(
            StatusCode::CREATED,
            &json!({ "conversationId": cid }),
        ))
    })())
}

/// `GET /v1/private/conversations/{id}` (token; SEEN-DOC shape).
pub async fn conversation(
    State(st): State<TpState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let pairs = query_pairs(q.as_deref());
    finish((|| {
        let who = caller(&st, &headers, &pairs)?;
        let w = st.world();
        let i = owned_conversation(&w, &who, &id)?;
        let c = &w.conversations[i];
        Ok(json_response(
            StatusCode::OK,
            &products::conversation_json(c, &w.units[c.unit]),
        ))
    })())
}

/// `content` (required, trimmed, 1..=[`MAX_COMMENT_CHARS`]) and `integrationId` (optional
/// string) of a comment body.
fn comment_body(headers: &HeaderMap, body: &[u8]) -> TpResult<(String, Option<String>)> {
    let v = body_json(headers, body)?;
    let content = v
        .get("content")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| TpError::bad("content is required"))?;
    if content.chars().count() > MAX_COMMENT_CHARS {
        return Err(TpError::bad(format!(
            "content must be at most {MAX_COMMENT_CHARS} characters"
        )));
    }
    let integration_id = match v.get("integrationId") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(TpError::bad("integrationId must be a string")),
    };
    Ok((content.to_owned(), integration_id))
}

/// `POST /v1/private/conversations/{id}/comments` (token; SEEN-DOC) `{content,
/// integrationId?}` → `201 {commentId, createdAt, author{id, type: "businessUser"}, content}`
/// (the status is UNKNOWN; chosen). Each post adds a comment.
pub async fn post_comment(
    State(st): State<TpState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    let pairs = query_pairs(q.as_deref());
    finish((|| {
        let who = caller(&st, &headers, &pairs)?;
        let (content, integration_id) = comment_body(&headers, &body)?;
        let now = st.now();
        let mut w = st.world();
        let i = owned_conversation(&w, &who, &id)?;
        let author = acting_user(&w, &who, &headers)?;
        let comment = Comment {
            id: new_id(),
            created: now,
            updated: None,
            author,
            content,
            integration_id,
        };
        let answer = products::posted_comment_json(&comment);
        w.conversations[i].comments.push(comment);
        Ok(json_response(StatusCode::CREATED, &answer))
    })())
}

/// `GET /v1/private/conversations/{id}/comments/{commentId}` (token; SEEN-TP).
pub async fn comment(
    State(st): State<TpState>,
    Path((id, comment_id)): Path<(String, String)>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let pairs = query_pairs(q.as_deref());
    finish((|| {
        let who = caller(&st, &headers, &pairs)?;
        let w = st.world();
        let i = owned_conversation(&w, &who, &id)?;
        let c = w.conversations[i]
            .comments
            .iter()
            .find(|c| c.id.eq_ignore_ascii_case(&comment_id))
            .ok_or_else(|| TpError::not_found("Comment not found"))?;
        Ok(json_response(StatusCode::OK, &products::comment_json(c)))
    })())
}

/// `PUT /v1/private/conversations/{id}/comments/{commentId}` (token; SEEN-TP body `{content,
/// integrationId}`, `integrationId` optional here) → `204` (success body UNKNOWN). The author
/// stays who wrote it; `updatedAt` becomes now.
pub async fn update_comment(
    State(st): State<TpState>,
    Path((id, comment_id)): Path<(String, String)>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    let pairs = query_pairs(q.as_deref());
    finish((|| {
        let who = caller(&st, &headers, &pairs)?;
        let (content, integration_id) = comment_body(&headers, &body)?;
        let now = st.now();
        let mut w = st.world();
        let i = owned_conversation(&w, &who, &id)?;
        let c = w.conversations[i]
            .comments
            .iter_mut()
            .find(|c| c.id.eq_ignore_ascii_case(&comment_id))
            .ok_or_else(|| TpError::not_found("Comment not found"))?;
        c.content = content;
        if integration_id.is_some() {
            c.integration_id = integration_id;
        }
        c.updated = Some(now);
        Ok(StatusCode::NO_CONTENT.into_response())
    })())
}

/// `POST /v1/private/conversations/{id}/state` (token; SEEN-TP body `{"state": "public" |
/// "private"}`) → `204` (success body UNKNOWN).
pub async fn set_state(
    State(st): State<TpState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    let pairs = query_pairs(q.as_deref());
    finish((|| {
        let who = caller(&st, &headers, &pairs)?;
        let v = body_json(&headers, &body)?;
        let state = match v.get("state").and_then(Value::as_str) {
            Some("public") => "public",
            Some("private") => "private",
            _ => return Err(TpError::bad("state must be public or private")),
        };
        let mut w = st.world();
        let i = owned_conversation(&w, &who, &id)?;
        w.conversations[i].state = state;
        Ok(StatusCode::NO_CONTENT.into_response())
    })())
}

/// `GET /__sandbox/media/product-reviews/{id}/{dimension}.png`: the placeholder image of an
/// attachment or product at one of the processed sizes (sandbox stand-in for Trustpilot's image
/// CDN; any id renders, a size not offered is `404`).
pub async fn image(Path((id, file)): Path<(String, String)>) -> Response {
    let Some((_, w, h)) = file
        .strip_suffix(".png")
        .and_then(|d| products::IMAGE_SIZES.iter().find(|(name, _, _)| *name == d))
    else {
        return TpError::not_found("No such image size").into_response();
    };
    let seed = id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    });
    let mut r = crate::media::placeholder_png(*w, *h, seed).into_response();
    r.headers_mut().insert(
        "content-type",
        axum::http::HeaderValue::from_static("image/png"),
    );
    r
}
