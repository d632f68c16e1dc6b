//! Business units and private service reviews (§1.2–§1.4).

use serde::Deserialize;

use super::de;

/// A HATEOAS link (`{href, method, rel}`), e.g. `rel: "next-page"` on a page of reviews.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Link {
    /// Absolute URL.
    #[serde(deserialize_with = "de::string")]
    pub href: String,
    /// HTTP method, usually `GET`.
    #[serde(deserialize_with = "de::string")]
    pub method: String,
    /// What it points to (`self`, `next-page`, `prev-page`, …).
    #[serde(deserialize_with = "de::string")]
    pub rel: String,
}

/// `name` of a business unit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct BusinessUnitName {
    /// The identifying name (usually the domain, e.g. `example.com`).
    #[serde(deserialize_with = "de::string")]
    pub identifying: String,
    /// Other names it is found by.
    #[serde(deserialize_with = "de::vec")]
    pub referring: Vec<String>,
}

/// Star counts of a business unit (`numberOfReviews`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ReviewCounts {
    /// Every review.
    #[serde(deserialize_with = "de::u64")]
    pub total: u64,
    /// The ones counted in the TrustScore.
    #[serde(deserialize_with = "de::u64")]
    pub used_for_trust_score_calculation: u64,
    /// 1★.
    #[serde(deserialize_with = "de::u64")]
    pub one_star: u64,
    /// 2★.
    #[serde(deserialize_with = "de::u64")]
    pub two_stars: u64,
    /// 3★.
    #[serde(deserialize_with = "de::u64")]
    pub three_stars: u64,
    /// 4★.
    #[serde(deserialize_with = "de::u64")]
    pub four_stars: u64,
    /// 5★.
    #[serde(deserialize_with = "de::u64")]
    pub five_stars: u64,
}

impl ReviewCounts {
    /// Counts indexed by stars − 1 (1★ first), for the rating chart.
    pub fn by_stars(&self) -> [u64; 5] {
        [
            self.one_star,
            self.two_stars,
            self.three_stars,
            self.four_stars,
            self.five_stars,
        ]
    }
}

/// `score` of a business unit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Score {
    /// TrustScore, e.g. 4.6.
    #[serde(deserialize_with = "de::f64")]
    pub trust_score: f64,
    /// Stars shown, e.g. 4.5.
    #[serde(deserialize_with = "de::f64")]
    pub stars: f64,
}

/// A business unit as find and get answer it (§1.2): what the merchant picks after sign-in.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct BusinessUnit {
    /// Business unit id (24 hex).
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// Name shown on Trustpilot.
    #[serde(deserialize_with = "de::string")]
    pub display_name: String,
    /// Identifying and referring names.
    #[serde(deserialize_with = "de::opt_obj")]
    pub name: Option<BusinessUnitName>,
    /// The business's site.
    #[serde(deserialize_with = "de::opt_string")]
    pub website_url: Option<String>,
    /// Country code.
    #[serde(deserialize_with = "de::opt_string")]
    pub country: Option<String>,
    /// Star counts.
    #[serde(deserialize_with = "de::opt_obj")]
    pub number_of_reviews: Option<ReviewCounts>,
    /// `active`, …
    #[serde(deserialize_with = "de::opt_string")]
    pub status: Option<String>,
    /// TrustScore and stars.
    #[serde(deserialize_with = "de::opt_obj")]
    pub score: Option<Score>,
    /// Links.
    #[serde(deserialize_with = "de::vec")]
    pub links: Vec<Link>,
}

/// The reviewer (`consumer`; the private endpoint has no email here, see `referral_email`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Consumer {
    /// Consumer id.
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// Name shown.
    #[serde(deserialize_with = "de::string")]
    pub display_name: String,
    /// Location shown, when the consumer gave one.
    #[serde(deserialize_with = "de::opt_string")]
    pub display_location: Option<String>,
    /// Reviews this consumer wrote.
    #[serde(deserialize_with = "de::u64")]
    pub number_of_reviews: u64,
}

/// The unit a review belongs to (`businessUnit`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct BusinessUnitRef {
    /// Id.
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// Identifying name.
    #[serde(deserialize_with = "de::string")]
    pub identifying_name: String,
    /// Display name.
    #[serde(deserialize_with = "de::string")]
    pub display_name: String,
}

/// The business's public reply (`companyReply`); one per review.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CompanyReply {
    /// Reply text.
    #[serde(deserialize_with = "de::string")]
    pub text: String,
    /// When posted (unix seconds).
    #[serde(deserialize_with = "de::opt_ts")]
    pub created_at: Option<i64>,
    /// When last changed.
    #[serde(deserialize_with = "de::opt_ts")]
    pub updated_at: Option<i64>,
    /// The business user who wrote it.
    #[serde(deserialize_with = "de::opt_string")]
    pub author_business_user_id: Option<String>,
    /// Their name (SEEN-3P only).
    #[serde(deserialize_with = "de::opt_string")]
    pub author_business_user_name: Option<String>,
}

/// A tag on a review (`{group, value}`; group `generic` shows in Trustpilot Business).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct Tag {
    /// Group.
    #[serde(deserialize_with = "de::string")]
    pub group: String,
    /// Value.
    #[serde(deserialize_with = "de::string")]
    pub value: String,
}

/// The consumer's answer to a Find Reviewer request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ConsumerResponse {
    /// Order/reference number they gave.
    #[serde(deserialize_with = "de::opt_string")]
    pub reference_id: Option<String>,
    /// Name.
    #[serde(deserialize_with = "de::opt_string")]
    pub name: Option<String>,
    /// Email (personal data).
    #[serde(deserialize_with = "de::opt_string")]
    pub email: Option<String>,
    /// Phone (personal data).
    #[serde(deserialize_with = "de::opt_string")]
    pub phone_number: Option<String>,
    /// Address (personal data).
    #[serde(deserialize_with = "de::opt_string")]
    pub address: Option<String>,
    /// Message.
    #[serde(deserialize_with = "de::opt_string")]
    pub message: Option<String>,
    /// When they answered.
    #[serde(deserialize_with = "de::opt_ts")]
    pub submitted_at: Option<i64>,
}

/// One Find Reviewer request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct FindReviewerRequest {
    /// Id.
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// Status.
    #[serde(deserialize_with = "de::string")]
    pub status: String,
    /// When asked.
    #[serde(deserialize_with = "de::opt_ts")]
    pub created: Option<i64>,
    /// What the business asked.
    #[serde(deserialize_with = "de::opt_string")]
    pub business_user_message: Option<String>,
    /// The consumer's answer.
    #[serde(deserialize_with = "de::opt_obj")]
    pub consumer_response: Option<ConsumerResponse>,
}

/// `findReviewer`: whether the business may ask for order details, and what it asked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct FindReviewer {
    /// Whether a request may be made.
    #[serde(deserialize_with = "de::bool")]
    pub is_eligible: bool,
    /// Requests made.
    #[serde(deserialize_with = "de::vec")]
    pub requests: Vec<FindReviewerRequest>,
}

/// `reportData` of a reported review.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ReportData {
    /// Who reported (`Business`, …).
    #[serde(deserialize_with = "de::opt_string")]
    pub source: Option<String>,
    /// Public comment.
    #[serde(deserialize_with = "de::opt_string")]
    pub public_comment: Option<String>,
    /// When reported.
    #[serde(deserialize_with = "de::opt_ts")]
    pub created_at: Option<i64>,
    /// Reasons, e.g. `consumerIsCompetitor`.
    #[serde(deserialize_with = "de::vec")]
    pub reasons: Vec<String>,
    /// The main reason, e.g. `consumer_is_competitor`.
    #[serde(deserialize_with = "de::opt_string")]
    pub reason: Option<String>,
    /// `hidden` or `visible`.
    #[serde(deserialize_with = "de::opt_string")]
    pub review_visibility: Option<String>,
}

/// `status` of a review: `active` or `reported` (old official JSDoc), anything else kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ReviewStatus {
    /// Visible, not reported (also what a missing status means).
    #[default]
    Active,
    /// Reported by the business.
    Reported,
    /// A value not seen in the docs, kept as sent.
    Other(String),
}

impl<'de> Deserialize<'de> for ReviewStatus {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = de::string(d)?;
        Ok(match s.to_ascii_lowercase().as_str() {
            "" | "active" => ReviewStatus::Active,
            "reported" => ReviewStatus::Reported,
            _ => ReviewStatus::Other(s),
        })
    }
}

/// A private service review (§1.3/§1.4), with the private fields (`referral_email`,
/// `reference_id`, `status`, `report_data`, `tags`, `find_reviewer`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ServiceReview {
    /// Review id (a 24-hex Mongo ObjectId, SEEN-3P).
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// The reviewer.
    #[serde(deserialize_with = "de::obj")]
    pub consumer: Consumer,
    /// The unit.
    #[serde(deserialize_with = "de::opt_obj")]
    pub business_unit: Option<BusinessUnitRef>,
    /// 1–5 (0 when missing or out of range).
    #[serde(deserialize_with = "de::stars")]
    pub stars: u8,
    /// Headline.
    #[serde(deserialize_with = "de::string")]
    pub title: String,
    /// Body.
    #[serde(deserialize_with = "de::string")]
    pub text: String,
    /// Language code, e.g. `en`.
    #[serde(deserialize_with = "de::string")]
    pub language: String,
    /// When written (unix seconds; `None` if missing or unreadable).
    #[serde(deserialize_with = "de::opt_ts")]
    pub created_at: Option<i64>,
    /// When the consumer last edited it.
    #[serde(deserialize_with = "de::opt_ts")]
    pub updated_at: Option<i64>,
    /// When the experience took place.
    #[serde(deserialize_with = "de::opt_ts")]
    pub experienced_at: Option<i64>,
    /// The consumer's email from the invitation (personal data; private only).
    #[serde(deserialize_with = "de::opt_string")]
    pub referral_email: Option<String>,
    /// Order/reference number from the invitation (private only).
    #[serde(deserialize_with = "de::opt_string")]
    pub reference_id: Option<String>,
    /// Where it came from (`AFS`, `Organic`, …; values UNKNOWN, kept as sent).
    #[serde(deserialize_with = "de::opt_string")]
    pub source: Option<String>,
    /// The business's reply.
    #[serde(deserialize_with = "de::opt_obj")]
    pub company_reply: Option<CompanyReply>,
    /// Tags (private only).
    #[serde(deserialize_with = "de::vec")]
    pub tags: Vec<Tag>,
    /// Find Reviewer state.
    #[serde(deserialize_with = "de::opt_obj")]
    pub find_reviewer: Option<FindReviewer>,
    /// Invited (verified) review.
    #[serde(deserialize_with = "de::bool")]
    pub is_verified: bool,
    /// Likes.
    #[serde(deserialize_with = "de::u64")]
    pub number_of_likes: u64,
    /// Active or reported.
    pub status: ReviewStatus,
    /// Report details when reported.
    #[serde(deserialize_with = "de::opt_obj")]
    pub report_data: Option<ReportData>,
    /// Whether it counts in the TrustScore.
    #[serde(deserialize_with = "de::opt_bool")]
    pub counts_towards_trust_score: Option<bool>,
    /// `verified`, `notVerified`, …
    #[serde(deserialize_with = "de::opt_string")]
    pub review_verification_level: Option<String>,
    /// Links (`self`, …).
    #[serde(deserialize_with = "de::vec")]
    pub links: Vec<Link>,
}

impl ServiceReview {
    /// True when the business has replied.
    pub fn has_reply(&self) -> bool {
        self.company_reply
            .as_ref()
            .is_some_and(|r| !r.text.is_empty())
    }
}

/// True for a 24-hex id (Mongo ObjectId), the shape Trustpilot's ids have (SEEN-3P).
pub fn is_object_id(id: &str) -> bool {
    id.len() == 24 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// One page of private reviews: `{reviews, links}` (no total is sent).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ReviewPage {
    /// The reviews of this page.
    #[serde(deserialize_with = "de::vec_strict")]
    pub reviews: Vec<ServiceReview>,
    /// Paging links (`next-page`, `prev-page`).
    #[serde(deserialize_with = "de::vec")]
    pub links: Vec<Link>,
}

impl ReviewPage {
    /// The `next-page` link, when Trustpilot sent one.
    pub fn next_page_link(&self) -> Option<&Link> {
        self.links
            .iter()
            .find(|l| l.rel.eq_ignore_ascii_case("next-page"))
    }

    /// Whether another page may follow a page requested with `per_page`: it must be full and
    /// carry a `next-page` link (the rule every real client uses, §1.3 / §4.5; an empty page
    /// is short).
    pub fn has_next(&self, per_page: u32) -> bool {
        let full = u32::try_from(self.reviews.len()).is_ok_and(|n| n >= per_page.max(1));
        full && self.next_page_link().is_some()
    }
}

/// An invitation email template of a unit (`GET …/templates`: "the list of template IDs and
/// names, standard + custom", SEEN-TP; the field names are UNKNOWN, so `templateId` /
/// `templateName` are read too).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct InvitationTemplate {
    /// Template id, sent as `templateId`.
    #[serde(deserialize_with = "de::string", alias = "templateId")]
    pub id: String,
    /// Its name in Trustpilot Business.
    #[serde(deserialize_with = "de::string", alias = "templateName")]
    pub name: String,
    /// Trustpilot's default for the unit.
    #[serde(deserialize_with = "de::bool")]
    pub is_default_template: bool,
    /// e.g. `en-US`.
    #[serde(deserialize_with = "de::opt_string")]
    pub locale: Option<String>,
}

/// A created invitation link: `{id, url}` (node JSDoc, SEEN-TP; the tutorial shows `id`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct InvitationLink {
    /// Link id.
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// The link to send to the consumer.
    #[serde(deserialize_with = "de::string")]
    pub url: String,
}
