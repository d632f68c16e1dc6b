import type { RatingSummary, ShopSession } from "./types";

/** Call this to stop listening. */
export type Unsubscribe = () => void;

/**
 * Everything the UI can ask of the back end. Every method rejects with an
 * `IpcError` (see `errors.ts`), never with anything else.
 *
 * Implementations: `tauri.ts` (the real app) and `fixture.ts` (vitest and a
 * plain browser). Pick one through `getBackend()` in `index.ts`.
 */
export interface Backend {
  /** The shop the app is connected to, or `null` when not signed in. Rust: `current_session`. */
  currentSession(): Promise<ShopSession | null>;
  /** Aggregate rating of the shop. Rust: `get_rating`. */
  getRating(): Promise<RatingSummary>;
  /**
   * Called whenever the back end signs in, out, or switches shop
   * (Rust event `session-changed`, payload `ShopSession | null`).
   */
  onSessionChanged(handler: (session: ShopSession | null) => void): Promise<Unsubscribe>;
}

/** Names of the Rust commands, in one place so tests and implementations agree. */
export const COMMANDS = {
  currentSession: "current_session",
  getRating: "get_rating",
} as const;

export type CommandName = (typeof COMMANDS)[keyof typeof COMMANDS];

/** Names of the events Rust emits to the webview. */
export const EVENTS = {
  sessionChanged: "session-changed",
} as const;
