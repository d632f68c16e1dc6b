//! Decoding of the documented drift.
#![allow(clippy::unwrap_used)]
use super::*;
use reviewdesk_core::{MediaKind, RequestEmailStatus};
use serde_json::json;

#[test]
fn success_codes() {
    for code in [None, Some(0), Some(2000)] {
        assert!(is_success_code(code), "{code:?}");
    }
    for code in [Some(3), Some(16), Some(1)] {
        assert!(!is_success_code(code), "{code:?}");
    }
}

#[test]
fn envelope_with_code_0_and_2000_and_none() {
    let a = interpret(
        "t",
        200,
        br#"{"code":0,"message":"success","time":1,"request_id":"x","data":{"a":1}}"#,
        None,
        None,
    )
    .unwrap();
    assert_eq!(decode_data::<Value>("t", a).unwrap(), json!({"a":1}));
    let b = interpret(
        "t",
        200,
        br#"{"code":2000,"message":"OK","request_id":"42c3-..","data":[1]}"#,
        None,
        None,
    )
    .unwrap();
    assert_eq!(decode_data::<Value>("t", b).unwrap(), json!([1]));
    let c = interpret("t", 200, br#"{"code":"0","message":"OK"}"#, None, None).unwrap();
    assert!(c.is_none());
    // Bare `{}` (older revoke) and an empty body are success without data.
    assert!(interpret("t", 200, b"{}", None, None).unwrap().is_none());
    assert!(interpret("t", 200, b"", None, None).unwrap().is_none());
    let null = interpret("t", 200, br#"{"code":0,"data":null}"#, None, None).unwrap();
    assert!(null.is_none());
}

#[test]
fn envelope_errors_map_by_code_even_on_http_200() {
    let e = interpret(
        "t",
        200,
        br#"{"code":16,"message":"invalid signature"}"#,
        None,
        None,
    );
    assert!(matches!(e, Err(Error::Unauthorized { expired: false })));
    let e = interpret(
        "t",
        404,
        br#"{"code":5,"message":"review 1 not found"}"#,
        None,
        None,
    );
    assert!(matches!(e, Err(Error::NotFound)));
    // Non-JSON error bodies map by status and never carry the body.
    let e = interpret("t", 502, b"<html>Bad gateway SECRET</html>", None, None);
    match e {
        Err(
            err @ Error::Server {
                status: 502,
                code: None,
            },
        ) => {
            assert!(!err.to_string().contains("SECRET"))
        }
        other => panic!("{other:?}"),
    }
    // Malformed JSON on 200 is a decode error without body text.
    match interpret(
        "t",
        200,
        br#"{"code":0,"data":{"access_token":"SECRET"#,
        None,
        None,
    ) {
        Err(err @ Error::Decode { .. }) => assert!(!err.to_string().contains("SECRET")),
        other => panic!("{other:?}"),
    }
    // 5xx with a success-looking code is still an error.
    assert!(matches!(
        interpret("t", 500, br#"{"code":0}"#, None, None),
        Err(Error::Server { status: 500, .. })
    ));
}

#[test]
fn review_with_numbers_as_strings_and_both_timestamp_formats() {
    let v = json!({
        "id": 123, "product_id": 9200305176832u64, "rating": "4", "author": "Ann",
        "is_verified": "1", "is_featured": true, "is_published": 0, "is_top": 1,
        "commented_at": "2025-06-20 11:06:48", "created_at": "2025-06-20T11:06:48Z",
        "updated_at": "2025-06-21 00:00:00",
        "media": [{"url": "https://img.trustoo.io/a.jpg", "thumbnail_url": "t", "type": 1, "is_published": 1},
                  {"url": "https://img.trustoo.io/v.mp4", "type": "2"}],
        "reply": {"content": "Thanks!", "reply_at": "2025-06-22 00:00:00"}
    });
    let r = serde_json::from_value::<WireReview>(v)
        .unwrap()
        .into_domain();
    assert_eq!(r.id.as_str(), "123");
    assert_eq!(r.product_id.as_str(), "9200305176832");
    assert!(!r.is_store_review);
    assert_eq!(r.rating, 4);
    let t = r.trustoo().expect("a Trustoo review");
    assert!(r.is_verified && t.is_featured && !t.is_published && t.is_pinned);
    assert_eq!(r.commented_at, 1_750_417_608);
    assert_eq!(r.updated_at, 1_750_464_000);
    assert_eq!(r.media.len(), 2);
    assert_eq!(r.media[1].kind, MediaKind::Video);
    assert_eq!(
        r.reply.as_ref().map(|x| x.content.as_str()),
        Some("Thanks!")
    );
}

#[test]
fn review_with_legacy_media_object_and_minimal_fields() {
    let v = json!({
        "id": "7", "rating": 5, "author": "Bo", "product_id": "0",
        "media": {"images": ["i1", "i2"], "thumbnails": ["t1"], "video": "v", "video_thumbnail": "vt"},
        "reply": null
    });
    let r = serde_json::from_value::<WireReview>(v)
        .unwrap()
        .into_domain();
    assert!(r.is_store_review);
    assert!(r.trustoo().is_some_and(|t| t.is_published));
    assert_eq!(r.media.len(), 3);
    assert_eq!(r.media[0].thumbnail_url, "t1");
    assert_eq!(r.media[1].thumbnail_url, "");
    assert_eq!(r.media[2].kind, MediaKind::Video);
    assert!(r.reply.is_none());
    assert_eq!(r.commented_at, 0);
}

#[test]
fn page_fills_total_page_from_count() {
    let v = json!({"page": {"page": "2", "page_size": 20, "count": 45}, "list": null});
    let p = serde_json::from_value::<WirePage<WireReview>>(v)
        .unwrap()
        .into_domain(2, 20, WireReview::into_domain);
    assert_eq!(p.page.total_page, 3);
    assert_eq!(p.page.page, 2);
    assert!(p.list.is_empty());
}

#[test]
fn rating_with_string_value_and_missing_star_counts() {
    let r =
        serde_json::from_value::<WireRating>(json!({"rating_value": "4.5", "review_count": 10}))
            .unwrap()
            .into_domain();
    assert_eq!(r.count, 10);
    assert!((r.average - 4.5).abs() < 1e-9);
    let r = serde_json::from_value::<WireRating>(json!({"rating_value": "0", "review_count": 0,
        "star1_count": 0, "star2_count": 0, "star3_count": 0, "star4_count": 0, "star5_count": 0}))
    .unwrap()
    .into_domain();
    assert_eq!(r.count, 0);
}

#[test]
fn webhook_list_array_or_wrapped() {
    let a: WireWebhookList =
        serde_json::from_value(json!([{"id": 19, "topic": "review/created", "url": "u"}])).unwrap();
    assert_eq!(a.into_domain()[0].id, "19");
    let b: WireWebhookList =
        serde_json::from_value(json!({"list": [{"id": "20", "topic": "t", "url": "u"}]})).unwrap();
    assert_eq!(b.into_domain()[0].id, "20");
}

#[test]
fn order_status_from_number_or_string() {
    let o: WireOrder = serde_json::from_value(
        json!({"id": 1, "request_status": "5", "created_at": "2026-01-01T00:00:00Z"}),
    )
    .unwrap();
    let o = o.into_domain();
    assert_eq!(o.request_status, RequestEmailStatus::Evaluated);
    assert_eq!(o.created_at, 1_767_225_600);
}
