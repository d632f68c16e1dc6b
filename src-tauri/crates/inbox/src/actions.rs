//! Moderation: every write goes through the store's action queue, so it survives a restart and
//! reaches Trustoo exactly once.
//!
//! Life of an action here: queued in the store (with its audit entry) → claimed with
//! `mark_in_flight` → sent → `done`, or back to `pending` on a transient failure (network, 5xx,
//! 429, an unreadable answer) and reported `queued`, or `conflict` when Trustoo's state forbids
//! it (already deleted, not found, already excluded, invalid), or `failed` for good (missing
//! permission). Before re-sending an action that was sent before (in flight when the app died,
//! or a failed attempt that may have reached the server), [`Inbox::replay`] asks Trustoo
//! whether it landed — that check is what makes it exactly once.

use std::time::Duration;

use reviewdesk_core::{
    AccountKey, ActionKind, ActionOutcome, ActionState, ActionStatus, ExclusionPage,
    ExclusionTarget, ProviderDetails, QueuedAction, ReviewDetail, ReviewId, ReviewReply, ReviewRow,
    ReviewTag,
};
use reviewdesk_store::{NewAction, StoreError};
use reviewdesk_trustoo::types::EmailType;
use reviewdesk_trustoo::TrustooClient;
use serde_json::{json, Value};

use crate::source::{ReviewSource, SourceError, SourceErrorKind as Kind};
use crate::{lock, Inbox, InboxError};

/// The longest reply ReviewDesk sends. Trustpilot documents no limit (UNKNOWN); its web
/// dashboard stops at 2,048 characters, and a reply longer than that is no answer a reader
/// finishes, so this is the one choice, checked before anything is queued.
pub const MAX_REPLY_CHARS: usize = 2_048;

/// The longest Find Reviewer message ReviewDesk sends (UNKNOWN in the docs; the sandbox takes
/// 1,000 characters, more than a request for order details needs).
pub const MAX_FIND_MESSAGE_CHARS: usize = 1_000;

/// The longest tag group or value ReviewDesk sends. Trustpilot documents no limit (UNKNOWN);
/// 100 characters is far past any label a merchant filters by, and the sandbox takes as much.
pub const MAX_TAG_CHARS: usize = 100;

/// A tag as the merchant typed it, trimmed, its group `generic` when none is given (so it
/// shows in Trustpilot Business, SEEN-DOC); a clear sentence when it cannot be sent.
pub fn check_tag(group: Option<&str>, value: &str) -> Result<ReviewTag, InboxError> {
    let value = value.trim();
    let group = group.map(str::trim).filter(|g| !g.is_empty());
    if value.is_empty() {
        return Err(InboxError::Invalid("Type the tag first.".into()));
    }
    if value.chars().count() > MAX_TAG_CHARS
        || group.is_some_and(|g| g.chars().count() > MAX_TAG_CHARS)
    {
        return Err(InboxError::Invalid(format!(
            "A tag can be at most {MAX_TAG_CHARS} characters long."
        )));
    }
    Ok(match group {
        Some(g) => ReviewTag::new(g, value),
        None => ReviewTag::generic(value),
    })
}

/// The tags an action's payload names (`tags: [{group, value}]`, or one `group` + `value`).
pub(crate) fn payload_tags(p: &Value) -> Vec<ReviewTag> {
    match p.get("tags") {
        Some(list) => serde_json::from_value(list.clone()).unwrap_or_default(),
        None => payload_str(p, "value")
            .map(|v| ReviewTag::new(payload_str(p, "group").unwrap_or(ReviewTag::GENERIC), v))
            .into_iter()
            .collect(),
    }
}

/// Now, as the RFC 3339 text the providers send.
fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Exclusions per page of `list_exclusions` (the UI pages 1-based).
pub const EXCLUSION_PAGE_SIZE: u32 = 50;

/// Parses an `email_type` as the UI sends it (the wire spelling of the documented values).
pub fn parse_email_type(text: &str) -> Option<EmailType> {
    serde_json::from_value(Value::String(text.to_owned())).ok()
}

/// How one send attempt ended, for the replay loop.
enum Sent {
    /// Finished (done, conflict or failed) or queued with its outcome.
    Outcome(ActionOutcome, bool),
    /// Someone in this process is sending it right now.
    Busy,
}

/// What a queue replay did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReplayReport {
    /// Actions Trustoo accepted (or that had already landed).
    pub done: usize,
    /// Actions refused because Trustoo's state no longer allows them.
    pub conflicts: usize,
    /// Actions that failed for good.
    pub failed: usize,
    /// Actions still waiting (Trustoo still unreachable).
    pub still_queued: usize,
}

/// A queued action's parameters, read back from its JSON payload.
pub(crate) fn payload_str<'a>(payload: &'a Value, key: &str) -> Option<&'a str> {
    payload
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// Checks a target from the UI: exactly one of email / customer id, plausible.
fn check_target(target: &ExclusionTarget) -> Result<(Value, String), InboxError> {
    let email = target
        .email
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let customer = target
        .customer_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    match (email, customer) {
        (Some(e), None) if e.contains('@') => Ok((json!({ "email": e }), e.to_owned())),
        (Some(_), None) => Err(InboxError::Invalid(
            "That email address does not look right.".into(),
        )),
        (None, Some(c)) if c.chars().all(|ch| ch.is_ascii_digit()) => {
            Ok((json!({ "customer_id": c }), c.to_owned()))
        }
        (None, Some(_)) => Err(InboxError::Invalid(
            "A customer id is a number, like 23044610359590.".into(),
        )),
        _ => Err(InboxError::Invalid(
            "Give either an email address or a customer id.".into(),
        )),
    }
}

/// What an action is about, for the outcome's `id`.
fn subject(action: &QueuedAction) -> String {
    let p = &action.payload;
    payload_str(p, "review_id")
        .or_else(|| payload_str(p, "id"))
        .or_else(|| payload_str(p, "email"))
        .or_else(|| payload_str(p, "customer_id"))
        .unwrap_or_default()
        .to_owned()
}

fn outcome(id: &str, status: ActionStatus, message: impl Into<String>) -> ActionOutcome {
    ActionOutcome {
        id: id.to_owned(),
        status,
        message: message.into(),
    }
}

/// Why a product review in a tagged selection was left out.
const NO_PRODUCT_TAGS: &str =
    "Trustpilot tags service reviews only: this product review was left untagged.";

/// A sentence for a conflict.
fn conflict_message(kind: ActionKind, e: &SourceError) -> String {
    let provider = e.provider();
    match (kind, e.kind()) {
        (ActionKind::DeleteReview, Kind::NotFound) => {
            format!("This review was already deleted on {provider}.")
        }
        (
            ActionKind::PostReply
            | ActionKind::DeleteReply
            | ActionKind::AddTags
            | ActionKind::RemoveTag
            | ActionKind::FindReviewer
            | ActionKind::SetConversationState,
            Kind::NotFound,
        ) => {
            format!("{provider} no longer has this review.")
        }
        (ActionKind::PostReply, Kind::Forbidden) => format!(
            "{provider} did not let this sign-in answer reviews: the business user needs the right to reply."
        ),
        (ActionKind::DeleteExclusion, Kind::NotFound) => {
            "This customer is not on the exclusion list.".into()
        }
        (_, Kind::AlreadyExists) => "This customer is already excluded.".into(),
        (_, Kind::NotFound) => format!("{provider} does not know this review or customer."),
        (_, Kind::Refused { message }) => format!("{provider} refused it: {message}"),
        _ => format!("{provider} refused it: {e}."),
    }
}

/// Whether a landed action changed the review itself (read back and stored again after).
fn changes_the_review(kind: ActionKind) -> bool {
    matches!(
        kind,
        ActionKind::PostReply
            | ActionKind::DeleteReply
            | ActionKind::AddTags
            | ActionKind::RemoveTag
            | ActionKind::FindReviewer
            | ActionKind::SetConversationState
    )
}

fn done_message(kind: ActionKind, provider: &str) -> String {
    match kind {
        ActionKind::DeleteReview => format!("Deleted on {provider}."),
        ActionKind::CreateExclusion => "The customer will get no more review requests.".into(),
        ActionKind::DeleteExclusion => "The customer can get review requests again.".into(),
        ActionKind::Unsubscribe => "The address is unsubscribed.".into(),
        ActionKind::CreateReview => format!("Sent to {provider}."),
        ActionKind::PostReply => format!("Your reply is on {provider}."),
        ActionKind::DeleteReply => format!("Your reply was taken down from {provider}."),
        ActionKind::AddTags => format!("Tagged on {provider}."),
        ActionKind::RemoveTag => format!("The tag was removed on {provider}."),
        ActionKind::FindReviewer => format!(
            "{provider} asked the reviewer for their order details; their answer shows here when they give it."
        ),
        ActionKind::SetConversationState => {
            format!("{provider} now shows the conversation as you chose.")
        }
    }
}

impl Inbox {
    /// Queues an action and its audit entry.
    fn queue(
        &self,
        kind: ActionKind,
        payload: Value,
        audit_action: &str,
        review: Option<&ReviewId>,
    ) -> Result<QueuedAction, InboxError> {
        let mut store = lock(&self.store);
        let id = store.enqueue(
            &self.account,
            &NewAction {
                kind,
                payload: payload.clone(),
                idempotency_key: None,
            },
        )?;
        store.record_audit(&self.account, &self.actor, audit_action, review, &payload)?;
        store
            .get_action(id)?
            .ok_or_else(|| InboxError::Internal(format!("queued action {id} vanished")))
    }

    /// Deletes reviews: each keeps its local copy (Deleted view), is audited, and is sent to
    /// Trustoo now or queued while it is unreachable. One outcome per id, in order.
    pub async fn delete_reviews(
        &self,
        client: Option<&dyn ReviewSource>,
        ids: &[ReviewId],
    ) -> Result<Vec<ActionOutcome>, InboxError> {
        let mut out = Vec::with_capacity(ids.len());
        // Once Trustoo proves unreachable, the rest are only queued (no point waiting on each).
        let mut reachable = client.is_some();
        for id in ids {
            let queued = lock(&self.store).delete_review(&self.account, id, &self.actor);
            let action_id = match queued {
                Ok(a) => a,
                Err(StoreError::AlreadyDeleted(_)) => {
                    out.push(outcome(
                        id.as_str(),
                        ActionStatus::Conflict,
                        "This review is already deleted.",
                    ));
                    continue;
                }
                Err(StoreError::NotFound(_)) => {
                    out.push(outcome(
                        id.as_str(),
                        ActionStatus::Failed,
                        "This review is not on this computer; sync and try again.",
                    ));
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            let action = lock(&self.store)
                .get_action(action_id)?
                .ok_or_else(|| InboxError::Internal(format!("action {action_id} vanished")))?;
            let Some(client) = client.filter(|_| reachable) else {
                out.push(outcome(
                    id.as_str(),
                    ActionStatus::Queued,
                    "Trustoo cannot be reached; the deletion will be sent when it is back.",
                ));
                continue;
            };
            match self.send(client, &action, false).await? {
                Sent::Outcome(o, unreachable) => {
                    reachable = !unreachable;
                    out.push(o);
                }
                Sent::Busy => out.push(outcome(
                    id.as_str(),
                    ActionStatus::Queued,
                    "The deletion is being sent.",
                )),
            }
        }
        Ok(out)
    }

    /// Keeps a review's author out of review-request emails (a customer exclusion by the
    /// review's email; the review carries no customer id).
    pub async fn exclude_author(
        &self,
        client: Option<&dyn ReviewSource>,
        review_id: &ReviewId,
    ) -> Result<ActionOutcome, InboxError> {
        let row = self.known_review(review_id)?;
        let email = row.review.details.reviewer_email().trim();
        if email.is_empty() {
            return Err(InboxError::Invalid(
                "Trustoo did not share this reviewer's email, so they cannot be excluded from here."
                    .into(),
            ));
        }
        let payload = json!({ "email": email, "review_id": review_id.as_str() });
        self.queue_and_send(
            client,
            ActionKind::CreateExclusion,
            payload,
            "exclude_author",
            Some(review_id),
        )
        .await
    }

    /// Answers a review in public: queued (so a crash or an outage loses nothing) and sent now
    /// when the provider is reachable. The review's copy here shows the reply once the provider
    /// has it. `author` is the business user who answers (needed with client credentials).
    pub async fn post_reply(
        &self,
        client: Option<&dyn ReviewSource>,
        review_id: &ReviewId,
        message: &str,
        author: Option<&str>,
    ) -> Result<ActionOutcome, InboxError> {
        self.post_answer(client, review_id, message, author, None)
            .await
    }

    /// [`Inbox::post_reply`] for any review the provider lets a business answer. A Trustpilot
    /// product review is answered by a comment in its conversation: the business's comment is
    /// replaced when it has one (Trustpilot edits comments in place), else a new one is posted
    /// (the conversation created only when the review has none); `public` then shows the
    /// conversation on Trustpilot or keeps it between the business and the reviewer. Service
    /// replies are always public (`public` is ignored).
    pub async fn post_answer(
        &self,
        client: Option<&dyn ReviewSource>,
        review_id: &ReviewId,
        message: &str,
        author: Option<&str>,
        public: Option<bool>,
    ) -> Result<ActionOutcome, InboxError> {
        let message = message.trim();
        if message.is_empty() {
            return Err(InboxError::Invalid("Write the reply first.".into()));
        }
        if message.chars().count() > MAX_REPLY_CHARS {
            return Err(InboxError::Invalid(format!(
                "A reply can be at most {MAX_REPLY_CHARS} characters long."
            )));
        }
        let row = self.known_review(review_id)?;
        let mut payload = json!({ "review_id": review_id.as_str(), "message": message });
        if let Some(author) = author {
            payload["author_business_user_id"] = Value::String(author.to_owned());
        }
        if let Some(product) = row.review.product_review() {
            payload["product"] = Value::Bool(true);
            if let (Some(cid), Some(comment)) = (&product.conversation_id, &product.comment_id) {
                payload["conversation_id"] = Value::String(cid.clone());
                payload["comment_id"] = Value::String(comment.clone());
                payload["previous"] = Value::String(
                    row.review
                        .reply
                        .as_ref()
                        .map(|r| r.content.clone())
                        .unwrap_or_default(),
                );
            }
            if let Some(public) = public.filter(|p| *p != product.conversation_public) {
                payload["public"] = Value::Bool(public);
            }
        }
        self.queue_and_send(
            client,
            ActionKind::PostReply,
            payload,
            "post_reply",
            Some(review_id),
        )
        .await
    }

    /// Takes the public reply down. The text it had stays in the review's history (audit), so
    /// an edit (this, then [`Inbox::post_reply`]) never loses the old words.
    pub async fn delete_reply(
        &self,
        client: Option<&dyn ReviewSource>,
        review_id: &ReviewId,
    ) -> Result<ActionOutcome, InboxError> {
        let row = self.known_review(review_id)?;
        if row.review.product_review().is_some() {
            return Err(InboxError::Invalid(
                "Trustpilot cannot take a product review's comment down: edit it, or make the \
                 conversation private."
                    .into(),
            ));
        }
        let previous = row.review.reply.map(|r| r.content).unwrap_or_default();
        let payload = json!({ "review_id": review_id.as_str(), "previous": previous });
        self.queue_and_send(
            client,
            ActionKind::DeleteReply,
            payload,
            "delete_reply",
            Some(review_id),
        )
        .await
    }

    /// Shows a product review's conversation on Trustpilot (`public`) or keeps it between the
    /// business and the reviewer: queued, audited and sent like an answer.
    pub async fn set_conversation_public(
        &self,
        client: Option<&dyn ReviewSource>,
        review_id: &ReviewId,
        public: bool,
    ) -> Result<ActionOutcome, InboxError> {
        let row = self.known_review(review_id)?;
        let Some(product) = row.review.product_review() else {
            return Err(InboxError::Invalid(
                "Only a product review has a conversation to show or keep private.".into(),
            ));
        };
        let mut payload = json!({ "review_id": review_id.as_str(), "public": public });
        if let Some(cid) = &product.conversation_id {
            payload["conversation_id"] = Value::String(cid.clone());
        }
        self.queue_and_send(
            client,
            ActionKind::SetConversationState,
            payload,
            "set_conversation_state",
            Some(review_id),
        )
        .await
    }

    /// Tags reviews (one or a selection) with one tag: one queued action per review, audited,
    /// sent now or when the provider is reachable again. A review that has the tag already is
    /// left alone. One outcome per id, in order.
    pub async fn add_tag(
        &self,
        client: Option<&dyn ReviewSource>,
        ids: &[ReviewId],
        tag: &ReviewTag,
    ) -> Result<Vec<ActionOutcome>, InboxError> {
        let mut out = Vec::with_capacity(ids.len());
        // Once the provider proves unreachable, the rest are only queued.
        let mut reachable = client.is_some();
        for id in ids {
            let row = match self.known_review(id) {
                Ok(row) => row,
                Err(InboxError::NotFound(message)) => {
                    out.push(outcome(id.as_str(), ActionStatus::Failed, message));
                    continue;
                }
                Err(e) => return Err(e),
            };
            if row.review.product_review().is_some() {
                out.push(outcome(id.as_str(), ActionStatus::Failed, NO_PRODUCT_TAGS));
                continue;
            }
            if row.review.tags.contains(tag) {
                out.push(outcome(
                    id.as_str(),
                    ActionStatus::Done,
                    format!("Already tagged \u{201c}{}\u{201d}.", tag.value),
                ));
                continue;
            }
            let payload = json!({ "review_id": id.as_str(), "tags": [tag] });
            let action = self.queue(ActionKind::AddTags, payload, "add_tag", Some(id))?;
            let sent = self.send_one(client.filter(|_| reachable), &action).await?;
            if sent.status == ActionStatus::Queued {
                reachable = false;
            }
            out.push(sent);
        }
        Ok(out)
    }

    /// Takes one tag off a review.
    pub async fn remove_tag(
        &self,
        client: Option<&dyn ReviewSource>,
        review_id: &ReviewId,
        tag: &ReviewTag,
    ) -> Result<ActionOutcome, InboxError> {
        let row = self.known_review(review_id)?;
        if !row.review.tags.contains(tag) {
            return Err(InboxError::Invalid(format!(
                "This review has no tag \u{201c}{}\u{201d}.",
                tag.value
            )));
        }
        let payload =
            json!({ "review_id": review_id.as_str(), "group": tag.group, "value": tag.value });
        self.queue_and_send(
            client,
            ActionKind::RemoveTag,
            payload,
            "remove_tag",
            Some(review_id),
        )
        .await
    }

    /// Asks the reviewer (Trustpilot's Find Reviewer) for their order details, with an optional
    /// message; queued like the other actions. Refused before anything is sent when Trustpilot
    /// says the review is not eligible.
    pub async fn find_reviewer(
        &self,
        client: Option<&dyn ReviewSource>,
        review_id: &ReviewId,
        message: Option<&str>,
    ) -> Result<ActionOutcome, InboxError> {
        let row = self.known_review(review_id)?;
        let ProviderDetails::Trustpilot(details) = &row.review.details else {
            return Err(InboxError::Invalid(
                "Find Reviewer is Trustpilot's: this review is not on Trustpilot.".into(),
            ));
        };
        if details.product.is_some() {
            return Err(InboxError::Invalid(
                "Trustpilot offers Find Reviewer for service reviews only; a product review's \
                 reviewer can be answered in its conversation."
                    .into(),
            ));
        }
        let find = details.find_reviewer.clone().unwrap_or_default();
        if details.find_reviewer.is_some() && !find.eligible {
            return Err(InboxError::Invalid(
                "Trustpilot does not offer Find Reviewer for this review: it came from an \
                 invitation, so its order details are already yours."
                    .into(),
            ));
        }
        let message = message.map(str::trim).filter(|m| !m.is_empty());
        if message.is_some_and(|m| m.chars().count() > MAX_FIND_MESSAGE_CHARS) {
            return Err(InboxError::Invalid(format!(
                "The message can be at most {MAX_FIND_MESSAGE_CHARS} characters long."
            )));
        }
        let payload = json!({
            "review_id": review_id.as_str(),
            "message": message,
            "requests_before": find.requests.len(),
        });
        self.queue_and_send(
            client,
            ActionKind::FindReviewer,
            payload,
            "find_reviewer",
            Some(review_id),
        )
        .await
    }

    /// Reads one review again from its provider and stores it ("Check for an answer": a Find
    /// Reviewer answer does not move the review's dates, so a sync may not bring it).
    pub async fn refresh_review(
        &self,
        client: &dyn ReviewSource,
        review_id: &ReviewId,
    ) -> Result<ReviewRow, InboxError> {
        self.known_review(review_id)?;
        let result = client.review(review_id).await;
        self.note_result(&result);
        let review = result?;
        lock(&self.store).upsert_reviews(&self.account, &[review])?;
        self.known_review(review_id)
    }

    /// The stored row of one of this account's reviews.
    fn known_review(&self, review_id: &ReviewId) -> Result<ReviewRow, InboxError> {
        lock(&self.store)
            .get_review(&self.account, review_id)?
            .ok_or_else(|| InboxError::NotFound("This review is not on this computer.".into()))
    }

    /// After a reply or a tag change landed: the review read back from the provider (the
    /// documented way to learn `companyReply`) replaces the stored copy; if that read fails,
    /// the stored copy takes the change as sent, and the next sync corrects it.
    async fn refresh_after_change(&self, client: &dyn ReviewSource, action: &QueuedAction) {
        let Some(id) = payload_str(&action.payload, "review_id").map(ReviewId::from) else {
            return;
        };
        let review = match client.review(&id).await {
            Ok(review) => Some(review),
            Err(_) => lock(&self.store)
                .get_review(&self.account, &id)
                .ok()
                .flatten()
                .map(|row| {
                    let mut review = row.review;
                    match action.kind {
                        ActionKind::PostReply => {
                            review.reply = Some(ReviewReply {
                                content: payload_str(&action.payload, "message")
                                    .unwrap_or_default()
                                    .to_owned(),
                                reply_at: now_rfc3339(),
                                author: None,
                                updated_at: None,
                            });
                        }
                        ActionKind::DeleteReply => review.reply = None,
                        ActionKind::AddTags => {
                            for tag in payload_tags(&action.payload) {
                                if !review.tags.contains(&tag) {
                                    review.tags.push(tag);
                                }
                            }
                        }
                        ActionKind::RemoveTag => {
                            let gone = payload_tags(&action.payload);
                            review.tags.retain(|t| !gone.contains(t));
                        }
                        _ => {}
                    }
                    review
                }),
        };
        if let Some(review) = review {
            if let Err(e) = lock(&self.store).upsert_reviews(&self.account, &[review]) {
                tracing::warn!(error = %e, "could not store the review after its reply");
            }
        }
    }

    /// Adds a customer (by email or customer id) to the exclusion list.
    pub async fn add_exclusion(
        &self,
        client: Option<&dyn ReviewSource>,
        target: &ExclusionTarget,
    ) -> Result<ActionOutcome, InboxError> {
        let (payload, _) = check_target(target)?;
        self.queue_and_send(
            client,
            ActionKind::CreateExclusion,
            payload,
            "create_exclusion",
            None,
        )
        .await
    }

    /// Removes a customer (by email or customer id) from the exclusion list.
    pub async fn remove_exclusion(
        &self,
        client: Option<&dyn ReviewSource>,
        target: &ExclusionTarget,
    ) -> Result<ActionOutcome, InboxError> {
        let (payload, _) = check_target(target)?;
        self.queue_and_send(
            client,
            ActionKind::DeleteExclusion,
            payload,
            "delete_exclusion",
            None,
        )
        .await
    }

    /// Unsubscribes an address from one category of emails (`email_type` as documented).
    pub async fn unsubscribe_email(
        &self,
        client: Option<&dyn ReviewSource>,
        email: &str,
        email_type: &str,
    ) -> Result<ActionOutcome, InboxError> {
        let email = email.trim();
        if !email.contains('@') {
            return Err(InboxError::Invalid(
                "That email address does not look right.".into(),
            ));
        }
        if parse_email_type(email_type).is_none() {
            return Err(InboxError::Invalid(format!(
                "\"{email_type}\" is not an email type Trustoo knows."
            )));
        }
        let payload = json!({ "email": email, "email_type": email_type });
        self.queue_and_send(
            client,
            ActionKind::Unsubscribe,
            payload,
            "unsubscribe_email",
            None,
        )
        .await
    }

    /// Queues an action (so it survives a crash or an outage), then tries to send it now.
    async fn queue_and_send(
        &self,
        client: Option<&dyn ReviewSource>,
        kind: ActionKind,
        payload: Value,
        audit_action: &str,
        review: Option<&ReviewId>,
    ) -> Result<ActionOutcome, InboxError> {
        let action = self.queue(kind, payload, audit_action, review)?;
        self.send_one(client, &action).await
    }

    async fn send_one(
        &self,
        client: Option<&dyn ReviewSource>,
        action: &QueuedAction,
    ) -> Result<ActionOutcome, InboxError> {
        let Some(client) = client else {
            return Ok(outcome(
                &subject(action),
                ActionStatus::Queued,
                format!(
                    "ReviewDesk cannot reach {} right now; this will be sent when it can.",
                    self.account.provider.name()
                ),
            ));
        };
        Ok(match self.send(client, action, false).await? {
            Sent::Outcome(o, _) => o,
            Sent::Busy => outcome(&subject(action), ActionStatus::Queued, "Being sent."),
        })
    }

    /// Sends every waiting action of the shop, oldest first, and stops at the first one that
    /// finds Trustoo still unreachable. Actions a crashed run left in flight, and actions tried
    /// before, are first checked against Trustoo so none lands twice. `create_review` actions
    /// belong to the composer and are left alone.
    pub async fn replay(&self, client: &dyn ReviewSource) -> Result<ReplayReport, InboxError> {
        let _one_at_a_time = self.replay_lock.lock().await;
        let waiting = lock(&self.store).list_actions(
            &self.account,
            &[ActionState::Pending, ActionState::InFlight],
        )?;
        let mut report = ReplayReport::default();
        let mut iter = waiting
            .into_iter()
            .filter(|a| a.kind != ActionKind::CreateReview);
        for action in iter.by_ref() {
            let needs_check = action.state == ActionState::InFlight || action.attempts > 0;
            match self.send(client, &action, needs_check).await? {
                Sent::Busy => report.still_queued += 1,
                Sent::Outcome(o, unreachable) => match o.status {
                    ActionStatus::Done => report.done += 1,
                    ActionStatus::Conflict => report.conflicts += 1,
                    ActionStatus::Failed => report.failed += 1,
                    ActionStatus::Queued => {
                        report.still_queued += 1;
                        if unreachable {
                            break;
                        }
                    }
                },
            }
        }
        report.still_queued += iter.count();
        Ok(report)
    }

    /// Actions of the shop that have not reached Trustoo yet (pending or in flight).
    pub fn pending_actions(&self) -> Result<Vec<QueuedAction>, InboxError> {
        Ok(lock(&self.store).list_actions(
            &self.account,
            &[ActionState::Pending, ActionState::InFlight],
        )?)
    }

    /// A review with its audit history and the actions still waiting for it.
    pub fn review_detail(&self, id: &ReviewId) -> Result<ReviewDetail, InboxError> {
        self.review_detail_in(&self.account, id)
    }

    /// One review of `account` (another account sharing this inbox's store: the All accounts
    /// view opens each row in its own account) with its history and waiting actions.
    pub fn review_detail_in(
        &self,
        account: &AccountKey,
        id: &ReviewId,
    ) -> Result<ReviewDetail, InboxError> {
        let store = lock(&self.reader);
        let row = store
            .get_review(account, id)?
            .ok_or_else(|| InboxError::NotFound("This review is not on this computer.".into()))?;
        let audit = store.review_audit(account, id)?;
        let pending = store
            .list_actions(account, &[ActionState::Pending, ActionState::InFlight])?
            .into_iter()
            .filter(|a| {
                let p = &a.payload;
                let about = match a.kind {
                    ActionKind::DeleteReview => payload_str(p, "id"),
                    _ => payload_str(p, "review_id"),
                };
                about == Some(id.as_str())
            })
            .collect();
        Ok(ReviewDetail {
            row,
            audit,
            pending,
        })
    }

    /// One page (1-based) of the shop's excluded customers, straight from Trustoo.
    pub async fn list_exclusions(
        &self,
        client: &TrustooClient,
        page: u32,
    ) -> Result<ExclusionPage, InboxError> {
        let result = client
            .list_exclusions(page.max(1), EXCLUSION_PAGE_SIZE)
            .await
            .map_err(SourceError::from);
        self.note_result(&result);
        let p = result?;
        Ok(ExclusionPage {
            page: p.page,
            list: p.list,
        })
    }

    /// Claims, (checks,) sends and settles one action. `Err` only for store failures.
    async fn send(
        &self,
        client: &dyn ReviewSource,
        action: &QueuedAction,
        needs_check: bool,
    ) -> Result<Sent, InboxError> {
        let id = action.id;
        if !lock(&self.store).mark_in_flight(id)? {
            return Ok(Sent::Busy);
        }
        let about = subject(action);
        if needs_check {
            match client.landed(action).await {
                Ok(true) => {
                    self.note_reachable(true);
                    lock(&self.store).mark_done(id)?;
                    if changes_the_review(action.kind) {
                        self.refresh_after_change(client, action).await;
                    }
                    return Ok(Sent::Outcome(
                        outcome(
                            &about,
                            ActionStatus::Done,
                            done_message(action.kind, client.provider()),
                        ),
                        false,
                    ));
                }
                Ok(false) => {}
                Err(e) => return self.settle(action, &about, e),
            }
        }
        let result = client.send(action).await;
        match result {
            Ok(()) => {
                self.note_reachable(true);
                lock(&self.store).mark_done(id)?;
                if changes_the_review(action.kind) {
                    self.refresh_after_change(client, action).await;
                }
                Ok(Sent::Outcome(
                    outcome(
                        &about,
                        ActionStatus::Done,
                        done_message(action.kind, client.provider()),
                    ),
                    false,
                ))
            }
            Err(e) => self.settle(action, &about, e),
        }
    }

    /// Records a failed attempt: queued again, conflict or failed.
    fn settle(
        &self,
        action: &QueuedAction,
        about: &str,
        e: SourceError,
    ) -> Result<Sent, InboxError> {
        let id = action.id;
        let mut store = lock(&self.store);
        // An unreadable answer means the request reached Trustoo and may have acted: keep it
        // queued; the replay checks whether it landed before sending it again.
        let retry = e.is_transient() || matches!(e.kind(), Kind::Undecodable);
        if retry {
            let delay = match e.kind() {
                Kind::RateLimited { retry_after } => retry_after.unwrap_or(Duration::ZERO),
                _ => Duration::ZERO,
            };
            store.mark_failed(id, &e.to_string(), Some(delay))?;
            drop(store);
            self.note_reachable(!e.is_transient());
            return Ok(Sent::Outcome(
                outcome(
                    about,
                    ActionStatus::Queued,
                    format!(
                        "{} cannot be reached right now; this will be sent when it is back.",
                        e.provider()
                    ),
                ),
                e.is_transient(),
            ));
        }
        if let Kind::Unauthorized = e.kind() {
            // Not the action's fault: it waits for the merchant to sign in again.
            store.mark_failed(id, &e.to_string(), Some(Duration::ZERO))?;
            return Ok(Sent::Outcome(
                outcome(
                    about,
                    ActionStatus::Queued,
                    format!(
                        "{} needs you to sign in again; this will be sent after that.",
                        e.provider()
                    ),
                ),
                false,
            ));
        }
        let conflict = matches!(
            e.kind(),
            Kind::NotFound | Kind::AlreadyExists | Kind::Refused { .. }
        );
        let review = payload_str(&action.payload, "review_id")
            .or_else(|| payload_str(&action.payload, "id"))
            .map(ReviewId::from);
        let message = if conflict {
            conflict_message(action.kind, &e)
        } else {
            format!("{} refused it: {e}.", e.provider())
        };
        if conflict {
            store.mark_conflict(id, &message)?;
        } else {
            store.mark_failed(id, &message, None)?;
        }
        store.record_audit(
            &self.account,
            "system",
            if conflict {
                "action_conflict"
            } else {
                "action_failed"
            },
            review.as_ref(),
            &json!({ "action": action.kind.as_str(), "reason": message }),
        )?;
        // A deletion Trustoo refused (not one it had already done) is undone locally, so the
        // review shows again in the list.
        let gone_anyway = matches!(e.kind(), Kind::NotFound);
        if action.kind == ActionKind::DeleteReview && !gone_anyway {
            if let Some(review) = &review {
                store.restore_review(&self.account, review, "system")?;
            }
        }
        drop(store);
        self.note_reachable(true);
        Ok(Sent::Outcome(
            outcome(
                about,
                if conflict {
                    ActionStatus::Conflict
                } else {
                    ActionStatus::Failed
                },
                message,
            ),
            false,
        ))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn email_types_parse_from_their_documented_spelling_only() {
        // Every value the sandbox accepts, which is the documented list.
        assert_eq!(reviewdesk_sandbox::api::EMAIL_TYPES.len(), 17);
        for &text in reviewdesk_sandbox::api::EMAIL_TYPES {
            let parsed = parse_email_type(text).unwrap_or_else(|| panic!("{text} parses"));
            assert_eq!(serde_json::to_value(parsed).unwrap(), text);
        }
        assert_eq!(parse_email_type("ReviewRequest"), None);
        assert_eq!(parse_email_type("newsletter"), None);
        assert_eq!(parse_email_type(""), None);
    }
}
