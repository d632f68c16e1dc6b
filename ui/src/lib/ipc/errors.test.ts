import { describe, expect, it } from "vitest";
import { isIpcError, toIpcError } from "./errors";
import { IPC_ERROR_CODES } from "./types";

describe("toIpcError", () => {
  it("keeps an IpcError from Rust as it is", () => {
    const fromRust = { code: "RATE_LIMITED", message: "Too many requests.", retry_after_s: 12 };
    expect(toIpcError(fromRust)).toEqual(fromRust);
  });

  it("turns a plain string rejection into INTERNAL", () => {
    expect(toIpcError("command get_rating not found")).toEqual({
      code: "INTERNAL",
      message: "command get_rating not found",
      retry_after_s: null,
    });
  });

  it("turns an Error into INTERNAL with its message", () => {
    expect(toIpcError(new Error("boom"))).toEqual({ code: "INTERNAL", message: "boom", retry_after_s: null });
  });

  it("uses a generic sentence for anything else", () => {
    for (const reason of [undefined, null, 42, {}, { code: "" }, "   "]) {
      const error = toIpcError(reason);
      expect(error.code).toBe("INTERNAL");
      expect(error.message).toMatch(/something went wrong/i);
      expect(error.retry_after_s).toBeNull();
    }
  });

  it("repairs missing or invalid fields and drops extra ones", () => {
    expect(toIpcError({ code: "NETWORK", retry_after_s: "soon", body: "<html>" })).toEqual({
      code: "NETWORK",
      message: "Something went wrong. Please try again.",
      retry_after_s: null,
    });
    expect(toIpcError({ code: "RATE_LIMITED", message: "Wait.", retry_after_s: -3 }).retry_after_s).toBeNull();
  });

  it("turns a code Rust does not have into INTERNAL, keeping the sentence", () => {
    expect(toIpcError({ code: "TEAPOT", message: "Short and stout.", retry_after_s: null })).toEqual({
      code: "INTERNAL",
      message: "Short and stout.",
      retry_after_s: null,
    });
    expect(isIpcError({ code: "TEAPOT", message: "Short and stout.", retry_after_s: null })).toBe(false);
  });

  it("always returns the exact three-field shape", () => {
    const error = toIpcError({ code: "FORBIDDEN", message: "No.", retry_after_s: null, extra: 1 });
    expect(Object.keys(error).sort()).toEqual(["code", "message", "retry_after_s"]);
    expect(isIpcError(error)).toBe(true);
  });
});

describe("isIpcError", () => {
  it("accepts the shape and rejects others", () => {
    expect(isIpcError({ code: "NOT_FOUND", message: "Gone.", retry_after_s: null })).toBe(true);
    expect(isIpcError({ code: "NOT_FOUND", message: "Gone." })).toBe(false);
    expect(isIpcError("NOT_FOUND")).toBe(false);
  });

  it("knows the documented codes", () => {
    expect(IPC_ERROR_CODES).toContain("KEYCHAIN_UNAVAILABLE");
    expect(IPC_ERROR_CODES).toHaveLength(10);
  });
});
