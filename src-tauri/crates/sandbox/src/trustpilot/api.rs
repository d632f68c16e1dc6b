//! Data endpoints of the API host: business units (API key) and private service reviews
//! (business-user token), with Trustpilot's paging, sort and filters.

use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::data::{self, flag, OwnedReply, TpReview, OWNED_REPLY};
use super::pools::{LANGS, TAGS};
use super::{render, TpState, TpWorld};
use crate::state::TokenKind;
use crate::util::{json_response, q_array, q_get, query_pairs};

/// An API error: `{"errors":[{"status": <http>, "title": "<message>"}]}` (CHOICES-trustpilot:
/// the docs give no error body; this is the one shape seen parsed by a real client, SEEN-3P).
#[derive(Debug, Clone)]
pub struct TpError {
    /// HTTP status.
    pub status: StatusCode,
    /// Message.
    pub title: String,
    /// Extra headers.
    pub headers: Vec<(&'static str, String)>,
}

impl TpError {
    /// Any status and message.
    pub fn new(status: StatusCode, title: impl Into<String>) -> Self {
        TpError {
            status,
            title: title.into(),
            headers: Vec::new(),
        }
    }
    /// 400.
    pub fn bad(m: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, m)
    }
    /// 401.
    pub fn unauth(m: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, m)
    }
    /// 404.
    pub fn not_found(m: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, m)
    }
}

impl IntoResponse for TpError {
    fn into_response(self) -> Response {
        let mut r = json_response(
            self.status,
            &json!({"errors": [{"status": self.status.as_u16(), "title": self.title}]}),
        );
        for (k, v) in self.headers {
            if let Ok(v) = axum::http::HeaderValue::from_str(&v) {
                r.headers_mut().insert(k, v);
            }
        }
        r
    }
}

/// Handler result.
pub type TpResult<T = Response> = Result<T, TpError>;

/// A handler's result as its response (a refusal as Trustpilot's error body).
pub(super) fn finish(r: TpResult) -> Response {
    r.unwrap_or_else(IntoResponse::into_response)
}

/// The caller of a private endpoint.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Business whose units it may read.
    pub business: usize,
    /// Business user (None for client credentials).
    pub user: Option<usize>,
}

/// API key (`apikey` header or `?apikey=`) of a public call: it must name an application.
pub fn require_api_key(st: &TpState, h: &HeaderMap, pairs: &[(String, String)]) -> TpResult<()> {
    let key = h
        .get("apikey")
        .and_then(|v| v.to_str().ok())
        .or_else(|| q_get(pairs, "apikey"))
        .unwrap_or("");
    if key.is_empty() || st.world().app_by_key(key).is_none() {
        return Err(TpError::unauth("Invalid API key"));
    }
    Ok(())
}

/// Business-user token of a private call: `Authorization: Bearer` (wins) or `?token=`. An
/// `apikey` sent beside it must name an application too.
pub fn caller(st: &TpState, h: &HeaderMap, pairs: &[(String, String)]) -> TpResult<Caller> {
    if let Some(key) = h.get("apikey").and_then(|v| v.to_str().ok()) {
        if st.world().app_by_key(key).is_none() {
            return Err(TpError::unauth("Invalid API key"));
        }
    }
    let bearer = h
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|a| {
            a.strip_prefix("Bearer ")
                .or_else(|| a.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let token = bearer
        .or_else(|| q_get(pairs, "token"))
        .ok_or_else(|| TpError::unauth("Unauthorized: no access token"))?;
    let forced_expire = h
        .get("x-sandbox-fault")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|f| f.trim() == "expire");
    let now = st.now();
    let w = st.world();
    let t = w
        .tokens
        .get(token)
        .filter(|t| t.kind == TokenKind::Access)
        .ok_or_else(|| TpError::unauth("Unauthorized: invalid access token"))?;
    if t.revoked {
        return Err(TpError::unauth("Unauthorized: access token revoked"));
    }
    if forced_expire || t.expires_at <= now {
        return Err(TpError::unauth("Unauthorized: access token expired"));
    }
    Ok(Caller {
        business: t.business,
        user: t.user,
    })
}

/// The JSON object body of a write (`415` unless its content type is JSON, `400` unless the
/// body is a JSON object).
pub(super) fn body_json(headers: &HeaderMap, body: &[u8]) -> TpResult<Value> {
    let ct = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !ct.starts_with("application/json") {
        return Err(TpError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type must be application/json",
        ));
    }
    let v: Value =
        serde_json::from_slice(body).map_err(|_| TpError::bad("body must be a JSON object"))?;
    if !v.is_object() {
        return Err(TpError::bad("body must be a JSON object"));
    }
    Ok(v)
}

/// Where a review the caller's business owns is: `404` for an unknown id, `401` for another
/// business's review.
pub(super) fn owned_review(w: &TpWorld, who: &Caller, id: &str) -> TpResult<(usize, usize)> {
    let (u, pos) = w
        .find_review(id)
        .ok_or_else(|| TpError::not_found("Review not found"))?;
    if w.units[u].business != who.business {
        return Err(TpError::unauth(
            "Unauthorized: the token has no access to this review",
        ));
    }
    Ok((u, pos))
}

/// The unit, which the caller's business must own: `404` unknown, `401` another business's.
pub(super) fn owned_unit(w: &TpWorld, who: &Caller, unit_id: &str) -> TpResult<usize> {
    let u = w
        .unit(unit_id)
        .ok_or_else(|| TpError::not_found("Business unit not found"))?;
    if w.units[u].business != who.business {
        return Err(TpError::unauth(
            "Unauthorized: the token has no access to this business unit",
        ));
    }
    Ok(u)
}

/// The business user a write acts as (a product-review comment, an invitation):
/// `x-business-user-id` when sent (a user of the business, else `400`), else the token's user;
/// a client-credentials token must send it (SEEN-DOC "should be provided" for invitations,
/// SEEN-3P for comments; made strict, CHOICES-trustpilot).
pub(super) fn acting_user(w: &TpWorld, who: &Caller, headers: &HeaderMap) -> TpResult<String> {
    match (who.user, headers.get("x-business-user-id")) {
        (_, Some(h)) => {
            let id = h.to_str().unwrap_or("").trim();
            w.users
                .iter()
                .find(|x| x.id == id && x.business == who.business)
                .map(|x| x.id.clone())
                .ok_or_else(|| TpError::bad("x-business-user-id is not a user of this business"))
        }
        (Some(u), None) => Ok(w.users[u].id.clone()),
        (None, None) => Err(TpError::bad(
            "x-business-user-id is required with a client-credentials token",
        )),
    }
}

fn pairs_of(req: &Request) -> Vec<(String, String)> {
    query_pairs(req.uri().query())
}

/// `GET /v1/business-units/find?name=` (API key; SEEN-DOC): exact identifying or referring
/// name, compared without case (CHOICES-trustpilot).
pub async fn find_unit(State(st): State<TpState>, req: Request) -> Response {
    let pairs = pairs_of(&req);
    finish((|| {
        require_api_key(&st, req.headers(), &pairs)?;
        let name = q_get(&pairs, "name").ok_or_else(|| TpError::bad("name is required"))?;
        let name = name.trim().to_ascii_lowercase();
        let w = st.world();
        let u = w
            .units
            .iter()
            .find(|u| {
                u.identifying.eq_ignore_ascii_case(&name)
                    || u.referring.iter().any(|r| r.eq_ignore_ascii_case(&name))
            })
            .ok_or_else(|| TpError::not_found("Business unit not found"))?;
        Ok(json_response(
            StatusCode::OK,
            &render::unit(u, &st.api_base),
        ))
    })())
}

/// `GET /v1/business-units/{id}` (API key; SEEN-DOC).
pub async fn get_unit(State(st): State<TpState>, Path(id): Path<String>, req: Request) -> Response {
    let pairs = pairs_of(&req);
    finish((|| {
        require_api_key(&st, req.headers(), &pairs)?;
        let w = st.world();
        let u = w
            .unit(&id)
            .ok_or_else(|| TpError::not_found("Business unit not found"))?;
        Ok(json_response(
            StatusCode::OK,
            &render::unit(&w.units[u], &st.api_base),
        ))
    })())
}

/// `orderBy` of the reviews listing (SEEN-DOC values; default `createdat.desc`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    CreatedAsc,
    CreatedDesc,
    StarsAsc,
    StarsDesc,
}

fn parse_bool(pairs: &[(String, String)], key: &str) -> TpResult<Option<bool>> {
    match q_get(pairs, key).map(str::to_ascii_lowercase).as_deref() {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(o) => Err(TpError::bad(format!(
            "{key} must be true or false, got {o}"
        ))),
    }
}

/// Parses `2013-09-07T13:37:00` with or without `Z`/offset and fractions, or a bare date
/// (time 00:00:00), as UTC (SEEN-DOC format; leniency CHOICES-trustpilot).
pub fn parse_datetime(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Some(t) = crate::util::parse_time(s) {
        return Some(t);
    }
    let base = s.trim_end_matches('Z');
    let base = base.split('.').next().unwrap_or(base);
    crate::util::parse_time(&base.replacen('T', " ", 1))
}

/// The filters of the reviews listing.
struct Filter {
    stars: Vec<u8>,
    langs: Vec<u8>,
    impossible: bool,
    responded: Option<bool>,
    reported: Option<bool>,
    tag_group: Option<String>,
    tag_value: Option<String>,
    ignore_case: bool,
    reference_id: Option<String>,
    referral_email: Option<String>,
    start: Option<i64>,
    end: Option<i64>,
}

impl Filter {
    fn parse(pairs: &[(String, String)]) -> TpResult<Filter> {
        let mut f = Filter {
            stars: Vec::new(),
            langs: Vec::new(),
            impossible: false,
            responded: parse_bool(pairs, "responded")?,
            reported: parse_bool(pairs, "reported")?,
            tag_group: q_get(pairs, "tagGroup").map(String::from),
            tag_value: q_get(pairs, "tagValue").map(String::from),
            ignore_case: parse_bool(pairs, "ignoreTagValueCase")?.unwrap_or(false),
            reference_id: q_get(pairs, "referenceId").map(String::from),
            referral_email: q_get(pairs, "referralEmail").map(str::to_ascii_lowercase),
            start: None,
            end: None,
        };
        // `stars=5,4` or `stars=5&stars=4` (the encoding is UNKNOWN; both accepted).
        for s in q_array(pairs, "stars") {
            match s.parse::<u8>() {
                Ok(n @ 1..=5) => f.stars.push(n),
                _ => return Err(TpError::bad(format!("stars: {s} is not 1..5"))),
            }
        }
        let wanted = q_array(pairs, "language");
        for l in &wanted {
            if let Some(i) = LANGS
                .iter()
                .position(|(p, _)| p.code.eq_ignore_ascii_case(l))
            {
                f.langs.push(i as u8);
            }
        }
        if !wanted.is_empty() && f.langs.is_empty() {
            f.impossible = true;
        }
        let date = |k: &str| -> TpResult<Option<i64>> {
            match q_get(pairs, k) {
                None => Ok(None),
                Some(v) => parse_datetime(v)
                    .map(Some)
                    .ok_or_else(|| TpError::bad(format!("{k} must look like 2013-09-07T13:37:00"))),
            }
        };
        f.start = date("startDateTime")?;
        f.end = date("endDateTime")?;
        Ok(f)
    }

    fn is_everything(&self) -> bool {
        !self.impossible
            && self.stars.is_empty()
            && self.langs.is_empty()
            && self.responded.is_none()
            && self.reported.is_none()
            && self.tag_group.is_none()
            && self.tag_value.is_none()
            && self.reference_id.is_none()
            && self.referral_email.is_none()
            && self.start.is_none()
            && self.end.is_none()
    }

    fn matches(&self, r: &TpReview, unit: &data::BusinessUnit) -> bool {
        if self.impossible
            || (!self.stars.is_empty() && !self.stars.contains(&r.stars))
            || (!self.langs.is_empty() && !self.langs.contains(&r.lang))
            || self.responded.is_some_and(|x| x != r.responded())
            || self.reported.is_some_and(|x| x != r.reported())
            || self.start.is_some_and(|s| r.created < s)
            || self.end.is_some_and(|e| r.created >= e)
        {
            return false;
        }
        if self.tag_group.is_some() || self.tag_value.is_some() {
            let hit = unit.review_has_tag(r, |g, v| {
                self.tag_group.as_deref().is_none_or(|want| want == g)
                    && self.tag_value.as_deref().is_none_or(|want| {
                        if self.ignore_case {
                            want.eq_ignore_ascii_case(v)
                        } else {
                            want == v
                        }
                    })
            });
            if !hit {
                return false;
            }
        }
        if self.reference_id.is_some() || self.referral_email.is_some() {
            let (reference, email) = render::private_refs(r, unit);
            if self
                .reference_id
                .as_deref()
                .is_some_and(|want| reference.as_deref() != Some(want))
            {
                return false;
            }
            if self.referral_email.as_deref().is_some_and(|want| {
                email.as_deref().map(str::to_ascii_lowercase).as_deref() != Some(want)
            }) {
                return false;
            }
        }
        true
    }
}

pub(super) fn int_param(
    pairs: &[(String, String)],
    key: &str,
    default: usize,
    max: usize,
) -> TpResult<usize> {
    match q_get(pairs, key) {
        None => Ok(default),
        Some(v) => match v.trim().parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(TpError::bad(format!(
                "{key} must be an integer between 1 and {max}"
            ))),
        },
    }
}

/// The `links` of a page: `prev-page` past page 1, `next-page` while more reviews match
/// (CHOICES-trustpilot: the rel names SEEN-3P, the rest chosen).
pub(super) fn page_links(
    base: &str,
    path: &str,
    pairs: &[(String, String)],
    page: usize,
    more: bool,
) -> Vec<Value> {
    let href = |p: usize| {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs.iter().filter(|(k, _)| k != "page" && k != "token") {
            s.append_pair(k, v);
        }
        s.append_pair("page", &p.to_string());
        format!("{base}{path}?{}", s.finish())
    };
    let mut links = Vec::new();
    if page > 1 {
        links.push(json!({"href": href(page - 1), "method": "GET", "rel": "prev-page"}));
    }
    if more {
        links.push(json!({"href": href(page + 1), "method": "GET", "rel": "next-page"}));
    }
    links
}

/// `GET /v1/private/business-units/{id}/reviews` (token; SEEN-DOC parameters): `page` from 1,
/// `perPage` 1..=100 (default 20), `orderBy`, and the filters; `{reviews, links}`, an empty
/// `reviews` past the last page.
pub async fn private_reviews(
    State(st): State<TpState>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let pairs = pairs_of(&req);
    let path = req.uri().path().to_string();
    finish((|| {
        let who = caller(&st, req.headers(), &pairs)?;
        let page = int_param(&pairs, "page", 1, 1_000_000_000)?;
        let per_page = int_param(&pairs, "perPage", 20, 100)?;
        let order = match q_get(&pairs, "orderBy")
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("createdat.desc") => Order::CreatedDesc,
            Some("createdat.asc") => Order::CreatedAsc,
            Some("stars.desc") => Order::StarsDesc,
            Some("stars.asc") => Order::StarsAsc,
            Some(o) => {
                return Err(TpError::bad(format!(
                "orderBy must be createdat.asc, createdat.desc, stars.asc or stars.desc, got {o}"
            )))
            }
        };
        let filter = Filter::parse(&pairs)?;
        let w = st.world();
        let u = w
            .unit(&id)
            .ok_or_else(|| TpError::not_found("Business unit not found"))?;
        let unit = &w.units[u];
        if unit.business != who.business {
            return Err(TpError::unauth(
                "Unauthorized: the token has no access to this business unit",
            ));
        }
        let skip = (page - 1).saturating_mul(per_page);
        let revs = &unit.reviews;
        // Newest first within a star rating (CHOICES-trustpilot).
        let ordered: Box<dyn Iterator<Item = &TpReview>> = match order {
            Order::CreatedAsc => Box::new(revs.iter()),
            Order::CreatedDesc => Box::new(revs.iter().rev()),
            Order::StarsAsc => {
                Box::new((1..=5u8).flat_map(|s| revs.iter().rev().filter(move |r| r.stars == s)))
            }
            Order::StarsDesc => Box::new(
                (1..=5u8)
                    .rev()
                    .flat_map(|s| revs.iter().rev().filter(move |r| r.stars == s)),
            ),
        };
        let (chosen, more): (Vec<&TpReview>, bool) =
            if filter.is_everything() && matches!(order, Order::CreatedAsc | Order::CreatedDesc) {
                // A sync's listing: a slice, not a walk over every review per page.
                let taken: Vec<&TpReview> = ordered.skip(skip).take(per_page).collect();
                (taken, skip.saturating_add(per_page) < revs.len())
            } else {
                let mut it = ordered.filter(|r| filter.matches(r, unit)).skip(skip);
                let taken: Vec<&TpReview> = it.by_ref().take(per_page).collect();
                let more = taken.len() == per_page && it.next().is_some();
                (taken, more)
            };
        let reviews: Vec<Value> = chosen
            .into_iter()
            .map(|r| render::review(r, unit, &w, &st.api_base))
            .collect();
        Ok(json_response(
            StatusCode::OK,
            &json!({"reviews": reviews, "links": page_links(&st.api_base, &path, &pairs, page, more)}),
        ))
    })())
}

/// `GET /v1/private/reviews/{id}` (token; SEEN-TP): the private review object.
pub async fn private_review(
    State(st): State<TpState>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let pairs = pairs_of(&req);
    finish((|| {
        let who = caller(&st, req.headers(), &pairs)?;
        let w = st.world();
        let (u, pos) = owned_review(&w, &who, &id)?;
        let unit = &w.units[u];
        Ok(json_response(
            StatusCode::OK,
            &render::review(&unit.reviews[pos], unit, &w, &st.api_base),
        ))
    })())
}

/// `POST /v1/private/reviews/{id}/reply` (token; SEEN-DOC body `{authorBusinessUserId,
/// message, submittedAt?}`). One reply per review: a second one replaces the first. Answers
/// `201` with no body (CHOICES-trustpilot: success body UNKNOWN). `authorBusinessUserId` is
/// required with a client-credentials token and defaults to the signed-in user otherwise.
pub async fn reply(
    State(st): State<TpState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
    body: Bytes,
) -> Response {
    let pairs = query_pairs(q.as_deref());
    finish((|| {
        let who = caller(&st, &headers, &pairs)?;
        let v = body_json(&headers, &body)?;
        let message = v
            .get("message")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .ok_or_else(|| TpError::bad("message is required"))?
            .to_string();
        if message.chars().count() > 2048 {
            return Err(TpError::bad("message must be at most 2048 characters"));
        }
        let now = st.now();
        let created = match v.get("submittedAt").and_then(Value::as_str) {
            None => now,
            Some(s) => parse_datetime(s)
                .ok_or_else(|| TpError::bad("submittedAt must look like 2024-07-15T12:00:00"))?,
        };
        let mut w = st.world();
        let author_id = match v.get("authorBusinessUserId").and_then(Value::as_str) {
            Some(a) => a.to_string(),
            None => match who.user {
                Some(u) => w.users[u].id.clone(),
                None => {
                    return Err(TpError::bad(
                        "authorBusinessUserId is required with a client-credentials token",
                    ))
                }
            },
        };
        let author = w
            .users
            .iter()
            .find(|u| u.id == author_id && u.business == who.business)
            .ok_or_else(|| TpError::bad("authorBusinessUserId is not a user of this business"))?
            .name
            .clone();
        let (u, pos) = owned_review(&w, &who, &id)?;
        let unit = &mut w.units[u];
        let rid = unit.reviews[pos].id;
        unit.reviews[pos].reply = OWNED_REPLY;
        unit.replies.insert(
            rid,
            OwnedReply {
                text: message,
                author: author_id,
                author_name: author,
                created,
            },
        );
        Ok(StatusCode::CREATED.into_response())
    })())
}

/// `DELETE /v1/private/reviews/{id}/reply` (token; SEEN-DOC): `204`; a review without a reply
/// answers `404` (CHOICES-trustpilot).
pub async fn delete_reply(
    State(st): State<TpState>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let pairs = pairs_of(&req);
    finish((|| {
        let who = caller(&st, req.headers(), &pairs)?;
        let mut w = st.world();
        let (u, pos) = owned_review(&w, &who, &id)?;
        let unit = &mut w.units[u];
        if unit.reviews[pos].reply == 0 {
            return Err(TpError::not_found("The review has no reply"));
        }
        let rid = unit.reviews[pos].id;
        unit.reviews[pos].reply = 0;
        unit.replies.remove(&rid);
        Ok(StatusCode::NO_CONTENT.into_response())
    })())
}

/// Tag names the filters know (for the demo info).
pub fn known_tags() -> Vec<Value> {
    TAGS.iter()
        .map(|(g, v)| json!({"group": g, "value": v}))
        .collect()
}

/// Whether a review counts toward the TrustScore (hidden reports do not).
pub fn counts_toward_score(r: &TpReview) -> bool {
    r.flags & flag::HIDDEN == 0
}
