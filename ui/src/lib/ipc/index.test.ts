import { afterEach, describe, expect, it, vi } from "vitest";

describe("getBackend", () => {
  afterEach(() => {
    vi.resetModules();
    vi.doUnmock("@tauri-apps/api/core");
    Reflect.deleteProperty(window, "__TAURI_INTERNALS__");
  });

  it("uses the fixture in a plain browser", async () => {
    const { getBackend, isTauri } = await import("./index");
    expect(isTauri()).toBe(false);
    const session = await getBackend().auth.currentSession();
    expect(session?.shop_name).toBe("Aurora Outfitters");
    await expect(getBackend().composer.listDrafts()).resolves.toEqual([]);
  });

  it("uses Tauri when __TAURI_INTERNALS__ exists", async () => {
    // Stand-in for the Tauri IPC bridge.
    const invokeMock = vi.fn().mockResolvedValue(null);
    vi.doMock("@tauri-apps/api/core", () => ({ invoke: invokeMock }));
    Object.defineProperty(window, "__TAURI_INTERNALS__", { value: {}, configurable: true });

    const { getBackend, isTauri } = await import("./index");
    expect(isTauri()).toBe(true);
    expect(isTauri({})).toBe(false);
    await expect(getBackend().auth.currentSession()).resolves.toBeNull();
    expect(invokeMock).toHaveBeenCalledWith("current_session", undefined);
    // The composer goes through the same door.
    await getBackend().composer.listDrafts();
    expect(invokeMock).toHaveBeenLastCalledWith("draft_list", undefined);
  });
});
