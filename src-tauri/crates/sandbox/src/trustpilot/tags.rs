//! Tags on a private review (§1.6): list (`GET`), replace (`POST`), add (`PUT`) and remove one
//! (`DELETE ?group=&value=`), all on `/v1/private/reviews/{id}/tags`. The verbs are the trap the
//! reference warns of: `POST` replaces the whole set, `PUT` adds to it. Also Find Reviewer
//! (§1.7), the other write a business makes on a service review.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::api::{body_json, caller, finish, owned_review, TpError, TpResult};
use super::TpState;
use crate::util::{json_response, q_get, query_pairs};

/// Longest group or value the sandbox takes (UNKNOWN in the docs; CHOICES-trustpilot "Tags").
pub const MAX_TAG_CHARS: usize = 100;

/// One `{group, value}` of a request: both required, trimmed, at most [`MAX_TAG_CHARS`].
fn tag_of(v: &Value) -> TpResult<(String, String)> {
    let field = |k: &str| -> TpResult<String> {
        let s = v
            .get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| TpError::bad(format!("each tag needs a {k}")))?;
        if s.chars().count() > MAX_TAG_CHARS {
            return Err(TpError::bad(format!(
                "a tag {k} must be at most {MAX_TAG_CHARS} characters"
            )));
        }
        Ok(s.to_owned())
    };
    Ok((field("group")?, field("value")?))
}

/// The `tags` array of a `POST` or `PUT` body.
fn tags_of_body(headers: &HeaderMap, body: &[u8]) -> TpResult<Vec<(String, String)>> {
    let v = body_json(headers, body)?;
    v.get("tags")
        .and_then(Value::as_array)
        .ok_or_else(|| TpError::bad("tags must be an array of {group, value}"))?
        .iter()
        .map(tag_of)
        .collect()
}

/// `{"tags": [{group, value}, …]}` (the list's shape is UNKNOWN; CHOICES-trustpilot "Tags").
fn tags_json(tags: &[(String, String)]) -> Value {
    json!({"tags": tags.iter().map(|(g, v)| json!({"group": g, "value": v})).collect::<Vec<_>>()})
}

/// What a tag request does to the review's set.
enum Change {
    Replace(Vec<(String, String)>),
    Add(Vec<(String, String)>),
    Remove((String, String)),
}

/// Applies a change to a review the caller owns; `204` (the success body is UNKNOWN).
fn change(
    st: &TpState,
    id: &str,
    headers: &HeaderMap,
    q: Option<&str>,
    make: impl FnOnce() -> TpResult<Change>,
) -> Response {
    let pairs = query_pairs(q);
    finish((|| -> TpResult {
        let who = caller(st, headers, &pairs)?;
        let change = make()?;
        let mut w = st.world();
        let (u, pos) = owned_review(&w, &who, id)?;
        let unit = &mut w.units[u];
        let review = unit.reviews[pos].clone();
        let mut set = unit.tags_of_review(&review);
        match change {
            Change::Replace(tags) => set = tags,
            Change::Add(tags) => set.extend(tags),
            // Removing a tag the review does not carry leaves the wanted state: `204` too.
            Change::Remove(tag) => set.retain(|t| *t != tag),
        }
        let mut seen = std::collections::HashSet::new();
        set.retain(|t| seen.insert(t.clone()));
        unit.tags.insert(review.id, set);
        Ok(StatusCode::NO_CONTENT.into_response())
    })())
}

/// `GET /v1/private/reviews/{id}/tags` (token; SEEN-TP).
pub async fn list(
    State(st): State<TpState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let pairs = query_pairs(q.as_deref());
    finish((|| -> TpResult {
        let who = caller(&st, &headers, &pairs)?;
        let w = st.world();
        let (u, pos) = owned_review(&w, &who, &id)?;
        let unit = &w.units[u];
        Ok(json_response(
            StatusCode::OK,
            &tags_json(&unit.tags_of_review(&unit.reviews[pos])),
        ))
    })())
}

/// `POST /v1/private/reviews/{id}/tags` (token; SEEN-TP): replaces every tag of the review.
pub async fn replace(
    State(st): State<TpState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    change(&st, &id, &headers, q.as_deref(), || {
        Ok(Change::Replace(tags_of_body(&headers, &body)?))
    })
}

/// `PUT /v1/private/reviews/{id}/tags` (token; SEEN-DOC): adds tags; one already there stays
/// once.
pub async fn add(
    State(st): State<TpState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    change(&st, &id, &headers, q.as_deref(), || {
        let tags = tags_of_body(&headers, &body)?;
        if tags.is_empty() {
            return Err(TpError::bad("tags must name at least one tag"));
        }
        Ok(Change::Add(tags))
    })
}

/// `DELETE /v1/private/reviews/{id}/tags?group=&value=` (token; SEEN-DOC): removes one tag.
pub async fn remove(
    State(st): State<TpState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let pairs = query_pairs(q.as_deref());
    change(&st, &id, &headers, q.as_deref(), || {
        let tag = json!({"group": q_get(&pairs, "group"), "value": q_get(&pairs, "value")});
        Ok(Change::Remove(tag_of(&tag)?))
    })
}

/// `POST /v1/private/reviews/{id}/find-reviewer` (token; SEEN-DOC body `{message,
/// skipNotificationEmailToBusinessUser}`): records a request (`requested`). Answers `201` with
/// the serialized .NET `HttpResponseMessage` the docs show as its response (a doc bug, SEEN-DOC:
/// clients read the status only). A review that is not eligible (`isEligible: false`, an
/// invited review here) answers `400` (UNKNOWN; CHOICES-trustpilot).
pub async fn find_reviewer(
    State(st): State<TpState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    let pairs = query_pairs(q.as_deref());
    finish((|| -> TpResult {
        let who = caller(&st, &headers, &pairs)?;
        let v = body_json(&headers, &body)?;
        let message = match v.get("message") {
            None | Some(Value::Null) => None,
            Some(Value::String(m)) => Some(m.trim().to_owned()).filter(|m| !m.is_empty()),
            Some(_) => return Err(TpError::bad("message must be a string or null")),
        };
        if message.as_ref().is_some_and(|m| m.chars().count() > 1000) {
            return Err(TpError::bad("message must be at most 1000 characters"));
        }
        let now = st.now();
        let mut w = st.world();
        let (u, pos) = owned_review(&w, &who, &id)?;
        let unit = &mut w.units[u];
        let review = unit.reviews[pos].clone();
        if review.invited() {
            return Err(TpError::bad(
                "This review is not eligible for Find Reviewer: the consumer was invited",
            ));
        }
        let request_id = super::data::oid_hex(&super::data::derived_oid(rand::random()));
        unit.find_requests
            .entry(review.id)
            .or_default()
            .push(super::data::FindRequest {
                id: request_id,
                status: "requested",
                created: now,
                message,
                response: None,
            });
        Ok(json_response(
            StatusCode::CREATED,
            &json!({"Version": "1.1", "StatusCode": 201, "ReasonPhrase": "Created", "IsSuccessStatusCode": true}),
        ))
    })())
}
