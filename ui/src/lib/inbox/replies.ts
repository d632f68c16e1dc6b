/**
 * Reply templates: a few good defaults shipped with ReviewDesk, one per kind of review, with
 * variables filled from the review and the account. Pure (no DOM), so the editor and the tests
 * read the same table. Templates are the merchant's starting point: the editor always lets them
 * change the text before posting.
 */
import type { ReviewRow } from "../ipc";

export interface ReplyTemplate {
  id: string;
  /** The name in the picker. */
  name: string;
  /** The star ratings it is the default for. */
  stars: number[];
  /** The text, with `{first_name}`, `{shop_name}` and `{product}` filled in. */
  text: string;
}

/** The variables a template may use, as the editor lists them. */
export const TEMPLATE_VARIABLES = ["{first_name}", "{shop_name}", "{product}"] as const;

/**
 * Shipped defaults, written to Trustpilot's guidelines for businesses: thank by name, own the
 * problem, invite the customer to a private channel; no personal details, no request to change
 * the review, no incentive.
 */
export const DEFAULT_TEMPLATES: readonly ReplyTemplate[] = [
  {
    id: "thanks",
    name: "Thank you",
    stars: [5, 4],
    text: "Thank you, {first_name}! We're glad you enjoyed shopping with {shop_name}, and we hope to see you again soon.",
  },
  {
    id: "mixed",
    name: "Thanks, and we'd like to hear more",
    stars: [3],
    text: "Thank you for your feedback, {first_name}. We'd love to know what would have made it better: please write to us through the contact page on our website.",
  },
  {
    id: "sorry",
    name: "Sorry, let us put it right",
    stars: [2, 1],
    text: "We're sorry, {first_name}. This is not the experience we want anyone to have with {shop_name}. Please contact us through our website so we can put it right.",
  },
];

/** The template offered first for a review with `rating` stars. */
export function defaultTemplate(rating: number, templates: readonly ReplyTemplate[] = DEFAULT_TEMPLATES): ReplyTemplate | undefined {
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
