//! Trustpilot Business API client for ReviewDesk.
//!
//! Works unchanged against Trustpilot and the sandbox emulator: only the three base URLs
//! ([`BaseUrls`]) differ. The merchant brings their own Trustpilot application (API key and
//! secret); nothing secret ships in ReviewDesk.
//!
//! - Sign-in ([`oauth`]): the authorize URL for the code and implicit grants, the password,
//!   authorization-code and client-credentials grants, refresh and revoke.
//! - Data ([`api`]): business units (find, get), private service reviews (paging, sort,
//!   filters), one review, reply and delete reply, tags, Find Reviewer, invitations.
//! - Product reviews ([`product_reviews`]): the private listing (by state, sku, language,
//!   locale), one review, and answering through a conversation (create it when missing, post,
//!   read and update a comment, public or private), with
//!   [`TrustpilotClient::reply_to_product_review`] following the documented recipe.
//! - One door (the private `door` module): every call gets the `User-Agent` and `apikey` headers, the
//!   Bearer token on private calls, the call budget ([`CallBudget`], under Trustpilot's 833
//!   calls per 5 minutes), bounded retries on 429/502/503/504 ([`RetryConfig`]), typed errors
//!   ([`Error`], never carrying a secret or a body), and on a 401 one single-flight renewal of
//!   the token and one more try.
//! - Tolerant decoding ([`wire`]): timestamps with or without `Z` and fractions, `expires_in` as
//!   a string or a number, `null` anywhere, unknown fields ignored.
//!
//! Where the docs are silent (UNKNOWN in `../shared/reference/trustpilot-api.md`) the client
//! makes one choice, written beside the code and compatible with
//! `src-tauri/crates/sandbox/CHOICES-trustpilot.md`:
//!
//! - Error bodies: any of `{"errors":[{title}]}`, `{"error","error_description"}`, `{"message"}`
//!   is read to pick a variant; only a 400's reason is kept, scrubbed ([`error::scrub`]).
//! - Rate-limit headers: none documented; `Retry-After` is honoured when present, else
//!   exponential backoff. Retried: 429, 502, 503, 504, network errors and unreadable answers of
//!   reads; a 500 is not (the docs say "try again in 5–15 minutes"); token requests are never
//!   retried once sent, and their 429 is [`Error::AuthTooFrequent`].
//! - Call budget: 800 calls per sliding 5 minutes, under the recommended 833 (and 10,000/h).
//! - Refresh at `/refresh` (the seed page's example) with Basic; revoke with the form alone (the
//!   seed page), the refresh token on sign-out; an answer without a new refresh token keeps
//!   the old one.
//! - `state` is sent in the authorize URL; no `scope` or PKCE (none documented).
//! - Several stars or languages: one comma-separated value (`stars=1,2`).
//! - `startDateTime`/`endDateTime` written `2013-09-07T13:37:00`, UTC; every timestamp read as
//!   UTC when it has no zone.
//! - Reply success body: not read (re-read the review); a reply post is retried like a read
//!   because a second post replaces the one reply; delete is retried only when unsent or 429.
//! - Product reviews: create-conversation is not retried once it may have landed (whether a
//!   second call opens a second conversation is UNKNOWN), and the reply helper creates one only
//!   for a review whose `conversationId` is null, reading the review again after a doubtful
//!   failure; a comment post is never retried once it may have landed (it would show twice);
//!   updating a comment and setting a conversation's state are retried like reads.
//! - A 401 on a private call renews once even when the cause is a unit the token cannot read
//!   (Trustpilot answers 401 for both, SEEN-DOC), then gives up.

#![deny(missing_docs)]

pub mod api;
pub mod budget;
pub mod client;
mod door;
pub mod error;
pub mod oauth;
pub mod product_reviews;
pub mod query;
pub mod retry;
pub mod secret;
pub mod wire;

pub use api::{NewEmailInvitation, NewInvitationLink, NewReply, ReviewPager};
pub use budget::{CallBudget, Clock, ManualClock, SystemClock};
pub use client::{BaseUrls, ClientConfig, Timeouts, TrustpilotClient};
pub use error::{Credential, Error, NetworkKind};
pub use oauth::{random_state, AuthorizeRequest, ResponseType};
pub use product_reviews::{NewComment, ProductReply, ProductReviewPager};
pub use query::{OrderBy, ProductReviewQuery, ReviewQuery};
pub use retry::{RetryConfig, Sleeper};
pub use secret::Secret;
pub use url::Url;
pub use wire::{
    parse_timestamp, Attachment, AttributeRating, BusinessUnit, Comment, CommentAuthor,
    CompanyReply, Consumer, Conversation, ConversationState, Grant, InvitationLink,
    InvitationTemplate, Link, ProcessedFile, Product, ProductConsumer, ProductReview,
    ProductReviewPage, ProductReviewState, ReportData, ReviewCounts, ReviewPage, ReviewStatus,
    Score, ServiceReview, Tag, TokenSet,
};

#[cfg(test)]
mod architecture {
    #![allow(clippy::unwrap_used)]

    /// The one door is the only way to call Trustpilot: no other module may name the HTTP
    /// client, so an endpoint cannot be written that skips the headers, the budget, the
    /// retries or the renewal.
    #[test]
    fn only_the_door_speaks_http() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut checked = 0;
        let mut stack = vec![src.clone()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let rel = path
                    .strip_prefix(&src)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                if rel == "door.rs" || rel == "lib.rs" {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                assert!(
                    !text.contains("reqwest"),
                    "{rel} names reqwest: only door.rs may talk HTTP"
                );
                checked += 1;
            }
        }
        assert!(checked >= 10, "only {checked} files checked");
    }
}
