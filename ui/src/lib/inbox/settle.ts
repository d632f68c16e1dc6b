/**
 * Follows a value that may change many times a second (the selection while `j` is held), applying
 * it at once when it changes after a pause, and otherwise only once it has stopped changing for
 * `quietMs`. The detail pane uses it: a single key press shows the review at once, a held key
 * moves only the row highlight, and the pane (its render, its images, its detail load) catches
 * up once the key is released.
 *
 * Pure timing, no DOM: the clock and the timers are the global ones (tests fake them).
 */
export class Settle<T> {
  /** When `push` was last called (ms, `Date.now()`), or -Infinity. */
  #last = Number.NEGATIVE_INFINITY;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #pending: { value: T } | null = null;

  /**
   * @param quietMs how long the value must rest before it is applied, and how long a pause makes
   *   the next change apply at once.
   * @param apply receives each value that is applied (the latest one; the ones in between never).
   */
  constructor(
    readonly quietMs: number,
    readonly apply: (value: T) => void,
  ) {}

  /** A new value: applied now after a pause, else once changes stop for `quietMs`. */
  push(value: T): void {
    const now = Date.now();
    const rested = now - this.#last >= this.quietMs;
    this.#last = now;
    clearTimeout(this.#timer);
    if (rested) {
      this.#pending = null;
      this.apply(value);
      return;
    }
    this.#pending = { value };
    this.#timer = setTimeout(() => this.flush(), this.quietMs);
  }

  /**
   * The next change is part of a burst whatever the time since the last one (a key's repeat
   * event, `KeyboardEvent.repeat`, which comes after the keyboard's ~0.5 s repeat delay).
   */
  hold(): void {
    this.#last = Date.now();
  }

  /** Applies a value still waiting, now. */
  flush(): void {
    clearTimeout(this.#timer);
    const pending = this.#pending;
    this.#pending = null;
    if (pending) this.apply(pending.value);
  }

  /** A value is waiting to be applied. */
  get waiting(): boolean {
    return this.#pending !== null;
  }

  /** Forgets a value still waiting (the component is going away). */
  cancel(): void {
    clearTimeout(this.#timer);
    this.#pending = null;
  }
}
