//! Which sign-in a `reviewdesk://` deep link belongs to.
//!
//! Why here and not in the app crate: the app only forwards links (cold start, single-instance,
//! macOS events); deciding whose callback a link is belongs with the strict parsers, so the
//! app stays glue and the routing is tested without a window.

use url::Url;

/// Where a deep link goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRoute {
    /// `reviewdesk://trustpilot/…`: [`crate::trustpilot::TrustpilotAccounts::accept_callback`].
    Trustpilot,
    /// Everything else, including garbage: [`crate::SessionManager::accept_callback`], whose
    /// strict parser refuses anything that is not Trustoo's callback with its own sentence
    /// (so a malformed link is refused exactly as before Trustpilot existed).
    Trustoo,
}

/// Routes a raw deep link by its host. Only a link that parses as a URL with scheme
/// `reviewdesk` and host `trustpilot` goes to Trustpilot; its parser then checks the rest.
pub fn route_link(raw: &str) -> LinkRoute {
    match Url::parse(raw) {
        Ok(u)
            if u.scheme().eq_ignore_ascii_case("reviewdesk")
                && u.host_str()
                    .is_some_and(|h| h.eq_ignore_ascii_case("trustpilot")) =>
        {
            LinkRoute::Trustpilot
        }
        _ => LinkRoute::Trustoo,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_route_by_host() {
        for (link, want) in [
            (
                "reviewdesk://trustpilot/callback?code=a&state=b",
                LinkRoute::Trustpilot,
            ),
            ("reviewdesk://trustpilot/elsewhere", LinkRoute::Trustpilot),
            ("ReviewDesk://TrustPilot/callback", LinkRoute::Trustpilot),
            (
                "reviewdesk://oauth/callback?code=a&state=b",
                LinkRoute::Trustoo,
            ),
            (
                "reviewdesk://oauth/callback?host=trustpilot",
                LinkRoute::Trustoo,
            ),
            ("https://trustpilot/callback", LinkRoute::Trustoo),
            ("not a link", LinkRoute::Trustoo),
            ("", LinkRoute::Trustoo),
        ] {
            assert_eq!(route_link(link), want, "{link}");
        }
    }
}
