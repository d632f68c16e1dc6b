/**
 * Value lists the UI needs at run time (options to show, codes to recognise) of types that
 * Rust owns. A generated union has no run-time value, so each list is written here once, as the
 * keys of an object that `satisfies Record<Union, true>`: svelte-check fails when a Rust enum
 * gains a value the list lacks, or loses one the list still has. The keys' order is the order
 * the UI shows them in.
 */
import type { DocumentedSource } from "./bindings/DocumentedSource";
import type { EmailType } from "./bindings/EmailType";
import type { ErrorCode } from "./bindings/ErrorCode";

const ERROR_CODES = {
  NOT_SIGNED_IN: true,
  SESSION_EXPIRED: true,
  FORBIDDEN: true,
  NOT_FOUND: true,
  VALIDATION: true,
  RATE_LIMITED: true,
  NETWORK: true,
  UPLOAD_REJECTED: true,
  KEYCHAIN_UNAVAILABLE: true,
  INTERNAL: true,
} as const satisfies Record<ErrorCode, true>;

/** Every `ErrorCode` the back end can send (Rust `ErrorCode`, src-tauri/src/error.rs). */
export const IPC_ERROR_CODES: readonly ErrorCode[] = Object.keys(ERROR_CODES) as ErrorCode[];

const EMAIL_TYPE_OPTIONS = {
  all: true,
  review_request: true,
  review_request_test: true,
  discount_for_photo_review: true,
  left_review: true,
  market_email: true,
  question_notification: true,
  answer_notification: true,
  review_request_quota_exhausted: true,
  review_display_quota_exhausted: true,
  reply_to_review: true,
  post_purchase_referral: true,
  advocate_reward_paid: true,
  advocate_reward_refund: true,
  review_media_remind: true,
  auto_leave_review: true,
  request_update_review: true,
} as const satisfies Record<EmailType, true>;

/** Values of Trustoo's `email_type` for `unsubscribe_email` (Rust `reviewdesk_trustoo::EmailType`). */
export const EMAIL_TYPES: readonly EmailType[] = Object.keys(EMAIL_TYPE_OPTIONS) as EmailType[];

const SOURCE_OPTIONS = {
  Shop: true,
  "Email request": true,
  "Store front": true,
  "Store link": true,
  "CSV uploaded": true,
  AliExpress: true,
  Amazon: true,
  Shopee: true,
  "QR Code": true,
  Auto: true,
} as const satisfies Record<DocumentedSource, true>;

/**
 * Trustoo's documented `source` values for a new review (Rust `reviewdesk_trustoo::DocumentedSource`),
 * the composer's suggestions: the field takes free text too (newer sources such as `ChatWILL` exist).
 */
export const REVIEW_SOURCES: readonly DocumentedSource[] = Object.keys(SOURCE_OPTIONS) as DocumentedSource[];
