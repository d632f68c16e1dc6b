import type { RequestEmailStatus } from "../ipc";

/** The statuses a request can have, in the email's order, with the merchant's words. */
export const STATUSES: { value: Exclude<RequestEmailStatus, "unknown">; label: string }[] = [
  { value: "waiting", label: "Waiting" },
  { value: "scheduled", label: "Scheduled" },
  { value: "sent", label: "Sent" },
  { value: "opened", label: "Opened" },
  { value: "evaluated", label: "Reviewed" },
  { value: "cancelled", label: "Cancelled" },
];

export function statusLabel(status: RequestEmailStatus): string {
  return STATUSES.find((s) => s.value === status)?.label ?? "Unknown";
}
