import { afterEach, describe, expect, it, vi } from "vitest";
import { afterPaint, paintedAt } from "./paint";

describe("afterPaint (work the first screen does not need)", () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it("waits for the next frame, then for a task after it", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const frames: FrameRequestCallback[] = [];
    vi.stubGlobal("requestAnimationFrame", (cb: FrameRequestCallback) => frames.push(cb));
    vi.stubGlobal("requestIdleCallback", undefined);
    let done = false;
    void afterPaint().then(() => (done = true));
    await vi.advanceTimersByTimeAsync(10);
    expect(done).toBe(false);
    expect(frames).toHaveLength(1);
    frames[0]?.(0);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
  });

  it("uses the idle callback where the engine has one", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const idle: IdleRequestCallback[] = [];
    vi.stubGlobal("requestAnimationFrame", (cb: FrameRequestCallback) => setTimeout(() => cb(0), 16));
    vi.stubGlobal("requestIdleCallback", (cb: IdleRequestCallback) => idle.push(cb));
    let done = false;
    void afterPaint().then(() => (done = true));
    await vi.advanceTimersByTimeAsync(20);
    expect(idle).toHaveLength(1);
    expect(done).toBe(false);
    idle[0]?.({ didTimeout: false, timeRemaining: () => 10 });
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(true);
  });

  it("still gets there in a window that paints nothing (hidden: no frames)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    vi.stubGlobal("requestAnimationFrame", () => 0);
    let done = false;
    void afterPaint(300).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(299);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
  });
});

describe("paintedAt (the launch figure's first paint)", () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  /** Fake clock at 1,000 ms, frames held until the test paints one, and `paintedAt` asked. */
  function askWithFramesHeld() {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"], now: 1_000 });
    const frames: FrameRequestCallback[] = [];
    vi.stubGlobal("requestAnimationFrame", (cb: FrameRequestCallback) => frames.push(cb));
    const answer = { at: null as number | null };
    void paintedAt().then((t) => (answer.at = t));
    return { frames, answer };
  }

  it("answers the wall-clock time of the task after the next frame, not before it", async () => {
    const { frames, answer } = askWithFramesHeld();
    await vi.advanceTimersByTimeAsync(40);
    expect(answer.at).toBeNull();
    frames[0]?.(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(answer.at).toBe(1_040);
  });

  it("answers nothing while no frame is painted, however long that takes", async () => {
    const { frames, answer } = askWithFramesHeld();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(answer.at).toBeNull();
    frames[0]?.(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(answer.at).toBe(6_000);
  });
});
