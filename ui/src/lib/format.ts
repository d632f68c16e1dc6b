/** Number formatting for the UI. Fixed to en-US so output never depends on the machine's locale. */

const LOCALE = "en-US";

/** An average rating with exactly one decimal, clamped to 0–5: 4.34 → "4.3", 5 → "5.0". */
export function formatAverage(average: number): string {
  if (!Number.isFinite(average)) return "0.0";
  const clamped = Math.min(5, Math.max(0, average));
  // Round on the decimal value, not the binary one (4.35 → 4.4, unlike toFixed).
  return (Math.round(clamped * 10 + Number.EPSILON) / 10).toFixed(1);
}

/** 1234 → "1,234". */
export function formatCount(count: number): string {
  return Math.max(0, Math.trunc(Number.isFinite(count) ? count : 0)).toLocaleString(LOCALE);
}

/** 1 → "1 review", 1234 → "1,234 reviews". */
export function formatReviewCount(count: number): string {
  return `${formatCount(count)} ${count === 1 ? "review" : "reviews"}`;
}

/**
 * Whole-number percentages of `counts` that add up to exactly 100 (largest
 * remainder method), or all zeros when the total is 0.
 */
export function percentages(counts: readonly number[]): number[] {
  const safe = counts.map((c) => (Number.isFinite(c) && c > 0 ? c : 0));
  const total = safe.reduce((sum, c) => sum + c, 0);
  if (total === 0) return safe.map(() => 0);
  const exact = safe.map((c) => (c * 100) / total);
  const result = exact.map(Math.floor);
  let missing = 100 - result.reduce((sum, p) => sum + p, 0);
  const byRemainder = exact
    .map((value, index) => ({ index, remainder: value - Math.floor(value) }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (const { index } of byRemainder) {
    if (missing <= 0) break;
    result[index] = (result[index] ?? 0) + 1;
    missing -= 1;
  }
  return result;
}

/** 65 → "65%". */
export function formatPercent(percent: number): string {
  return `${Math.round(percent)}%`;
}

/** How much of each of the five stars is filled for `average`: 4.3 → [1, 1, 1, 1, 0.3]. */
export function starFills(average: number): number[] {
  const value = Number.isFinite(average) ? Math.min(5, Math.max(0, average)) : 0;
  return [0, 1, 2, 3, 4].map((i) => Math.round(Math.min(1, Math.max(0, value - i)) * 100) / 100);
}

/** Label of the retry button: "Retry", or "Retry in 30 s" while the back end asks us to wait. */
export function retryLabel(secondsLeft: number | null): string {
  return secondsLeft !== null && secondsLeft > 0 ? `Retry in ${Math.ceil(secondsLeft)} s` : "Retry";
}
