/** Formatting for the inbox (en-US, like `lib/format.ts`). */
import { formatCount } from "../format";

/** "US" → 🇺🇸 (regional indicator letters); "" or anything else → "". */
export function flag(country: string): string {
  const code = country.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(code)) return "";
  return String.fromCodePoint(...[...code].map((c) => 0x1f1e6 + c.charCodeAt(0) - 65));
}

const DATE = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", year: "numeric" });
const DATE_TIME = new Intl.DateTimeFormat("en-US", {
  month: "short",
  day: "numeric",
  year: "numeric",
  hour: "numeric",
  minute: "2-digit",
});

/** Unix seconds → "Nov 24, 2025" ("" for 0). */
export function formatDate(unixS: number): string {
  return unixS > 0 ? DATE.format(new Date(unixS * 1000)) : "";
}

/** Unix seconds → "Nov 24, 2025, 3:04 PM". */
export function formatDateTime(unixS: number): string {
  return unixS > 0 ? DATE_TIME.format(new Date(unixS * 1000)) : "";
}

/** The list's count line: "5,000 reviews", "1,000+ reviews", "1 review". */
/**
 * A provider's time text (`2024-05-01 10:11:12`, UTC, as Rust stores reply and Find Reviewer
 * times; RFC 3339 too) as `formatDateTime` shows it; the text itself when it is not a time.
 */
export function formatStamp(stamp: string): string {
  const iso = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$/.test(stamp) ? `${stamp.replace(" ", "T")}Z` : stamp;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? stamp : formatDateTime(Math.floor(ms / 1000));
}

export function formatTotal(count: number, exact: boolean): string {
  if (!exact) return `${formatCount(count)}+ reviews`;
  return `${formatCount(count)} ${count === 1 ? "review" : "reviews"}`;
}

/** "2 actions waiting to be sent". */
export function formatPending(n: number): string {
  return `${formatCount(n)} ${n === 1 ? "action" : "actions"} waiting to be sent`;
}

/** "Syncing 12,400 / 100,000" (or "Syncing 12,400…" while the total is unknown). */
export function formatSyncProgress(fetched: number, total: number | null): string {
  if (total === null) return fetched === 0 ? "Starting sync…" : `Syncing ${formatCount(fetched)}…`;
  return `Syncing ${formatCount(fetched)} / ${formatCount(total)}`;
}

/** "reviews" / "review" after a number. */
export function reviews(n: number): string {
  return `${formatCount(n)} ${n === 1 ? "review" : "reviews"}`;
}
