import { describe, expect, it, vi } from "vitest";
import { ToastStore } from "../toasts.svelte";
import { formatPending, formatSyncProgress, formatTotal } from "./format";
import { queuedReviewIds, reportError, reportOutcomes } from "./outcomes";
import { customerIdError, emailError } from "./validate";

describe("action outcomes", () => {
  it("sorts outcomes into done, queued and refused, one toast per kind", () => {
    const toasts = new ToastStore();
    const result = reportOutcomes(
      toasts,
      [
        { id: "1", status: "done", message: "Review deleted." },
        { id: "2", status: "done", message: "Review deleted." },
        { id: "3", status: "queued", message: "queued" },
        { id: "4", status: "conflict", message: "This review was already deleted." },
        { id: "5", status: "failed", message: "Trustoo refused." },
      ],
      (n) => `Deleted ${n}.`,
      "Offline: queued.",
    );
    expect(result).toEqual({ done: ["1", "2"], queued: ["3"], refused: ["4", "5"] });
    const shown = toasts.items.map((t) => [t.level, t.message]);
    expect(shown).toEqual([
      ["success", "Deleted 2."],
      ["warning", "Offline: queued."],
      ["warning", "This review was already deleted."],
      ["error", "Trustoo refused."],
    ]);
  });

  it("leaves an expired session to the app (no toast), and offers Retry on other errors", () => {
    const toasts = new ToastStore();
    reportError(toasts, { code: "SESSION_EXPIRED", message: "Expired.", retry_after_s: null });
    expect(toasts.items).toHaveLength(0);
    const retry = vi.fn();
    reportError(toasts, { code: "RATE_LIMITED", message: "Too many requests.", retry_after_s: 30 }, retry);
    expect(toasts.items).toHaveLength(1);
    expect(toasts.items[0]?.message).toBe("Too many requests.");
    expect(toasts.items[0]?.action).toBeDefined();
  });

  it("finds the review ids in a queued action's payload, whatever its shape", () => {
    expect(queuedReviewIds({ review_id: "12" })).toEqual(["12"]);
    expect(queuedReviewIds({ reviewId: 7 })).toEqual(["7"]);
    expect(queuedReviewIds({ ids: ["1", "2"] })).toEqual(["1", "2"]);
    expect(queuedReviewIds({ email: "a@b.co" })).toEqual([]);
    expect(queuedReviewIds(null)).toEqual([]);
    expect(queuedReviewIds("12")).toEqual([]);
  });
});

describe("inbox wording", () => {
  it("says how many reviews, actions and how far the sync is", () => {
    expect(formatTotal(1, true)).toBe("1 review");
    expect(formatTotal(1_000_000, true)).toBe("1,000,000 reviews");
    expect(formatTotal(1000, false)).toBe("1,000+ reviews");
    expect(formatPending(1)).toBe("1 action waiting to be sent");
    expect(formatPending(3)).toBe("3 actions waiting to be sent");
    expect(formatSyncProgress(12_400, 100_000)).toBe("Syncing 12,400 / 100,000");
    expect(formatSyncProgress(500, null)).toBe("Syncing 500…");
    expect(formatSyncProgress(0, null)).toBe("Starting sync…");
  });

  it("checks exclusion input before sending it", () => {
    expect(emailError("")).toMatch(/Enter an email/);
    expect(emailError("no-at-sign")).toMatch(/doesn't look like/);
    expect(emailError(" ana@example.com ")).toBeNull();
    expect(customerIdError("abc")).toMatch(/digits only/);
    expect(customerIdError("7123456789")).toBeNull();
  });
});
