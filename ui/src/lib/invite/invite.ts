/** The Invite page's checks, pure so its tests read the same rules as Rust's commands. */
import type { InvitationInput } from "../ipc";

/** Why the invitation cannot be sent this way, or null (Rust checks again). */
export function inviteProblem(input: InvitationInput, kind: "link" | "email", nowMs = Date.now()): string | null {
  if (input.name.trim() === "") return "Type the customer's name.";
  const [local, domain] = input.email.trim().split("@");
  if (!local || !domain || !domain.includes(".") || domain.startsWith(".") || input.email.trim().split("@").length !== 2) {
    return "Type the customer's email address, like name@example.com.";
  }
  if (kind === "email" && input.reference_id.trim() === "") return "Type the order number: Trustpilot needs it to send an invitation email.";
  if (kind === "email" && input.send_at === "") return "Choose when to send it.";
  if (kind === "email" && input.send_at && Date.parse(input.send_at) < nowMs - 60_000) return "Choose a time from now on.";
  return null;
}

/**
 * The RFC 3339 instant (UTC) of a `datetime-local` value in the merchant's time zone; "" when
 * the value is not a date.
 */
export function sendAtFrom(local: string): string {
  const d = new Date(local);
  return Number.isNaN(d.getTime()) || local.trim() === "" ? "" : d.toISOString();
}
