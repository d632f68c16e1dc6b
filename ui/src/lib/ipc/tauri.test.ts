import { beforeEach, describe, expect, it, vi } from "vitest";

// Stand-ins for the Tauri IPC bridge, which does not exist outside the webview.
const { invokeMock, listenMock } = vi.hoisted(() => ({ invokeMock: vi.fn(), listenMock: vi.fn() }));
vi.mock("@tauri-apps/api/core", () => ({ invoke: invokeMock }));
vi.mock("@tauri-apps/api/event", () => ({ listen: listenMock }));

import { call, createTauriBackend } from "./tauri";

describe("tauri backend", () => {
  beforeEach(() => {
    invokeMock.mockReset();
    listenMock.mockReset();
  });

  it("calls the Rust commands by name", async () => {
    const session = {
      shop_id: "1",
      shop_name: "Shop",
      domain: "shop.myshopify.com",
      scopes: ["read_reviews"],
      auth_mode: "hmac",
      environment: "production",
      api_base: "https://rapi.trustoo.io",
    };
    invokeMock.mockResolvedValueOnce(session).mockResolvedValueOnce({ average: 4, count: 2, stars: [0, 0, 0, 2, 0] });
    const backend = createTauriBackend();

    await expect(backend.currentSession()).resolves.toEqual(session);
    await expect(backend.getRating()).resolves.toEqual({ average: 4, count: 2, stars: [0, 0, 0, 2, 0] });
    expect(invokeMock.mock.calls.map((c) => c[0])).toEqual(["current_session", "get_rating"]);
  });

  it("rejects with the IpcError the command returned", async () => {
    invokeMock.mockRejectedValueOnce({ code: "SESSION_EXPIRED", message: "Sign in again.", retry_after_s: null });
    await expect(createTauriBackend().getRating()).rejects.toEqual({
      code: "SESSION_EXPIRED",
      message: "Sign in again.",
      retry_after_s: null,
    });
  });

  it("keeps retry_after_s of RATE_LIMITED", async () => {
    invokeMock.mockRejectedValueOnce({ code: "RATE_LIMITED", message: "Slow down.", retry_after_s: 30 });
    await expect(call("get_rating")).rejects.toMatchObject({ code: "RATE_LIMITED", retry_after_s: 30 });
  });

  it("turns a plain string rejection into INTERNAL", async () => {
    invokeMock.mockRejectedValueOnce("Command current_session not found");
    await expect(createTauriBackend().currentSession()).rejects.toEqual({
      code: "INTERNAL",
      message: "Command current_session not found",
      retry_after_s: null,
    });
  });

  it("listens to session-changed and hands over the payload", async () => {
    const unlisten = vi.fn();
    listenMock.mockImplementation(async (_name: string, handler: (e: { payload: unknown }) => void) => {
      handler({ payload: null });
      return unlisten;
    });
    const seen: unknown[] = [];
    const off = await createTauriBackend().onSessionChanged((s) => seen.push(s));

    expect(listenMock).toHaveBeenCalledWith("session-changed", expect.any(Function));
    expect(seen).toEqual([null]);
    off();
    expect(unlisten).toHaveBeenCalledOnce();
  });
});
