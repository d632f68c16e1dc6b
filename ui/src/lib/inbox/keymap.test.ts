import { describe, expect, it } from "vitest";
import { TRUSTOO_CAPABILITIES } from "../ipc/fixture";
import { commandFor, helpNote, helpRows, keyFor, offers } from "./keymap";

describe("inbox keymap", () => {
  it("maps the documented keys, arrows included, and nothing else", () => {
    expect(commandFor("j")).toBe("next");
    expect(commandFor("ArrowDown")).toBe("next");
    expect(commandFor("k")).toBe("previous");
    expect(commandFor("ArrowUp")).toBe("previous");
    expect(commandFor("x")).toBe("toggle");
    expect(commandFor("d")).toBe("delete");
    expect(commandFor("e")).toBe("exclude");
    expect(commandFor("/")).toBe("search");
    expect(commandFor("?")).toBe("help");
    expect(commandFor("Escape")).toBe("clear");
    expect(commandFor("PageDown")).toBe("pageDown");
    expect(commandFor("PageUp")).toBe("pageUp");
    expect(commandFor("Home")).toBe("first");
    expect(commandFor("End")).toBe("last");
    expect(commandFor("q")).toBeNull();
    expect(commandFor("J")).toBeNull();
    expect(keyFor("next")).toBe("j");
    expect(keyFor("delete")).toBe("d");
  });

  it("has no key for an action the provider does not allow, and does not list it", () => {
    const capabilities = { ...TRUSTOO_CAPABILITIES, delete_reviews: false, exclusions: false };
    expect(commandFor("d", { capabilities })).toBeNull();
    expect(commandFor("e", { capabilities })).toBeNull();
    expect(commandFor("r", { capabilities })).toBe("reviewed");
    const listed = helpRows({ capabilities }).map(([keys]) => keys);
    expect(listed).not.toContain("d");
    expect(listed).not.toContain("e");
    expect(offers("delete", { capabilities })).toBe(false);
    expect(offers("exclude", { capabilities })).toBe(false);
    expect(offers("reviewed", { capabilities })).toBe(true);
    expect(helpNote({ capabilities })).toBe("r and f act on the checked reviews when any are checked.");
    expect(helpRows({ capabilities: TRUSTOO_CAPABILITIES }).map(([keys]) => keys)).toEqual([
      "j / ↓",
      "k / ↑",
      "PgDn",
      "PgUp",
      "Home",
      "End",
      "x",
      "r",
      "f",
      "d",
      "e",
      "/",
      "?",
      "Esc",
    ]);
  });

  it("offers every action without capabilities (nothing known yet) and with Trustoo's", () => {
    for (const ctx of [{}, { capabilities: TRUSTOO_CAPABILITIES }]) {
      expect(offers("delete", ctx)).toBe(true);
      expect(offers("exclude", ctx)).toBe(true);
      expect(helpNote(ctx)).toBe("r, f and d act on the checked reviews when any are checked.");
    }
  });
});
