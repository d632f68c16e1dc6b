/**
 * A small toast (notice) store. One instance per app window; `App.svelte` creates it and puts
 * it in the component context, so any component can `useToasts().push(...)`.
 *
 * Generic on purpose: a toast is a level, a sentence and optionally one action button, which
 * may have to wait (e.g. an API error's "Retry in 30 s").
 */
import { getContext, setContext } from "svelte";
import type { IpcError } from "./ipc";

export type ToastLevel = "info" | "success" | "warning" | "error";

export interface ToastAction {
  /** Button text, e.g. "Retry". */
  label: string;
  /** Runs on click; the toast is dismissed first. */
  run: () => void;
  /** Seconds the button stays disabled, shown as "<label> in N s" (e.g. `retry_after_s`). */
  waitS?: number | null;
}

export interface ToastInput {
  level: ToastLevel;
  message: string;
  /** Optional bold first line. */
  title?: string;
  action?: ToastAction;
  /**
   * Milliseconds before the toast goes away by itself; `null` keeps it until dismissed.
   * Default: 6 s for info/success, 10 s for warnings, sticky for errors and toasts with an action.
   */
  timeoutMs?: number | null;
}

export interface Toast extends ToastInput {
  id: number;
  timeoutMs: number | null;
}

/** At most this many toasts are on screen; the oldest goes first. */
export const MAX_TOASTS = 4;

function defaultTimeout(input: ToastInput): number | null {
  if (input.timeoutMs !== undefined) return input.timeoutMs;
  if (input.action || input.level === "error") return null;
  return input.level === "warning" ? 10_000 : 6_000;
}

export class ToastStore {
  items = $state<Toast[]>([]);
  #next = 1;
  #timers = new Map<number, ReturnType<typeof setTimeout>>();

  /** Shows a toast and returns its id. An identical toast already showing is replaced, not repeated. */
  push(input: ToastInput): number {
    const duplicate = this.items.find((t) => t.level === input.level && t.message === input.message);
    if (duplicate) this.dismiss(duplicate.id);
    const toast: Toast = { ...input, id: this.#next++, timeoutMs: defaultTimeout(input) };
    this.items = [...this.items, toast];
    while (this.items.length > MAX_TOASTS) {
      const oldest = this.items[0];
      if (oldest) this.dismiss(oldest.id);
    }
    if (toast.timeoutMs !== null) {
      this.#timers.set(
        toast.id,
        setTimeout(() => this.dismiss(toast.id), toast.timeoutMs),
      );
    }
    return toast.id;
  }

  info(message: string, options: Partial<ToastInput> = {}): number {
    return this.push({ ...options, level: "info", message });
  }

  success(message: string, options: Partial<ToastInput> = {}): number {
    return this.push({ ...options, level: "success", message });
  }

  warning(message: string, options: Partial<ToastInput> = {}): number {
    return this.push({ ...options, level: "warning", message });
  }

  /** An error toast from an `IpcError`; pass `retry` to offer a Retry button (honours `retry_after_s`). */
  error(error: IpcError | string, retry?: () => void): number {
    const message = typeof error === "string" ? error : error.message;
    const waitS = typeof error === "string" ? null : error.retry_after_s;
    return this.push({
      level: "error",
      message,
      action: retry ? { label: "Retry", run: retry, waitS } : undefined,
    });
  }

  dismiss(id: number): void {
    const timer = this.#timers.get(id);
    if (timer !== undefined) clearTimeout(timer);
    this.#timers.delete(id);
    this.items = this.items.filter((t) => t.id !== id);
  }

  clear(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.items = [];
  }
}

const KEY = Symbol("toasts");

export function provideToasts(store: ToastStore): ToastStore {
  return setContext(KEY, store);
}

/** The window's toast store (from `App.svelte`). */
export function useToasts(): ToastStore {
  const store = getContext<ToastStore | undefined>(KEY);
  if (!store) throw new Error("useToasts() needs provideToasts() in a parent component");
  return store;
}
