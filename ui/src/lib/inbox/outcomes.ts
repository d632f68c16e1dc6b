/** What the merchant is told after a write action: one toast per kind of outcome. */
import type { ActionOutcome, IpcError } from "../ipc";
import type { ToastStore } from "../toasts.svelte";

export const OFFLINE_DELETE = "You're offline. The delete will be sent when Trustoo is reachable.";

export interface Reported {
  done: string[];
  queued: string[];
  refused: string[];
}

/**
 * `done` → a success toast (`doneMessage(n)`), `queued` → a warning (`queuedMessage`), `conflict`
 * → a warning with the server's sentence, `failed` → an error with its sentence.
 */
export function reportOutcomes(
  toasts: ToastStore,
  outcomes: ActionOutcome[],
  doneMessage: (n: number, first: ActionOutcome) => string,
  queuedMessage: string,
): Reported {
  const done = outcomes.filter((o) => o.status === "done");
  const queued = outcomes.filter((o) => o.status === "queued");
  const conflicts = outcomes.filter((o) => o.status === "conflict");
  const failed = outcomes.filter((o) => o.status === "failed");
  const firstDone = done[0];
  if (firstDone) toasts.success(doneMessage(done.length, firstDone));
  if (queued.length > 0) toasts.warning(queuedMessage);
  for (const message of new Set(conflicts.map((o) => o.message))) toasts.warning(message);
  for (const message of new Set(failed.map((o) => o.message))) toasts.push({ level: "error", message });
  return {
    done: done.map((o) => o.id),
    queued: queued.map((o) => o.id),
    refused: [...conflicts, ...failed].map((o) => o.id),
  };
}

/**
 * A failed call: SESSION_EXPIRED is the app's (it goes back to sign-in, so no toast here);
 * RATE_LIMITED shows "Retry in N s" on its Retry button; anything else an error toast.
 */
export function reportError(toasts: ToastStore, error: IpcError, retry?: () => void): void {
  if (error.code === "SESSION_EXPIRED") return;
  toasts.error(error, retry);
}

/** The review ids a queued action is about, whatever shape its payload has. */
export function queuedReviewIds(payload: unknown): string[] {
  if (typeof payload !== "object" || payload === null) return [];
  const p = payload as Record<string, unknown>;
  const ids: string[] = [];
  for (const key of ["review_id", "reviewId", "id"]) {
    const v = p[key];
    if (typeof v === "string" || typeof v === "number") ids.push(String(v));
  }
  for (const key of ["review_ids", "ids"]) {
    const v = p[key];
    if (Array.isArray(v)) for (const x of v) if (typeof x === "string" || typeof x === "number") ids.push(String(x));
  }
  return ids;
}
