/** Pure helpers of the sign-in screens and the shop menu (no Svelte, no back end). */
import type { SignOutReport, TokenInput } from "./ipc";

/** Seconds → "mm:ss" (never negative): 600 → "10:00", 65 → "01:05". */
export function formatCountdown(seconds: number): string {
  const s = Math.max(0, Math.floor(Number.isFinite(seconds) ? seconds : 0));
  const mm = Math.floor(s / 60);
  const ss = s % 60;
  return `${String(mm).padStart(2, "0")}:${String(ss).padStart(2, "0")}`;
}

/** Seconds left until `expiresAt` (unix seconds) at `nowMs`; `null` when there is no expiry. */
export function secondsUntil(expiresAt: number | null, nowMs: number): number | null {
  if (expiresAt === null || !Number.isFinite(expiresAt)) return null;
  return Math.max(0, Math.ceil(expiresAt - nowMs / 1000));
}

export const SESSION_EXPIRED_MESSAGE = "Your session expired — sign in again.";

/** A sentence on the sign-in screen about the last attempt ("You declined access."). */
export interface AuthMessage {
  text: string;
  tone: "info" | "warning" | "error";
}

/** Moves focus to a heading when a screen appears, so keyboard and screen-reader users land on it. */
export function focusOnMount(node: HTMLElement): void {
  queueMicrotask(() => {
    if (node.isConnected) node.focus({ preventScroll: true });
  });
}

/**
 * What the merchant typed as their shop → its `*.myshopify.com` domain, or an error sentence.
 * Accepts "aurora-outfitters", "Aurora-Outfitters.myshopify.com" or a pasted admin address.
 */
export function parseShopDomain(raw: string): { domain: string } | { error: string } {
  let d = raw.trim().toLowerCase().replace(/^https?:\/\//, "").replace(/[/?#].*$/, "");
  if (d === "") return { error: "Enter your shop's domain, like your-store.myshopify.com." };
  if (!d.includes(".")) d = `${d}.myshopify.com`;
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/.test(d)) {
    return { error: "That doesn't look like a shop domain. Use the one ending in .myshopify.com." };
  }
  return { domain: d };
}

export interface TokenErrors {
  public_token?: string;
  private_token?: string;
}

/** The two tokens the token form collects; the sign-in screen adds the shop's domain it knows. */
export type TokenPair = Omit<TokenInput, "shop_domain">;

/** Trims both tokens and says which one is missing. `errors` is empty when `input` can be sent. */
export function checkTokens(publicToken: string, privateToken: string): { input: TokenPair; errors: TokenErrors } {
  const input = { public_token: publicToken.trim(), private_token: privateToken.trim() };
  const errors: TokenErrors = {};
  if (input.public_token === "") errors.public_token = "Enter the Public Token.";
  if (input.private_token === "") errors.private_token = "Enter the Private Token.";
  return { input, errors };
}

export interface SignOutSummary {
  level: "success" | "warning";
  message: string;
}

/** "Offline." → "offline": a reason that reads well inside parentheses. */
function reason(message: string | null): string {
  const text = (message ?? "").trim().replace(/[.\s]+$/, "");
  if (text === "") return "";
  return ` (${text.charAt(0).toLowerCase()}${text.slice(1)})`;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/**
 * One or two sentences for the toast after sign-out, e.g.
 * "Signed out of Aurora Outfitters. Could not revoke the token on Trustoo (offline); it will expire on its own."
 */
export function summariseSignOut(report: SignOutReport, shopName: string): SignOutSummary {
  const failed = report.steps.filter((s) => !s.ok);
  const head = `Signed out of ${shopName}.`;
  if (failed.length === 0) return { level: "success", message: head };

  const sentences: string[] = [];
  const remote = failed.filter((s) => /revoke|disconnect/i.test(s.step));
  const keyring = failed.filter((s) => /keyring|keychain/i.test(s.step));
  const other = failed.filter((s) => !remote.includes(s) && !keyring.includes(s));

  if (remote.length > 0) {
    sentences.push(
      `Could not revoke the token on Trustoo${reason(remote[0]?.message ?? null)}; it will expire on its own.`,
    );
  }
  if (keyring.length > 0) {
    sentences.push(
      `Could not delete the shop's keys from the system keychain${reason(keyring[0]?.message ?? null)}; remove the ReviewDesk entries for this shop with your keychain app.`,
    );
  }
  for (const step of other) {
    sentences.push(`Could not ${lowerFirst(step.step.replace(/[.\s]+$/, ""))}${reason(step.message)}.`);
  }
  return { level: "warning", message: [head, ...sentences].join(" ") };
}
