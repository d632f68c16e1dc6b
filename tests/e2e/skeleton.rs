//! The walking skeleton: the app connects to the sandbox given by configuration and shows the
//! shop's rating summary.

use crate::support::thousands;
use reviewdesk_sandbox::{demo, Sandbox, SandboxConfig};
use reviewdesk_tests::app::AppUnderTest;
use reviewdesk_trustoo::{Auth, ClientConfig, RatingQuery, Secret, TrustooClient};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shows_the_demo_shops_rating_from_the_sandbox() {
    let config = SandboxConfig {
        reviews: 3_210,
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start(config, 0).await.expect("sandbox starts");

    // The figure the screen must show, asked of the sandbox directly.
    let base = url::Url::parse(&sandbox.base_url()).expect("sandbox url");
    let direct = TrustooClient::new(ClientConfig::new(
        base,
        Auth::Hmac {
            public_token: Secret::new(demo::PUBLIC_TOKEN.to_owned()),
            private_token: Secret::new(demo::PRIVATE_TOKEN.to_owned()),
        },
    ))
    .expect("client");
    let expected = direct
        .get_rating(RatingQuery::all())
        .await
        .expect("rating from the sandbox");
    assert_eq!(
        expected.count, 3_210,
        "the sandbox seeded what we asked for"
    );

    let app = AppUnderTest::launch(
        "skeleton",
        &[
            ("REVIEWDESK_API_BASE", sandbox.base_url()),
            ("REVIEWDESK_DEMO", "1".to_owned()),
        ],
    )
    .await
    .expect("app launches under WebDriver");

    let wait = Duration::from_secs(30);
    let average = app.text_of("rating-average", wait).await.expect("average");
    let count = app.text_of("rating-count", wait).await.expect("count");
    let shop = app.text_of("shop-name", wait).await.expect("shop name");
    let badge = app.text_of("env-badge", wait).await.expect("badge");
    app.screenshot("rating-summary").await.expect("screenshot");

    assert_eq!(average, format!("{:.1}", expected.average));
    assert!(
        count.contains(&thousands(expected.count)),
        "count `{count}` should show {}",
        thousands(expected.count)
    );
    assert_eq!(shop, demo::SHOP_NAME);
    assert_eq!(badge.to_lowercase(), "sandbox");
    for star in 1..=5 {
        let bar = app
            .text_of(&format!("rating-bar-{star}"), wait)
            .await
            .expect("histogram bar");
        let n = expected.stars[star - 1];
        assert!(
            bar.contains(&thousands(n)),
            "bar {star}★ `{bar}` should show {n}"
        );
    }
    app.quit().await;
    sandbox.shutdown().await;
}
