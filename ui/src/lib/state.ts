import type { IpcError, RatingSummary } from "./ipc";

/** What the rating card shows. */
export type RatingCardState =
  | { kind: "loading" }
  | { kind: "error"; error: IpcError }
  | { kind: "ready"; rating: RatingSummary };
