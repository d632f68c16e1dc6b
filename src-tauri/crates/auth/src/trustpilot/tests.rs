//! Unit tests of the Trustpilot half that need no server: what the merchant types, the
//! renewal sentences, the redirect page's contract.

#![allow(clippy::unwrap_used)]

use reviewdesk_core::Environment;
use reviewdesk_trustpilot::Secret;

use super::sign_in::tests_support::{check_redirect, cleaned};
use super::*;

#[test]
fn redirect_uris_must_be_https_except_loopback_in_the_sandbox() {
    for ok in [
        "https://example.com/reviewdesk/trustpilot.html",
        " https://shop.example/cb?x=1 ",
    ] {
        assert!(check_redirect(ok, Environment::Production).is_ok(), "{ok}");
    }
    for bad in [
        "http://example.com/cb",
        "reviewdesk://trustpilot/callback",
        "https://u:p@example.com/cb",
        "https://example.com/cb#frag",
        "not a url",
        "",
        "http://127.0.0.1:8080/cb",
    ] {
        let e = check_redirect(bad, Environment::Production).unwrap_err();
        assert!(e.to_string().contains("https address"), "{bad}: {e}");
    }
    assert!(check_redirect("http://127.0.0.1:8080/cb", Environment::Sandbox).is_ok());
    assert!(check_redirect("http://localhost:8080/cb", Environment::Sandbox).is_ok());
    assert!(check_redirect("http://192.168.1.2/cb", Environment::Sandbox).is_err());
}

#[test]
fn pasted_credentials_are_trimmed_checked_and_never_echoed() {
    let app = TrustpilotApp {
        api_key: Secret::new("  KEY123 \n"),
        api_secret: Some(Secret::new("\tSECRET456 ")),
    };
    let c = cleaned(&app, true).unwrap();
    assert_eq!(c.api_key.expose(), "KEY123");
    assert_eq!(c.api_secret.unwrap().expose(), "SECRET456");
    // Implicit keeps no secret even when one was typed.
    assert!(cleaned(&app, false).unwrap().api_secret.is_none());
    let no_secret = TrustpilotApp {
        api_key: Secret::new("KEY"),
        api_secret: None,
    };
    assert_eq!(
        cleaned(&no_secret, true).unwrap_err().to_string(),
        "Enter the API secret."
    );
    let spaced = TrustpilotApp {
        api_key: Secret::new("KEY WITH SPACEMARKER"),
        api_secret: None,
    };
    let e = cleaned(&spaced, false).unwrap_err().to_string();
    assert!(e.contains("API key") && !e.contains("SPACEMARKER"), "{e}");
    let empty = TrustpilotApp {
        api_key: Secret::new("  "),
        api_secret: None,
    };
    assert_eq!(
        cleaned(&empty, false).unwrap_err().to_string(),
        "Enter the API key."
    );
}

#[test]
fn renewal_sentences_say_how_each_grant_lasts() {
    let now = 1_800_000_000;
    let implicit = renewal_sentence(TrustpilotGrant::Implicit, Some(now + 359_999), now);
    assert!(implicit.contains("cannot be renewed"), "{implicit}");
    assert!(implicit.contains("about 4 days"), "{implicit}");
    assert!(implicit.contains("four days"), "{implicit}");
    let soon = renewal_sentence(TrustpilotGrant::Implicit, Some(now + 5 * 3600), now);
    assert!(soon.contains("about 5 hours"), "{soon}");
    let ended = renewal_sentence(TrustpilotGrant::Implicit, Some(now - 1), now);
    assert!(
        ended.contains("has ended") && ended.contains("Sign in again"),
        "{ended}"
    );
    let cc = renewal_sentence(TrustpilotGrant::ClientCredentials, Some(now + 10), now);
    assert!(cc.contains("never more often"), "{cc}");
    let code = renewal_sentence(TrustpilotGrant::AuthorizationCode, None, now);
    assert!(code.contains("refresh token"), "{code}");
    assert_eq!(code, renewal_sentence(TrustpilotGrant::Password, None, now));
}

#[test]
fn the_redirect_page_forwards_to_our_callback_and_loads_nothing() {
    let page = TRUSTPILOT_REDIRECT_PAGE;
    assert!(page.contains(&format!("\"{TRUSTPILOT_CALLBACK}\"")));
    assert!(page.contains("default-src 'none'"));
    assert!(page.contains("no-referrer"));
    // No third-party resource: the only URLs are our own scheme and examples in comments.
    assert!(!page.contains("src=\"http"), "no external script or image");
    assert!(!page.contains("<link"), "no external stylesheet");
    for name in [
        "code",
        "state",
        "access_token",
        "token_type",
        "expires_in",
        "error",
    ] {
        assert!(page.contains(&format!("\"{name}\"")), "{name}");
    }
}
