import { describe, expect, it } from "vitest";
import { FIXTURE_SESSION } from "./ipc/fixture";
import type { IpcError, LoginStatus } from "./ipc";
import { IDLE_LOGIN, nextLogin, type LoginState } from "./signin";

const status = (phase: LoginStatus["phase"], extra: Partial<LoginStatus> = {}): LoginStatus => ({
  ...IDLE_LOGIN,
  phase,
  ...extra,
});
const idle: LoginState = { login: IDLE_LOGIN, error: null };

describe("sign-in state", () => {
  it("waits, exchanges, then signs in and hands over the session", () => {
    let s = nextLogin(idle, status("waiting_for_browser", { expires_at: 1_800_000_600 })).state;
    expect(s.login.phase).toBe("waiting_for_browser");
    s = nextLogin(s, status("exchanging"), true).state;
    expect(s.login.phase).toBe("exchanging");
    const done = nextLogin(s, status("signed_in", { session: FIXTURE_SESSION }), true);
    expect(done.state).toEqual(idle);
    expect(done.effect).toEqual({ kind: "signed_in", session: FIXTURE_SESSION });
  });

  it("a stray 'waiting' or 'idle' event never flips a running exchange back", () => {
    const exchanging: LoginState = { login: status("exchanging"), error: null };
    for (const phase of ["waiting_for_browser", "idle"] as const) {
      expect(nextLogin(exchanging, status(phase), true)).toEqual({ state: exchanging, effect: null });
    }
    // A command's own answer still counts (e.g. the merchant cancelled).
    expect(nextLogin(exchanging, status("idle")).state).toEqual(idle);
  });

  it("keeps the known expiry when a 'waiting' status comes without one", () => {
    const waiting = nextLogin(idle, status("waiting_for_browser", { expires_at: 42 })).state;
    expect(nextLogin(waiting, status("waiting_for_browser")).state.login.expires_at).toBe(42);
    expect(nextLogin(idle, status("waiting_for_browser")).state.login.expires_at).toBeNull();
  });

  it("declined and failed are effects the window shows; a failed command's screen survives 'idle'", () => {
    expect(nextLogin(idle, status("declined")).effect).toEqual({ kind: "declined", message: "You declined access." });
    expect(nextLogin(idle, status("failed", { message: "No." })).effect).toEqual({ kind: "failed" });
    const error: IpcError = { code: "KEYCHAIN_UNAVAILABLE", message: "Unlock it.", retry_after_s: null };
    const failedCommand: LoginState = { login: status("failed", { message: "Unlock it." }), error };
    expect(nextLogin(failedCommand, status("idle"), true).state).toBe(failedCommand);
  });
});
