//! Media: OSS-style POST policies, presigned video PUT URLs, and the storage host itself
//! (`<base>/storage`), which streams uploads to disk and serves them back. Seeded review
//! media (`/storage/seed/...`) are rendered on request: PNG placeholders and a tiny MP4 stub.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::extract::{Multipart, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use futures::StreamExt;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha1::Sha1;
use tokio::io::AsyncWriteExt;

use crate::api::handle;
use crate::state::{hmac_hex, AppState};
use crate::util::{fmt_rfc3339, json_response, q_get, q_int, ApiError};

/// Policy and PUT URL life (CHOICES: 15 minutes).
pub const POLICY_TTL: i64 = 900;

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

/// base64(HMAC-SHA1(secret, policy)) as on Aliyun OSS.
pub fn oss_signature(secret: &str, policy_b64: &str) -> String {
    match Hmac::<Sha1>::new_from_slice(secret.as_bytes()) {
        Ok(mut m) => {
            m.update(policy_b64.as_bytes());
            b64().encode(m.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

/// `GET /api/v1/openapi/get_image_upload_policy_token` (SEEN shape; policy details per CHOICES "Media").
pub async fn image_policy(State(st): State<AppState>, req: Request) -> Response {
    handle(req, |r| {
        let p = r.auth(&st, Some("write_reviews"))?;
        let now = st.now();
        let exp = now + POLICY_TTL;
        let shop_id = st.world().shops[p.shop].shop().id;
        let d = time::OffsetDateTime::from_unix_timestamp(now)
            .map_err(|e| ApiError::internal(e.to_string()))?;
        let dir = format!(
            "reviewdesk{shop_id}/{}/{}/{}/",
            d.year(),
            u8::from(d.month()),
            d.day()
        );
        let policy = json!({
            "expiration": fmt_rfc3339(exp),
            "conditions": [["starts-with", "$key", dir], ["content-length-range", 1, st.cfg.image_max_bytes]],
        });
        let policy_b64 = b64().encode(policy.to_string());
        let callback = b64().encode(
            json!({
                "callbackUrl": format!("{}/storage/callback", st.base_url),
                "callbackBody": "filename=${object}&size=${size}&mimeType=${mimeType}&height=${imageInfo.height}&width=${imageInfo.width}",
                "callbackBodyType": "application/x-www-form-urlencoded",
            })
            .to_string(),
        );
        Ok(crate::util::ok(
            now,
            json!({
                "access_id": st.access_id,
                "host": format!("{}/storage", st.base_url),
                "expire": exp.to_string(),
                "signature": oss_signature(&st.media_secret, &policy_b64),
                "policy": policy_b64,
                "dir": dir,
                "callback": callback,
            }),
        ))
    })
    .await
}

fn video_type(name: &str) -> Option<&'static str> {
    let ext = name.rsplit('.').next()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "mp4" | "m4v" => "video/mp4",
        "mov" => "video/quicktime",
        "webm" => "video/webm",
        "avi" => "video/x-msvideo",
        _ => return None,
    })
}

fn safe_name(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    s.trim_start_matches('.').to_string()
}

fn put_signature(secret: &str, key: &str, expires: i64, size: u64, ct: &str) -> String {
    hmac_hex(
        secret.as_bytes(),
        format!("PUT\n{key}\n{expires}\n{size}\n{ct}").as_bytes(),
    )
}

/// `GET /api/v1/openapi/get_video_upload_url?file_name&file_size` (path UNKNOWN: CHOICES "Media" chosen).
pub async fn video_url(State(st): State<AppState>, req: Request) -> Response {
    handle(req, |r| {
        let p = r.auth(&st, Some("write_reviews"))?;
        let name = q_get(&r.pairs, "file_name")
            .ok_or_else(|| ApiError::invalid("file_name is required"))?;
        if q_get(&r.pairs, "file_size").is_none() {
            return Err(ApiError::invalid("file_size is required"));
        }
        let size = q_int(&r.pairs, "file_size", 0, 1, st.cfg.video_max_bytes as i64)? as u64;
        let ct = video_type(name).ok_or_else(|| {
            ApiError::invalid("file_name must end in .mp4, .m4v, .mov, .webm or .avi")
        })?;
        let now = st.now();
        let exp = now + POLICY_TTL;
        let shop_id = st.world().shops[p.shop].shop().id;
        let key = format!(
            "videos/{shop_id}/{}/{}",
            uuid::Uuid::new_v4().simple(),
            safe_name(name)
        );
        let sig = put_signature(&st.media_secret, &key, exp, size, ct);
        let mut u = url::Url::parse(&format!("{}/storage/{key}", st.base_url))
            .map_err(|e| ApiError::internal(e.to_string()))?;
        u.query_pairs_mut()
            .append_pair("expires", &exp.to_string())
            .append_pair("size", &size.to_string())
            .append_pair("content_type", ct)
            .append_pair("signature", &sig);
        Ok(crate::util::ok(
            now,
            json!({
                "upload_url": u.to_string(),
                "video_url": format!("{}/storage/{key}", st.base_url),
                "expire": exp.to_string(),
                "content_type": ct,
            }),
        ))
    })
    .await
}

/// OSS-style XML error.
fn oss_error(status: StatusCode, code: &str, msg: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{msg}</Message><RequestId>{}</RequestId><HostId>sandbox</HostId></Error>",
        crate::util::request_id()
    );
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    r
}

/// A key that stays inside the storage dir.
fn key_ok(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 1024
        && !key.starts_with('/')
        && !key.contains('\\')
        && !key.contains('\0')
        && key
            .split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != "..")
}

fn object_path(root: &Path, key: &str) -> PathBuf {
    let mut p = root.to_path_buf();
    for seg in key.split('/') {
        p.push(seg);
    }
    p
}

struct PolicyCheck {
    prefix: String,
    min: u64,
    max: u64,
}

fn check_policy(
    st: &AppState,
    policy_b64: &str,
    sig: &str,
    access_id: &str,
) -> Result<PolicyCheck, Box<Response>> {
    if access_id != st.access_id {
        return Err(Box::new(oss_error(
            StatusCode::FORBIDDEN,
            "InvalidAccessKeyId",
            "The OSS Access Key Id you provided does not exist in our records.",
        )));
    }
    let expected = oss_signature(&st.media_secret, policy_b64);
    if !crate::state::constant_eq(expected.as_bytes(), sig.as_bytes()) {
        return Err(Box::new(oss_error(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        )));
    }
    let bad = || {
        Box::new(oss_error(
            StatusCode::BAD_REQUEST,
            "InvalidPolicyDocument",
            "Invalid Policy: Invalid JSON.",
        ))
    };
    let raw = b64().decode(policy_b64).map_err(|_| bad())?;
    let v: Value = serde_json::from_slice(&raw).map_err(|_| bad())?;
    let exp = v
        .get("expiration")
        .and_then(Value::as_str)
        .and_then(crate::util::parse_time)
        .ok_or_else(bad)?;
    if exp <= st.now() {
        return Err(Box::new(oss_error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "Policy expired.",
        )));
    }
    let mut pc = PolicyCheck {
        prefix: String::new(),
        min: 0,
        max: u64::MAX,
    };
    for c in v
        .get("conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        match c.as_array().map(Vec::as_slice) {
            Some([a, b, c]) if a == "starts-with" && b == "$key" => {
                pc.prefix = c.as_str().unwrap_or("").to_string();
            }
            Some([a, b, c]) if a == "content-length-range" => {
                pc.min = b.as_u64().unwrap_or(0);
                pc.max = c.as_u64().unwrap_or(u64::MAX);
            }
            _ => {}
        }
    }
    Ok(pc)
}

/// `POST /storage` — OSS PostObject emulation: fields then `file` last, streamed to disk.
pub async fn storage_post(State(st): State<AppState>, mut mp: Multipart) -> Response {
    let mut fields: Vec<(String, String)> = Vec::new();
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => {
                return oss_error(
                    StatusCode::BAD_REQUEST,
                    "InvalidArgument",
                    "The file field is required and must be the last field.",
                )
            }
            Err(e) => {
                return oss_error(
                    StatusCode::BAD_REQUEST,
                    "InvalidArgument",
                    &format!("Malformed multipart body: {e}"),
                )
            }
        };
        let name = field.name().unwrap_or("").to_string();
        if name != "file" {
            match field.text().await {
                Ok(t) => fields.push((name.to_ascii_lowercase(), t)),
                Err(_) => {
                    return oss_error(
                        StatusCode::BAD_REQUEST,
                        "InvalidArgument",
                        "Malformed form field.",
                    )
                }
            }
            continue;
        }
        let get = |k: &str| {
            fields
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.as_str())
                .unwrap_or("")
        };
        let (key, policy, sig, akid) = (
            get("key"),
            get("policy"),
            get("signature"),
            get("ossaccesskeyid"),
        );
        if key.is_empty() || policy.is_empty() || sig.is_empty() {
            return oss_error(
                StatusCode::BAD_REQUEST,
                "InvalidArgument",
                "key, policy, OSSAccessKeyId and Signature must come before file.",
            );
        }
        let pc = match check_policy(&st, policy, sig, akid) {
            Ok(p) => p,
            Err(r) => return *r,
        };
        let key = key.replace(
            "${filename}",
            &safe_name(field.file_name().unwrap_or("file")),
        );
        if !key_ok(&key) {
            return oss_error(
                StatusCode::BAD_REQUEST,
                "InvalidObjectName",
                "The specified object name is invalid.",
            );
        }
        if !key.starts_with(&pc.prefix) {
            return oss_error(StatusCode::FORBIDDEN, "AccessDenied", "Invalid according to Policy: Policy Condition failed: [\"starts-with\", \"$key\", \"<dir>\"]");
        }
        let status = match get("success_action_status") {
            "201" => StatusCode::CREATED,
            "204" => StatusCode::NO_CONTENT,
            _ => StatusCode::OK,
        };
        let path = object_path(&st.storage_dir, &key);
        let stream = field.map(|c| c.map_err(std::io::Error::other));
        let written = match write_stream(&path, stream, pc.max).await {
            Ok(n) => n,
            Err(WriteErr::TooLarge) => {
                return oss_error(
                    StatusCode::BAD_REQUEST,
                    "EntityTooLarge",
                    "Your proposed upload exceeds the maximum allowed size.",
                )
            }
            Err(WriteErr::Io(e)) => {
                return oss_error(
                    StatusCode::BAD_REQUEST,
                    "InvalidArgument",
                    &format!("upload failed: {e}"),
                )
            }
        };
        if written < pc.min {
            let _ = tokio::fs::remove_file(&path).await;
            return oss_error(
                StatusCode::BAD_REQUEST,
                "EntityTooSmall",
                "Your proposed upload is smaller than the minimum allowed size.",
            );
        }
        // Anything after `file` is ignored, like OSS.
        if status == StatusCode::NO_CONTENT {
            return status.into_response();
        }
        let mut resp = json_response(
            StatusCode::OK,
            &json!({"key": key, "url": format!("{}/storage/{key}", st.base_url), "size": written}),
        );
        *resp.status_mut() = status;
        return resp;
    }
}

enum WriteErr {
    TooLarge,
    Io(std::io::Error),
}

/// Streams chunks to `<path>.part`, then renames; never holds more than one chunk in memory.
async fn write_stream<S>(path: &Path, mut stream: S, max: u64) -> Result<u64, WriteErr>
where
    S: futures::Stream<Item = Result<bytes::Bytes, std::io::Error>> + Unpin,
{
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir).await.map_err(WriteErr::Io)?;
    }
    let tmp = path.with_extension(format!("part{}", uuid::Uuid::new_v4().simple()));
    let mut f = tokio::fs::File::create(&tmp).await.map_err(WriteErr::Io)?;
    let mut n: u64 = 0;
    let res = async {
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(WriteErr::Io)?;
            n += chunk.len() as u64;
            if n > max {
                return Err(WriteErr::TooLarge);
            }
            f.write_all(&chunk).await.map_err(WriteErr::Io)?;
        }
        f.flush().await.map_err(WriteErr::Io)?;
        Ok(())
    }
    .await;
    drop(f);
    match res {
        Ok(()) => {
            tokio::fs::rename(&tmp, path).await.map_err(WriteErr::Io)?;
            Ok(n)
        }
        Err(e) => {
            let _ = tokio::fs::remove_file(&tmp).await;
            Err(e)
        }
    }
}

/// `PUT /storage/{*key}` — presigned video upload: exact Content-Length, no chunked bodies.
pub async fn storage_put(State(st): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let key = parts.uri.path().trim_start_matches("/storage/").to_string();
    let key = percent_decode(&key);
    let pairs = crate::util::query_pairs(parts.uri.query());
    let g = |k: &str| q_get(&pairs, k).unwrap_or("");
    let (expires, size, ct, sig) = (g("expires"), g("size"), g("content_type"), g("signature"));
    let (Ok(expires), Ok(size)) = (expires.parse::<i64>(), size.parse::<u64>()) else {
        return oss_error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "Missing or malformed presigned parameters.",
        );
    };
    if !key_ok(&key) {
        return oss_error(
            StatusCode::BAD_REQUEST,
            "InvalidObjectName",
            "The specified object name is invalid.",
        );
    }
    let expected = put_signature(&st.media_secret, &key, expires, size, ct);
    if !crate::state::constant_eq(expected.as_bytes(), sig.as_bytes()) {
        return oss_error(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        );
    }
    if expires <= st.now() {
        return oss_error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "Request has expired.",
        );
    }
    if is_chunked(&parts.headers) {
        return oss_error(
            StatusCode::LENGTH_REQUIRED,
            "MissingContentLength",
            "You must provide the Content-Length HTTP header.",
        );
    }
    let Some(len) = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
    else {
        return oss_error(
            StatusCode::LENGTH_REQUIRED,
            "MissingContentLength",
            "You must provide the Content-Length HTTP header.",
        );
    };
    if len != size {
        return oss_error(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            &format!("Content-Length {len} does not match the presigned size {size}."),
        );
    }
    let sent_ct = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if sent_ct != ct {
        return oss_error(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            &format!("Content-Type must be {ct}."),
        );
    }
    let path = object_path(&st.storage_dir, &key);
    let stream = body
        .into_data_stream()
        .map(|c| c.map_err(std::io::Error::other));
    match write_stream(&path, stream, size).await {
        Ok(n) if n == size => {
            let mut r = StatusCode::OK.into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", uuid::Uuid::new_v4().simple()))
            {
                r.headers_mut().insert(header::ETAG, v);
            }
            r
        }
        Ok(_) => {
            let _ = tokio::fs::remove_file(&path).await;
            oss_error(
                StatusCode::BAD_REQUEST,
                "IncompleteBody",
                "The body is shorter than Content-Length.",
            )
        }
        Err(WriteErr::TooLarge) => oss_error(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            "Body longer than Content-Length.",
        ),
        Err(WriteErr::Io(e)) => oss_error(
            StatusCode::BAD_REQUEST,
            "IncompleteBody",
            &format!("upload failed: {e}"),
        ),
    }
}

fn is_chunked(h: &HeaderMap) -> bool {
    h.get(header::TRANSFER_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Some(v) = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn content_type_for(key: &str) -> &'static str {
    let ext = key.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "mp4" | "m4v" => "video/mp4",
        "mov" => "video/quicktime",
        "webm" => "video/webm",
        _ => "application/octet-stream",
    }
}

/// `GET /storage/{*key}` — serves uploads (streamed from disk) and seeded media.
pub async fn storage_get(State(st): State<AppState>, req: Request) -> Response {
    let key = percent_decode(req.uri().path().trim_start_matches("/storage/"));
    if !key_ok(&key) {
        return oss_error(
            StatusCode::BAD_REQUEST,
            "InvalidObjectName",
            "The specified object name is invalid.",
        );
    }
    if let Some(rest) = key.strip_prefix("seed/") {
        return seed_media(rest);
    }
    let path = object_path(&st.storage_dir, &key);
    let file = match tokio::fs::File::open(&path).await {
        Ok(f) => f,
        Err(_) => {
            return oss_error(
                StatusCode::NOT_FOUND,
                "NoSuchKey",
                "The specified key does not exist.",
            )
        }
    };
    let len = file.metadata().await.map(|m| m.len()).unwrap_or(0);
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(file));
    let mut r = body.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type_for(&key)),
    );
    if let Ok(v) = HeaderValue::from_str(&len.to_string()) {
        r.headers_mut().insert(header::CONTENT_LENGTH, v);
    }
    r
}

/// `POST /storage/callback` — where the policy's callback points; acknowledges like Trustoo.
pub async fn storage_callback() -> Response {
    json_response(StatusCode::OK, &json!({"code": 0, "message": "success"}))
}

fn seed_media(rest: &str) -> Response {
    // rest = "<shop>/<review>-<i>.png" | "<shop>/<review>-<i>-thumb.png" | "<shop>/<review>-video.mp4"
    let name = rest.rsplit('/').next().unwrap_or("");
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    });
    if name.ends_with(".mp4") {
        let mut r = MP4_STUB.to_vec().into_response();
        r.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("video/mp4"));
        return r;
    }
    if !name.ends_with(".png") {
        return oss_error(
            StatusCode::NOT_FOUND,
            "NoSuchKey",
            "The specified key does not exist.",
        );
    }
    let size = if name.ends_with("-thumb.png") {
        96
    } else {
        320
    };
    let png = placeholder_png(size, size, hash);
    let mut r = png.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    r
}

/// A minimal ISO-BMFF `ftyp` + empty `mdat`: a stand-in, not playable video (documented in CHOICES).
const MP4_STUB: &[u8] = &[
    0, 0, 0, 24, b'f', b't', b'y', b'p', b'i', b's', b'o', b'm', 0, 0, 2, 0, b'i', b's', b'o',
    b'm', b'm', b'p', b'4', b'1', 0, 0, 0, 8, b'm', b'd', b'a', b't',
];

const PALETTE: &[[u8; 3]] = &[
    [0x2f, 0x5d, 0x50],
    [0xc8, 0x6b, 0x3c],
    [0x3a, 0x55, 0x8c],
    [0xa6, 0x3d, 0x40],
    [0xd9, 0xb3, 0x6a],
    [0x6b, 0x4e, 0x71],
    [0x4f, 0x86, 0x8e],
    [0x8c, 0x8c, 0x7a],
];

fn crc32(data: &[u8]) -> u32 {
    let mut c = 0xffff_ffffu32;
    for &b in data {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 == 1 {
                0xedb8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + x as u32) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

fn chunk(out: &mut Vec<u8>, ty: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(ty);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// A real RGB PNG (stored deflate blocks): a two-tone "product photo" placeholder.
pub fn placeholder_png(w: u32, h: u32, seed: u64) -> Vec<u8> {
    let bg = PALETTE[(seed % PALETTE.len() as u64) as usize];
    let fg = PALETTE[((seed >> 8) % PALETTE.len() as u64) as usize];
    let light = [
        bg[0].saturating_add(60),
        bg[1].saturating_add(60),
        bg[2].saturating_add(60),
    ];
    let mut raw = Vec::with_capacity(((w * 3 + 1) * h) as usize);
    let (cx, cy, rad) = (w as i64 / 2, h as i64 * 9 / 20, (w.min(h) as i64) / 4);
    for y in 0..h as i64 {
        raw.push(0);
        for x in 0..w as i64 {
            let (dx, dy) = (x - cx, y - cy);
            let px = if dx * dx + dy * dy <= rad * rad {
                fg
            } else if y > h as i64 * 3 / 4 {
                bg
            } else {
                light
            };
            raw.extend_from_slice(&px);
        }
    }
    let mut z = vec![0x78, 0x01];
    let mut blocks = raw.chunks(65_535).peekable();
    while let Some(b) = blocks.next() {
        z.push(u8::from(blocks.peek().is_none()));
        let len = b.len() as u16;
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(b);
    }
    z.extend_from_slice(&adler32(&raw).to_be_bytes());
    let mut out = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_and_adler_known_values() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(adler32(b"Wikipedia"), 0x11e6_0398);
    }

    #[test]
    fn png_has_signature_and_chunks() {
        let p = placeholder_png(4, 3, 1);
        assert_eq!(&p[..8], &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]);
        assert_eq!(&p[12..16], b"IHDR");
        assert_eq!(&p[p.len() - 8..p.len() - 4], b"IEND");
    }

    #[test]
    fn keys_cannot_escape() {
        assert!(key_ok("a/b/c.png"));
        assert!(!key_ok("../x"));
        assert!(!key_ok("/etc/passwd"));
        assert!(!key_ok("a//b"));
    }
}
