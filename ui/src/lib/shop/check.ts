/**
 * Pure helpers of the Webhooks and Shop pages. The address check gives feedback while the
 * merchant types; Rust (`reviewdesk_auth::shop::webhooks::validate`) checks again with the same
 * rules and sentences before anything is sent.
 */
import type { SignOutReport } from "../ipc";

export const HTTP_WARNING =
  "This address uses http, so Trustoo will send the events unencrypted. Use https if your server supports it.";

const NOT_WEB = "Enter a full web address starting with https:// (or http://), such as https://example.com/trustoo.";

/** What the address field says: an error (nothing is sent), or the trimmed address and a caution. */
export function checkWebhookUrl(raw: string): { error: string } | { url: string; warning: string | null } {
  const url = raw.trim();
  if (url === "") return { error: "Enter the address Trustoo should send the events to." };
  if (/\s/.test(url)) return { error: "The address cannot contain spaces." };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { error: NOT_WEB };
  }
  if ((parsed.protocol !== "https:" && parsed.protocol !== "http:") || parsed.hostname === "") return { error: NOT_WEB };
  return { url, warning: parsed.protocol === "http:" ? HTTP_WARNING : null };
}

/** A date Trustoo sent (RFC 3339 or "YYYY-MM-DD HH:MM:SS", UTC) as "Jun 20, 2025"; unknown text as it came. */
export function formatApiDate(text: string): string {
  if (text.trim() === "") return "—";
  const iso = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text) ? `${text.replace(" ", "T")}Z` : text;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? text : d.toLocaleDateString("en-US", { month: "short", day: "numeric", year: "numeric", timeZone: "UTC" });
}

/** Unix seconds as "Jun 20, 2025". */
export function formatUnixDate(seconds: number): string {
  return new Date(seconds * 1000).toLocaleDateString("en-US", { month: "short", day: "numeric", year: "numeric", timeZone: "UTC" });
}

/** The toast after disconnect: every step done, or which failed and why. */
export function summariseDisconnect(report: SignOutReport, shopName: string): { level: "success" | "warning"; message: string } {
  const failed = report.steps.filter((s) => !s.ok);
  const head = `Disconnected ReviewDesk from ${shopName}.`;
  if (failed.length === 0) {
    const kept = report.steps.some((s) => /^Keep/.test(s.step));
    return {
      level: "success",
      message: `${head} ${kept ? "Its reviews and drafts stay on this computer." : "Its reviews and drafts were deleted from this computer."}`,
    };
  }
  const lines = failed.map((s) => {
    const why = (s.message ?? "").trim().replace(/[.\s]+$/, "");
    return `Not done: ${s.step.charAt(0).toLowerCase()}${s.step.slice(1)}${why ? ` (${why})` : ""}.`;
  });
  return { level: "warning", message: [head, ...lines].join(" ") };
}
