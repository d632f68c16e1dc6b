/**
 * Reply templates (kept in the local store, see Rust's `list_reply_templates`): which one a
 * review is offered first, and its variables filled from the review and the account. Pure (no
 * DOM). Templates are the merchant's starting point: the editor always lets them change the text
 * before posting.
 */
import type { ReplyTemplate, ReviewRow } from "../ipc";

/** The variables a template may use, as the editor lists them. */
export const TEMPLATE_VARIABLES = ["{first_name}", "{shop_name}", "{product}"] as const;

/** The template offered first for a review with `rating` stars. */
export function defaultTemplate(rating: number, templates: readonly ReplyTemplate[]): ReplyTemplate | undefined {
  return templates.find((t) => t.stars.includes(rating)) ?? templates[0];
}

/** The reviewer's first name as a reply greets them: the first word of the name, capitalised once. */
export function firstName(author: string): string {
  const word = author.trim().split(/\s+/)[0] ?? "";
  if (word === "" || /[0-9@]/.test(word)) return "there";
  const clean = word.replace(/[.,!?]+$/, "");
  return clean.charAt(0).toLocaleUpperCase() + clean.slice(1).toLocaleLowerCase();
}

/** `text` with its variables filled from `row` and `shopName`; unknown `{…}` are left as written. */
export function fillTemplate(text: string, row: ReviewRow, shopName: string): string {
  const r = row.review;
  const values: Record<string, string> = {
    "{first_name}": firstName(r.author),
    "{shop_name}": shopName,
    "{product}": r.is_store_review || r.product_title === "" ? "your order" : r.product_title,
  };
  return text.replace(/\{[a-z_]+\}/g, (v) => values[v] ?? v);
}
