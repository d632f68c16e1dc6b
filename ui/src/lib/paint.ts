/**
 * Work the first screen does not need (the product and source lists of the filters, the offer
 * of last time's drafts) waits here, so it neither competes with the first rows for the store nor
 * lengthens the frames right after them.
 */

/**
 * Resolves once the frame being prepared has been painted and the browser has a moment to spare
 * (`requestIdleCallback` where the engine has it, else the next task). A window that paints
 * nothing (hidden, minimised: no animation frames) still gets there after `timeoutMs`.
 */
export function afterPaint(timeoutMs = 500): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(fallback);
      resolve();
    };
    const idle = () => {
      if (typeof requestIdleCallback === "function") requestIdleCallback(finish, { timeout: timeoutMs });
      else setTimeout(finish, 0);
    };
    const fallback = setTimeout(finish, timeoutMs);
    // An animation frame runs just before its paint; a task queued from it runs after.
    if (typeof requestAnimationFrame === "function") requestAnimationFrame(() => setTimeout(idle, 0));
    else setTimeout(idle, 0);
  });
}

/**
 * The wall-clock time (`Date.now()`) just after the frame being prepared is painted: a task
 * queued from an animation frame runs after that frame's paint. The launch figure of `cargo xtask
 * bench app` compares it with the time the process was spawned. No fallback timer: a window that
 * paints nothing (or not yet: frames held up) has painted nothing, and a time taken then would
 * say it had (seen: a 500 ms fallback reported rows while frames were held up for 1.5 s).
 */
export function paintedAt(): Promise<number> {
  return new Promise((resolve) => {
    if (typeof requestAnimationFrame !== "function") return;
    requestAnimationFrame(() => setTimeout(() => resolve(Date.now()), 0));
  });
}

/**
 * Marks a step of the launch once (the first time it is reached), on the page's clock: where the
 * time to the first rows goes is logged with them (`firstRowsPainted`). Names: `script` (the
 * bundle runs), `session` (the account is known), `first-query` / `first-answer` (the list's
 * first page asked and answered).
 */
export function markLaunch(name: string): void {
  if (typeof performance === "undefined" || typeof performance.mark !== "function") return;
  if (performance.getEntriesByName(name, "mark").length === 0) performance.mark(name);
}

/** The launch marks so far, in ms since the page started, with the page's start (unix ms). */
export function launchMarks(): Record<string, number> {
  if (typeof performance === "undefined" || typeof performance.getEntriesByType !== "function") return {};
  const marks: Record<string, number> = { "page-start": Math.round(performance.timeOrigin) };
  for (const mark of performance.getEntriesByType("mark")) marks[mark.name] = Math.round(mark.startTime);
  return marks;
}
