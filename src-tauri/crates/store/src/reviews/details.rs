//! A review's provider part ([`ProviderDetails`]) in the store's columns and back.
//!
//! Why columns and not one JSON cell: Trustoo's columns (V1) are read by the source filter and
//! counts, the CSV export and the benchmarks, and stay as they are; Trustpilot's (V14) sit
//! beside them, NULL in Trustoo rows. Each row's provider is its account's (`shops.provider`),
//! so a row is read back into the part it was written from.

use reviewdesk_core::{
    FindReviewer, ProductReviewDetails, Provider, ProviderDetails, TrustooDetails,
    TrustpilotDetails, TrustpilotId,
};

/// The values of the provider columns of one review row (also what the CSV export writes: its
/// columns are the store's).
pub(crate) struct DetailColumns<'r> {
    pub(crate) author_email: &'r str,
    pub(crate) source: &'r str,
    pub(crate) is_featured: bool,
    pub(crate) is_published: bool,
    pub(crate) is_pinned: bool,
    pub(crate) item_type: &'r str,
    pub(crate) order_id: &'r str,
    pub(crate) reference_id: Option<&'r str>,
    pub(crate) referral_email: Option<&'r str>,
    pub(crate) report_status: Option<&'r str>,
    pub(crate) report_reasons: Option<&'r [String]>,
    pub(crate) language: Option<&'r str>,
    pub(crate) consumer_id: Option<&'r str>,
    pub(crate) find_reviewer: Option<&'r FindReviewer>,
    pub(crate) product: Option<&'r ProductReviewDetails>,
}

impl<'r> DetailColumns<'r> {
    /// The columns of `details`: a Trustoo review fills the Trustoo columns (Trustpilot's stay
    /// NULL); a Trustpilot review fills its own and the shared `source` (the source filter's),
    /// and leaves the Trustoo ones empty (they are `NOT NULL`).
    pub(crate) fn of(details: &'r ProviderDetails) -> Self {
        match details {
            ProviderDetails::Trustoo(t) => DetailColumns {
                author_email: &t.author_email,
                source: &t.source,
                is_featured: t.is_featured,
                is_published: t.is_published,
                is_pinned: t.is_pinned,
                item_type: &t.item_type,
                order_id: &t.order_id,
                reference_id: None,
                referral_email: None,
                report_status: None,
                report_reasons: None,
                language: None,
                consumer_id: None,
                find_reviewer: None,
                product: None,
            },
            ProviderDetails::Trustpilot(t) => DetailColumns {
                author_email: "",
                source: &t.source,
                is_featured: false,
                is_published: false,
                is_pinned: false,
                item_type: "",
                order_id: "",
                reference_id: t.reference_id.as_deref(),
                referral_email: t.referral_email.as_deref(),
                report_status: Some(&t.report_status),
                report_reasons: Some(&t.report_reasons),
                language: Some(&t.language),
                consumer_id: t.consumer_id.as_ref().map(TrustpilotId::as_str),
                find_reviewer: t.find_reviewer.as_ref(),
                product: t.product.as_deref(),
            },
        }
    }
}

/// The provider columns of a row as read ([`crate::reviews::ROW_COLUMNS`]).
pub(crate) struct StoredDetails {
    pub(crate) provider: String,
    pub(crate) author_email: String,
    pub(crate) source: String,
    pub(crate) is_featured: bool,
    pub(crate) is_published: bool,
    pub(crate) is_pinned: bool,
    pub(crate) item_type: String,
    pub(crate) order_id: String,
    pub(crate) reference_id: Option<String>,
    pub(crate) referral_email: Option<String>,
    pub(crate) report_status: Option<String>,
    pub(crate) report_reasons_json: Option<String>,
    pub(crate) language: Option<String>,
    pub(crate) consumer_id: Option<String>,
    pub(crate) find_reviewer_json: Option<String>,
    pub(crate) product_json: Option<String>,
}

impl StoredDetails {
    /// The provider part the row was written from; an error names what cannot be read.
    pub(crate) fn into_details(self) -> Result<ProviderDetails, String> {
        match Provider::parse(&self.provider) {
            Some(Provider::Trustoo) => Ok(ProviderDetails::Trustoo(TrustooDetails {
                source: self.source,
                author_email: self.author_email,
                order_id: self.order_id,
                item_type: self.item_type,
                is_featured: self.is_featured,
                is_published: self.is_published,
                is_pinned: self.is_pinned,
            })),
            Some(Provider::Trustpilot) => {
                let report_reasons = match self.report_reasons_json.as_deref() {
                    Some(json) => serde_json::from_str(json)
                        .map_err(|e| format!("report reasons json: {e}"))?,
                    None => Vec::new(),
                };
                let find_reviewer = self
                    .find_reviewer_json
                    .map(|json| {
                        serde_json::from_str(&json).map_err(|e| format!("find reviewer json: {e}"))
                    })
                    .transpose()?;
                let product = self
                    .product_json
                    .map(|json| {
                        serde_json::from_str(&json).map_err(|e| format!("product review json: {e}"))
                    })
                    .transpose()?;
                let consumer_id = self
                    .consumer_id
                    .map(|id| TrustpilotId::parse(&id).map_err(|e| e.to_string()))
                    .transpose()?;
                Ok(ProviderDetails::Trustpilot(TrustpilotDetails {
                    source: self.source,
                    reference_id: self.reference_id,
                    referral_email: self.referral_email,
                    report_status: self.report_status.unwrap_or_default(),
                    report_reasons,
                    language: self.language.unwrap_or_default(),
                    consumer_id,
                    find_reviewer,
                    product,
                }))
            }
            None => Err(format!("provider {}", self.provider)),
        }
    }
}
