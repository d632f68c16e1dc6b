//! Pieces several end-to-end tests share: a sandbox with a recording browser for sign-ins,
//! and reading what the window shows.

use reviewdesk_sandbox::{demo, Sandbox, SandboxConfig};
use reviewdesk_tests::app::AppUnderTest;
use reviewdesk_tests::merchant::RecordingBrowser;
use serde_json::Value;
use std::time::Duration;

/// How long a test waits for the window to show something.
pub const WAIT: Duration = Duration::from_secs(30);

/// A sandbox, a recording "browser" and the environment the app is launched with.
pub struct SignInRig {
    pub sandbox: Sandbox,
    pub browser: RecordingBrowser,
    pub env: Vec<(&'static str, String)>,
    _scratch: tempfile::TempDir,
}

impl SignInRig {
    /// A sandbox seeded with `reviews` reviews of the demo shop.
    pub async fn start(reviews: usize) -> Self {
        Self::start_with(SandboxConfig {
            reviews,
            ..SandboxConfig::default()
        })
        .await
    }

    /// A sandbox seeded as `config` says (Trustoo and Trustpilot halves).
    pub async fn start_with(config: SandboxConfig) -> Self {
        let sandbox = Sandbox::start(config, 0).await.expect("sandbox");
        let scratch = tempfile::tempdir().expect("scratch dir");
        let browser = RecordingBrowser::new(scratch.path()).expect("browser stand-in");
        let tp = sandbox.trustpilot();
        let env = vec![
            ("REVIEWDESK_API_BASE", sandbox.base_url()),
            ("REVIEWDESK_BROWSER", browser.program.display().to_string()),
            ("REVIEWDESK_TRUSTPILOT_API_BASE", tp.api_url()),
            (
                "REVIEWDESK_TRUSTPILOT_AUTHENTICATE_BASE",
                tp.authenticate_url(),
            ),
            (
                "REVIEWDESK_TRUSTPILOT_INVITATIONS_BASE",
                tp.invitations_url(),
            ),
        ];
        Self {
            sandbox,
            browser,
            env,
            _scratch: scratch,
        }
    }

    /// Starts a browser sign-in to the demo shop from the sign-in screen, as the merchant does,
    /// and returns the authorize URL the app opened in the browser.
    pub async fn start_sign_in(&self, app: &AppUnderTest) -> String {
        app.type_into("shop-domain", demo::SHOP_DOMAIN, WAIT)
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));
        app.click("sign-in", WAIT)
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));
        app.text_of("waiting-for-browser", WAIT)
            .await
            .expect("waiting for the browser");
        self.browser
            .wait_for(1, WAIT)
            .await
            .expect("browser opened")
    }

    /// Launches the app as `name`, starts a browser sign-in, then the merchant closes
    /// ReviewDesk while the browser is open and clicks Allow there. Returns the app's home
    /// (kept for the next launch) and the redirect the browser hands to the OS.
    pub async fn sign_in_then_close(&self, name: &str) -> (tempfile::TempDir, String) {
        let mut app = AppUnderTest::launch(name, &self.env).await.expect("launch");
        let authorize_url = self.start_sign_in(&app).await;
        let home = app.keep_home();
        app.quit().await;
        let redirect = reviewdesk_tests::merchant::answer_consent(&authorize_url, "allow")
            .await
            .expect("consent");
        (home, redirect)
    }
}

/// Waits for a toast whose text contains `needle` (there may be several on screen) and
/// returns its text.
pub async fn toast_containing(app: &AppUnderTest, needle: &str) -> String {
    let script = format!(
        "return [...document.querySelectorAll('[data-testid=\"toast\"]')]\
           .map((t) => t.textContent).find((t) => t.includes({})) ?? null;",
        Value::String(needle.to_owned())
    );
    let found = app
        .wait_for_js(&format!("a toast saying {needle}"), &script, WAIT)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    found.as_str().unwrap_or_default().to_owned()
}

/// An id as text, whether the JSON has it as a string or a number.
pub fn id_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The id of the review selected in the list (the one the detail pane shows).
pub async fn selected_id(app: &AppUnderTest) -> String {
    let v = app
        .wait_for_js(
            "a selected review",
            "const r = document.querySelector('[data-testid=review-row][aria-selected=true]'); \
             return r ? r.dataset.reviewId : null;",
            WAIT,
        )
        .await
        .expect("a selected review");
    id_of(&v)
}

/// Formats a count the way the UI does (`toLocaleString('en-US')`).
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
