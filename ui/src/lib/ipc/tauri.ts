/**
 * The real back end: Tauri commands in `src-tauri/src/commands/`.
 *
 * This file and `index.ts` are the only places in the UI that import
 * `@tauri-apps/*`.
 */
import { invoke, type InvokeArgs } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { COMMANDS, EVENTS, type Backend, type Unsubscribe } from "./backend";
import { toIpcError } from "./errors";
import type { RatingSummary, ShopSession } from "./types";

/** Invokes a command; a rejection always becomes a typed `IpcError`. */
export async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw toIpcError(reason);
  }
}

export function createTauriBackend(): Backend {
  return {
    currentSession: () => call<ShopSession | null>(COMMANDS.currentSession),
    getRating: () => call<RatingSummary>(COMMANDS.getRating),
    async onSessionChanged(handler: (session: ShopSession | null) => void): Promise<Unsubscribe> {
      return listen<ShopSession | null>(EVENTS.sessionChanged, (event) => handler(event.payload));
    },
  };
}
