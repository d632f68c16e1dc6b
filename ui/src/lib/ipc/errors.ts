import { IPC_ERROR_CODES, type IpcError, type IpcErrorCode } from "./types";

const FALLBACK_MESSAGE = "Something went wrong. Please try again.";

/** True when `value` already has the exact `IpcError` shape. */
export function isIpcError(value: unknown): value is IpcError {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.code === "string" &&
    isKnownErrorCode(v.code) &&
    typeof v.message === "string" &&
    (v.retry_after_s === null || isRetryAfter(v.retry_after_s))
  );
}

export function isKnownErrorCode(code: string): code is IpcErrorCode {
  return (IPC_ERROR_CODES as readonly string[]).includes(code);
}

export function ipcError(code: IpcErrorCode, message: string, retry_after_s: number | null = null): IpcError {
  return { code, message, retry_after_s };
}

/**
 * Turns whatever a failed `invoke` rejected with into an `IpcError`.
 *
 * - an object shaped like `IpcError` (what our Rust commands return) keeps its
 *   code and message; a missing/invalid `retry_after_s` becomes `null`; a code
 *   Rust's `ErrorCode` does not have becomes `INTERNAL`;
 * - a plain string (a Tauri-internal failure, or a command returning
 *   `Result<_, String>`) becomes `INTERNAL` with that string as the message;
 * - an `Error` becomes `INTERNAL` with its message;
 * - anything else becomes `INTERNAL` with a generic sentence.
 *
 * Always returns a fresh plain object with exactly the three fields.
 */
export function toIpcError(reason: unknown): IpcError {
  if (typeof reason === "string") {
    return ipcError("INTERNAL", nonEmpty(reason));
  }
  if (typeof reason === "object" && reason !== null) {
    const r = reason as Record<string, unknown>;
    if (typeof r.code === "string" && r.code.length > 0) {
      return {
        code: isKnownErrorCode(r.code) ? r.code : "INTERNAL",
        message: typeof r.message === "string" ? nonEmpty(r.message) : FALLBACK_MESSAGE,
        retry_after_s: isRetryAfter(r.retry_after_s) ? r.retry_after_s : null,
      };
    }
    if (reason instanceof Error) {
      return ipcError("INTERNAL", nonEmpty(reason.message));
    }
  }
  return ipcError("INTERNAL", FALLBACK_MESSAGE);
}

function isRetryAfter(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

function nonEmpty(message: string): string {
  const trimmed = message.trim();
  return trimmed.length > 0 ? trimmed : FALLBACK_MESSAGE;
}
