import { describe, expect, it } from "vitest";
import { COUNT_LIMIT, dateRange, dayStart, emptyFilters, hasFilters, pageQuery, toFilter } from "./query";

const NOW = 1_763_985_600; // 2025-11-24 12:00 UTC

describe("inbox query building", () => {
  it("sends the Trustpilot filters only when they narrow, false included", () => {
    const f = { ...emptyFilters(), language: "da", replied: false, reported: true };
    expect(toFilter(f, "active", NOW)).toMatchObject({ language: "da", replied: false, reported: true });
    expect(hasFilters(f)).toBe(true);
    expect(hasFilters({ ...emptyFilters(), replied: false })).toBe(true);
    const none = toFilter(emptyFilters(), "active", NOW);
    expect("language" in none || "replied" in none || "reported" in none).toBe(false);
  });

  it("turns empty filters into a filter that narrows nothing", () => {
    expect(toFilter(emptyFilters(), "active", NOW)).toEqual({
      ratings: [],
      product_id: null,
      source: null,
      has_image: null,
      has_video: null,
      verified: null,
      commented_from: null,
      commented_to: null,
      triage: null,
      view: "active",
      keyword: null,
    });
    expect(hasFilters(emptyFilters())).toBe(false);
  });

  it("sorts the stars, trims the search words and keeps every other filter", () => {
    const f = {
      ...emptyFilters(),
      keyword: "  broken zipper ",
      ratings: [3, 1],
      productId: "8012345001",
      source: "Email",
      hasImage: true,
      hasVideo: false,
      verified: true,
      triage: "flagged" as const,
    };
    const filter = toFilter(f, "deleted", NOW);
    expect(filter.ratings).toEqual([1, 3]);
    expect(filter.keyword).toBe("broken zipper");
    expect(filter).toMatchObject({
      product_id: "8012345001",
      source: "Email",
      has_image: true,
      has_video: false,
      verified: true,
      triage: "flagged",
      view: "deleted",
    });
    expect(hasFilters(f)).toBe(true);
  });

  it("treats a search of blanks as no search", () => {
    const f = { ...emptyFilters(), keyword: "   " };
    expect(toFilter(f, "active", NOW).keyword).toBeNull();
    expect(hasFilters(f)).toBe(false);
  });

  it("counts preset date ranges back from now, open-ended", () => {
    expect(dateRange({ ...emptyFilters(), date: "7d" }, NOW)).toEqual({ from: NOW - 7 * 86_400, to: null });
    expect(dateRange({ ...emptyFilters(), date: "365d" }, NOW)).toEqual({ from: NOW - 365 * 86_400, to: null });
    expect(dateRange(emptyFilters(), NOW)).toEqual({ from: null, to: null });
  });

  it("makes a custom range inclusive of its last day, and ignores a half-typed date", () => {
    const f = { ...emptyFilters(), date: "custom" as const, from: "2025-11-01", to: "2025-11-03" };
    const { from, to } = dateRange(f, NOW);
    expect(from).toBe(dayStart("2025-11-01"));
    expect(to).toBe((dayStart("2025-11-03") ?? 0) + 86_400);
    expect(dateRange({ ...f, from: "2025-11" }, NOW).from).toBeNull();
    expect(dayStart("not a date")).toBeNull();
  });

  it("pages by cursor when it has one, else by offset", () => {
    const filter = toFilter(emptyFilters(), "active", NOW);
    expect(pageQuery(filter, "newest", 300, null, COUNT_LIMIT)).toMatchObject({
      offset: 300,
      after: null,
      limit: 100,
      count_limit: COUNT_LIMIT,
    });
    const cursor = { rating: 4, key: 12 };
    expect(pageQuery(filter, "oldest", 300, cursor)).toMatchObject({ offset: 0, after: cursor, count_limit: 0, sort: "oldest" });
    expect(pageQuery(filter, "newest", 0, null, null, 1)).toMatchObject({ limit: 1, count_limit: null });
  });
});
