import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Settle } from "./settle";

describe("Settle (the detail pane following a held key)", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("applies a change after a pause at once", () => {
    const applied: number[] = [];
    const settle = new Settle<number>(120, (v) => applied.push(v));
    settle.push(1);
    expect(applied).toEqual([1]);
    vi.advanceTimersByTime(500);
    settle.push(2);
    expect(applied).toEqual([1, 2]);
  });

  it("while changes repeat faster than the quiet time, applies only the last one, once they stop", () => {
    const applied: number[] = [];
    const settle = new Settle<number>(120, (v) => applied.push(v));
    settle.push(0);
    // A held key: the first repeat after the keyboard's delay, then one every 33 ms.
    vi.advanceTimersByTime(500);
    settle.push(1);
    for (let v = 2; v <= 40; v++) {
      vi.advanceTimersByTime(33);
      settle.push(v);
      expect(settle.waiting).toBe(true);
    }
    expect(applied).toEqual([0, 1]);
    vi.advanceTimersByTime(119);
    expect(applied).toEqual([0, 1]);
    vi.advanceTimersByTime(1);
    expect(applied).toEqual([0, 1, 40]);
    expect(settle.waiting).toBe(false);
  });

  it("treats a change announced as part of a burst (a key's repeat) as one, even after a pause", () => {
    const applied: number[] = [];
    const settle = new Settle<number>(120, (v) => applied.push(v));
    settle.push(0);
    vi.advanceTimersByTime(500);
    settle.hold();
    settle.push(1);
    expect(applied).toEqual([0]);
    vi.advanceTimersByTime(120);
    expect(applied).toEqual([0, 1]);
  });

  it("can apply what waits now, or forget it", () => {
    const applied: string[] = [];
    const settle = new Settle<string>(100, (v) => applied.push(v));
    settle.push("a");
    settle.push("b");
    settle.flush();
    expect(applied).toEqual(["a", "b"]);
    settle.push("c");
    settle.cancel();
    vi.advanceTimersByTime(1000);
    expect(applied).toEqual(["a", "b"]);
  });
});
