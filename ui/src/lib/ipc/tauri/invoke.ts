/**
 * The Tauri bridge every area goes through: a command call and an event subscription, each
 * turning a failure into a typed `IpcError`. Only `src/lib/ipc/` imports `@tauri-apps/*`.
 */
import { invoke, type InvokeArgs } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { Unsubscribe } from "../backend";
import { toIpcError } from "../errors";

/** Invokes a command; a rejection always becomes a typed `IpcError`. */
export async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw toIpcError(reason);
  }
}

/** Subscribes to a Rust event; a failure to subscribe becomes a typed `IpcError` too. */
export async function on<T>(event: string, handler: (payload: T) => void): Promise<Unsubscribe> {
  try {
    return await listen<T>(event, (e) => handler(e.payload));
  } catch (reason) {
    throw toIpcError(reason);
  }
}
