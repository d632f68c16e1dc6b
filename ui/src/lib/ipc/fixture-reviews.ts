/**
 * The fixture's local review store: a deterministic generator (seeded PRNG, fixed clock) and an
 * in-memory query engine that behaves like Rust's SQLite store (filters, word-prefix search,
 * the four sorts, offset and keyset paging, capped counts, the deleted view).
 *
 * No network: photo thumbnails are `data:` SVGs.
 */
import type {
  AuditEntry,
  CustomerExclusion,
  Media,
  ProductSummary,
  SourceSummary,
  RatingSummary,
  Review,
  ReviewPage,
  ReviewQuery,
  ReviewRow,
} from "./types";

/** The fixture's "now" (2025-11-24 12:00 UTC): generated dates never depend on the machine's clock. */
export const FIXTURE_NOW_S = 1_763_985_600;

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const FIXTURE_PRODUCTS: readonly { id: string; title: string; handle: string; hue: number }[] = [
  { id: "8012345001", title: "Summit 2-Person Tent", handle: "summit-2-person-tent", hue: 142 },
  { id: "8012345002", title: "Ridgeline Down Jacket", handle: "ridgeline-down-jacket", hue: 8 },
  { id: "8012345003", title: "Trailhead 30L Daypack", handle: "trailhead-30l-daypack", hue: 205 },
  { id: "8012345004", title: "Alpine Merino Beanie", handle: "alpine-merino-beanie", hue: 280 },
  { id: "8012345005", title: "Basecamp Insulated Bottle", handle: "basecamp-insulated-bottle", hue: 190 },
  { id: "8012345006", title: "Glacier Waterproof Boots", handle: "glacier-waterproof-boots", hue: 30 },
  { id: "8012345007", title: "Aurora Rain Shell", handle: "aurora-rain-shell", hue: 170 },
  { id: "8012345008", title: "Nightfall Sleeping Bag -5°C", handle: "nightfall-sleeping-bag", hue: 230 },
  { id: "8012345009", title: "Canyon Trekking Poles", handle: "canyon-trekking-poles", hue: 20 },
  { id: "8012345010", title: "Headlamp Pro 400", handle: "headlamp-pro-400", hue: 55 },
  { id: "8012345011", title: "Fjord Fleece Pullover", handle: "fjord-fleece-pullover", hue: 330 },
  { id: "8012345012", title: "Camp Stove Mini", handle: "camp-stove-mini", hue: 0 },
  { id: "0", title: "Aurora Outfitters (store)", handle: "", hue: 215 },
];

const FIRST = [
  "Emma", "Liam", "Olivia", "Noah", "Ava", "Lucas", "Mia", "Ethan", "Sofia", "Mason", "Chloe", "Leo", "Hannah",
  "Jack", "Grace", "Oscar", "Ella", "Henry", "Isla", "Felix", "Maya", "Samuel", "Zoe", "Daniel", "Nora", "Theo",
  "Lena", "Jonas", "Aiko", "Kenji", "Priya", "Arjun", "Camille", "Hugo", "Freya", "Erik", "Lucia", "Mateo",
  "Sienna", "Ruby", "Owen", "Ines", "Marta", "Tomás", "Amelia", "Charlotte", "James", "Benjamin",
];
const LAST = [
  "Smith", "Johnson", "Brown", "Garcia", "Miller", "Davis", "Wilson", "Anderson", "Taylor", "Thomas", "Moore",
  "Martin", "Lee", "Walker", "Hall", "Young", "King", "Wright", "Scott", "Green", "Baker", "Nelson", "Carter",
  "Müller", "Schmidt", "Dubois", "Rossi", "Jensen", "Tanaka", "Sato", "Patel", "Nguyen", "Kowalski", "Larsen",
  "O'Brien", "Fernández", "Novak", "Berg",
];
const COUNTRIES = ["US", "US", "US", "US", "CA", "CA", "GB", "GB", "DE", "FR", "AU", "NL", "SE", "JP", "ES", "IT", "IE", "NZ", ""];
/** Trustoo's `source` values, weighted like the sandbox's demo shop (crates/sandbox/src/data.rs). */
const SOURCES = [
  "Email request", "Email request", "Email request", "Email request", "Email request", "Email request", "Email request",
  "Store front", "Store front", "Store front", "Store front", "Auto", "Auto", "Shop", "Shop",
  "Store link", "CSV uploaded", "Amazon", "AliExpress", "QR Code", "Shopee",
];

const TITLES: Record<number, string[]> = {
  5: ["Absolutely love it", "Best purchase this year", "Exceeded expectations", "Perfect for the trail", "Worth every penny", "Five stars, no question", "Fantastic quality"],
  4: ["Really good", "Great, with one small gripe", "Solid and well made", "Very happy overall", "Does the job well"],
  3: ["It's okay", "Mixed feelings", "Decent but not amazing", "Average quality", "Fine for the price"],
  2: ["Disappointed", "Not as described", "Expected more", "Sizing is off", "Started falling apart"],
  1: ["Broke after a week", "Terrible experience", "Do not buy", "Never arrived in one piece", "Waste of money"],
};
const OPENERS: Record<number, string[]> = {
  5: [
    "I took this on a three-day hike in the Rockies and it performed flawlessly.",
    "Bought this as a gift for my partner and they haven't stopped using it.",
    "The quality is outstanding — you can tell real care went into the stitching.",
    "Shipping was quick and the packaging was plastic-free, which I appreciate.",
    "I've owned a lot of outdoor gear and this is easily among the best.",
  ],
  4: [
    "Very good overall, light and comfortable for long days outside.",
    "Arrived fast and looks great, though the colour is slightly darker than the photos.",
    "Held up well in heavy rain on our weekend trip.",
    "Good value for money and customer service answered my question within an hour.",
  ],
  3: [
    "It works, but the zipper feels a bit flimsy compared to my old one.",
    "Nothing wrong with it exactly, it just didn't wow me.",
    "Sizing runs small — I'd order one size up.",
    "Does what it says but took almost two weeks to arrive.",
  ],
  2: [
    "The seams started to come apart after a couple of uses.",
    "Much heavier than the listing suggests.",
    "The colour faded after the first wash.",
    "I had to contact support twice before getting a reply.",
  ],
  1: [
    "It arrived damaged and the replacement took a month.",
    "The strap snapped on the first day out.",
    "Nothing like the pictures, cheap material throughout.",
    "Leaked on the first night. Very disappointed.",
  ],
};
const CLOSERS = [
  "Would recommend to friends.",
  "I'll be ordering another one in a different colour.",
  "Fits true to size.",
  "Keeps me warm down to about freezing.",
  "Packs down small enough for a carry-on.",
  "The kids love it too.",
  "Exactly what I needed for the season.",
  "",
  "",
];
const VARIANTS = ["Forest / M", "Slate / L", "Sand / S", "Black / M", "Glacier Blue / XL", "Ember / M", "One size", ""];
const REPLIES = [
  "Thank you so much for the kind words! Happy trails from the Aurora team.",
  "We're sorry to hear this. Our support team has emailed you about a replacement.",
  "Thanks for the feedback — we've passed the sizing note to our product team.",
];

/** SVG's namespace name (an identifier, never fetched), spelled so no URL literal appears in the source. */
const SVG_NS = ["http:", "", "www.w3.org", "2000", "svg"].join("/");

/** A tiny SVG "photo" (product colour, a mountain, a sun) as a data URI; a handful are reused. */
function photo(hue: number, variant: number, size: number): string {
  const sky = `hsl(${hue} 55% ${72 - variant * 6}%)`;
  const ground = `hsl(${(hue + 40) % 360} 45% ${38 + variant * 5}%)`;
  const svg =
    `<svg xmlns="${SVG_NS}" width="${size}" height="${size}" viewBox="0 0 80 80">` +
    `<rect width="80" height="80" fill="${sky}"/>` +
    `<circle cx="${58 - variant * 8}" cy="22" r="9" fill="hsl(45 95% 70%)"/>` +
    `<path d="M0 64L22 ${34 + variant * 3}L38 52L52 ${30 + variant * 4}L80 62V80H0z" fill="${ground}"/>` +
    `</svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

/** A poster for a video review: the photo with a play button. */
function poster(hue: number): string {
  const svg =
    `<svg xmlns="${SVG_NS}" width="80" height="80" viewBox="0 0 80 80">` +
    `<rect width="80" height="80" fill="hsl(${hue} 35% 28%)"/>` +
    `<circle cx="40" cy="40" r="16" fill="rgba(255,255,255,.85)"/><path d="M35 31l13 9-13 9z" fill="hsl(${hue} 35% 28%)"/>` +
    `</svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

const photoCache = new Map<string, string>();
function cachedPhoto(hue: number, variant: number, size: number): string {
  const key = `${hue}:${variant}:${size}`;
  let uri = photoCache.get(key);
  if (!uri) {
    uri = photo(hue, variant, size);
    photoCache.set(key, uri);
  }
  return uri;
}

/** Extra local state of a generated review that is not part of `Review`. */
export interface StoredReview {
  row: ReviewRow;
  /** Ordering key: increases with `commented_at` (ties broken by generation order). */
  seq: number;
  customer_id: string;
  /** Lower-case words of author, title, content and product title (for prefix search). */
  words: string[];
}

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)] as T;
}

/** A J-shaped star distribution (mostly 5★, some 1★): about 4.3 on average. */
function pickRating(rand: () => number): number {
  const r = rand();
  if (r < 0.058) return 1;
  if (r < 0.094) return 2;
  if (r < 0.169) return 3;
  if (r < 0.381) return 4;
  return 5;
}

export function wordsOf(...texts: string[]): string[] {
  return texts
    .join(" ")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

/** `count` reviews, newest at `nowS`, spread over about three years. Same `seed` → same reviews. */
export function generateReviews(count: number, seed = 20251124, nowS = FIXTURE_NOW_S, firstId = 510_000_000): StoredReview[] {
  const rand = prng(seed);
  const span = 3 * 365 * 86_400;
  const times: number[] = [];
  for (let i = 0; i < count; i++) times.push(nowS - Math.floor(Math.pow(rand(), 1.6) * span));
  times.sort((a, b) => a - b);
  const out: StoredReview[] = [];
  for (let i = 0; i < count; i++) {
    const product = pick(rand, FIXTURE_PRODUCTS);
    const rating = pickRating(rand);
    const first = pick(rand, FIRST);
    const last = pick(rand, LAST);
    const author = rand() < 0.3 ? `${first} ${last.charAt(0)}.` : `${first} ${last}`;
    const email = rand() < 0.85 ? `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, "") + `${i % 97}@example.com` : "";
    const title = pick(rand, TITLES[rating] ?? []);
    const content = [pick(rand, OPENERS[rating] ?? []), pick(rand, OPENERS[rating] ?? []), pick(rand, CLOSERS)]
      .filter((s, idx, all) => s !== "" && all.indexOf(s) === idx)
      .join(" ");
    const media: Media[] = [];
    const m = rand();
    if (m < 0.18) {
      const n = 1 + Math.floor(rand() * 3);
      for (let k = 0; k < n; k++) {
        const variant = (i + k) % 4;
        media.push({
          url: cachedPhoto(product.hue, variant, 640),
          thumbnail_url: cachedPhoto(product.hue, variant, 80),
          kind: "image",
          is_published: true,
        });
      }
    }
    if (m > 0.96) {
      media.push({ url: "data:video/mp4;base64,", thumbnail_url: poster(product.hue), kind: "video", is_published: true });
    }
    const commented_at = times[i] ?? nowS;
    const verified = rand() < 0.72;
    const review: Review = {
      id: String(firstId + i * 7 + 3),
      product_id: product.id,
      product_title: product.title,
      product_handle: product.handle,
      is_store_review: product.id === "0",
      rating,
      author,
      author_email: email,
      author_country: pick(rand, COUNTRIES),
      title,
      content,
      source: pick(rand, SOURCES),
      is_verified: verified,
      is_featured: rating === 5 && rand() < 0.05,
      is_published: rating >= 3 || rand() < 0.5,
      is_pinned: false,
      item_type: product.id === "0" ? "" : pick(rand, VARIANTS),
      order_id: verified ? String(5_400_000_000 + i * 13) : "",
      commented_at,
      updated_at: commented_at + Math.floor(rand() * 86_400),
      media,
      reply:
        rand() < 0.12
          ? { content: rating >= 4 ? (REPLIES[0] as string) : pick(rand, REPLIES.slice(1)), reply_at: new Date((commented_at + 86_400) * 1000).toISOString(), author: null, updated_at: null }
          : null,
      tags: [],
    };
    const seq = i + 1;
    out.push({
      row: {
        review,
        // Older reviews were gone through already; the last ~60 are new.
        triage: i >= count - 60 ? "new" : rating <= 2 && i % 5 === 0 ? "flagged" : "reviewed",
        deleted_at: null,
        deleted_remotely_at: null,
        cursor: { rating, key: seq },
      },
      seq,
      customer_id: verified ? String(7_100_000_000 + (i % 3000) * 11) : "",
      words: wordsOf(review.author, review.title, review.content, review.product_title),
    });
  }
  return out;
}

/** Where `a` comes relative to `b` in `sort` (negative: earlier). */
function compare(sort: ReviewQuery["sort"], a: { rating: number; key: number }, b: { rating: number; key: number }): number {
  switch (sort) {
    case "oldest":
      return a.key - b.key;
    case "rating_high":
      return b.rating - a.rating || b.key - a.key;
    case "rating_low":
      return a.rating - b.rating || b.key - a.key;
    default:
      return b.key - a.key;
  }
}

export function matches(item: StoredReview, query: ReviewQuery): boolean {
  const f = query.filter;
  const r = item.row.review;
  const deleted = item.row.deleted_at !== null || item.row.deleted_remotely_at !== null;
  if (f.view === "active" && deleted) return false;
  if (f.view === "deleted" && !deleted) return false;
  if (f.ratings.length > 0 && !f.ratings.includes(r.rating)) return false;
  if (f.product_id !== null && r.product_id !== f.product_id) return false;
  if (f.source !== null && r.source !== f.source) return false;
  if (f.has_image !== null && r.media.some((m) => m.kind === "image") !== f.has_image) return false;
  if (f.has_video !== null && r.media.some((m) => m.kind === "video") !== f.has_video) return false;
  if (f.verified !== null && r.is_verified !== f.verified) return false;
  if (f.commented_from !== null && r.commented_at < f.commented_from) return false;
  if (f.commented_to !== null && r.commented_at >= f.commented_to) return false;
  if (f.triage !== null && item.row.triage !== f.triage) return false;
  if (f.keyword !== null && f.keyword.trim() !== "") {
    const wanted = wordsOf(f.keyword);
    if (!wanted.every((w) => item.words.some((have) => have.startsWith(w)))) return false;
  }
  return true;
}

/** Runs `query` over `items` like the Rust store does. */
export function runQuery(items: readonly StoredReview[], query: ReviewQuery): ReviewPage {
  const hits = items.filter((item) => matches(item, query));
  hits.sort((a, b) => compare(query.sort, a.row.cursor, b.row.cursor));
  let start = Math.max(0, Math.floor(query.offset));
  const after = query.after;
  if (after) {
    start = hits.findIndex((item) => compare(query.sort, item.row.cursor, after) > 0);
    if (start < 0) start = hits.length;
  }
  const limit = Math.max(0, Math.min(1000, Math.floor(query.limit)));
  const rows = hits.slice(start, start + limit).map((item) => structuredClone(item.row));
  const last = rows[rows.length - 1];
  const more = start + limit < hits.length;
  let total = hits.length;
  let total_exact = true;
  if (query.count_limit !== null && hits.length > query.count_limit) {
    total = query.count_limit;
    total_exact = false;
  }
  if (query.count_limit === 0) {
    total = 0;
    total_exact = hits.length === 0;
  }
  return { rows, total, total_exact, next: more && last ? { ...last.cursor } : null };
}

export function ratingOf(items: readonly StoredReview[]): RatingSummary {
  const stars: RatingSummary["stars"] = [0, 0, 0, 0, 0];
  for (const item of items) {
    const i = item.row.review.rating - 1;
    if (i >= 0 && i < 5) stars[i] = (stars[i] ?? 0) + 1;
  }
  const count = stars.reduce((s, n) => s + n, 0);
  const points = stars.reduce((s, n, i) => s + n * (i + 1), 0);
  return { average: count === 0 ? 0 : Math.round((points / count) * 100) / 100, count, stars };
}

export function productsOf(items: readonly StoredReview[]): ProductSummary[] {
  const counts = new Map<string, ProductSummary>();
  for (const item of items) {
    const r = item.row.review;
    const entry = counts.get(r.product_id) ?? { id: r.product_id, title: r.product_title, count: 0 };
    entry.count += 1;
    counts.set(r.product_id, entry);
  }
  return [...counts.values()].sort((a, b) => b.count - a.count || a.title.localeCompare(b.title));
}

/** The sources of `items` with their counts, most used first (what Rust's `list_sources` answers). */
export function sourcesOf(items: readonly StoredReview[]): SourceSummary[] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.row.review.source, (counts.get(item.row.review.source) ?? 0) + 1);
  return [...counts]
    .map(([source, count]) => ({ source, count }))
    .sort((a, b) => b.count - a.count || a.source.localeCompare(b.source));
}

/** A few customers already kept out of review requests. */
export function generateExclusions(count = 23): CustomerExclusion[] {
  const rand = prng(7);
  const list: CustomerExclusion[] = [];
  for (let i = 0; i < count; i++) {
    const first = pick(rand, FIRST);
    const last = pick(rand, LAST);
    const when = new Date((FIXTURE_NOW_S - i * 86_400 * 9) * 1000).toISOString();
    list.push({
      customer_id: i % 4 === 3 ? "" : String(7_200_000_000 + i * 37),
      first_name: first,
      last_name: last,
      email: `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, "") + `@example.org`,
      phone: i % 3 === 0 ? `+1 555 01${String(10 + i).padStart(2, "0")}` : "",
      created_at: when,
      updated_at: when,
    });
  }
  return list;
}

/** The first audit lines of a review: the sync that brought it. */
export function seedAudit(row: ReviewRow, id: number): AuditEntry {
  return {
    id,
    at: row.review.commented_at + 600,
    actor: "system",
    action: "sync_import",
    review_id: row.review.id,
    details: { source: row.review.source },
  };
}
