/**
 * Reading the provider part of a review (`Review.details`, tagged by `provider`): what the
 * detail pane shows and the fixture back end uses, in one place, so a provider's field is
 * looked up the same way everywhere (Rust's `ProviderDetails` has the same helpers).
 */
import type { ProviderDetails } from "./ipc";

/** The reviewer's email when the provider shares it, else "" (Rust's `reviewer_email`). */
export function reviewerEmail(d: ProviderDetails): string {
  return d.provider === "trustoo" ? d.author_email : (d.referral_email ?? "");
}

/** The order (Trustoo) or invitation reference (Trustpilot) of the review, else "". */
export function orderReference(d: ProviderDetails): string {
  return d.provider === "trustoo" ? d.order_id : (d.reference_id ?? "");
}

/** The product variant reviewed ("Red / M"), when the provider says; else "". */
export function variantOf(d: ProviderDetails): string {
  return d.provider === "trustoo" ? d.item_type : "";
}

/** A camel-case code Trustpilot sends (`sensitiveInformation`) as words ("sensitive information"). */
export function codeWords(code: string): string {
  return code
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replaceAll("_", " ")
    .toLowerCase()
    .trim();
}

/**
 * A Trustpilot review's status as the merchant reads it: `active` is "Published", `reported`
 * "Reported" with its reasons in words; an unknown status is shown as sent.
 */
export function reportLabel(status: string, reasons: readonly string[]): string {
  const base = status === "active" ? "Published" : status === "reported" ? "Reported" : status ? codeWords(status) : "—";
  return reasons.length > 0 ? `${base} · ${reasons.map(codeWords).join(", ")}` : base;
}

/** A language code (`da`) by its name in the merchant's language ("Danish"), else the code. */
export function languageName(code: string): string {
  if (code === "") return "—";
  try {
    return new Intl.DisplayNames(undefined, { type: "language" }).of(code) ?? code;
  } catch {
    return code;
  }
}
