//! The private-reviews queries: service reviews (§1.3: paging, sort and filters) and product
//! reviews (§1.8: paging, state, sku, language, locale).

use crate::wire::{format_query_time, ProductReviewState};

/// Largest page Trustpilot serves (`perPage` 1–100).
pub const MAX_PER_PAGE: u32 = 100;

/// `orderBy` (the documented values; no `updatedat` sort is documented).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderBy {
    /// Oldest first: the first full sync walks this way.
    CreatedAtAsc,
    /// Newest first (Trustpilot's default).
    CreatedAtDesc,
    /// Fewest stars first.
    StarsAsc,
    /// Most stars first.
    StarsDesc,
}

impl OrderBy {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderBy::CreatedAtAsc => "createdat.asc",
            OrderBy::CreatedAtDesc => "createdat.desc",
            OrderBy::StarsAsc => "stars.asc",
            OrderBy::StarsDesc => "stars.desc",
        }
    }
}

/// Which private reviews, in what order, how many a page.
///
/// Why every filter is here: the inbox's filters (stars, language, replied, reported, tags,
/// date) and the sync (`createdat.asc`, `startDateTime`) are all served by Trustpilot itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewQuery {
    /// Reviews a page, clamped to 1..=100 when sent (default 100: fewest calls).
    pub per_page: u32,
    /// Sort; `None` = Trustpilot's default (`createdat.desc`).
    pub order_by: Option<OrderBy>,
    /// Only these star ratings (empty = all).
    pub stars: Vec<u8>,
    /// Only these languages (empty = all).
    pub language: Vec<String>,
    /// Replied (`true`) or awaiting a reply (`false`).
    pub responded: Option<bool>,
    /// Reported or not.
    pub reported: Option<bool>,
    /// Tag group.
    pub tag_group: Option<String>,
    /// Tag value.
    pub tag_value: Option<String>,
    /// Compare the tag value without case.
    pub ignore_tag_value_case: Option<bool>,
    /// Exact reference id (e.g. a Shopify order number).
    pub reference_id: Option<String>,
    /// The consumer's email from the invitation.
    pub referral_email: Option<String>,
    /// Created at or after (unix seconds; inclusive in the sandbox).
    pub start_date_time: Option<i64>,
    /// Created before (unix seconds; exclusive in the sandbox).
    pub end_date_time: Option<i64>,
}

impl Default for ReviewQuery {
    fn default() -> Self {
        Self {
            per_page: MAX_PER_PAGE,
            order_by: None,
            stars: Vec::new(),
            language: Vec::new(),
            responded: None,
            reported: None,
            tag_group: None,
            tag_value: None,
            ignore_tag_value_case: None,
            reference_id: None,
            referral_email: None,
            start_date_time: None,
            end_date_time: None,
        }
    }
}

impl ReviewQuery {
    /// `per_page` as sent: 1..=100.
    pub fn effective_per_page(&self) -> u32 {
        self.per_page.clamp(1, MAX_PER_PAGE)
    }

    /// The query pairs for page `page` (from 1).
    ///
    /// Several stars or languages are sent as one comma-separated value (`stars=1,2`): how
    /// Trustpilot wants a multi-value filter is UNKNOWN (§1.3); the old docs say "comma
    /// separation" for list parameters, and the sandbox takes both forms. Dates are written
    /// `2013-09-07T13:37:00` (UTC, no zone) as in the docs.
    pub fn to_pairs(&self, page: u32) -> Vec<(String, String)> {
        let mut q: Vec<(String, String)> = vec![
            ("page".into(), page.max(1).to_string()),
            ("perPage".into(), self.effective_per_page().to_string()),
        ];
        let mut push = |k: &str, v: String| q.push((k.to_owned(), v));
        if let Some(o) = self.order_by {
            push("orderBy", o.as_str().into());
        }
        if !self.stars.is_empty() {
            let s: Vec<String> = self.stars.iter().map(u8::to_string).collect();
            push("stars", s.join(","));
        }
        if !self.language.is_empty() {
            push("language", self.language.join(","));
        }
        if let Some(b) = self.responded {
            push("responded", b.to_string());
        }
        if let Some(b) = self.reported {
            push("reported", b.to_string());
        }
        if let Some(v) = &self.tag_group {
            push("tagGroup", v.clone());
        }
        if let Some(v) = &self.tag_value {
            push("tagValue", v.clone());
        }
        if let Some(b) = self.ignore_tag_value_case {
            push("ignoreTagValueCase", b.to_string());
        }
        if let Some(v) = &self.reference_id {
            push("referenceId", v.clone());
        }
        if let Some(v) = &self.referral_email {
            push("referralEmail", v.clone());
        }
        if let Some(t) = self.start_date_time {
            push("startDateTime", format_query_time(t));
        }
        if let Some(t) = self.end_date_time {
            push("endDateTime", format_query_time(t));
        }
        q
    }
}

/// Which private product reviews, how many a page (§1.8).
///
/// Why `states` matters: Trustpilot lists only `published` reviews unless asked, and the inbox
/// shows every state, so a sync asks for [`ProductReviewQuery::every_state`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductReviewQuery {
    /// Reviews a page, clamped to 1..=100 when sent (default 100: fewest calls).
    pub per_page: u32,
    /// Only these states (empty = Trustpilot's default, `published`).
    pub states: Vec<ProductReviewState>,
    /// Only this product.
    pub sku: Option<String>,
    /// Only these languages (empty = all).
    pub language: Vec<String>,
    /// Only this locale, e.g. `en-US`.
    pub locale: Option<String>,
}

impl Default for ProductReviewQuery {
    fn default() -> Self {
        Self {
            per_page: MAX_PER_PAGE,
            states: Vec::new(),
            sku: None,
            language: Vec::new(),
            locale: None,
        }
    }
}

impl ProductReviewQuery {
    /// Every review whatever its state (published, unpublished, under moderation, archived).
    pub fn every_state() -> Self {
        Self {
            states: ProductReviewState::ALL.to_vec(),
            ..Self::default()
        }
    }

    /// `per_page` as sent: 1..=100.
    pub fn effective_per_page(&self) -> u32 {
        self.per_page.clamp(1, MAX_PER_PAGE)
    }

    /// The query pairs for page `page` (from 1). States and languages are one comma-separated
    /// value each (`state=published,archived`, SEEN-TP "comma-separated").
    pub fn to_pairs(&self, page: u32) -> Vec<(String, String)> {
        let mut q: Vec<(String, String)> = vec![
            ("page".into(), page.max(1).to_string()),
            ("perPage".into(), self.effective_per_page().to_string()),
        ];
        if !self.states.is_empty() {
            let states: Vec<&str> = self.states.iter().map(ProductReviewState::as_str).collect();
            q.push(("state".into(), states.join(",")));
        }
        if let Some(sku) = &self.sku {
            q.push(("sku".into(), sku.clone()));
        }
        if !self.language.is_empty() {
            q.push(("language".into(), self.language.join(",")));
        }
        if let Some(locale) = &self.locale {
            q.push(("locale".into(), locale.clone()));
        }
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_parameter_has_its_documented_name() {
        let q = ReviewQuery {
            per_page: 500,
            order_by: Some(OrderBy::CreatedAtAsc),
            stars: vec![1, 2],
            language: vec!["en".into(), "de".into()],
            responded: Some(false),
            reported: Some(true),
            tag_group: Some("generic".into()),
            tag_value: Some("Delivery".into()),
            ignore_tag_value_case: Some(true),
            reference_id: Some("#1001".into()),
            referral_email: Some("a@b.c".into()),
            start_date_time: Some(1_378_561_020),
            end_date_time: Some(1_378_561_080),
        };
        let pairs: Vec<String> = q
            .to_pairs(0)
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        assert_eq!(
            pairs,
            [
                "page=1",
                "perPage=100",
                "orderBy=createdat.asc",
                "stars=1,2",
                "language=en,de",
                "responded=false",
                "reported=true",
                "tagGroup=generic",
                "tagValue=Delivery",
                "ignoreTagValueCase=true",
                "referenceId=#1001",
                "referralEmail=a@b.c",
                "startDateTime=2013-09-07T13:37:00",
                "endDateTime=2013-09-07T13:38:00",
            ]
        );
        let d = ReviewQuery {
            per_page: 0,
            ..ReviewQuery::default()
        };
        assert_eq!(
            d.to_pairs(3),
            vec![("page".into(), "3".into()), ("perPage".into(), "1".into())]
        );
    }

    #[test]
    fn product_review_parameters_have_their_documented_names() {
        let q = ProductReviewQuery {
            per_page: 0,
            sku: Some("AU-101".into()),
            language: vec!["en".into(), "de".into()],
            locale: Some("en-US".into()),
            ..ProductReviewQuery::every_state()
        };
        let pairs: Vec<String> = q
            .to_pairs(2)
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        assert_eq!(
            pairs,
            [
                "page=2",
                "perPage=1",
                "state=published,unpublished,underModeration,archived",
                "sku=AU-101",
                "language=en,de",
                "locale=en-US",
            ]
        );
        assert_eq!(
            ProductReviewQuery::default().to_pairs(1),
            vec![
                ("page".into(), "1".into()),
                ("perPage".into(), "100".into())
            ]
        );
    }
}
