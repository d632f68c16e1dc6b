//! Pieces several end-to-end tests share: a sandbox with a recording browser for sign-ins,
//! and reading what the window shows.

use reviewdesk_sandbox::{demo, Sandbox, SandboxConfig};
use reviewdesk_tests::app::AppUnderTest;
use reviewdesk_tests::merchant::RecordingBrowser;
use serde_json::{json, Value};
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

pub use reviewdesk_tests::thousands;

/// Picks `value` in the `<select>` with `test_id`, as a merchant choosing from the list.
pub async fn choose(app: &AppUnderTest, test_id: &str, value: &str) {
    let picked = app
        .eval(
            "const s = document.querySelector(`[data-testid=${arguments[0]}]`); \
             if (!s) return false; s.value = arguments[1]; \
             s.dispatchEvent(new Event('change', { bubbles: true })); return s.value === arguments[1];",
            vec![json!(test_id), json!(value)],
        )
        .await
        .expect("eval");
    assert_eq!(picked, json!(true), "{test_id} offers {value}");
}

/// Widths of the screens the main screens are laid out for (a small laptop, the common one,
/// full HD), with the window as tall as a laptop's.
pub const WIDTHS: [u32; 3] = [1024, 1280, 1920];
pub const HEIGHT: u32 = 760;

/// Everything on the inbox that does not fit at the current width, measured in the page:
/// overlapping parts of the rating strip, a filter bar on more than one row, detail actions on
/// more than one row, a "Last synced" on more than one line, product names cut to a few letters,
/// a clipped "Review id", and a page wider than the window. Empty when it all fits. Its one
/// argument, when given, is `{ filterRows, ratingStrip }`: how many rows the filter bar may take
/// (1 without it), and `ratingStrip: false` for a view that has none (All accounts).
pub const LAYOUT_PROBLEMS: &str = r#"
const problems = [];
const all = (sel) => [...document.querySelectorAll(sel)];
const one = (sel) => document.querySelector(sel);
const shown = (el) => { const b = el.getBoundingClientRect(); return b.width > 0 && b.height > 0; };
const name = (el) => ((el.dataset && el.dataset.testid) || el.getAttribute('class') || el.tagName) + ' "' + el.textContent.trim().slice(0, 24) + '"';
const overlap = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
const oneRow = (els) => { const bs = els.filter(shown).map((e) => e.getBoundingClientRect());
  return bs.length === 0 || Math.max(...bs.map((b) => b.top)) < Math.min(...bs.map((b) => b.bottom)); };
// The rating strip: no two of its texts and bars drawn over each other, none outside the strip.
const options = (arguments.length > 0 && arguments[0]) || {};
const strip = one('[aria-label="Rating summary"]');
if (options.ratingStrip === false) { if (strip) problems.push('a rating strip where none belongs'); }
else if (!strip) problems.push('no rating strip');
else {
  const parts = [...strip.querySelectorAll('[data-testid=rating-average], [data-testid=rating-count], [data-testid=rating-scope], [data-testid^=rating-bar-] > *')].filter(shown);
  const sb = strip.getBoundingClientRect();
  for (let i = 0; i < parts.length; i++) {
    const a = parts[i].getBoundingClientRect();
    if (a.left < sb.left - 1 || a.right > sb.right + 1) problems.push(name(parts[i]) + ' sticks out of the rating strip');
    for (let j = i + 1; j < parts.length; j++)
      if (overlap(a, parts[j].getBoundingClientRect())) problems.push(name(parts[i]) + ' overlaps ' + name(parts[j]));
  }
}
const bar = one('[data-testid=filter-bar]');
// Rows of the filter bar: chips whose tops are more than 8 px apart are on different rows.
const tops = bar ? [...bar.children].filter(shown).map((e) => e.getBoundingClientRect().top).sort((a, b) => a - b) : [];
const barRows = tops.filter((t, i) => i === 0 || t - tops[i - 1] > 8).length;
const maxRows = options.filterRows || 1;
if (!bar || barRows > maxRows) problems.push('the filter bar takes ' + barRows + ' rows (at most ' + maxRows + ')');
if (bar && bar.scrollWidth > bar.clientWidth + 1) problems.push('the filter bar hides ' + (bar.scrollWidth - bar.clientWidth) + ' px of its chips');
for (const sel of bar ? bar.querySelectorAll('select') : []) {
  // The drop-down arrow is drawn 10-14 px from the right edge: the text must stop before it.
  const right = parseFloat(getComputedStyle(sel).paddingRight);
  if (right < 18) problems.push('the ' + sel.getAttribute('aria-label') + ' menu draws its text under its arrow (' + right + ' px right padding)');
}
const actions = one('[data-testid=detail-actions]');
if (!actions) problems.push('no detail actions (no review selected)');
else if (!oneRow([...actions.children])) problems.push('the detail actions wrap (' + [...actions.children].map((b) => b.textContent.trim() + '@' + Math.round(b.getBoundingClientRect().top)).join(', ') + ')');
const synced = one('[data-testid=last-synced]');
if (!synced) problems.push('no "Last synced"');
else {
  // Lines of its text: the distinct tops of the text's boxes (the span itself is one block).
  const range = document.createRange();
  range.selectNodeContents(synced);
  const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))).size;
  if (lines !== 1) problems.push('"' + synced.textContent.trim() + '" takes ' + lines + ' lines');
  const nav = synced.closest('nav');
  if (nav && range.getBoundingClientRect().right > nav.getBoundingClientRect().right) problems.push('"' + synced.textContent.trim() + '" sticks out of the sidebar');
}
const products = all('[data-testid=row-product]').filter(shown);
if (products.length === 0) problems.push('no product names in the rows');
for (const p of products.slice(0, 12)) {
  const full = p.scrollWidth, seen = p.clientWidth;
  if (full > seen + 1 && seen < 110) problems.push('product "' + p.textContent.trim() + '" cut to ' + seen + ' px of ' + full);
}
const idLabel = one('[data-testid=review-id-label]');
if (!idLabel) problems.push('no "Review id"');
else if (idLabel.scrollWidth > idLabel.clientWidth + 1) problems.push('"Review id" is cut off (' + idLabel.clientWidth + ' of ' + idLabel.scrollWidth + ' px)');
if (document.documentElement.scrollWidth > window.innerWidth + 1) problems.push('the page is ' + document.documentElement.scrollWidth + ' px wide in a ' + window.innerWidth + ' px window');
return { width: window.innerWidth, problems };
"#;

/// Makes the page `width` × [`HEIGHT`] CSS pixels (the window may add a frame around it).
pub async fn resize_page(app: &AppUnderTest, width: u32) {
    let inner_width = || async {
        app.eval("return window.innerWidth;", vec![])
            .await
            .expect("inner width")
            .as_u64()
            .unwrap_or(0)
    };
    let before = inner_width().await;
    app.client
        .set_window_size(width, HEIGHT)
        .await
        .expect("set window size");
    // The window manager applies the size a moment later (longer on a loaded machine): the
    // frame around the page is measured once the page has changed width, not before.
    let mut inner = inner_width().await;
    let asked = std::time::Instant::now();
    while inner == before && inner != u64::from(width) && asked.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        inner = inner_width().await;
    }
    if inner != u64::from(width) {
        let frame = u64::from(width).abs_diff(inner) as u32;
        app.client
            .set_window_size(width + frame, HEIGHT)
            .await
            .expect("set window size");
    }
    app.wait_for_js(
        &format!("the page to be {width} px wide"),
        &format!("return window.innerWidth === {width};"),
        WAIT,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
}
