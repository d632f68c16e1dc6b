//! What goes on the wire, seen by a bare TCP listener: every call carries the `User-Agent` and
//! `apikey` headers, private calls the Bearer token, token calls `Basic base64(key:secret)`.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use reviewdesk_trustpilot::{
    BaseUrls, ClientConfig, NewReply, ReviewQuery, Secret, TrustpilotClient,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One request as received: the head lines (lower-cased names) and the body.
#[derive(Debug, Clone)]
struct Seen {
    line: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A listener answering every request with a body every call can decode.
async fn recorder() -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let log = seen.clone();
    tokio::spawn(async move {
        loop {
            let (mut sock, _) = listener.accept().await.unwrap();
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let head_end = loop {
                let n = sock.read(&mut chunk).await.unwrap();
                buf.extend_from_slice(&chunk[..n]);
                if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    break i;
                }
            };
            let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
            let mut lines = head.split("\r\n");
            let line = lines.next().unwrap().to_owned();
            let headers: Vec<(String, String)> = lines
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
                .collect();
            let len: usize = headers
                .iter()
                .find(|(k, _)| k == "content-length")
                .map_or(0, |(_, v)| v.parse().unwrap());
            while buf.len() < head_end + 4 + len {
                let n = sock.read(&mut chunk).await.unwrap();
                buf.extend_from_slice(&chunk[..n]);
            }
            let body = String::from_utf8_lossy(&buf[head_end + 4..]).to_string();
            log.lock().unwrap().push(Seen {
                line,
                headers,
                body,
            });
            let answer =
                br#"{"access_token":"AccessT0ken","expires_in":"359999","reviews":[],"links":[]}"#;
            let resp = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                answer.len()
            );
            sock.write_all(resp.as_bytes()).await.unwrap();
            sock.write_all(answer).await.unwrap();
        }
    });
    (url, seen)
}

#[tokio::test]
async fn every_call_carries_the_user_agent_and_the_api_key() {
    let (url, seen) = recorder().await;
    let c = TrustpilotClient::new(ClientConfig::new(
        BaseUrls::parse(&url, &url, &url).unwrap(),
        Secret::new("KeyK"),
        Some(Secret::new("SecretS")),
    ))
    .unwrap();
    c.find_business_unit("example.com").await.unwrap();
    c.sign_in_with_password("owner@example.com", &Secret::new("pw&=?"))
        .await
        .unwrap();
    c.private_reviews_page("5c1a7e8f2d3b4a0001f6e9d2", &ReviewQuery::default(), 2)
        .await
        .unwrap();
    c.reply(
        "5f1b2c3d4e5f60718293a4b5",
        &NewReply {
            message: "Thanks".into(),
            author_business_user_id: Some("5f8e2a1c9b3d4e7f60a1b2c3".into()),
            submitted_at: None,
        },
    )
    .await
    .unwrap();
    c.sign_out().await.unwrap();

    let seen = seen.lock().unwrap().clone();
    let lines: Vec<&str> = seen.iter().map(|s| s.line.as_str()).collect();
    assert_eq!(
        lines,
        [
            "GET /v1/business-units/find?name=example.com HTTP/1.1",
            "POST /v1/oauth/oauth-business-users-for-applications/accesstoken HTTP/1.1",
            "GET /v1/private/business-units/5c1a7e8f2d3b4a0001f6e9d2/reviews?page=2&perPage=100 HTTP/1.1",
            "POST /v1/private/reviews/5f1b2c3d4e5f60718293a4b5/reply HTTP/1.1",
            "POST /v1/oauth/oauth-business-users-for-applications/revoke HTTP/1.1",
        ]
    );
    for s in &seen {
        assert!(
            s.header("user-agent").unwrap().starts_with("ReviewDesk/"),
            "{s:?}"
        );
        assert_eq!(s.header("apikey"), Some("KeyK"), "{s:?}");
        assert_eq!(s.header("accept"), Some("application/json"), "{s:?}");
    }
    // Public: no Authorization. Token: Basic base64("KeyK:SecretS"). Private: Bearer.
    assert_eq!(seen[0].header("authorization"), None);
    assert_eq!(
        seen[1].header("authorization"),
        Some("Basic S2V5SzpTZWNyZXRT")
    );
    assert_eq!(
        seen[1].header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        seen[1].body,
        "grant_type=password&username=owner%40example.com&password=pw%26%3D%3F"
    );
    assert_eq!(seen[2].header("authorization"), Some("Bearer AccessT0ken"));
    assert_eq!(seen[3].header("authorization"), Some("Bearer AccessT0ken"));
    assert_eq!(seen[3].header("content-type"), Some("application/json"));
    let reply: serde_json::Value = serde_json::from_str(&seen[3].body).unwrap();
    assert_eq!(
        reply,
        serde_json::json!({"message": "Thanks", "authorBusinessUserId": "5f8e2a1c9b3d4e7f60a1b2c3"})
    );
    // Revoke: the form only, as the seed page shows (no client authentication).
    assert_eq!(seen[4].header("authorization"), None);
    assert_eq!(seen[4].body, "token=AccessT0ken");
}
