//! Sandbox-only controls of the Trustpilot half (under `/__sandbox/` on its API host; the
//! faults, stats and request log are the shared ones of `crate::control`).

use std::sync::atomic::Ordering;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::data::{self, flag, OwnedText};
use super::pools::{LANGS, REPORT_REASONS};
use super::{demo, render, TpState};
use crate::state::TokenKind;
use crate::util::{json_response, Rng};

fn bad(m: &str) -> Response {
    super::api::TpError::bad(m).into_response()
}

/// `GET /__sandbox/demo`: base URLs, the demo application and users, the business units.
pub async fn demo_info(State(st): State<TpState>) -> Response {
    let w = st.world();
    let units: Vec<Value> = w
        .units
        .iter()
        .map(|u| {
            let (total, _, _) = u.counts();
            json!({"id": u.id, "identifyingName": u.identifying, "displayName": u.display_name,
                   "referring": u.referring, "reviews": total, "score": u.score().0})
        })
        .collect();
    let users: Vec<Value> = w
        .users
        .iter()
        .map(|u| json!({"id": u.id, "email": u.email, "password": u.password, "name": u.name, "twoFactor": u.two_factor, "businessUnits": w.units.iter().filter(|x| x.business == u.business).map(|x| x.id.clone()).collect::<Vec<_>>()}))
        .collect();
    let apps: Vec<Value> = w
        .apps
        .iter()
        .map(|a| json!({"key": a.key, "secret": a.secret, "name": a.name, "redirect_uri": a.redirect_uri}))
        .collect();
    json_response(
        StatusCode::OK,
        &json!({
            "api_base": st.api_base,
            "authenticate_base": st.auth_base,
            "invitations_base": st.invitations_base,
            "api_key": demo::API_KEY,
            "api_secret": demo::API_SECRET,
            "redirect_uri": demo::REDIRECT_URI,
            "loopback_redirects": "http://127.0.0.1:<port>/… and http://localhost:<port>/… (sandbox only)",
            "two_factor_code": demo::TWO_FACTOR_CODE,
            "apps": apps,
            "users": users,
            "business_units": units,
            "tags": super::api::known_tags(),
            "token_ttl_secs": st.token_ttl(),
            "auth_per_minute": st.cfg.trustpilot_auth_per_minute,
            "seed": st.cfg.seed,
            "seed_ms": st.seed_ms as u64,
            "now": st.now(),
        }),
    )
}

/// `POST /__sandbox/state/token_status` `{token}` → `{status: active|revoked|expired|unknown,
/// kind: access|refresh, grant}`.
pub async fn token_status(State(st): State<TpState>, body: Bytes) -> Response {
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let Some(t) = v.get("token").and_then(Value::as_str) else {
        return bad("token is required");
    };
    let now = st.now();
    let w = st.world();
    let out = match w.tokens.get(t) {
        None => json!({"status": "unknown", "kind": null, "grant": null}),
        Some(r) => json!({
            "status": if r.revoked { "revoked" } else if r.expires_at <= now { "expired" } else { "active" },
            "kind": if r.kind == TokenKind::Access { "access" } else { "refresh" },
            "grant": r.grant,
            "expires_at": r.expires_at,
        }),
    };
    json_response(StatusCode::OK, &out)
}

/// `POST /__sandbox/reviews/{id}/find-reviewer/answer` `{referenceId?, name?, email?,
/// phoneNumber?, address?, message?}`: the consumer answers the review's latest Find Reviewer
/// request (status `answered`, `consumerResponse` with `submittedAt` now). `404` without one.
pub async fn answer_find_reviewer(
    State(st): State<TpState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let v: Value = serde_json::from_slice(&body).unwrap_or(json!({}));
    let now = st.now();
    let mut w = st.world();
    let Some((u, pos)) = w.find_review(&id) else {
        return super::api::TpError::not_found("Review not found").into_response();
    };
    let unit = &mut w.units[u];
    let rid = unit.reviews[pos].id;
    let Some(request) = unit.find_requests.get_mut(&rid).and_then(|l| l.last_mut()) else {
        return super::api::TpError::not_found("The review has no Find Reviewer request")
            .into_response();
    };
    let field = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    request.status = "answered";
    request.response = Some(json!({
        "referenceId": field("referenceId"),
        "name": field("name"),
        "email": field("email"),
        "phoneNumber": field("phoneNumber"),
        "address": field("address"),
        "message": field("message"),
        "submittedAt": crate::util::fmt_rfc3339(now),
    }));
    json_response(StatusCode::OK, &json!({"ok": true}))
}

/// `POST /__sandbox/state/plan` `{"invitations": bool}`: whether the demo business's plan
/// includes the Invitation API (Connect add-on); without it the invitations host answers `403`.
pub async fn plan(State(st): State<TpState>, body: Bytes) -> Response {
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let Some(on) = v.get("invitations").and_then(Value::as_bool) else {
        return bad("invitations must be true or false");
    };
    let mut w = st.world();
    if let Some(b) = w.businesses.first_mut() {
        b.invitations_api = on;
    }
    json_response(StatusCode::OK, &json!({"invitations": on}))
}

/// `POST /__sandbox/time/advance` `{seconds}`: moves the Trustpilot clock forward.
pub async fn advance(State(st): State<TpState>, body: Bytes) -> Response {
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let Some(s) = v.get("seconds").and_then(Value::as_i64).filter(|s| *s >= 0) else {
        return bad("seconds must be a non-negative integer");
    };
    let off = st.clock_offset.fetch_add(s, Ordering::SeqCst) + s;
    json_response(StatusCode::OK, &json!({"offset": off, "now": st.now()}))
}

/// `POST /__sandbox/reviews` `{businessUnitId?, stars?, language?, title?, text?, referenceId?,
/// referralEmail?}`: a consumer writes a new review now (for incremental-sync tests). Answers
/// the private review object.
pub async fn add_review(State(st): State<TpState>, body: Bytes) -> Response {
    let v: Value = if body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(_) => return bad("body must be JSON"),
        }
    };
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(String::from);
    let now = st.now();
    let mut w = st.world();
    let unit_id = s("businessUnitId").unwrap_or_else(|| demo::BUSINESS_UNIT_ID.into());
    let Some(u) = w.unit(&unit_id) else {
        return bad("unknown businessUnitId");
    };
    let counter = w.next_counter;
    w.next_counter += 1;
    let mut rng = Rng::new(st.cfg.seed ^ counter as u64);
    let salt = w.units[u].salt;
    let mut r = data::gen_review(&mut rng, now, &salt, counter, counter);
    if let Some(n) = v.get("stars").and_then(Value::as_u64) {
        if !(1..=5).contains(&n) {
            return bad("stars must be 1..5");
        }
        r.stars = n as u8;
        r.title = 0;
        r.phrases = [0, u16::MAX, u16::MAX];
        r.reply = 0;
    }
    if let Some(l) = s("language") {
        match LANGS.iter().position(|(p, _)| p.code == l) {
            Some(i) => r.lang = i as u8,
            None => return bad("unknown language"),
        }
    }
    // A new review has no reply, report or edit yet.
    r.reply = 0;
    r.flags &= flag::INVITED;
    r.edited_after = 0;
    let id = r.id;
    let unit = &mut w.units[u];
    let pos = unit.reviews.partition_point(|x| x.id < id);
    unit.reviews.insert(pos, r);
    let owned = OwnedText {
        title: s("title"),
        text: s("text"),
        reference_id: s("referenceId"),
        referral_email: s("referralEmail"),
    };
    if owned.title.is_some()
        || owned.text.is_some()
        || owned.reference_id.is_some()
        || owned.referral_email.is_some()
    {
        unit.texts.insert(id, owned);
    }
    let unit = &w.units[u];
    let out = render::review(&unit.reviews[pos], unit, &w, &st.api_base);
    json_response(StatusCode::CREATED, &out)
}

/// `POST /__sandbox/reviews/{id}/report` `{visibility?: "visible"|"hidden"}`: the business
/// reports a review (there is no API for it; Trustpilot Business does it), so a re-scan can
/// see `status` and `reportData` change.
pub async fn report_review(
    State(st): State<TpState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let v: Value = serde_json::from_slice(&body).unwrap_or(json!({}));
    let hidden = match v.get("visibility").and_then(Value::as_str) {
        None | Some("visible") => false,
        Some("hidden") => true,
        Some(_) => return bad("visibility must be visible or hidden"),
    };
    let mut w = st.world();
    let Some((u, pos)) = w.find_review(&id) else {
        return super::api::TpError::not_found("Review not found").into_response();
    };
    let r = &mut w.units[u].reviews[pos];
    r.flags |= flag::REPORTED;
    if hidden {
        r.flags |= flag::HIDDEN;
    }
    r.report_reason = (r.consumer % REPORT_REASONS.len() as u32) as u8;
    let unit = &w.units[u];
    let out = render::review(&unit.reviews[pos], unit, &w, &st.api_base);
    json_response(StatusCode::OK, &out)
}
