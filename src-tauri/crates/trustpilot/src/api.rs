//! Business units (§1.2), private service reviews (§1.3, §1.4), replies (§1.5) and tags (§1.6),
//! each written
//! as a `Call` through the door — the only way this crate can talk to Trustpilot.

use serde_json::{json, Value};

use crate::client::TrustpilotClient;
use crate::door::{Call, Host, Method};
use crate::error::Error;
use crate::query::ReviewQuery;
use crate::retry::CallKind;
use crate::wire::{
    format_query_time, BusinessUnit, InvitationLink, InvitationTemplate, ReviewPage, ServiceReview,
    Tag,
};

/// An id for a URL path: letters and digits only (Trustpilot's are 24 hex), so no id from a
/// stored row or a deep link can walk the path.
pub(crate) fn segment(id: &str) -> Result<&str, Error> {
    if !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(id)
    } else {
        Err(Error::Config("an id must be letters and digits".into()))
    }
}

/// A call moved to the invitations host, with the business user in `x-business-user-id` when
/// known (needed with a client-credentials token, SEEN-DOC "should be provided").
fn on_invitations_host(mut call: Call, business_user_id: Option<&str>) -> Result<Call, Error> {
    call.host = Host::Invitations;
    if let Some(user) = business_user_id {
        call.headers
            .push(("x-business-user-id", segment(user)?.to_owned()));
    }
    Ok(call)
}

/// A reply to post (§1.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReply {
    /// The reply text.
    pub message: String,
    /// The business user answering: required with a client-credentials token (copied from the
    /// user's Trustpilot Business profile page, SEEN-DOC); with a user's token it may be left
    /// out (whether Trustpilot then uses the signed-in user is UNKNOWN; the sandbox does).
    pub author_business_user_id: Option<String>,
    /// When it was written (unix seconds), optional (SEEN-DOC `submittedAt`).
    pub submitted_at: Option<i64>,
}

/// A service-review invitation email to queue at Trustpilot (§1.9, SEEN-DOC body; the service
/// part only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewEmailInvitation {
    /// The consumer's email (personal data; sent, never logged).
    pub consumer_email: String,
    /// The consumer's name.
    pub consumer_name: String,
    /// The order number (`referenceNumber`), which the review then carries as `referenceId`.
    pub reference_number: String,
    /// e.g. `en-US`.
    pub locale: Option<String>,
    /// The email template (from [`TrustpilotClient::invitation_templates`]); none: the unit's
    /// default.
    pub template_id: Option<String>,
    /// When to send it (unix seconds, sent in UTC as the docs ask); none: now.
    pub preferred_send_time: Option<i64>,
    /// Tags the review will carry.
    pub tags: Vec<Tag>,
    /// Where Trustpilot sends the consumer after reviewing.
    pub redirect_uri: Option<String>,
}

/// A service-review invitation link to create (§1.9, SEEN-DOC body).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewInvitationLink {
    /// The consumer's email (personal data; sent, never logged).
    pub email: String,
    /// The consumer's name.
    pub name: String,
    /// Order number to find the review by later (`referenceId`).
    pub reference_id: Option<String>,
    /// e.g. `en-US`.
    pub locale: Option<String>,
    /// Tags the review will carry.
    pub tags: Vec<Tag>,
    /// Where Trustpilot sends the consumer after reviewing.
    pub redirect_uri: Option<String>,
    /// Location, for businesses with several.
    pub location_id: Option<String>,
}

impl TrustpilotClient {
    /// Finds a business unit by its exact identifying or referring name, e.g. the shop's
    /// domain (`GET /v1/business-units/find?name=`, API key).
    pub async fn find_business_unit(&self, name: &str) -> Result<BusinessUnit, Error> {
        self.door
            .fetch(Call::public_get(
                "find_business_unit",
                "v1/business-units/find".into(),
                vec![("name".into(), name.to_owned())],
            ))
            .await
    }

    /// A business unit by id, with its TrustScore and star counts (API key).
    pub async fn business_unit(&self, id: &str) -> Result<BusinessUnit, Error> {
        self.door
            .fetch(Call::public_get(
                "business_unit",
                format!("v1/business-units/{}", segment(id)?),
                Vec::new(),
            ))
            .await
    }

    /// One page (from 1) of a unit's private service reviews. Past the end Trustpilot
    /// answers an empty page; see [`ReviewPage::has_next`] and [`ReviewPager`].
    pub async fn private_reviews_page(
        &self,
        unit_id: &str,
        query: &ReviewQuery,
        page: u32,
    ) -> Result<ReviewPage, Error> {
        self.door
            .fetch(Call::private_get(
                "private_reviews",
                format!("v1/private/business-units/{}/reviews", segment(unit_id)?),
                query.to_pairs(page),
            ))
            .await
    }

    /// Walks every page of a unit's private reviews matching `query`.
    pub fn private_reviews(&self, unit_id: &str, query: ReviewQuery) -> ReviewPager {
        ReviewPager {
            client: self.clone(),
            unit_id: unit_id.to_owned(),
            query,
            next: Some(1),
        }
    }

    /// One private review (`GET /v1/private/reviews/{id}`), with `referralEmail`,
    /// `referenceId`, `status` and tags.
    pub async fn private_review(&self, id: &str) -> Result<ServiceReview, Error> {
        self.door
            .fetch(Call::private_get(
                "private_review",
                format!("v1/private/reviews/{}", segment(id)?),
                Vec::new(),
            ))
            .await
    }

    /// Posts the business's reply (`POST /v1/private/reviews/{id}/reply`). A review has one
    /// reply: posting again replaces it, which is why a lost answer may be retried. The success
    /// body is UNKNOWN and not read: re-read the review to see `companyReply`.
    pub async fn reply(&self, review_id: &str, reply: &NewReply) -> Result<(), Error> {
        if reply.message.trim().is_empty() {
            return Err(Error::Validation {
                message: "the reply is empty".into(),
            });
        }
        let mut body = json!({ "message": reply.message });
        if let Some(author) = &reply.author_business_user_id {
            body["authorBusinessUserId"] = Value::String(author.clone());
        }
        if let Some(t) = reply.submitted_at {
            body["submittedAt"] = Value::String(format_query_time(t));
        }
        self.door
            .send(Call::private_write(
                "reply",
                Method::POST,
                format!("v1/private/reviews/{}/reply", segment(review_id)?),
                Some(&body),
                CallKind::Idempotent,
            )?)
            .await
    }

    /// The tags of one review (`GET /v1/private/reviews/{id}/tags`). The list's shape is UNKNOWN:
    /// `{"tags": […]}` is read, and a bare array too.
    pub async fn review_tags(&self, review_id: &str) -> Result<Vec<Tag>, Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum TagList {
            Wrapped {
                #[serde(default)]
                tags: Vec<Tag>,
            },
            Bare(Vec<Tag>),
        }
        let list: TagList = self
            .door
            .fetch(Call::private_get(
                "review_tags",
                format!("v1/private/reviews/{}/tags", segment(review_id)?),
                Vec::new(),
            ))
            .await?;
        Ok(match list {
            TagList::Wrapped { tags } | TagList::Bare(tags) => tags,
        })
    }

    /// Adds tags to a review (`PUT …/tags`: PUT adds, POST would replace them all). Adding a
    /// tag the review has changes nothing, so a lost answer may be retried.
    pub async fn add_tags(&self, review_id: &str, tags: &[Tag]) -> Result<(), Error> {
        self.write_tags("add_tags", Method::PUT, review_id, tags)
            .await
    }

    /// Replaces every tag of a review (`POST …/tags`).
    pub async fn replace_tags(&self, review_id: &str, tags: &[Tag]) -> Result<(), Error> {
        self.write_tags("replace_tags", Method::POST, review_id, tags)
            .await
    }

    async fn write_tags(
        &self,
        name: &'static str,
        method: Method,
        review_id: &str,
        tags: &[Tag],
    ) -> Result<(), Error> {
        if tags
            .iter()
            .any(|t| t.group.trim().is_empty() || t.value.trim().is_empty())
        {
            return Err(Error::Validation {
                message: "a tag needs a group and a value".into(),
            });
        }
        let body = json!({ "tags": tags });
        self.door
            .send(Call::private_write(
                name,
                method,
                format!("v1/private/reviews/{}/tags", segment(review_id)?),
                Some(&body),
                CallKind::Idempotent,
            )?)
            .await
    }

    /// Asks the reviewer for their order details (`POST /v1/private/reviews/{id}/find-reviewer`,
    /// SEEN-DOC body). The documented answer is a serialized .NET `HttpResponseMessage` (a doc
    /// bug), so only the status is read; the request shows later in the review's
    /// `findReviewer.requests`. Not retried once it may have landed (a second call asks twice).
    pub async fn find_reviewer(&self, review_id: &str, message: Option<&str>) -> Result<(), Error> {
        let body = json!({
            "message": message.map(str::trim).filter(|m| !m.is_empty()),
            "skipNotificationEmailToBusinessUser": false,
        });
        self.door
            .send(Call::private_write(
                "find_reviewer",
                Method::POST,
                format!("v1/private/reviews/{}/find-reviewer", segment(review_id)?),
                Some(&body),
                CallKind::NonIdempotent,
            )?)
            .await
    }

    /// Removes one tag from a review (`DELETE …/tags?group=&value=`). Removing it twice leaves
    /// the same state, so it is retried like a read.
    pub async fn remove_tag(&self, review_id: &str, tag: &Tag) -> Result<(), Error> {
        let mut call = Call::private_write(
            "remove_tag",
            Method::DELETE,
            format!("v1/private/reviews/{}/tags", segment(review_id)?),
            None,
            CallKind::Idempotent,
        )?;
        call.query = vec![
            ("group".to_owned(), tag.group.clone()),
            ("value".to_owned(), tag.value.clone()),
        ];
        self.door.send(call).await
    }

    /// Creates a service-review invitation link on the invitations host
    /// (`POST /v1/private/business-units/{id}/invitation-links`). `business_user_id` goes in
    /// `x-business-user-id`: needed with a client-credentials token (SEEN-DOC "should be
    /// provided"), optional with a user's token. Not retried once it may have landed (each call
    /// makes a new link). Needs Trustpilot's Connect add-on (§0.11): otherwise
    /// [`Error::Forbidden`].
    pub async fn create_invitation_link(
        &self,
        unit_id: &str,
        link: &NewInvitationLink,
        business_user_id: Option<&str>,
    ) -> Result<InvitationLink, Error> {
        let mut body = json!({ "email": link.email, "name": link.name });
        let mut put = |k: &str, v: &Option<String>| {
            if let Some(v) = v {
                body[k] = Value::String(v.clone());
            }
        };
        put("referenceId", &link.reference_id);
        put("locale", &link.locale);
        put("redirectUri", &link.redirect_uri);
        put("locationId", &link.location_id);
        if !link.tags.is_empty() {
            body["tags"] = serde_json::to_value(&link.tags)
                .map_err(|_| Error::Config("could not encode the tags".into()))?;
        }
        let call = Call::private_write(
            "create_invitation_link",
            Method::POST,
            format!(
                "v1/private/business-units/{}/invitation-links",
                segment(unit_id)?
            ),
            Some(&body),
            CallKind::NonIdempotent,
        )?;
        self.door
            .fetch(on_invitations_host(call, business_user_id)?)
            .await
    }

    /// The unit's invitation email templates, standard and custom
    /// (`GET /v1/private/business-units/{id}/templates` on the invitations host). A plan without
    /// the Invitation API is [`Error::Forbidden`].
    pub async fn invitation_templates(
        &self,
        unit_id: &str,
        business_user_id: Option<&str>,
    ) -> Result<Vec<InvitationTemplate>, Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum TemplateList {
            Wrapped {
                #[serde(default)]
                templates: Vec<InvitationTemplate>,
            },
            Bare(Vec<InvitationTemplate>),
        }
        let call = Call::private_get(
            "invitation_templates",
            format!("v1/private/business-units/{}/templates", segment(unit_id)?),
            Vec::new(),
        );
        let list: TemplateList = self
            .door
            .fetch(on_invitations_host(call, business_user_id)?)
            .await?;
        Ok(match list {
            TemplateList::Wrapped { templates } | TemplateList::Bare(templates) => templates,
        })
    }

    /// Queues a service-review invitation email at Trustpilot
    /// (`POST /v1/private/business-units/{id}/email-invitations`), which sends it "within a few
    /// minutes" or at the preferred time. Not retried once it may have landed (a second call
    /// would send a second email). A plan without the Invitation API is [`Error::Forbidden`].
    pub async fn send_email_invitation(
        &self,
        unit_id: &str,
        invitation: &NewEmailInvitation,
        business_user_id: Option<&str>,
    ) -> Result<(), Error> {
        let mut service = json!({});
        if let Some(t) = &invitation.template_id {
            service["templateId"] = Value::String(t.clone());
        }
        if let Some(at) = invitation.preferred_send_time {
            // UTC, ISO without a zone (SEEN-DOC: "must be UTC"; the format is ambiguous, ISO
            // preferred by the reference).
            service["preferredSendTime"] = Value::String(format_query_time(at));
        }
        if let Some(r) = &invitation.redirect_uri {
            service["redirectUri"] = Value::String(r.clone());
        }
        if !invitation.tags.is_empty() {
            service["tags"] = serde_json::to_value(&invitation.tags)
                .map_err(|_| Error::Config("could not encode the tags".into()))?;
        }
        let mut body = json!({
            "consumerEmail": invitation.consumer_email,
            "consumerName": invitation.consumer_name,
            "referenceNumber": invitation.reference_number,
            "type": "email",
            "serviceReviewInvitation": service,
        });
        if let Some(l) = &invitation.locale {
            body["locale"] = Value::String(l.clone());
        }
        let call = Call::private_write(
            "send_email_invitation",
            Method::POST,
            format!(
                "v1/private/business-units/{}/email-invitations",
                segment(unit_id)?
            ),
            Some(&body),
            CallKind::NonIdempotent,
        )?;
        self.door
            .send(on_invitations_host(call, business_user_id)?)
            .await
    }

    /// Deletes the business's reply (`DELETE /v1/private/reviews/{id}/reply`); none there is
    /// [`Error::NotFound`]. Editing a reply is delete + post (no PUT is documented).
    pub async fn delete_reply(&self, review_id: &str) -> Result<(), Error> {
        self.door
            .send(Call::private_write(
                "delete_reply",
                Method::DELETE,
                format!("v1/private/reviews/{}/reply", segment(review_id)?),
                None,
                CallKind::NonIdempotent,
            )?)
            .await
    }
}

/// Walks a unit's private reviews page by page: page 1, 2, … of `per_page` (≤ 100), stopping
/// after a short page (an empty one included) or a page without a `next-page` link — the rule
/// every real client uses (§1.3), so the last call is never a wasted empty page when the
/// link is missing.
#[derive(Debug, Clone)]
pub struct ReviewPager {
    client: TrustpilotClient,
    unit_id: String,
    query: ReviewQuery,
    next: Option<u32>,
}

impl ReviewPager {
    /// The next page's reviews, or `None` when the walk is over. After an error the same page
    /// is asked again on the next call.
    pub async fn next_page(&mut self) -> Result<Option<Vec<ServiceReview>>, Error> {
        let Some(page) = self.next else {
            return Ok(None);
        };
        let answer = self
            .client
            .private_reviews_page(&self.unit_id, &self.query, page)
            .await?;
        self.next = if answer.has_next(self.query.effective_per_page()) {
            page.checked_add(1)
        } else {
            None
        };
        Ok(Some(answer.reviews))
    }

    /// The page the next call asks for (`None`: done), e.g. to show progress or resume.
    pub fn next_page_number(&self) -> Option<u32> {
        self.next
    }

    /// Every remaining review, in order (for tests and small units; a sync stores page by page).
    pub async fn collect_all(mut self) -> Result<Vec<ServiceReview>, Error> {
        let mut all = Vec::new();
        while let Some(page) = self.next_page().await? {
            all.extend(page);
        }
        Ok(all)
    }
}
