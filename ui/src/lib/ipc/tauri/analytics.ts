/** The analytics area over Tauri: `src-tauri/src/commands/analytics.rs`. */
import { COMMANDS, type AnalyticsArea } from "../backend";
import type { EventBucket, EventFilter, EventOptions, EventPage, EventSummary, FeedRefresh } from "../types";
import { call } from "./invoke";

export function createTauriAnalytics(): AnalyticsArea {
  return {
    summary: (filter: EventFilter, bucket: EventBucket) => call<EventSummary>(COMMANDS.eventSummary, { filter, bucket }),
    listEvents: (filter: EventFilter, offset: number, limit: number) =>
      call<EventPage>(COMMANDS.listEvents, { filter, offset, limit }),
    options: () => call<EventOptions>(COMMANDS.eventOptions),
    refresh: () => call<FeedRefresh>(COMMANDS.refreshEvents),
  };
}
