import { describe, expect, it } from "vitest";
import { checkWebhookUrl, formatApiDate, HTTP_WARNING, summariseDisconnect } from "./check";

describe("checkWebhookUrl", () => {
  it("accepts https quietly and http with the warning, trimmed", () => {
    expect(checkWebhookUrl("  https://example.com/hook ")).toEqual({ url: "https://example.com/hook", warning: null });
    expect(checkWebhookUrl("http://api.trustoo.io/webhook")).toEqual({ url: "http://api.trustoo.io/webhook", warning: HTTP_WARNING });
  });

  it("refuses what is not a web address, with the Rust sentences", () => {
    expect(checkWebhookUrl("")).toEqual({ error: "Enter the address Trustoo should send the events to." });
    expect(checkWebhookUrl("https://exa mple.com")).toEqual({ error: "The address cannot contain spaces." });
    for (const bad of ["example.com/hook", "ftp://example.com", "mailto:a@example.com", "https://"]) {
      expect(checkWebhookUrl(bad)).toHaveProperty("error");
    }
  });
});

describe("formatApiDate", () => {
  it("reads both of Trustoo's timestamp formats", () => {
    expect(formatApiDate("2025-06-20T11:06:48Z")).toBe("Jun 20, 2025");
    expect(formatApiDate("2025-06-20 11:06:48")).toBe("Jun 20, 2025");
    expect(formatApiDate("soon")).toBe("soon");
  });
});

describe("summariseDisconnect", () => {
  it("says what happened to the local data, or which step failed", () => {
    const ok = summariseDisconnect(
      { steps: [{ step: "Keep the shop's reviews and drafts on this computer", ok: true, message: null }] },
      "Aurora",
    );
    expect(ok).toEqual({ level: "success", message: "Disconnected ReviewDesk from Aurora. Its reviews and drafts stay on this computer." });
    const failed = summariseDisconnect(
      { steps: [{ step: "Disconnect ReviewDesk on Trustoo", ok: false, message: "Could not reach Trustoo." }] },
      "Aurora",
    );
    expect(failed.level).toBe("warning");
    expect(failed.message).toBe("Disconnected ReviewDesk from Aurora. Not done: disconnect ReviewDesk on Trustoo (Could not reach Trustoo).");
  });
});
