/**
 * The inbox's keyboard shortcuts as data: which key does what, when it is offered, and how the
 * help sheet words it. Pure (no DOM, no state), so the page, the help sheet and the tests read
 * the same table, and an action the account's provider does not allow has no key.
 */
import type { Capabilities } from "../ipc";

/** What a key asks the inbox to do. */
export type InboxCommand =
  | "next"
  | "previous"
  | "pageDown"
  | "pageUp"
  | "first"
  | "last"
  | "toggle"
  | "reviewed"
  | "flag"
  | "delete"
  | "exclude"
  | "answer"
  | "tag"
  | "search"
  | "help"
  | "clear";

/** What decides whether a shortcut is offered. */
export interface KeymapContext {
  /** The account's capabilities; without them every action is offered. */
  capabilities?: Capabilities;
}

interface Shortcut {
  keys: string[];
  command: InboxCommand;
  /** The help sheet's sentence. */
  what: string;
  /** Offered only when this holds. */
  offered?: (c: Capabilities) => boolean;
}

const SHORTCUTS: Shortcut[] = [
  { keys: ["j", "ArrowDown"], command: "next", what: "Next review" },
  { keys: ["k", "ArrowUp"], command: "previous", what: "Previous review" },
  { keys: ["PageDown"], command: "pageDown", what: "A page down" },
  { keys: ["PageUp"], command: "pageUp", what: "A page up" },
  { keys: ["Home"], command: "first", what: "First review" },
  { keys: ["End"], command: "last", what: "Last review" },
  { keys: ["x"], command: "toggle", what: "Select or unselect the review" },
  { keys: ["r"], command: "reviewed", what: "Mark reviewed" },
  { keys: ["f"], command: "flag", what: "Flag (again: unflag)" },
  { keys: ["d"], command: "delete", what: "Delete (Enter confirms, Escape cancels)", offered: (c) => c.delete_reviews },
  { keys: ["e"], command: "exclude", what: "Exclude the author from review requests", offered: (c) => c.exclusions },
  { keys: ["a"], command: "answer", what: "Answer in public (Ctrl+Enter posts); with reviews checked, one template to each", offered: (c) => c.reply !== "none" },
  { keys: ["t"], command: "tag", what: "Tag (with reviews checked, tags each)", offered: (c) => c.tags },
  { keys: ["/"], command: "search", what: "Search" },
  { keys: ["?"], command: "help", what: "This list" },
  { keys: ["Escape"], command: "clear", what: "Close, or clear the selection" },
];

function offered(shortcut: Shortcut, ctx: KeymapContext): boolean {
  return !shortcut.offered || !ctx.capabilities || shortcut.offered(ctx.capabilities);
}

/**
 * Whether the inbox offers `command` at all (its key, its button, its bulk action): the one rule
 * the page and the detail pane ask, so a button never shows for an action whose key is gone.
 */
export function offers(command: InboxCommand, ctx: KeymapContext = {}): boolean {
  return SHORTCUTS.some((s) => s.command === command && offered(s, ctx));
}

/** The command of `key` (a `KeyboardEvent.key`), or null when the key means nothing here. */
export function commandFor(key: string, ctx: KeymapContext = {}): InboxCommand | null {
  const shortcut = SHORTCUTS.find((s) => s.keys.includes(key));
  return shortcut && offered(shortcut, ctx) ? shortcut.command : null;
}

/** The key that runs `command` (its first), as the detail pane's buttons show it. */
export function keyFor(command: InboxCommand): string {
  return SHORTCUTS.find((s) => s.command === command)?.keys[0] ?? "";
}

/** How a key is shown on the help sheet. */
const LABELS: Record<string, string> = { ArrowDown: "↓", ArrowUp: "↑", Escape: "Esc", PageDown: "PgDn", PageUp: "PgUp" };

/** The help sheet's rows: the keys as shown ("j / ↓") and what they do, offered ones only. */
export function helpRows(ctx: KeymapContext = {}): [string, string][] {
  return SHORTCUTS.filter((s) => offered(s, ctx)).map((s) => [s.keys.map((k) => LABELS[k] ?? k).join(" / "), s.what]);
}

/** The help sheet's footnote: which keys act on the checked reviews (only the offered ones). */
export function helpNote(ctx: KeymapContext = {}): string {
  const bulk = SHORTCUTS.filter((s) => BULK.includes(s.command) && offered(s, ctx)).map((s) => s.keys[0]);
  const named = bulk.length > 1 ? `${bulk.slice(0, -1).join(", ")} and ${bulk.at(-1)}` : (bulk[0] ?? "");
  return `${named} act${bulk.length > 1 ? "" : "s"} on the checked reviews when any are checked.`;
}

/** The commands that act on every checked review (the others act on the selected one). */
const BULK: InboxCommand[] = ["reviewed", "flag", "delete"];
