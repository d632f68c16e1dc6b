import { describe, expect, it } from "vitest";
import { TRUSTOO_CAPABILITIES } from "../ipc/fixture";
import { commandFor, helpRows } from "./keymap";

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
    expect(commandFor("q")).toBeNull();
    expect(commandFor("J")).toBeNull();
  });

  it("has no key for an action the provider does not allow, and does not list it", () => {
    const capabilities = { ...TRUSTOO_CAPABILITIES, delete_reviews: false, exclusions: false };
    expect(commandFor("d", { capabilities })).toBeNull();
    expect(commandFor("e", { capabilities })).toBeNull();
    expect(commandFor("r", { capabilities })).toBe("reviewed");
    const listed = helpRows({ capabilities }).map(([keys]) => keys);
    expect(listed).not.toContain("d");
    expect(listed).not.toContain("e");
    expect(helpRows({ capabilities: TRUSTOO_CAPABILITIES }).map(([keys]) => keys)).toEqual([
      "j / ↓",
      "k / ↑",
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
});
