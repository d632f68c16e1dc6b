//! The JSON the routes answer with, rendered from the in-memory world (beside the routes that
//! use it).

use serde_json::{json, Value};

use crate::util::{fmt_plain, fmt_rfc3339};

use crate::data::*;

/// Renders a review as the CHOICES Review object.
pub fn render_review(r: &Review, sd: &ShopData, sources: &[String], base: &str) -> Value {
    let shop = sd.shop();
    let product = (r.product != STORE)
        .then(|| sd.products.get(r.product as usize))
        .flatten();
    let mut content = String::new();
    content_into(r, &mut content);
    let name = author(r);
    let (email, phone, country, item_type, order_id, reply, tag) = match &r.text {
        Text::Gen {
            first,
            last,
            country,
            item,
            reply,
            ..
        } => {
            let buyer = (r.order != 0)
                .then(|| sd.order(r.order))
                .flatten()
                .and_then(|o| sd.customers.get(o.customer));
            let email = match buyer {
                Some(c) => c.email.clone(),
                None => format!(
                    "{}.{}{}@example.com",
                    slug(FIRST[*first as usize % FIRST.len()]),
                    slug(LAST[*last as usize % LAST.len()]),
                    r.id % 97
                ),
            };
            let item = if *item == 0 {
                String::new()
            } else {
                ITEM_TYPES[(*item as usize - 1) % ITEM_TYPES.len()].to_string()
            };
            let order = if r.order != 0 {
                r.order.to_string()
            } else if r.flags & 1 == 1 {
                format!("{}", 5_100_000_000_000u64 + r.id % 1_000_000_000)
            } else {
                String::new()
            };
            let reply = if *reply == 0 {
                Value::Null
            } else {
                json!({"content": REPLIES[(*reply as usize - 1) % REPLIES.len()], "reply_at": fmt_plain(r.created + 86_400)})
            };
            (
                email,
                String::new(),
                COUNTRIES[*country as usize % COUNTRIES.len()].to_string(),
                item,
                order,
                reply,
                String::new(),
            )
        }
        Text::Owned(o) => (
            o.email.clone(),
            o.phone.clone(),
            o.country.clone(),
            o.item_type.clone(),
            o.order_id.clone(),
            o.reply
                .as_ref()
                .map(|(c, at)| json!({"content": c, "reply_at": at}))
                .unwrap_or(Value::Null),
            o.tag.clone(),
        ),
    };
    let media: Vec<Value> = media(r, shop.id, base)
        .into_iter()
        .map(|m| json!({"url": m.url, "thumbnail_url": m.thumbnail_url, "type": m.kind, "is_published": m.is_published}))
        .collect();
    json!({
        "id": r.id.to_string(),
        "shop_id": shop.id.to_string(),
        "product_id": product.map(|p| p.id.to_string()).unwrap_or_else(|| "0".into()),
        "product_title": product.map(|p| p.title.clone()).unwrap_or_default(),
        "product_handle": product.map(|p| p.handle.clone()).unwrap_or_default(),
        "is_store_review": u8::from(product.is_none()),
        "rating": r.rating,
        "author": name,
        "author_email": email,
        "author_phone": phone,
        "author_country": country,
        "title": title(r),
        "content": content,
        "source": sources.get(r.source as usize).cloned().unwrap_or_default(),
        "is_verified": r.flags & 1,
        "is_featured": (r.flags >> 1) & 1,
        "is_published": (r.flags >> 2) & 1,
        "is_top": (r.flags >> 3) & 1,
        "item_type": item_type,
        "order_id": order_id,
        "tag": tag,
        "commented_at": fmt_plain(r.commented),
        "created_at": fmt_rfc3339(r.created),
        "updated_at": fmt_plain(r.created),
        "media": media,
        "reply": reply,
    })
}

/// Renders an order (CHOICES 9 fields).
pub fn render_order(o: &Order, sd: &ShopData) -> Value {
    let c = sd.customers.get(o.customer);
    let products: Vec<Value> = o
        .items
        .iter()
        .filter_map(|(p, q)| {
            let p = sd.products.get(*p as usize)?;
            Some(json!({"product_id": p.id.to_string(), "title": p.title, "quantity": q}))
        })
        .collect();
    json!({
        "id": o.id.to_string(),
        "order_number": format!("#{}", o.number),
        "customer_id": c.map(|c| c.id.to_string()).unwrap_or_default(),
        "customer_email": c.map(|c| c.email.clone()).unwrap_or_default(),
        "customer_name": c.map(|c| format!("{} {}", c.first, c.last)).unwrap_or_default(),
        "products": products,
        "created_at": fmt_rfc3339(o.created),
        "sent_at": o.sent_at.map(fmt_rfc3339),
        "request_status": o.status,
    })
}

/// Renders an event (CHOICES event fields).
pub fn render_event(e: &Event) -> Value {
    json!({
        "id": e.id.to_string(),
        "event_type": e.event_type,
        "event_source": e.event_source,
        "os_type": e.os_type,
        "customer_id": e.customer_id.to_string(),
        "review_id": e.review_id.to_string(),
        "product_id": e.product_id.to_string(),
        "created_at": fmt_rfc3339(e.created),
    })
}

/// Renders an exclusion (CustomerExclusion schema, SEEN).
pub fn render_exclusion(x: &Exclusion) -> Value {
    json!({
        "customer_id": x.customer_id.to_string(),
        "first_name": x.first,
        "last_name": x.last,
        "email": x.email,
        "phone": x.phone,
        "created_at": fmt_rfc3339(x.created),
        "updated_at": fmt_rfc3339(x.created),
    })
}

/// Renders a webhook (SEEN: `created_at` RFC 3339, `updated_at` plain).
pub fn render_webhook(w: &Webhook) -> Value {
    json!({
        "id": w.id.to_string(),
        "topic": w.topic,
        "url": w.url,
        "created_at": fmt_rfc3339(w.created),
        "updated_at": fmt_plain(w.updated),
    })
}
