//! The JSON the Trustpilot routes answer with, rebuilt from the compact world. Field names
//! are exactly those of the reference's §1.2 (business unit) and §1.3 (private review).

use serde_json::{json, Value};

use super::data::{self, consumer, flag, BusinessUnit, TpReview, OWNED_REPLY};
use super::pools::{REPORT_COMMENTS, REPORT_REASONS};
use super::TpWorld;
use crate::data::slug;
use crate::util::fmt_rfc3339;

/// `YYYY-MM-DDTHH:MM:SS.mmmZ`: what replies and reports carry (reviews carry the plain `Z`
/// form), so a client meets both forms the reference says to accept (CHOICES-trustpilot).
pub fn fmt_millis(ts: i64, millis: u32) -> String {
    let s = fmt_rfc3339(ts);
    match s.strip_suffix('Z') {
        Some(b) => format!("{b}.{:03}Z", millis % 1000),
        None => s,
    }
}

/// A business unit as find and get answer it (§1.2).
pub fn unit(u: &BusinessUnit, api_base: &str) -> Value {
    let (total, used, s) = u.counts();
    let (trust_score, stars) = u.score();
    json!({
        "links": [
            {"href": format!("{api_base}/v1/business-units/{}", u.id), "method": "GET", "rel": "self"},
            {"href": format!("{api_base}/v1/private/business-units/{}/reviews", u.id), "method": "GET", "rel": "business-units:get-private-reviews"},
        ],
        "id": u.id,
        "displayName": u.display_name,
        "name": {"identifying": u.identifying, "referring": u.referring},
        "websiteUrl": u.website_url,
        "country": u.country,
        "numberOfReviews": {
            "total": total,
            "usedForTrustScoreCalculation": used,
            "oneStar": s[0],
            "twoStars": s[1],
            "threeStars": s[2],
            "fourStars": s[3],
            "fiveStars": s[4],
        },
        "status": "active",
        "score": {"trustScore": trust_score, "stars": stars},
        "badFit": false,
    })
}

fn counter_of(r: &TpReview) -> u32 {
    u32::from_be_bytes([0, r.id[9], r.id[10], r.id[11]])
}

/// `(referenceId, referralEmail)` of a review: set on invited reviews (the order number and the
/// address the invitation went to), absent on organic ones.
pub fn private_refs(r: &TpReview, u: &BusinessUnit) -> (Option<String>, Option<String>) {
    let owned = u.texts.get(&r.id);
    let (mut reference, mut email) = (None, None);
    if r.invited() {
        let c = consumer(r.consumer, r.pools());
        reference = Some(format!(
            "{}",
            1001 + counter_of(r).saturating_sub(0x10_0000)
        ));
        email = Some(format!(
            "{}.{}{}@example.com",
            slug(c.first),
            slug(c.last),
            r.consumer % 97
        ));
    }
    if let Some(o) = owned {
        if o.reference_id.is_some() {
            reference = o.reference_id.clone();
        }
        if o.referral_email.is_some() {
            email = o.referral_email.clone();
        }
    }
    (reference, email)
}

/// A review's title and text.
pub fn texts(r: &TpReview, u: &BusinessUnit) -> (String, String) {
    let p = r.pools();
    let (titles, sentences) = match r.stars {
        4 | 5 => (p.pos_titles, p.pos),
        3 => (p.mid_titles, p.mid),
        _ => (p.neg_titles, p.neg),
    };
    let mut title = titles[r.title as usize % titles.len()].to_string();
    let mut text = String::new();
    for &i in r.phrases.iter().filter(|&&i| i != u16::MAX) {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(sentences[i as usize % sentences.len()]);
    }
    if let Some(o) = u.texts.get(&r.id) {
        if let Some(t) = &o.title {
            title = t.clone();
        }
        if let Some(t) = &o.text {
            text = t.clone();
        }
    }
    (title, text)
}

fn company_reply(r: &TpReview, u: &BusinessUnit, w: &TpWorld) -> Value {
    match r.reply {
        0 => Value::Null,
        OWNED_REPLY => match u.replies.get(&r.id) {
            Some(o) => json!({
                "text": o.text,
                "authorBusinessUserId": o.author,
                "authorBusinessUserName": o.author_name,
                "createdAt": fmt_millis(o.created, 0),
                "updatedAt": fmt_millis(o.created, 0),
            }),
            None => Value::Null,
        },
        n => {
            let p = r.pools();
            let pool = if r.stars >= 4 {
                p.reply_pos
            } else {
                p.reply_neg
            };
            let author = w
                .users
                .iter()
                .find(|x| x.business == u.business && !x.two_factor);
            let at = r.created + r.reply_after as i64;
            json!({
                "text": pool[(n as usize - 1) % pool.len()],
                "authorBusinessUserId": author.map(|a| a.id.clone()),
                "authorBusinessUserName": author.map(|a| a.name.clone()),
                "createdAt": fmt_millis(at, r.reply_after % 1000),
                "updatedAt": fmt_millis(at, r.reply_after % 1000),
            })
        }
    }
}

fn report_data(r: &TpReview) -> Value {
    if !r.reported() {
        return Value::Null;
    }
    let (reason_key, reason) = REPORT_REASONS[r.report_reason as usize % REPORT_REASONS.len()];
    let at = r.created + r.reply_after as i64 / 2 + 600;
    json!({
        "source": "Business",
        "publicComment": REPORT_COMMENTS[r.report_reason as usize % REPORT_COMMENTS.len()],
        "createdAt": fmt_millis(at, r.experienced_before % 1000),
        "reasons": [reason_key],
        "reason": reason,
        "reviewVisibility": if r.flags & flag::HIDDEN != 0 { "hidden" } else { "visible" },
    })
}

/// `findReviewer.requests` of a review (SEEN-3P shape).
fn find_requests(r: &TpReview, u: &BusinessUnit) -> Vec<Value> {
    u.find_requests
        .get(&r.id)
        .map(|list| {
            list.iter()
                .map(|q| {
                    json!({
                        "id": q.id,
                        "status": q.status,
                        "created": fmt_rfc3339(q.created),
                        "businessUserMessage": q.message,
                        "consumerResponse": q.response,
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A private review (§1.3; the single-review endpoint answers the same object).
pub fn review(r: &TpReview, u: &BusinessUnit, w: &TpWorld, api_base: &str) -> Value {
    let id = data::oid_hex(&r.id);
    let c = consumer(r.consumer, r.pools());
    let (title, text) = texts(r, u);
    let (reference_id, referral_email) = private_refs(r, u);
    let updated = r.created + r.edited_after as i64;
    let tags: Vec<Value> = u
        .tags_of_review(r)
        .into_iter()
        .map(|(g, v)| json!({"group": g, "value": v}))
        .collect();
    let invited = r.invited();
    json!({
        "links": [
            {"href": format!("{api_base}/v1/private/reviews/{id}"), "method": "GET", "rel": "self"},
        ],
        "id": id,
        "consumer": {
            "id": c.id,
            "displayName": c.display_name,
            "displayLocation": c.location,
            "numberOfReviews": c.number_of_reviews,
            "links": [],
        },
        "businessUnit": {
            "id": u.id,
            "identifyingName": u.identifying,
            "displayName": u.display_name,
            "links": [{"href": format!("{api_base}/v1/business-units/{}", u.id), "method": "GET", "rel": "business-units"}],
        },
        "location": Value::Null,
        "stars": r.stars,
        "title": title,
        "text": text,
        "language": r.pools().code,
        "createdAt": fmt_rfc3339(r.created),
        "updatedAt": if r.edited_after == 0 { Value::Null } else { json!(fmt_rfc3339(updated)) },
        "experiencedAt": fmt_rfc3339(r.created - r.experienced_before as i64),
        "referralEmail": referral_email,
        "referenceId": reference_id,
        "source": data::source_of(r),
        "companyReply": company_reply(r, u, w),
        "tags": tags,
        "findReviewer": {"isEligible": !invited, "requests": find_requests(r, u)},
        "isVerified": invited,
        "numberOfLikes": r.likes,
        "status": if r.reported() { "reported" } else { "active" },
        "reportData": report_data(r),
        "complianceLabels": [],
        "countsTowardsTrustScore": r.flags & flag::HIDDEN == 0,
        "countsTowardsLocationTrustScore": Value::Null,
        "invitation": if invited { json!({"businessUnitId": u.id}) } else { Value::Null },
        "businessUnitHistory": [],
        "reviewVerificationLevel": if invited { "verified" } else { "notVerified" },
    })
}
