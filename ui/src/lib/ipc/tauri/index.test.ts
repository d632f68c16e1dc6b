import { beforeEach, describe, expect, it, vi } from "vitest";

// Stand-ins for the Tauri IPC bridge, which does not exist outside the webview.
const { invokeMock, listenMock } = vi.hoisted(() => ({ invokeMock: vi.fn(), listenMock: vi.fn() }));
vi.mock("@tauri-apps/api/core", () => ({ invoke: invokeMock }));
vi.mock("@tauri-apps/api/event", () => ({ listen: listenMock }));

import { call, createTauriBackend } from "./index";
import { TRUSTOO_CAPABILITIES } from "../fixture";

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
      missing_scopes: [],
      provider: "trustoo",
      capabilities: TRUSTOO_CAPABILITIES,
      auth_mode: "hmac",
      environment: "production",
      api_base: "https://rapi.trustoo.io",
    };
    invokeMock.mockResolvedValueOnce(session).mockResolvedValueOnce({ average: 4, count: 2, stars: [0, 0, 0, 2, 0] });
    const backend = createTauriBackend();

    await expect(backend.auth.currentSession()).resolves.toEqual(session);
    await expect(backend.reviews.getRating()).resolves.toEqual({ average: 4, count: 2, stars: [0, 0, 0, 2, 0] });
    expect(invokeMock.mock.calls.map((c) => c[0])).toEqual(["current_session", "get_rating"]);
  });

  it("rejects with the IpcError the command returned", async () => {
    invokeMock.mockRejectedValueOnce({ code: "SESSION_EXPIRED", message: "Sign in again.", retry_after_s: null });
    await expect(createTauriBackend().reviews.getRating()).rejects.toEqual({
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
    await expect(createTauriBackend().auth.currentSession()).rejects.toEqual({
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
    const off = await createTauriBackend().auth.onSessionChanged((s) => seen.push(s));

    expect(listenMock).toHaveBeenCalledWith("session-changed", expect.any(Function));
    expect(seen).toEqual([null]);
    off();
    expect(unlisten).toHaveBeenCalledOnce();
  });

  it("maps the sign-in commands to their Rust names and arguments", async () => {
    const waiting = { phase: "waiting_for_browser", message: null, session: null, expires_at: 1_750_000_600 };
    invokeMock.mockResolvedValueOnce(waiting).mockResolvedValue(null);
    const backend = createTauriBackend();

    await expect(backend.auth.startSignIn()).resolves.toEqual(waiting);
    await backend.auth.startSignIn("aurora-outfitters.myshopify.com");
    await backend.auth.authStatus();
    await backend.auth.cancelSignIn();
    await backend.auth.reopenBrowser();
    await backend.auth.connectWithTokens({ public_token: "pub", private_token: "priv", shop_domain: "b.myshopify.com" });

    expect(invokeMock.mock.calls).toEqual([
      ["auth_start", undefined],
      ["auth_start", { shopDomain: "aurora-outfitters.myshopify.com" }],
      ["auth_status", undefined],
      ["auth_cancel", undefined],
      ["auth_reopen_browser", undefined],
      ["auth_connect_tokens", { input: { public_token: "pub", private_token: "priv", shop_domain: "b.myshopify.com" } }],
    ]);
  });

  it("maps the shop commands, naming the shop by shopId (camelCase, as Tauri expects) and domain", async () => {
    const shop = { shop_id: "7", shop_name: "B", domain: "b.myshopify.com" };
    const report = { steps: [{ step: "Revoke the access token", ok: false, message: "Offline." }] };
    const entry = { session: shop, signed_in: true, active: true, problem: null };
    invokeMock.mockResolvedValueOnce([entry]).mockResolvedValueOnce(shop).mockResolvedValueOnce(report);
    const backend = createTauriBackend();

    await expect(backend.auth.listShops()).resolves.toEqual([entry]);
    await expect(backend.auth.switchShop(shop)).resolves.toEqual(shop);
    await expect(backend.auth.signOut(shop)).resolves.toEqual(report);
    expect(invokeMock.mock.calls).toEqual([
      ["list_shops", undefined],
      ["switch_shop", { shopId: "7", domain: "b.myshopify.com" }],
      ["sign_out", { shopId: "7", domain: "b.myshopify.com" }],
    ]);
  });

  it("maps the shop area: webhooks by input, the authorization, and disconnect by domain with the local-data choice", async () => {
    const shop = { shop_id: "7", domain: "b.myshopify.com" };
    const hook = { id: "19", topic: "review/created", url: "https://x.test/h", created_at: "", updated_at: "" };
    const input = { topic: "review/created", url: "https://x.test/h" };
    invokeMock.mockResolvedValue(undefined);
    const backend = createTauriBackend();
    await backend.shop.webhooks();
    await backend.shop.createWebhook(input);
    await backend.shop.updateWebhook("19", input);
    await backend.shop.deleteWebhook(hook);
    await backend.shop.authorization();
    await backend.shop.disconnect(shop, true);
    expect(invokeMock.mock.calls).toEqual([
      ["webhooks_overview", undefined],
      ["webhook_create", { input }],
      ["webhook_update", { id: "19", input }],
      ["webhook_delete", { webhook: hook }],
      ["shop_authorization", undefined],
      ["disconnect_shop", { domain: "b.myshopify.com", deleteLocalData: true }],
    ]);
  });

  it("keeps each shop's sign-in state from list_shops (signed in, open, and what went wrong)", async () => {
    const shop = { shop_id: "7", shop_name: "B", domain: "b.myshopify.com" };
    const entries = [
      { session: shop, signed_in: false, active: false, problem: "The keyring is locked; unlock it and try again." },
      { session: { ...shop, shop_id: "8", domain: "c.myshopify.com" }, signed_in: true, active: true, problem: null },
    ];
    invokeMock.mockResolvedValueOnce(entries);
    await expect(createTauriBackend().auth.listShops()).resolves.toEqual(entries);
  });

  it("normalises sign-in errors like every other command", async () => {
    invokeMock.mockRejectedValueOnce({
      code: "KEYCHAIN_UNAVAILABLE",
      message: "Install gnome-keyring.",
      retry_after_s: "soon",
    });
    await expect(createTauriBackend().auth.startSignIn()).rejects.toEqual({
      code: "KEYCHAIN_UNAVAILABLE",
      message: "Install gnome-keyring.",
      retry_after_s: null,
    });
    invokeMock.mockRejectedValueOnce(new Error("IPC down"));
    await expect(createTauriBackend().auth.signOut({ shop_id: "1", domain: "a.myshopify.com" })).rejects.toEqual({
      code: "INTERNAL",
      message: "IPC down",
      retry_after_s: null,
    });
  });

  it("listens to login-status and notice", async () => {
    const handlers = new Map<string, (e: { payload: unknown }) => void>();
    listenMock.mockImplementation(async (name: string, handler: (e: { payload: unknown }) => void) => {
      handlers.set(name, handler);
      return vi.fn();
    });
    const backend = createTauriBackend();
    const logins: unknown[] = [];
    const notices: unknown[] = [];
    await backend.auth.onLoginStatus((s) => logins.push(s.phase));
    await backend.auth.onNotice((n) => notices.push(n.message));

    handlers.get("login-status")?.({ payload: { phase: "declined", message: "You declined access." } });
    handlers.get("notice")?.({ payload: { level: "warning", message: "ReviewDesk ignored a sign-in link." } });

    expect([...handlers.keys()]).toEqual(["login-status", "notice"]);
    expect(logins).toEqual(["declined"]);
    expect(notices).toEqual(["ReviewDesk ignored a sign-in link."]);
  });

  it("turns a failed listen into an IpcError", async () => {
    listenMock.mockRejectedValueOnce("event plugin missing");
    await expect(createTauriBackend().auth.onNotice(() => {})).rejects.toEqual({
      code: "INTERNAL",
      message: "event plugin missing",
      retry_after_s: null,
    });
  });
});
