/**
 * Tagging: what the tag editor offers and sends. Pure, so the editor and its tests read the same
 * rules as Rust's `check_tag` (trimmed, at most 100 characters, group `generic` unless named).
 */
import type { ReviewTag, TagSummary } from "../ipc";

/** Trustpilot shows a tag in its Business dashboard only in this group (SEEN-DOC). */
export const GENERIC_GROUP = "generic";

/** The longest group or value sent (Rust `MAX_TAG_CHARS`). */
export const MAX_TAG_CHARS = 100;

/** Why `value` (with `group`) cannot be sent, or null when it can. */
export function tagProblem(value: string, group = ""): string | null {
  if (value.trim() === "") return "Type the tag first.";
  if ([...value.trim()].length > MAX_TAG_CHARS || [...group.trim()].length > MAX_TAG_CHARS) {
    return `A tag can be at most ${MAX_TAG_CHARS} characters long.`;
  }
  return null;
}

/**
 * The tag `value` names: an existing tag of that value (any case, in `group` when one is given)
 * keeps its spelling and group, so "late parcel" joins "Late parcel" instead of starting a twin;
 * otherwise a new tag in `group` (or `generic`).
 */
export function tagFor(value: string, group: string, known: TagSummary[]): ReviewTag {
  const v = value.trim();
  const g = group.trim();
  const same = known.find((k) => k.tag.value.toLowerCase() === v.toLowerCase() && (g === "" || k.tag.group === g));
  if (same) return same.tag;
  return { group: g || GENERIC_GROUP, value: v };
}

/** Existing tags to offer while typing: those containing the text, most used first, at most `limit`. */
export function suggestTags(known: TagSummary[], text: string, limit = 8): TagSummary[] {
  const t = text.trim().toLowerCase();
  return known
    .filter((k) => t === "" || k.tag.value.toLowerCase().includes(t))
    .sort((a, b) => b.count - a.count || a.tag.value.localeCompare(b.tag.value))
    .slice(0, limit);
}

/** The key of a tag in lists (`group:value`). */
export function tagKey(tag: ReviewTag): string {
  return `${tag.group}:${tag.value}`;
}
