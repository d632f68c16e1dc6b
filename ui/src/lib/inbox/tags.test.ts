import { describe, expect, it } from "vitest";
import type { TagSummary } from "../ipc";
import { GENERIC_GROUP, suggestTags, tagFor, tagProblem } from "./tags";

const known: TagSummary[] = [
  { tag: { group: "generic", value: "Delivery" }, count: 12 },
  { tag: { group: "generic", value: "Late parcel" }, count: 3 },
  { tag: { group: "ProductGroup", value: "Outerwear" }, count: 7 },
  { tag: { group: "Channel", value: "Delivery" }, count: 1 },
];

describe("tags", () => {
  it("refuses an empty or over-long tag, as Rust does", () => {
    expect(tagProblem("   ")).toBe("Type the tag first.");
    expect(tagProblem("x".repeat(101))).toMatch(/at most 100/);
    expect(tagProblem("x".repeat(100))).toBeNull();
    expect(tagProblem("ok", "g".repeat(101))).toMatch(/at most 100/);
  });

  it("joins an existing tag whatever its case, else makes a generic one", () => {
    expect(tagFor(" late PARCEL ", "", known)).toEqual({ group: "generic", value: "Late parcel" });
    expect(tagFor("outerwear", "", known)).toEqual({ group: "ProductGroup", value: "Outerwear" });
    expect(tagFor("delivery", "Channel", known)).toEqual({ group: "Channel", value: "Delivery" });
    expect(tagFor("Refund asked", "", known)).toEqual({ group: GENERIC_GROUP, value: "Refund asked" });
    expect(tagFor("Refund asked", " Ops ", known)).toEqual({ group: "Ops", value: "Refund asked" });
  });

  it("suggests tags containing the text, most used first", () => {
    expect(suggestTags(known, "").map((k) => k.count)).toEqual([12, 7, 3, 1]);
    expect(suggestTags(known, "DEL").map((k) => `${k.tag.group}:${k.tag.value}`)).toEqual(["generic:Delivery", "Channel:Delivery"]);
    expect(suggestTags(known, "zzz")).toEqual([]);
    expect(suggestTags(known, "", 2)).toHaveLength(2);
  });
});
