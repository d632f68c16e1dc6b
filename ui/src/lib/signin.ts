/**
 * The browser sign-in as the window shows it, as a pure state machine: what a `login-status`
 * (an event, or the answer of a command) does to the state, and what the window must do about
 * it (apply the new session, say the merchant declined, offer "Try again"). No Svelte, no back
 * end: `App.svelte` keeps the state and carries out the effect.
 */
import type { IpcError, LoginStatus, ShopSession } from "./ipc";

/** No sign-in in progress. */
export const IDLE_LOGIN: Readonly<LoginStatus> = Object.freeze({
  phase: "idle",
  message: null,
  session: null,
  expires_at: null,
});

/** The sign-in on screen, and the command error behind a failed one (its code matters). */
export interface LoginState {
  login: LoginStatus;
  error: IpcError | null;
}

/** What the window must do after a status. */
export type LoginEffect =
  | { kind: "signed_in"; session: ShopSession | null }
  | { kind: "declined"; message: string }
  | { kind: "failed" }
  | null;

/**
 * The state after `status`. `fromEvent`: it came as a `login-status` event, not as a command's
 * answer; while the code is being exchanged only an outcome (signed in, declined, failed) may
 * move the screen, so a stray "waiting" or "idle" (a second or refused link) is ignored.
 */
export function nextLogin(
  state: LoginState,
  status: LoginStatus,
  fromEvent = false,
): { state: LoginState; effect: LoginEffect } {
  const exchanging = state.login.phase === "exchanging";
  if (fromEvent && exchanging && (status.phase === "waiting_for_browser" || status.phase === "idle")) {
    return { state, effect: null };
  }
  switch (status.phase) {
    case "signed_in":
      return { state: { login: IDLE_LOGIN, error: null }, effect: { kind: "signed_in", session: status.session } };
    case "declined":
      return {
        state: { login: IDLE_LOGIN, error: null },
        effect: { kind: "declined", message: status.message ?? "You declined access." },
      };
    case "idle":
      // A failed command keeps its screen (and its error) until the merchant acts on it.
      return { state: state.error ? state : { login: IDLE_LOGIN, error: null }, effect: null };
    case "waiting_for_browser": {
      // A status without an expiry keeps the one already known.
      const known = state.login.phase === "waiting_for_browser" ? state.login.expires_at : null;
      return { state: { login: { ...status, expires_at: status.expires_at ?? known }, error: null }, effect: null };
    }
    default:
      return {
        state: { login: status, error: null },
        effect: status.phase === "failed" ? { kind: "failed" } : null,
      };
  }
}
