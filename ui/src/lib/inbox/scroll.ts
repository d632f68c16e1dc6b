/**
 * Maps a huge list (1,000,000 rows × 88 px = 88,000,000 px) onto a scroll area browsers can
 * draw (they cap element heights somewhere between ~17 M and ~33 M px).
 *
 * The technique is SlickGrid's: the scroll area is at most `maxPx` tall and split into 100
 * "pages"; inside a page, scrolling is 1:1 (wheel, keys and trackpads stay smooth), and crossing
 * a page boundary shifts every row by a fixed jump, so dragging the scrollbar from top to bottom
 * still reaches the last row. Below `maxPx` it is plain 1:1 scrolling.
 *
 * Pure and DOM-free: the list component feeds it `scrollTop` and applies what it answers.
 */

/** Tallest scroll area we create (safely below every engine's limit, WebKitGTK included). */
export const MAX_SCROLL_PX = 6_000_000;

export interface VisibleRange {
  /** First row index to render (inclusive). */
  start: number;
  /** One past the last row index to render. */
  end: number;
}

export class VirtualScroll {
  rowHeight = 88;
  count = 0;
  viewport = 600;
  /** Height of all rows. */
  #th = 0;
  /** Height of the scroll area (≤ maxPx). */
  #h = 0;
  #ph = 1;
  #n = 1;
  #cj = 0;
  #page = 0;
  /** Pixels of virtual space above the scroll area's top (rows are drawn at `index*rowHeight - offset`). */
  offset = 0;
  /** The element's scrollTop as last seen or set. */
  scrollTop = 0;

  constructor(readonly maxPx = MAX_SCROLL_PX) {}

  /** Height to give the scroll area's content. */
  get height(): number {
    return this.#h;
  }

  /** True when the list is taller than the scroll area (pages and jumps in use). */
  get scaled(): boolean {
    return this.#n > 1;
  }

  /** Top of the viewport in list coordinates. */
  get virtualTop(): number {
    return this.scrollTop + this.offset;
  }

  /**
   * New sizes; keeps the viewport on the same rows. Returns the element's scrollTop to set
   * (or null when it stays as is).
   */
  configure(count: number, rowHeight: number, viewport: number): number | null {
    const y = this.virtualTop;
    this.count = Math.max(0, Math.floor(count));
    this.rowHeight = rowHeight;
    this.viewport = Math.max(1, viewport);
    this.#th = this.count * rowHeight;
    this.#h = Math.min(this.#th, this.maxPx);
    this.#ph = this.maxPx / 100;
    this.#n = this.#th > this.#h ? Math.ceil(this.#th / this.#ph) : 1;
    this.#cj = this.#n > 1 ? (this.#th - this.#h) / (this.#n - 1) : 0;
    return this.scrollTo(y);
  }

  /**
   * The element scrolled to `scrollTop`. Returns a corrected scrollTop to apply when a page
   * boundary was crossed during a small scroll, else null.
   */
  onScroll(scrollTop: number): number | null {
    const distance = Math.abs(scrollTop - this.scrollTop);
    if (distance === 0) return null;
    if (distance < this.viewport || !this.scaled) {
      // A small step (wheel, keys): continue 1:1 from where we were.
      const y = scrollTop + this.offset;
      this.scrollTop = scrollTop;
      return this.scrollTo(y);
    }
    // A jump (scrollbar drag, Home/End): map the scrollbar position proportionally.
    const room = this.#h - this.viewport;
    const fraction = room > 0 ? Math.min(1, Math.max(0, scrollTop / room)) : 0;
    this.#page = Math.min(this.#n - 1, Math.floor((fraction * (this.#th - this.viewport)) / this.#ph));
    this.offset = Math.round(this.#page * this.#cj);
    this.scrollTop = scrollTop;
    return null;
  }

  /** Moves the viewport's top to list coordinate `y`; returns the element scrollTop to set, or null if unchanged. */
  scrollTo(y: number): number | null {
    const max = Math.max(0, this.#th - this.viewport);
    const target = Math.min(Math.max(0, y), max);
    this.#page = this.scaled ? Math.min(this.#n - 1, Math.floor(target / this.#ph)) : 0;
    this.offset = Math.round(this.#page * this.#cj);
    const next = Math.max(0, Math.min(target - this.offset, Math.max(0, this.#h - this.viewport)));
    if (next === this.scrollTop) return null;
    this.scrollTop = next;
    return next;
  }

  /** Scrolls just enough to show row `index` entirely; returns the scrollTop to set, or null. */
  reveal(index: number): number | null {
    const top = index * this.rowHeight;
    const bottom = top + this.rowHeight;
    const y = this.virtualTop;
    if (top < y) return this.scrollTo(top);
    if (bottom > y + this.viewport) return this.scrollTo(bottom - this.viewport);
    return null;
  }

  /**
   * The selection moved from row `from` to row `to` by a page (PageDown / PageUp): the viewport
   * moves by as many rows, so the selected row keeps its place on screen (as far as the ends
   * allow), then shows `to` entirely. Returns the scrollTop to set, or null.
   */
  follow(from: number, to: number): number | null {
    const moved = this.scrollTo(this.virtualTop + (to - from) * this.rowHeight);
    const revealed = this.reveal(to);
    return revealed ?? moved;
  }

  /** How many whole rows fit in the viewport (at least 1). */
  visibleRows(): number {
    return Math.max(1, Math.floor(this.viewport / this.rowHeight));
  }

  /** Where row `index` goes inside the scroll area's content. */
  rowTop(index: number): number {
    return index * this.rowHeight - this.offset;
  }

  /** Rows intersecting the viewport, widened by `overscan` rows on each side. */
  range(overscan = 6): VisibleRange {
    if (this.count === 0) return { start: 0, end: 0 };
    const y = this.virtualTop;
    const first = Math.floor(y / this.rowHeight);
    const last = Math.ceil((y + this.viewport) / this.rowHeight);
    return { start: Math.max(0, first - overscan), end: Math.min(this.count, last + overscan) };
  }
}
