/**
 * Types shared with the Rust back end.
 *
 * Domain types are generated from Rust with ts-rs into `./bindings/` and
 * re-exported from here, so field names stay snake_case exactly as serde emits
 * them. Import these types from `$lib/ipc` (index.ts), never from
 * `./bindings/` directly. `IpcError` mirrors `src-tauri/src/error.rs`, whose
 * JSON shape a Rust test pins.
 */

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

// Generated from Rust by ts-rs (`cargo test -p reviewdesk-core --features ts`); never edit them.
export type { ShopSession } from "./bindings/ShopSession";
export type { RatingSummary } from "./bindings/RatingSummary";
export type { AuthMode } from "./bindings/AuthMode";
export type { Environment } from "./bindings/Environment";
export type { ShopId } from "./bindings/ShopId";
