import { describe, expect, it } from "vitest";
import { MAX_SCROLL_PX, VirtualScroll } from "./scroll";

describe("VirtualScroll (1,000,000 rows on a bounded scroll area)", () => {
  const ROWS = 1_000_000;
  const H = 88;

  it("stays below the engine's height limit and draws only what is on screen", () => {
    const s = new VirtualScroll();
    s.configure(ROWS, H, 800);
    expect(s.height).toBeLessThanOrEqual(MAX_SCROLL_PX);
    expect(s.scaled).toBe(true);
    const range = s.range(6);
    expect(range.start).toBe(0);
    expect(range.end - range.start).toBeLessThanOrEqual(Math.ceil(800 / H) + 6 + 1);
  });

  it("scrolls 1:1 for small steps (wheel, keys) even across a page boundary", () => {
    const s = new VirtualScroll();
    s.configure(ROWS, H, 800);
    let top = 0;
    let virtual = 0;
    for (let i = 0; i < 2000; i++) {
      top += 40;
      virtual += 40;
      const fix = s.onScroll(top);
      if (fix !== null) top = fix;
      expect(s.virtualTop).toBe(virtual);
    }
  });

  it("reaches the very last row by dragging the scrollbar to the bottom", () => {
    const s = new VirtualScroll();
    s.configure(ROWS, H, 800);
    s.onScroll(s.height - 800);
    const range = s.range(0);
    expect(range.end).toBe(ROWS);
    expect(s.rowTop(ROWS - 1) + H).toBeLessThanOrEqual(s.height + 1);
    expect(s.rowTop(ROWS - 1)).toBeGreaterThanOrEqual(0);
  });

  it("reveals any row (j/k) and puts it inside the viewport", () => {
    const s = new VirtualScroll();
    s.configure(ROWS, H, 800);
    for (const index of [10, 543_210, 999_999, 3]) {
      s.reveal(index);
      const top = s.rowTop(index) - s.scrollTop;
      expect(top).toBeGreaterThanOrEqual(0);
      expect(top + H).toBeLessThanOrEqual(800);
    }
  });

  it("keeps the same rows in view when the list shrinks a little", () => {
    const s = new VirtualScroll();
    s.configure(ROWS, H, 800);
    s.reveal(500_000);
    const before = s.virtualTop;
    s.configure(ROWS - 3, H, 800);
    expect(s.virtualTop).toBe(before);
  });

  it("is plain 1:1 scrolling for a short list", () => {
    const s = new VirtualScroll();
    s.configure(200, H, 800);
    expect(s.scaled).toBe(false);
    expect(s.height).toBe(200 * H);
    expect(s.onScroll(1234)).toBeNull();
    expect(s.virtualTop).toBe(1234);
  });

  it("moves the viewport by a page with the selection (PageDown / PageUp), the row keeping its place", () => {
    const s = new VirtualScroll();
    s.configure(ROWS, H, 800);
    expect(s.visibleRows()).toBe(9);
    s.reveal(20);
    const place = s.rowTop(20) - s.scrollTop;
    let at = 20;
    for (let i = 0; i < 300; i++) {
      const fix = s.follow(at, at + s.visibleRows());
      if (fix !== null) s.onScroll(fix);
      at += s.visibleRows();
      expect(s.rowTop(at) - s.scrollTop).toBe(place);
    }
    s.follow(at, at - 9);
    expect(s.rowTop(at - 9) - s.scrollTop).toBe(place);
    // At the ends, the row is still shown entirely.
    s.follow(at - 9, 0);
    expect(s.virtualTop).toBe(0);
    s.follow(0, ROWS - 1);
    const top = s.rowTop(ROWS - 1) - s.scrollTop;
    expect(top).toBeGreaterThanOrEqual(0);
    expect(top + H).toBeLessThanOrEqual(800);
  });
});
