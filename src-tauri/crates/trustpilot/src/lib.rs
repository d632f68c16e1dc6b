//! Trustpilot Business API client for ReviewDesk.
//!
//! Works unchanged against Trustpilot and the sandbox emulator: only the three base URLs
//! ([`BaseUrls`]) differ. The merchant brings their own Trustpilot application (API key and
//! secret); nothing secret ships in ReviewDesk.
//!
//! - Sign-in ([`oauth`]): the authorize URL for the code and implicit grants, the password,
//!   authorization-code and client-credentials grants, refresh and revoke.
//! - Data ([`api`]): business units (find, get), private service reviews (paging, sort,
//!   filters), one review, reply and delete reply.
//! - One door ([`door`], private): every call gets the `User-Agent` and `apikey` headers, the
//!   Bearer token on private calls, the call budget ([`CallBudget`], under Trustpilot's 833
//!   calls per 5 minutes), bounded retries on 429/502/503/504 ([`RetryConfig`]), typed errors
//!   ([`Error`], never carrying a secret or a body), and on a 401 one single-flight renewal of
//!   the token and one more try.
//! - Tolerant decoding ([`wire`]): timestamps with or without `Z` and fractions, `expires_in` as
//!   a string or a number, `null` anywhere, unknown fields ignored.
//!
//! Where the docs are silent the choice is written beside the code and matches
//! `src-tauri/crates/sandbox/CHOICES-trustpilot.md`.

#![deny(missing_docs)]

pub mod api;
pub mod budget;
pub mod client;
mod door;
pub mod error;
pub mod oauth;
pub mod query;
pub mod retry;
pub mod secret;
pub mod wire;

pub use api::{NewInvitationLink, NewReply, ReviewPager};
pub use budget::{CallBudget, Clock, ManualClock, SystemClock};
pub use client::{BaseUrls, ClientConfig, Timeouts, TrustpilotClient};
pub use error::{Credential, Error, NetworkKind};
pub use oauth::{random_state, AuthorizeRequest, ResponseType};
pub use query::{OrderBy, ReviewQuery};
pub use retry::{RetryConfig, Sleeper};
pub use secret::Secret;
pub use url::Url;
pub use wire::{
    parse_timestamp, BusinessUnit, CompanyReply, Consumer, Grant, InvitationLink, Link, ReportData,
    ReviewCounts, ReviewPage, ReviewStatus, Score, ServiceReview, Tag, TokenSet,
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
