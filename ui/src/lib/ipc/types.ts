/**
 * Types shared with the Rust back end.
 *
 * Domain types are generated from Rust with ts-rs into `./bindings/` and
 * re-exported from here, so field names stay snake_case exactly as serde emits
 * them. Import these types from `$lib/ipc` (index.ts), never from
 * `./bindings/` directly. `IpcError` mirrors `src-tauri/src/error.rs`, whose
 * JSON shape a Rust test pins.
 */

import type { ShopSession } from "./bindings/ShopSession";

/** The one error shape the UI ever sees from the back end (`src-tauri/src/error.rs`). */
export interface IpcError {
  code: string;
  message: string;
  /** Seconds to wait before retrying; only set for RATE_LIMITED (and maybe NETWORK). */
  retry_after_s: number | null;
}

/** Error codes the back end is known to emit. `IpcError.code` stays `string` so new codes never break parsing. */
export const IPC_ERROR_CODES = [
  "NOT_SIGNED_IN",
  "SESSION_EXPIRED",
  "FORBIDDEN",
  "NOT_FOUND",
  "VALIDATION",
  "RATE_LIMITED",
  "NETWORK",
  "UPLOAD_REJECTED",
  "KEYCHAIN_UNAVAILABLE",
  "INTERNAL",
] as const;

export type IpcErrorCode = (typeof IPC_ERROR_CODES)[number];

// ---- Sign-in, shops and notices (hand-written; mirror src-tauri/src/events.rs and commands/auth.rs) ----

/** Where a browser sign-in stands (Rust `LoginPhase`, serde snake_case). */
export type LoginPhase = "idle" | "waiting_for_browser" | "exchanging" | "signed_in" | "declined" | "failed";

/** Payload of the `login-status` event and answer of `auth_start` / `auth_status`. */
export interface LoginStatus {
  phase: LoginPhase;
  /** A sentence for the merchant, when there is something to say (declined, failed). */
  message: string | null;
  /** The shop, once `phase` is `signed_in`. */
  session: ShopSession | null;
  /** Unix seconds when the pending sign-in expires (set while waiting for the browser). */
  expires_at: number | null;
}

/** Argument of `auth_connect_tokens` (the UI trims all of them before sending). */
export interface TokenInput {
  public_token: string;
  private_token: string;
  /** The shop's `*.myshopify.com` domain (the UI always sends it; a back end that does not need it ignores it). */
  shop_domain?: string;
}

/**
 * One entry of `list_shops` (Rust `ShopEntry`, src-tauri/src/commands/auth.rs): a known shop
 * with its sign-in state, so a shop whose sign-in broke never looks healthy in the switcher.
 */
export interface ShopEntry {
  /** Shop facts (no token). */
  session: ShopSession;
  /** Its credentials are loaded and work. */
  signed_in: boolean;
  /** It is the shop on screen. */
  active: boolean;
  /** Why it is not usable right now, as a sentence (null when nothing is known). */
  problem: string | null;
}

/** Which shop a shop command is about: both keys are sent (`shopId` and `domain`). */
export interface ShopRef {
  shop_id: string;
  domain: string;
}

/** One line of what sign-out did. `step` is a sentence such as "Revoke the access token". */
export interface SignOutStep {
  step: string;
  ok: boolean;
  /** Why the step failed (no secrets). */
  message: string | null;
}

/** Answer of `sign_out`: every step in order (all of them run even when one fails). */
export interface SignOutReport {
  steps: SignOutStep[];
}

export type NoticeLevel = "info" | "warning" | "error";

/** Payload of the `notice` event: a sentence the merchant should see in a toast. */
export interface Notice {
  level: NoticeLevel;
  message: string;
}

// Generated from Rust by ts-rs (`cargo test -p reviewdesk-core --features ts`); never edit them.
export type { ShopSession } from "./bindings/ShopSession";
export type { MissingScope } from "./bindings/MissingScope";
export type { Feature } from "./bindings/Feature";
export type { Capabilities } from "./bindings/Capabilities";
export type { Provider } from "./bindings/Provider";
export type { ReplyAbility } from "./bindings/ReplyAbility";
export type { RatingSummary } from "./bindings/RatingSummary";
export type { AuthMode } from "./bindings/AuthMode";
export type { Environment } from "./bindings/Environment";
export type { ShopId } from "./bindings/ShopId";

// ---- Review inbox (generated from Rust `reviewdesk-core`, answers of src-tauri/src/commands/reviews.rs) ----

export type { ReviewDetail } from "./bindings/ReviewDetail";
export type { ActionStatus } from "./bindings/ActionStatus";
export type { ActionOutcome } from "./bindings/ActionOutcome";
export type { SyncPhase } from "./bindings/SyncPhase";
export type { SyncStatus } from "./bindings/SyncStatus";
export type { NewReviews } from "./bindings/NewReviews";
export type { ProductSummary } from "./bindings/ProductSummary";
export type { SourceSummary } from "./bindings/SourceSummary";
export type { ExclusionTarget } from "./bindings/ExclusionTarget";
export type { ExclusionPage } from "./bindings/ExclusionPage";
export type { ExportResult } from "./bindings/ExportResult";

/** Values of Trustoo's `email_type` for `unsubscribe_email` (as documented). */
export const EMAIL_TYPES = [
  "all",
  "review_request",
  "review_request_test",
  "discount_for_photo_review",
  "left_review",
  "market_email",
  "question_notification",
  "answer_notification",
  "review_request_quota_exhausted",
  "review_display_quota_exhausted",
  "reply_to_review",
  "post_purchase_referral",
  "advocate_reward_paid",
  "advocate_reward_refund",
  "review_media_remind",
  "auto_leave_review",
  "request_update_review",
] as const;

export type EmailType = (typeof EMAIL_TYPES)[number];

export type { ActionKind } from "./bindings/ActionKind";
export type { ActionState } from "./bindings/ActionState";
export type { AuditEntry } from "./bindings/AuditEntry";
export type { CustomerExclusion } from "./bindings/CustomerExclusion";
export type { Media } from "./bindings/Media";
export type { MediaKind } from "./bindings/MediaKind";
export type { PageInfo } from "./bindings/PageInfo";
export type { QueuedAction } from "./bindings/QueuedAction";
export type { Review } from "./bindings/Review";
export type { ReviewCursor } from "./bindings/ReviewCursor";
export type { ReviewFilter } from "./bindings/ReviewFilter";
export type { ReviewPage } from "./bindings/ReviewPage";
export type { ReviewQuery } from "./bindings/ReviewQuery";
export type { ReviewRow } from "./bindings/ReviewRow";
export type { ReviewSort } from "./bindings/ReviewSort";
export type { ReviewView } from "./bindings/ReviewView";
export type { TriageState } from "./bindings/TriageState";
