import { describe, expect, it } from "vitest";
import {
  formatAverage,
  formatCount,
  formatPercent,
  formatReviewCount,
  percentages,
  retryLabel,
  starFills,
} from "./format";

describe("formatAverage", () => {
  it("shows exactly one decimal", () => {
    expect(formatAverage(4.34)).toBe("4.3");
    expect(formatAverage(5)).toBe("5.0");
    expect(formatAverage(0)).toBe("0.0");
  });

  it("rounds half up on the decimal value", () => {
    expect(formatAverage(4.35)).toBe("4.4");
    expect(formatAverage(4.25)).toBe("4.3");
    expect(formatAverage(4.96)).toBe("5.0");
  });

  it("clamps to 0–5 and survives NaN", () => {
    expect(formatAverage(7)).toBe("5.0");
    expect(formatAverage(-1)).toBe("0.0");
    expect(formatAverage(Number.NaN)).toBe("0.0");
  });
});

describe("formatCount / formatReviewCount", () => {
  it("groups thousands the en-US way", () => {
    expect(formatCount(1234)).toBe("1,234");
    expect(formatCount(1_000_000)).toBe("1,000,000");
    expect(formatCount(0)).toBe("0");
  });

  it("says review or reviews", () => {
    expect(formatReviewCount(1)).toBe("1 review");
    expect(formatReviewCount(1234)).toBe("1,234 reviews");
    expect(formatReviewCount(0)).toBe("0 reviews");
  });
});

describe("percentages", () => {
  it("adds up to exactly 100", () => {
    const result = percentages([62, 38, 81, 247, 806]);
    expect(result).toEqual([5, 3, 7, 20, 65]);
    expect(result.reduce((a, b) => a + b, 0)).toBe(100);
  });

  it("gives the leftover points to the largest remainders", () => {
    expect(percentages([1, 1, 1])).toEqual([34, 33, 33]);
  });

  it("is all zeros when there is nothing to count", () => {
    expect(percentages([0, 0, 0, 0, 0])).toEqual([0, 0, 0, 0, 0]);
  });

  it("formats a percentage", () => {
    expect(formatPercent(65)).toBe("65%");
  });
});

describe("starFills", () => {
  it("fills whole stars and a partial one", () => {
    expect(starFills(4.3)).toEqual([1, 1, 1, 1, 0.3]);
    expect(starFills(2.5)).toEqual([1, 1, 0.5, 0, 0]);
    expect(starFills(0)).toEqual([0, 0, 0, 0, 0]);
    expect(starFills(9)).toEqual([1, 1, 1, 1, 1]);
  });
});

describe("retryLabel", () => {
  it("counts down while waiting, then says Retry", () => {
    expect(retryLabel(30)).toBe("Retry in 30 s");
    expect(retryLabel(0)).toBe("Retry");
    expect(retryLabel(null)).toBe("Retry");
  });
});
