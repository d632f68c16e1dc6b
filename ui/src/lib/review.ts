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
