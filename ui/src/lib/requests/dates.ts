/** Dates of the Requests and Analytics pages: UTC days, as the store counts them. */

export const DAY = 86_400;

/** `YYYY-MM-DD` of a unix second (UTC), for `<input type="date">`. */
export function isoDay(t: number): string {
  return new Date(t * 1000).toISOString().slice(0, 10);
}

/** Unix second starting a `YYYY-MM-DD` day (UTC); `null` for an empty or malformed value. */
export function dayStart(value: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const t = Date.parse(`${value}T00:00:00Z`);
  return Number.isNaN(t) ? null : t / 1000;
}

/** Unix second just after a `YYYY-MM-DD` day (an inclusive "to" made exclusive). */
export function dayEnd(value: string): number | null {
  const start = dayStart(value);
  return start === null ? null : start + DAY;
}

/** "Nov 24, 2025" (UTC). */
export function shortDate(t: number): string {
  return new Date(t * 1000).toLocaleDateString("en-US", { month: "short", day: "numeric", year: "numeric", timeZone: "UTC" });
}

/** "Nov 24" (UTC), for chart axes. */
export function monthDay(t: number): string {
  return new Date(t * 1000).toLocaleDateString("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
}

/** "Nov 2025" (UTC). */
export function monthYear(t: number): string {
  return new Date(t * 1000).toLocaleDateString("en-US", { month: "short", year: "numeric", timeZone: "UTC" });
}

/** "Synced Nov 24, 3:40 PM" (local time, as the sidebar says it). */
export function syncedLabel(t: number | null): string {
  if (t === null) return "Not fetched yet";
  const at = new Date(t * 1000).toLocaleString("en-US", { month: "short", day: "numeric", hour: "numeric", minute: "2-digit" });
  return `Synced ${at}`;
}

/** A share as "42.1%" (one decimal under 10 %, none above), "—" when there is nothing to divide. */
export function rate(part: number, whole: number): string {
  if (whole <= 0) return "—";
  const pct = (part / whole) * 100;
  return `${pct < 10 ? pct.toFixed(1) : Math.round(pct)}%`;
}
