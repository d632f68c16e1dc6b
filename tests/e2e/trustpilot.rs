//! Trustpilot with the real binary: the merchant brings their own application and signs in
//! with the authorization-code grant through the browser, the redirect page they host and
//! `gio open`; picks the business unit by its domain and sees its TrustScore and reviews; the
//! All accounts view shows a Trustoo and a Trustpilot review side by side. A second run signs
//! in with client credentials. Keyring entries are checked, and removed by signing out.

use crate::support::{
    choose, resize_page, selected_id, toast_containing, SignInRig, LAYOUT_PROBLEMS, WAIT, WIDTHS,
};
use reviewdesk_sandbox::trustpilot::demo as tp;
use reviewdesk_sandbox::SandboxConfig;
use reviewdesk_tests::app::AppUnderTest;
use reviewdesk_tests::merchant::{
    answer_consent, files_containing, keyring_secret, os_open, trustpilot_authenticate,
    trustpilot_redirect_page,
};
use serde_json::json;

const TRUSTOO_REVIEWS: usize = 40;
const TRUSTPILOT_REVIEWS: usize = 120;

/// The unit's reviews in the inbox: its service reviews and the product reviews the sandbox
/// seeds beside them (issue 17 §3).
fn trustpilot_listed() -> usize {
    TRUSTPILOT_REVIEWS + reviewdesk_sandbox::trustpilot::products::count_for(TRUSTPILOT_REVIEWS)
}

async fn rig() -> SignInRig {
    SignInRig::start_with(SandboxConfig {
        reviews: TRUSTOO_REVIEWS,
        trustpilot_reviews: TRUSTPILOT_REVIEWS,
        ..SandboxConfig::default()
    })
    .await
}

/// The keyring user of a business unit's tokens.
fn unit_entry() -> String {
    format!("trustpilot:{}/oauth", tp::BUSINESS_UNIT_ID)
}

/// Waits until the inbox counts `n` reviews and no sync runs.
async fn reviews_listed(app: &AppUnderTest, n: usize) {
    app.wait_for_js(
        &format!("{n} reviews listed"),
        &format!(
            "const t = document.querySelector('[data-testid=review-total]'); \
             return t && t.textContent.trim() === '{n} reviews' && \
               !document.querySelector('[data-testid=sync-progress]');"
        ),
        WAIT,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
}

/// The Trustpilot form: chooses `grant` and fills `fields` (test id, value).
async fn fill_trustpilot_form(app: &AppUnderTest, grant: &str, fields: &[(&str, &str)]) {
    app.click("provider-trustpilot", WAIT)
        .await
        .expect("Trustpilot offered beside Trustoo");
    app.click(&format!("tp-grant-{grant}"), WAIT)
        .await
        .expect("the grant");
    for (id, value) in fields {
        app.type_into(id, value, WAIT)
            .await
            .unwrap_or_else(|e| panic!("{id}: {e:#}"));
    }
}

/// The business-unit step: finds the unit by its domain, checks the TrustScore, uses it.
/// Returns the TrustScore as the step showed it.
async fn pick_unit(app: &AppUnderTest, shot: &str) -> String {
    app.text_of("tp-unit-step", WAIT)
        .await
        .expect("the business unit step");
    app.type_into("tp-unit-name", tp::DOMAIN, WAIT)
        .await
        .expect("domain");
    app.click("tp-find-unit", WAIT).await.expect("find");
    let card = app.text_of("tp-unit-card", WAIT).await.expect("found");
    assert!(card.contains(tp::DISPLAY_NAME), "{card}");
    let score = app.text_of("tp-trust-score", WAIT).await.expect("score");
    assert!(
        score.chars().any(|c| c.is_ascii_digit()),
        "a TrustScore: {score}"
    );
    app.screenshot(shot).await.expect("shot");
    app.click("tp-use-unit", WAIT).await.expect("use it");
    let name = app.text_of("shop-name", WAIT).await.expect("on screen");
    assert_eq!(name, tp::DISPLAY_NAME);
    score
}

/// True when no element with one of `test_ids` is on the page.
async fn absent(app: &AppUnderTest, test_ids: &[&str]) -> bool {
    app.eval(
        "return arguments[0].every((id) => !document.querySelector(`[data-testid=${id}]`));",
        vec![json!(test_ids)],
    )
    .await
    .expect("eval")
        == json!(true)
}

/// The providers of the rows on screen, in order.
async fn row_providers(app: &AppUnderTest) -> Vec<String> {
    let value = app
        .eval(
            "return [...document.querySelectorAll('[data-testid=row-account]')].map((e) => e.dataset.provider);",
            vec![],
        )
        .await
        .expect("eval");
    serde_json::from_value(value).unwrap_or_default()
}

/// The first option of the `<select>` `test_id` past its "any" entry: its value and the count
/// its label ends with.
async fn first_option(app: &AppUnderTest, test_id: &str) -> (String, usize) {
    let option = app
        .wait_for_js(
            &format!("{test_id} options"),
            &format!(
                "const s = document.querySelector('[data-testid={test_id}]'); \
                 return s && s.options.length > 1 ? [s.options[1].value, s.options[1].textContent] : null;"
            ),
            WAIT,
        )
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let value = option[0].as_str().unwrap_or_default().to_owned();
    let label = option[1].as_str().unwrap_or_default().to_owned();
    let count: String = label
        .rsplit('(')
        .next()
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let count = count.parse().unwrap_or(0);
    assert!(count > 0, "{test_id}: {label}");
    (value, count)
}

/// The unit's own screens: its reviews' facts in the detail pane, the language, reply and
/// report filters, and its TrustScore in Overview (`score` as the sign-in showed it).
async fn unit_screens(app: &AppUnderTest, score: &str) {
    app.click("review-row", WAIT).await.expect("a review");
    let status = app.text_of("detail-report", WAIT).await.expect("status");
    assert!(
        status == "Published" || status.starts_with("Reported"),
        "{status}"
    );
    let language = app
        .text_of("detail-language", WAIT)
        .await
        .expect("language");
    assert!(!language.is_empty() && language != "—", "{language}");
    // What Trustpilot cannot do is absent, not disabled.
    assert!(
        absent(
            app,
            &["delete", "exclude-author", "nav-compose", "nav-exclusions"]
        )
        .await
    );
    app.screenshot("trustpilot-5-detail").await.expect("shot");

    // The most used language: its option's count is what the list then holds.
    let (code, count) = first_option(app, "filter-language").await;
    choose(app, "filter-language", &code).await;
    reviews_listed(app, count).await;
    app.click("clear-filters", WAIT).await.expect("clear");
    // The same for the most used tag (the tags the sync brought).
    let (tag, tagged) = first_option(app, "filter-tag").await;
    choose(app, "filter-tag", &tag).await;
    reviews_listed(app, tagged).await;
    app.click("clear-filters", WAIT).await.expect("clear");
    choose(app, "filter-language", &code).await;
    choose(app, "filter-replied", "awaiting").await;
    choose(app, "filter-reported", "not_reported").await;
    app.screenshot("trustpilot-6-filters").await.expect("shot");
    app.click("clear-filters", WAIT).await.expect("clear");
    reviews_listed(app, trustpilot_listed()).await;

    app.click("nav-overview", WAIT).await.expect("Overview");
    let shown = app
        .text_of("trustscore-value", WAIT)
        .await
        .expect("the TrustScore");
    assert!(score.contains(&shown), "Overview {shown}, sign-in {score}");
    // Reply rate and time to reply, counted from the synced reviews (some have replies).
    let rate = app
        .text_of("reply-rate", WAIT)
        .await
        .expect("the reply insights");
    assert!(rate.contains("% answered"), "{rate}");
    app.screenshot("trustpilot-7-overview").await.expect("shot");
    app.click("nav-inbox", WAIT).await.expect("Inbox");
}

/// Answers a review awaiting a reply with the keyboard: a guideline warning first, then the
/// reply posted once to the sandbox and shown in the detail pane as Trustpilot has it.
async fn answer_with_the_keyboard(app: &AppUnderTest, rig: &SignInRig) {
    // The Awaiting reply view: the unanswered reviews, oldest first.
    app.click("nav-awaiting", WAIT)
        .await
        .expect("Awaiting reply");
    app.wait_for_js(
        "the unanswered reviews, oldest first",
        "const s = document.querySelector('[data-testid=filter-replied]'); \
         const o = document.querySelector('[data-testid=sort]'); \
         return !!s && s.value === 'awaiting' && !!o && o.value === 'oldest';",
        WAIT,
    )
    .await
    .expect("the view's filters");
    // Newest first, one star: the review answered is found again in the inbox afterwards.
    choose(app, "sort", "newest").await;
    app.click("filter-rating-1", WAIT).await.expect("1★");
    // A service review (the unit's product reviews are answered in conversations: below).
    select_row_where(
        app,
        "an unanswered 1★ service review",
        "const p = document.querySelector('[data-testid=detail-product]'); \
         const r = document.querySelector('[data-testid=review-row][aria-selected=true]'); \
         return !!p && p.textContent.includes('Service review') && !!r && r.dataset.rating === '1';",
    )
    .await;
    let id = selected_id(app).await;
    // `a` opens the editor on the merchant's default template for one star, its variables
    // filled from the review.
    app.press("a").await.expect("a");
    app.text_of("reply-editor", WAIT)
        .await
        .expect("the reply editor");
    let template = app
        .wait_for_js(
            "the one-star template in the editor",
            "const t = document.querySelector('[data-testid=reply-text]'); \
             return t && t.value.trim() !== '' ? t.value : null;",
            WAIT,
        )
        .await
        .expect("a template");
    let template = template.as_str().unwrap_or_default().trim().to_owned();
    let author = app
        .eval(
            "return document.querySelector('[data-testid=review-detail] .author').textContent.trim();",
            vec![],
        )
        .await
        .expect("eval");
    let first_name = author
        .as_str()
        .and_then(|a| a.split_whitespace().next())
        .unwrap_or_default()
        .to_lowercase();
    assert!(
        !template.contains('{') && template.to_lowercase().contains(&first_name),
        "filled with {first_name}: {template}"
    );
    app.type_into(
        "reply-text",
        "So sorry! Write to help@aurora-outfitters.com and change your review after.",
        WAIT,
    )
    .await
    .expect("type");
    let warned = app.text_of("reply-warnings", WAIT).await.expect("warnings");
    assert!(
        warned.contains("email address") && warned.contains("change or remove"),
        "{warned}"
    );
    app.screenshot("trustpilot-10-reply-warning")
        .await
        .expect("shot");
    // The merchant's templates, from the store.
    app.click("reply-manage-templates", WAIT)
        .await
        .expect("templates");
    app.text_of("templates-manager", WAIT)
        .await
        .expect("the template manager");
    app.click("template-item", WAIT).await.expect("a template");
    app.screenshot("trustpilot-10b-templates")
        .await
        .expect("shot");
    app.click("templates-close", WAIT).await.expect("close");

    // Back to the template's words, typed, and posted with Ctrl+Enter.
    let text = template.as_str();
    app.type_into("reply-text", text, WAIT).await.expect("type");
    reply_warnings_cleared(app).await;
    let posts_before = reply_posts(rig, &id).await;
    app.press("\u{E009}\u{E007}").await.expect("Ctrl+Enter");
    toast_containing(app, "Your reply is on Trustpilot.").await;
    // Answered, it leaves the Awaiting reply list; the next review takes the selection.
    app.wait_for_js(
        "the answered review to leave the list",
        &format!(
            "return !document.querySelector('[data-testid=review-row][data-review-id={}]') && \
               !!document.querySelector('[data-testid=review-row][aria-selected=true]');",
            json!(id)
        ),
        WAIT,
    )
    .await
    .expect("the next review");
    assert_eq!(reply_posts(rig, &id).await, posts_before + 1, "posted once");

    // In the inbox (newest one-star reviews), the review shows the reply as Trustpilot has it.
    app.click("nav-inbox", WAIT).await.expect("Inbox");
    app.click("filter-rating-1", WAIT).await.expect("1★");
    app.wait_for_js(
        "the answered review in the inbox",
        &format!(
            "const r = document.querySelector('[data-testid=review-row][data-review-id={}]'); \
             if (r) r.click(); return !!r;",
            json!(id)
        ),
        WAIT,
    )
    .await
    .expect("the review in the inbox");
    app.wait_for_js(
        "the reply in the detail pane",
        &format!(
            "const r = document.querySelector('[data-testid=review-reply]'); \
             return !!r && r.textContent.includes({});",
            json!(text)
        ),
        WAIT,
    )
    .await
    .expect("the reply shown");
    app.screenshot("trustpilot-11-replied").await.expect("shot");
    app.click("clear-filters", WAIT).await.expect("clear");
}

/// Waits until the reply editor shows no guideline warning (the text passes every rule).
async fn reply_warnings_cleared(app: &AppUnderTest) {
    app.wait_for_js(
        "the warnings to clear",
        "return !document.querySelector('[data-testid=reply-warnings]');",
        WAIT,
    )
    .await
    .expect("no warnings");
}

/// Clicks the list's rows one after another, from the top, until `condition` (a script over
/// the page) holds for the one in the detail pane.
async fn select_row_where(app: &AppUnderTest, what: &str, condition: &str) {
    app.wait_for_js(
        what,
        &format!(
            "const holds = () => {{ {condition} }}; \
             const rows = [...document.querySelectorAll('[data-testid=review-row]')]; \
             const selected = document.querySelector('[data-testid=review-row][aria-selected=true]'); \
             if (selected && window.__rowTried === selected.dataset.reviewId && holds()) return true; \
             window.__rowIndex = (window.__rowIndex ?? -1) + 1; \
             const r = rows[window.__rowIndex % Math.max(rows.length, 1)]; \
             if (r) {{ r.click(); window.__rowTried = r.dataset.reviewId; }} return false;"
        ),
        WAIT,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    app.eval(
        "window.__rowIndex = -1; window.__rowTried = null; return true;",
        vec![],
    )
    .await
    .expect("eval");
}

/// Answers one of the unit's product reviews nobody has answered, from the keyboard, in a
/// private conversation: Trustpilot sees the conversation created once and one comment, and
/// the pane shows the comment as private; then the comment is edited in place.
async fn answer_a_product_review(app: &AppUnderTest, rig: &SignInRig) {
    reviews_listed(app, trustpilot_listed()).await;
    select_row_where(
        app,
        "an unanswered product review",
        "return !!document.querySelector('[data-testid=product-facts]') && \
           !!document.querySelector('[data-testid=reply-open]');",
    )
    .await;
    let id = selected_id(app).await;
    let facts = app.text_of("product-facts", WAIT).await.expect("facts");
    assert!(
        ["Published", "Not published", "Under moderation", "Archived"]
            .iter()
            .any(|s| facts.contains(s)),
        "{facts}"
    );
    app.press("a").await.expect("a");
    app.text_of("reply-editor", WAIT).await.expect("the editor");
    app.click("reply-public", WAIT)
        .await
        .expect("make it private");
    let text = "Thank you for the photos! We are sorry the zip gave way: please contact us through our website and we will send a new one.";
    app.type_into("reply-text", text, WAIT).await.expect("type");
    reply_warnings_cleared(app).await;
    let preview = app.text_of("reply-preview", WAIT).await.expect("preview");
    assert!(preview.contains("private"), "{preview}");
    app.screenshot("trustpilot-17-product-answer")
        .await
        .expect("shot");
    press_button(app, "reply-post").await;
    toast_containing(app, "Your reply is on Trustpilot.").await;
    let create = format!("/v1/private/product-reviews/{id}/create-conversation");
    assert_eq!(
        sandbox_calls(rig, "POST", &create).await,
        1,
        "one conversation"
    );
    let answered = app
        .wait_for_js(
            "the comment in the pane",
            &format!(
                "const r = document.querySelector('[data-testid=review-reply]');                  return r && r.textContent.includes({}) ? r.textContent : null;",
                json!(text)
            ),
            WAIT,
        )
        .await
        .expect("the comment shown");
    assert!(
        answered
            .as_str()
            .is_some_and(|t| t.contains("only the reviewer sees it")),
        "{answered}"
    );
    let log = sandbox_state(rig, "/__sandbox/requests").await;
    let comments: Vec<String> = log["requests"]
        .as_array()
        .map(|all| {
            all.iter()
                .filter(|r| {
                    r["method"] == "POST"
                        && r["path"].as_str().is_some_and(|p| {
                            p.starts_with("/v1/private/conversations/") && p.ends_with("/comments")
                        })
                })
                .filter_map(|r| r["path"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(comments.len(), 1, "one comment: {comments:?}");
    app.screenshot("trustpilot-18-product-answered")
        .await
        .expect("shot");

    // An edit updates the comment in place: a PUT, no new conversation, no new comment.
    press_button(app, "reply-edit").await;
    app.text_of("reply-editor", WAIT).await.expect("the editor");
    let edited = "Thank you for the photos! A new zip is on its way to you.";
    app.type_into("reply-text", edited, WAIT)
        .await
        .expect("type");
    press_button(app, "reply-post").await;
    app.wait_for_js(
        "the edited comment in the pane",
        &format!(
            "const r = document.querySelector('[data-testid=review-reply]');              return !!r && r.textContent.includes({});",
            json!(edited)
        ),
        WAIT,
    )
    .await
    .expect("the edit shown");
    assert_eq!(
        sandbox_calls(rig, "POST", &create).await,
        1,
        "still one conversation"
    );
    let conversation = comments[0].trim_end_matches("/comments").to_owned();
    let puts = sandbox_state(rig, "/__sandbox/requests").await["requests"]
        .as_array()
        .map(|all| {
            all.iter()
                .filter(|r| {
                    r["method"] == "PUT"
                        && r["path"]
                            .as_str()
                            .is_some_and(|p| p.starts_with(&format!("{conversation}/comments/")))
                })
                .count()
        })
        .unwrap_or(0);
    assert_eq!(puts, 1, "the comment replaced in place");

    // The product review's pane, answered, on a small laptop's screen and a full HD one.
    for width in [WIDTHS[0], WIDTHS[2]] {
        resize_page(app, width).await;
        let layout = app
            .eval(LAYOUT_PROBLEMS, vec![json!({ "filterRows": 2 })])
            .await
            .expect("layout");
        app.screenshot(&format!("trustpilot-19-product-review-{width}"))
            .await
            .expect("shot");
        assert_eq!(layout["problems"], json!([]), "at {width} px");
    }
}

/// How many `method` requests the sandbox's Trustpilot API saw on `path`.
async fn sandbox_calls(rig: &SignInRig, method: &str, path: &str) -> usize {
    let log = sandbox_state(rig, "/__sandbox/requests").await;
    log["requests"]
        .as_array()
        .map(|all| {
            all.iter()
                .filter(|r| r["method"] == method && r["path"] == path)
                .count()
        })
        .unwrap_or(0)
}

/// How many replies the sandbox was sent for review `id`.
async fn reply_posts(rig: &SignInRig, id: &str) -> usize {
    sandbox_calls(rig, "POST", &format!("/v1/private/reviews/{id}/reply")).await
}

/// Tags the first two reviews of the inbox with the keyboard (`x`, `j`, `x`, `t`), sees one
/// `PUT` per review reach Trustpilot, then filters by the new tag: exactly those two.
async fn tag_two_and_filter(app: &AppUnderTest, rig: &SignInRig) {
    reviews_listed(app, trustpilot_listed()).await;
    // Trustpilot tags service reviews: the product filter keeps those (product "0").
    app.click("filter-product", WAIT).await.expect("products");
    app.click("product-option-0", WAIT)
        .await
        .expect("the service reviews");
    reviews_listed(app, TRUSTPILOT_REVIEWS).await;
    app.click("review-row", WAIT).await.expect("a review");
    let first = selected_id(app).await;
    app.press("x").await.expect("x");
    app.press("j").await.expect("j");
    app.wait_for_js(
        "the second review selected",
        &format!(
            "const r = document.querySelector('[data-testid=review-row][aria-selected=true]');              return !!r && r.dataset.reviewId !== {};",
            json!(first)
        ),
        WAIT,
    )
    .await
    .expect("j");
    let second = selected_id(app).await;
    app.press("x").await.expect("x");
    app.press("t").await.expect("t");
    app.text_of("tag-editor", WAIT)
        .await
        .expect("the tag editor");
    app.type_into("tag-input", "Late parcel", WAIT)
        .await
        .expect("type");
    app.screenshot("trustpilot-12-tag-editor")
        .await
        .expect("shot");
    app.press("\u{E007}").await.expect("Enter");
    toast_containing(app, "Tagged 2 reviews").await;
    for id in [&first, &second] {
        let path = format!("/v1/private/reviews/{id}/tags");
        assert_eq!(
            sandbox_calls(rig, "PUT", &path).await,
            1,
            "one PUT for {id}"
        );
    }
    // The tag filter offers the new tag, counted from the stored reviews, and lists the two.
    let tag = json!(["generic", "Late parcel"]).to_string();
    app.wait_for_js(
        "the new tag among the filter's options",
        &format!(
            "const s = document.querySelector('[data-testid=filter-tag]');              return !!s && [...s.options].some((o) => o.value === {v} && o.textContent.includes('(2)'));",
            v = json!(tag)
        ),
        WAIT,
    )
    .await
    .expect("the tag option");
    choose(app, "filter-tag", &tag).await;
    reviews_listed(app, 2).await;
    let listed = app
        .eval(
            "return [...document.querySelectorAll('[data-testid=review-row]')].map((r) => r.dataset.reviewId).sort();",
            vec![],
        )
        .await
        .expect("eval");
    let mut want = vec![first.clone(), second.clone()];
    want.sort();
    assert_eq!(listed, json!(want));
    app.click("review-row", WAIT)
        .await
        .expect("a tagged review");
    let tags = app.text_of("detail-tags", WAIT).await.expect("tags");
    assert!(tags.contains("Late parcel"), "{tags}");
    app.screenshot("trustpilot-13-tagged").await.expect("shot");
    app.click("clear-filters", WAIT).await.expect("clear");
    reviews_listed(app, trustpilot_listed()).await;
}

/// Invites a customer from the Invite page: a link made on Trustpilot's invitations host and
/// shown; an email with a listed template; then, with a plan that lacks the Invitation API, the
/// page says so in those words.
async fn invite_a_customer(app: &AppUnderTest, rig: &SignInRig) {
    app.click("nav-invite", WAIT).await.expect("Invite");
    app.type_into("invite-name", "Ana Souza", WAIT)
        .await
        .expect("name");
    app.type_into("invite-email", "ana.souza@example.com", WAIT)
        .await
        .expect("email");
    app.type_into("invite-reference", "#1077", WAIT)
        .await
        .expect("order");
    app.click("invite-create-link", WAIT)
        .await
        .expect("create link");
    let url = app
        .wait_for_js(
            "the invitation link",
            "const f = document.querySelector('[data-testid=invite-link]'); \
             return f && f.value ? f.value : null;",
            WAIT,
        )
        .await
        .expect("a link");
    let url = url.as_str().unwrap_or_default().to_owned();
    assert!(
        url.starts_with("https://www.trustpilot.com/evaluate-link/"),
        "{url}"
    );
    let recorded = sandbox_state(rig, "/__sandbox/state/invitations").await;
    let text = recorded.to_string();
    assert!(
        text.contains("ana.souza@example.com") && text.contains("#1077") && text.contains(&url),
        "{text}"
    );
    app.wait_for_js(
        "the templates",
        "const s = document.querySelector('[data-testid=invite-template]'); \
         return !!s && s.options.length > 1;",
        WAIT,
    )
    .await
    .expect("templates");
    app.screenshot("trustpilot-14-invite").await.expect("shot");
    app.click("invite-send-email", WAIT).await.expect("send");
    toast_containing(app, "Trustpilot will email Ana Souza").await;
    let recorded = sandbox_state(rig, "/__sandbox/state/invitations").await;
    let emails = recorded["invitations"]
        .as_array()
        .map(|all| {
            all.iter()
                .filter(|r| r["kind"] == "email-invitation")
                .count()
        })
        .unwrap_or(0);
    assert_eq!(emails, 1, "one email invitation");

    // The plan loses the Invitation API: the page says so, and offers neither way.
    sandbox_post(rig, "/__sandbox/state/plan", json!({"invitations": false})).await;
    app.click("nav-inbox", WAIT).await.expect("Inbox");
    app.click("nav-invite", WAIT).await.expect("Invite");
    let said = app
        .text_of("invite-plan", WAIT)
        .await
        .expect("the plan notice");
    assert!(said.contains("plan does not include invitations"), "{said}");
    app.screenshot("trustpilot-15-invite-plan")
        .await
        .expect("shot");
    sandbox_post(rig, "/__sandbox/state/plan", json!({"invitations": true})).await;
    app.click("nav-inbox", WAIT).await.expect("Inbox");
}

/// Asks a reviewer for their order details from the detail pane (a review that did not come
/// from an invitation), sees one request reach Trustpilot, then reads the consumer's answer
/// with "Check for an answer".
async fn ask_the_reviewer(app: &AppUnderTest, rig: &SignInRig) {
    reviews_listed(app, trustpilot_listed()).await;
    // Rows one after another until the pane offers Find Reviewer (invited reviews do not).
    app.wait_for_js(
        "a review Find Reviewer is offered for",
        "if (document.querySelector('[data-testid=find-reviewer-open]')) return true; \
         const rows = [...document.querySelectorAll('[data-testid=review-row]')]; \
         window.__findRow = (window.__findRow ?? -1) + 1; \
         const r = rows[window.__findRow % rows.length]; if (r) r.click(); return false;",
        WAIT,
    )
    .await
    .expect("an eligible review");
    let id = app
        .eval(
            "const dt = document.querySelector('[data-testid=review-id-label]'); \
             return dt && dt.nextElementSibling ? dt.nextElementSibling.textContent.trim() : null;",
            vec![],
        )
        .await
        .expect("eval");
    let id = id.as_str().unwrap_or_default().to_owned();
    assert_eq!(id.len(), 24, "{id}");
    // The pane's lower part sits under the toasts: clicked as the page would be.
    press_button(app, "find-reviewer-open").await;
    app.type_into(
        "find-reviewer-message",
        "Could you share your order number so we can look into it?",
        WAIT,
    )
    .await
    .expect("message");
    press_button(app, "find-reviewer-send").await;
    toast_containing(app, "asked the reviewer for their order details").await;
    let path = format!("/v1/private/reviews/{id}/find-reviewer");
    assert_eq!(sandbox_calls(rig, "POST", &path).await, 1, "asked once");
    let waiting = app
        .text_of("find-request", WAIT)
        .await
        .expect("the request");
    assert!(waiting.contains("Waiting for the reviewer"), "{waiting}");
    // The consumer answers on Trustpilot; the merchant checks.
    sandbox_post(
        rig,
        &format!("/__sandbox/reviews/{id}/find-reviewer/answer"),
        json!({"referenceId": "#1042", "name": "Ana Souza", "message": "It was order #1042."}),
    )
    .await;
    press_button(app, "find-reviewer-refresh").await;
    let answer = app.text_of("find-answer", WAIT).await.expect("the answer");
    assert!(
        answer.contains("#1042") && answer.contains("Ana Souza"),
        "{answer}"
    );
    app.screenshot("trustpilot-16-find-reviewer")
        .await
        .expect("shot");
}

/// Clicks the button `test_id` from the page's script, once it is there (a toast may cover it
/// where WebDriver would click).
async fn press_button(app: &AppUnderTest, test_id: &str) {
    app.wait_for_js(
        &format!("[data-testid={test_id}] to click"),
        &format!(
            "const b = document.querySelector('[data-testid={test_id}]'); \
             if (!b || b.disabled) return false; b.scrollIntoView({{block: 'center'}}); b.click(); return true;"
        ),
        WAIT,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
}

/// A sandbox control's JSON on the Trustpilot API host.
async fn sandbox_state(rig: &SignInRig, path: &str) -> serde_json::Value {
    reqwest::Client::new()
        .get(format!("{}{path}", rig.sandbox.trustpilot().api_url()))
        .header("user-agent", "reviewdesk-e2e")
        .send()
        .await
        .expect("sandbox")
        .json()
        .await
        .expect("JSON")
}

/// Posts a sandbox control on the Trustpilot API host.
async fn sandbox_post(rig: &SignInRig, path: &str, body: serde_json::Value) {
    let status = reqwest::Client::new()
        .post(format!("{}{path}", rig.sandbox.trustpilot().api_url()))
        .header("user-agent", "reviewdesk-e2e")
        .json(&body)
        .send()
        .await
        .expect("sandbox")
        .status();
    assert!(status.is_success(), "{path}: {status}");
}

/// The All accounts view: both providers' reviews side by side, at a small laptop's width and
/// at full HD, with nothing cut or overlapping.
async fn all_accounts_side_by_side(app: &AppUnderTest) {
    app.click("shop-switcher", WAIT).await.expect("switcher");
    app.click("all-accounts", WAIT).await.expect("All accounts");
    reviews_listed(app, TRUSTOO_REVIEWS + trustpilot_listed()).await;
    let providers = row_providers(app).await;
    assert!(
        providers.iter().any(|p| p == "trustoo") && providers.iter().any(|p| p == "trustpilot"),
        "both providers among the first rows: {providers:?}"
    );
    // A review open in the pane, as a merchant reads the list.
    app.click("review-row", WAIT).await.expect("a review");
    app.text_of("detail-title", WAIT).await.expect("its detail");
    for width in [WIDTHS[0], WIDTHS[2]] {
        resize_page(app, width).await;
        // Both providers' filters and the account chips: two rows at most.
        let layout = app
            .eval(
                LAYOUT_PROBLEMS,
                vec![json!({ "filterRows": 2, "ratingStrip": false })],
            )
            .await
            .expect("layout");
        app.screenshot(&format!("trustpilot-8-all-accounts-{width}"))
            .await
            .expect("shot");
        assert_eq!(layout["problems"], json!([]), "at {width} px");
    }
    // A search runs over both.
    app.type_into("search", "the", WAIT).await.expect("search");
    app.wait_for_js(
        "the search to list both providers",
        "const t = document.querySelector('[data-testid=review-total]');          const p = new Set([...document.querySelectorAll('[data-testid=row-account]')].map((e) => e.dataset.provider));          return !!t && !t.textContent.includes('Loading') && p.size === 2;",
        WAIT,
    )
    .await
    .expect("search across accounts");
}

/// With the Trustoo shop on screen, All accounts tags a Trustpilot row: the command goes
/// through the business unit's own sign-in (one PUT reaches Trustpilot for that review).
async fn tag_a_review_of_another_account(app: &AppUnderTest, rig: &SignInRig) {
    app.click("shop-switcher", WAIT).await.expect("switcher");
    app.click(
        &format!("shop-option-{}", reviewdesk_sandbox::demo::SHOP_DOMAIN),
        WAIT,
    )
    .await
    .expect("the Trustoo shop");
    reviews_listed(app, TRUSTOO_REVIEWS).await;
    app.click("shop-switcher", WAIT).await.expect("switcher");
    app.click("all-accounts", WAIT).await.expect("All accounts");
    reviews_listed(app, TRUSTOO_REVIEWS + trustpilot_listed()).await;
    let id = app
        .wait_for_js(
            "a Trustpilot row, selected",
            "const r = [...document.querySelectorAll('[data-testid=review-row]')] \
               .find((x) => x.querySelector('[data-testid=row-account]')?.dataset.provider === 'trustpilot'); \
             if (!r) return null; r.click(); return r.dataset.reviewId;",
            WAIT,
        )
        .await
        .expect("a Trustpilot row");
    let id = id.as_str().unwrap_or_default().to_owned();
    app.text_of("tag-open", WAIT).await.expect("tags offered");
    // The review may carry an earlier test's tag: one PUT more than before.
    let path = format!("/v1/private/reviews/{id}/tags");
    let before = sandbox_calls(rig, "PUT", &path).await;
    app.press("t").await.expect("t");
    app.type_into("tag-input", "From All accounts", WAIT)
        .await
        .expect("type");
    app.press("\u{E007}").await.expect("Enter");
    toast_containing(app, "Tagged on Trustpilot.").await;
    assert_eq!(
        sandbox_calls(rig, "PUT", &path).await,
        before + 1,
        "one PUT for {id}"
    );
}

/// Signs the account on screen out from the switcher.
async fn sign_out_on_screen(app: &AppUnderTest) {
    app.click("shop-switcher", WAIT).await.expect("switcher");
    app.click("sign-out", WAIT).await.expect("sign-out");
    app.click("confirm-sign-out", WAIT)
        .await
        .expect("confirm sign-out");
    app.wait_for_js(
        "the sign-out to finish",
        "return !document.querySelector('[data-testid=confirm-sign-out]');",
        WAIT,
    )
    .await
    .expect("signed out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorization_code_through_the_browser_then_both_providers_in_all_accounts() {
    let rig = rig().await;
    let env = &rig.env;
    let app = AppUnderTest::launch("trustpilot-code", env)
        .await
        .expect("launch");

    // A Trustoo shop first, through the browser.
    let authorize = rig.start_sign_in(&app).await;
    let redirect = answer_consent(&authorize, "allow").await.expect("consent");
    os_open(&redirect, app.home.path(), env).expect("deliver the redirect");
    app.text_of("shop-name", WAIT).await.expect("Trustoo shop");
    reviews_listed(&app, TRUSTOO_REVIEWS).await;

    // Add the Trustpilot business unit with the merchant's own application.
    app.click("shop-switcher", WAIT).await.expect("switcher");
    app.click("add-shop", WAIT).await.expect("add an account");
    fill_trustpilot_form(
        &app,
        "authorization_code",
        &[
            ("tp-api-key", tp::API_KEY),
            ("tp-api-secret", tp::API_SECRET),
            ("tp-redirect-uri", tp::REDIRECT_URI),
        ],
    )
    .await;
    app.screenshot("trustpilot-1-form").await.expect("shot");
    app.click("tp-submit", WAIT).await.expect("sign in");
    app.text_of("tp-waiting", WAIT)
        .await
        .expect("waiting for the browser");
    let authorize = rig.browser.wait_for(2, WAIT).await.expect("browser opened");
    assert!(authorize.contains("response_type=code"), "code grant");
    app.screenshot("trustpilot-2-waiting").await.expect("shot");

    // In the browser: Trustpilot's sign-in, then the redirect page the merchant hosts, which
    // hands ReviewDesk's link to the OS.
    let back = trustpilot_authenticate(&authorize, tp::USERNAME, tp::PASSWORD)
        .await
        .expect("authenticate page");
    let link = trustpilot_redirect_page(&back).expect("redirect page");
    assert!(
        link.starts_with("reviewdesk://trustpilot/callback?"),
        "{link}"
    );
    os_open(&link, app.home.path(), env).expect("deliver the link");
    let score = pick_unit(&app, "trustpilot-3-business-unit").await;
    reviews_listed(&app, trustpilot_listed()).await;
    app.screenshot("trustpilot-4-inbox").await.expect("shot");
    unit_screens(&app, &score).await;
    answer_with_the_keyboard(&app, &rig).await;
    tag_two_and_filter(&app, &rig).await;
    invite_a_customer(&app, &rig).await;
    ask_the_reviewer(&app, &rig).await;
    answer_a_product_review(&app, &rig).await;
    all_accounts_side_by_side(&app).await;
    tag_a_review_of_another_account(&app, &rig).await;

    // The tokens are in the keyring, not in any file or the log.
    let blob = keyring_secret(&unit_entry())
        .expect("secret-tool")
        .expect("the business unit's keyring entry");
    let stored: serde_json::Value = serde_json::from_str(&blob).expect("JSON entry");
    let access = stored
        .pointer("/tokens/access_token")
        .or_else(|| stored.get("access_token"))
        .and_then(|v| v.as_str())
        .expect("an access token")
        .to_owned();
    assert!(files_containing(app.home.path(), &access).is_empty());
    assert!(files_containing(app.home.path(), tp::API_SECRET).is_empty());
    let log = std::fs::read_to_string(app.log_path()).unwrap_or_default();
    assert!(!log.contains(&access) && !log.contains(tp::API_SECRET));

    // Sign both out: the Trustpilot entries leave the keyring.
    app.click("shop-switcher", WAIT).await.expect("switcher");
    app.click(&format!("shop-option-{}", tp::BUSINESS_UNIT_ID), WAIT)
        .await
        .expect("switch to the unit");
    app.text_of("shop-name", WAIT).await.expect("unit");
    sign_out_on_screen(&app).await;
    app.wait_for_js(
        "the Trustoo shop on screen again",
        &format!(
            "const n = document.querySelector('[data-testid=shop-name]'); \
             return !!n && n.textContent.trim() === {};",
            json!(reviewdesk_sandbox::demo::SHOP_NAME)
        ),
        WAIT,
    )
    .await
    .expect("the shop");
    sign_out_on_screen(&app).await;
    app.text_of("not-signed-in", WAIT)
        .await
        .expect("signed out");
    assert_eq!(keyring_secret(&unit_entry()).expect("secret-tool"), None);
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_credentials_sign_in_in_a_second_run() {
    let rig = rig().await;
    let app = AppUnderTest::launch("trustpilot-cc", &rig.env)
        .await
        .expect("launch");
    app.text_of("not-signed-in", WAIT)
        .await
        .expect("sign-in screen");
    fill_trustpilot_form(
        &app,
        "client_credentials",
        &[
            ("tp-api-key", tp::API_KEY),
            ("tp-api-secret", tp::API_SECRET),
            ("tp-business-user-id", tp::BUSINESS_USER_ID),
        ],
    )
    .await;
    app.click("tp-submit", WAIT).await.expect("sign in");
    pick_unit(&app, "trustpilot-9-client-credentials").await;
    reviews_listed(&app, trustpilot_listed()).await;
    let blob = keyring_secret(&unit_entry())
        .expect("secret-tool")
        .expect("the business unit's keyring entry");
    let stored: serde_json::Value = serde_json::from_str(&blob).expect("JSON entry");
    assert_eq!(stored["grant"], json!("client_credentials"));
    assert!(
        stored.get("refresh_token").is_none(),
        "no refresh token with this grant"
    );
    sign_out_on_screen(&app).await;
    app.text_of("not-signed-in", WAIT)
        .await
        .expect("signed out");
    assert_eq!(keyring_secret(&unit_entry()).expect("secret-tool"), None);
    app.quit().await;
}
