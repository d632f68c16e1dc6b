//! The invitations host (`invitations-api.trustpilot.com`): service-review invitation links
//! and email invitations, recorded for `GET /__sandbox/state/invitations` on the API host.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::api::{acting_user, body_json, caller, finish, owned_unit, Caller, TpError, TpResult};
use super::TpState;
use crate::util::{json_response, query_pairs};

/// The caller, the unit (which its business must own) and, for a client-credentials token,
/// the `x-business-user-id` the docs ask for (SEEN-DOC: required then; CHOICES-trustpilot).
fn authorize(
    st: &TpState,
    headers: &HeaderMap,
    q: Option<&str>,
    unit_id: &str,
) -> TpResult<(Caller, String)> {
    let who = caller(st, headers, &query_pairs(q))?;
    let w = st.world();
    owned_unit(&w, &who, unit_id)?;
    if !w.businesses[who.business].invitations_api {
        return Err(TpError::new(
            StatusCode::FORBIDDEN,
            "Forbidden: the business's plan does not include the Invitation API",
        ));
    }
    let user = acting_user(&w, &who, headers)?;
    Ok((who, user))
}

fn str_field(v: &Value, k: &str) -> Option<String> {
    v.get(k)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

fn valid_email(s: &str) -> bool {
    s.split_once('@')
        .is_some_and(|(a, b)| !a.is_empty() && b.contains('.') && !b.starts_with('.'))
}

/// `POST /v1/private/business-units/{id}/invitation-links` (SEEN-DOC body `{locationId,
/// referenceId, email, name, locale, tags[], redirectUri}`, answer `{id, url}`). `email` and
/// `name` are required, `locale` defaults to `en-US` (CHOICES-trustpilot).
pub async fn invitation_link(
    State(st): State<TpState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    finish((|| -> TpResult {
        let (_, user) = authorize(&st, &headers, q.as_deref(), &id)?;
        let v = body_json(&headers, &body)?;
        let email = str_field(&v, "email").ok_or_else(|| TpError::bad("email is required"))?;
        if !valid_email(&email) {
            return Err(TpError::bad("email is not an email address"));
        }
        let name = str_field(&v, "name").ok_or_else(|| TpError::bad("name is required"))?;
        let link_id = super::data::oid_hex(&super::data::derived_oid(rand::random()));
        let url = format!("https://www.trustpilot.com/evaluate-link/{link_id}");
        let record = json!({
            "kind": "invitation-link", "businessUnitId": id, "businessUserId": user,
            "id": link_id, "url": url, "email": email, "name": name,
            "referenceId": str_field(&v, "referenceId"),
            "locale": str_field(&v, "locale").unwrap_or_else(|| "en-US".into()),
            "tags": v.get("tags").cloned().unwrap_or(json!([])),
            "redirectUri": str_field(&v, "redirectUri"),
            "at": st.now(),
        });
        st.world().invitations.push(record);
        Ok(json_response(
            StatusCode::OK,
            &json!({"id": link_id, "url": url}),
        ))
    })())
}

/// `POST /v1/private/business-units/{id}/email-invitations` (SEEN-DOC body). `consumerEmail`,
/// `consumerName` and `referenceNumber` are required; a `productReviewInvitation` needs
/// `products` or `productSkus`, not both (SEEN-DOC). Answers `202` with an empty body: the
/// invitation is queued (success body UNKNOWN, CHOICES-trustpilot).
pub async fn email_invitation(
    State(st): State<TpState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    finish((|| -> TpResult {
        let (_, user) = authorize(&st, &headers, q.as_deref(), &id)?;
        let v = body_json(&headers, &body)?;
        let email = str_field(&v, "consumerEmail")
            .ok_or_else(|| TpError::bad("consumerEmail is required"))?;
        if !valid_email(&email) {
            return Err(TpError::bad("consumerEmail is not an email address"));
        }
        for k in ["consumerName", "referenceNumber"] {
            if str_field(&v, k).is_none() {
                return Err(TpError::bad(format!("{k} is required")));
            }
        }
        if let Some(p) = v.get("productReviewInvitation").filter(|p| !p.is_null()) {
            let has = |k: &str| p.get(k).is_some_and(|x| !x.is_null());
            if has("products") == has("productSkus") {
                return Err(TpError::bad(
                    "productReviewInvitation needs products or productSkus, not both",
                ));
            }
        }
        if v.get("serviceReviewInvitation").is_none_or(Value::is_null)
            && v.get("productReviewInvitation").is_none_or(Value::is_null)
        {
            return Err(TpError::bad(
                "serviceReviewInvitation or productReviewInvitation is required",
            ));
        }
        let mut record = v.clone();
        record["kind"] = json!("email-invitation");
        record["businessUnitId"] = json!(id);
        record["businessUserId"] = json!(user);
        record["at"] = json!(st.now());
        st.world().invitations.push(record);
        Ok(StatusCode::ACCEPTED.into_response())
    })())
}

/// The unit's invitation email templates: Trustpilot's standard ones and none custom (names
/// as the dashboard shows them; the list's field names are UNKNOWN, CHOICES-trustpilot).
const TEMPLATES: &[(&str, &str, bool)] = &[
    (
        "529c0abfefb96008b894ad02",
        "Default service review invitation",
        true,
    ),
    (
        "529c0abfefb96008b894ad03",
        "Service review invitation with reminder text",
        false,
    ),
    (
        "529c0abfefb96008b894ad04",
        "Short service review invitation",
        false,
    ),
];

/// `GET /v1/private/business-units/{id}/templates` (SEEN-TP JSDoc: "the list of template IDs
/// and names, standard + custom") → `{"templates": [{id, name, isDefaultTemplate, locale,
/// type}]}`.
pub async fn templates(
    State(st): State<TpState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    finish((|| -> TpResult {
        authorize(&st, &headers, q.as_deref(), &id)?;
        let list: Vec<Value> = TEMPLATES
            .iter()
            .map(|(tid, name, default)| {
                json!({"id": tid, "name": name, "isDefaultTemplate": default, "locale": "en-US", "type": "standard"})
            })
            .collect();
        Ok(json_response(StatusCode::OK, &json!({ "templates": list })))
    })())
}

/// `GET /__sandbox/state/invitations` (API host): every invitation the sandbox received.
pub async fn recorded(State(st): State<TpState>) -> Response {
    let list = st.world().invitations.clone();
    json_response(StatusCode::OK, &json!({ "invitations": list }))
}
