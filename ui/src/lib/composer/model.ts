/**
 * The composer's pure logic: defaults, validation with Trustoo's documented limits (the same
 * rules Rust applies before sending), reordering, progress text. Unit tested.
 */
import type { Attachment, ComposerFields, FieldError } from "../ipc/composer";
import { REVIEW_SOURCES } from "../ipc/types";

export const LIMITS = { author: 120, title: 300, content: 10_000, images: 10, videos: 1 } as const;

/**
 * Where a review can come from: the values of Trustoo's `source` documented for Create Review
 * (Rust `DocumentedSource`). Suggestions only, free text is accepted too (newer sources such as
 * `ChatWILL` exist).
 */
export const SOURCES = REVIEW_SOURCES;

export function emptyFields(): ComposerFields {
  return {
    product_id: "",
    product_title: "",
    rating: 5,
    author: "",
    email: "",
    country: "",
    title: "",
    content: "",
    date: "",
    source: "",
    verified: false,
    featured: false,
    published: true,
    pinned: false,
    reply: "",
  };
}

/** A new draft id (the `new-review:` prefix marks composer drafts in the shared drafts table). */
export function newDraftId(now = Date.now(), rand = Math.random()): string {
  return `new-review:${now.toString(36)}-${Math.floor(rand * 1e9).toString(36)}`;
}

const chars = (s: string) => [...s].length;

/** Field errors, keyed by field; empty when the form can be published. */
export function validate(f: ComposerFields, attachments: Attachment[]): Record<string, string> {
  const e: Record<string, string> = {};
  if (!f.product_id.trim()) e.product_id = 'Choose a product, or "Store review" for a review of the shop';
  if (!(Number.isInteger(f.rating) && f.rating >= 1 && f.rating <= 5)) e.rating = "Choose a rating from 1 to 5 stars";
  if (!f.author.trim()) e.author = "Enter the reviewer's name";
  else if (chars(f.author) > LIMITS.author)
    e.author = `The name is ${chars(f.author)} characters; shorten it to ${LIMITS.author}`;
  const email = f.email.trim();
  if (email && !/^[^\s@]+@[^\s@.][^\s@]*\.[^\s@]+$/.test(email))
    e.email = "Enter an email like name@example.com, or leave it empty";
  const country = f.country.trim();
  if (country && !/^[A-Za-z]{2}$/.test(country)) e.country = "Use a two-letter country code like US or DE, or leave it empty";
  if (chars(f.title) > LIMITS.title) e.title = `The title is ${chars(f.title)} characters; shorten it to ${LIMITS.title}`;
  if (chars(f.content) > LIMITS.content)
    e.content = `The review is ${chars(f.content)} characters; shorten it to ${LIMITS.content}`;
  if (f.date && !/^\d{4}-\d{2}-\d{2}$/.test(f.date)) e.date = "Enter the date as YYYY-MM-DD, or leave it empty";
  const images = attachments.filter((a) => a.kind === "image").length;
  const videos = attachments.length - images;
  if (images > LIMITS.images) e.attachments = `A review can have at most ${LIMITS.images} photos; remove ${images - LIMITS.images}`;
  else if (videos > LIMITS.videos) e.attachments = `A review can have at most ${LIMITS.videos} video; remove ${videos - LIMITS.videos}`;
  return e;
}

/** Errors from Rust, in the same keyed shape. */
export function keyed(errors: FieldError[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors) out[e.field] = out[e.field] ? `${out[e.field]}. ${e.message}` : e.message;
  return out;
}

/** `list` with the item at `from` moved to `to` (both clamped). */
export function move<T>(list: readonly T[], from: number, to: number): T[] {
  const out = [...list];
  if (from < 0 || from >= out.length) return out;
  const [item] = out.splice(from, 1) as [T];
  out.splice(Math.max(0, Math.min(to, out.length)), 0, item);
  return out;
}

/** Index among `rects` (tile left edges + widths, in order) at which a tile dragged to `x` lands. */
export function dropIndex(x: number, rects: readonly { left: number; width: number }[]): number {
  for (const [i, r] of rects.entries()) {
    if (x < r.left + r.width / 2) return i;
  }
  return Math.max(0, rects.length - 1);
}

/** `1.5 MB`, `340 KB`, `12 bytes` (binary units like Rust's messages). */
export function formatBytes(n: number): string {
  const units = ["bytes", "KB", "MB", "GB"];
  let u = 0;
  let v = n;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return `${n} bytes`;
  const r = Math.round(v * 10) / 10;
  return `${Number.isInteger(r) ? r.toFixed(0) : r.toFixed(1)} ${units[u]}`;
}

/** "3.1 MB of 12 MB · 25 %". */
export function progressText(sent: number, size: number, percent: number): string {
  return `${formatBytes(sent)} of ${formatBytes(size)} · ${percent} %`;
}
