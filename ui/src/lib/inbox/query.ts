/** What the inbox's toolbar holds, and the `ReviewQuery` it turns into. Pure functions. */
import type { ReviewCursor, ReviewFilter, ReviewQuery, ReviewSort, ReviewTag, ReviewView, TriageState } from "../ipc";

/** Rows per `query_reviews` call. */
export const PAGE_SIZE = 100;
/**
 * The first page counts matches only up to here so it answers at once on a huge shop; the exact
 * total follows in a second, count-only request.
 */
export const COUNT_LIMIT = 1000;

export type DatePreset = "any" | "7d" | "30d" | "90d" | "365d" | "custom";

export interface InboxFilters {
  keyword: string;
  ratings: number[];
  productId: string | null;
  source: string | null;
  hasImage: boolean | null;
  hasVideo: boolean | null;
  verified: boolean | null;
  triage: TriageState | null;
  /** Trustpilot's review language (`en`, `da`, …), or null for any. */
  language: string | null;
  /** `true`: answered in public; `false`: awaiting a reply; null: either. */
  replied: boolean | null;
  /** `true`: reported to the provider; `false`: not reported; null: either. */
  reported: boolean | null;
  /** Only reviews carrying this tag (Trustpilot's `{group, value}`), or null for any. */
  tag: ReviewTag | null;
  date: DatePreset;
  /** `YYYY-MM-DD` (inclusive) for a custom range. */
  from: string;
  /** `YYYY-MM-DD` (inclusive) for a custom range. */
  to: string;
}

export function emptyFilters(): InboxFilters {
  return {
    keyword: "",
    ratings: [],
    productId: null,
    source: null,
    hasImage: null,
    hasVideo: null,
    verified: null,
    triage: null,
    language: null,
    replied: null,
    reported: null,
    tag: null,
    date: "any",
    from: "",
    to: "",
  };
}

/**
 * True when anything narrows the list (the search box included) beyond `base` (a view's own
 * filters, such as Awaiting reply's `replied: false`).
 */
export function hasFilters(f: InboxFilters, base: Partial<InboxFilters> = {}): boolean {
  const e = { ...emptyFilters(), ...base };
  return (
    f.keyword.trim() !== "" ||
    f.ratings.length > 0 ||
    f.productId !== e.productId ||
    f.source !== e.source ||
    f.hasImage !== e.hasImage ||
    f.hasVideo !== e.hasVideo ||
    f.verified !== e.verified ||
    f.triage !== e.triage ||
    f.language !== e.language ||
    f.replied !== e.replied ||
    f.reported !== e.reported ||
    f.tag !== e.tag ||
    f.date !== "any"
  );
}

const DAY = 86_400;

/** Unix seconds of local midnight of a `YYYY-MM-DD` string, or null. */
export function dayStart(value: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return null;
  const date = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isNaN(date.getTime()) ? null : Math.floor(date.getTime() / 1000);
}

/** `[from, to)` in unix seconds for the date filter, relative to `nowS`. */
export function dateRange(f: InboxFilters, nowS: number): { from: number | null; to: number | null } {
  const days: Record<string, number> = { "7d": 7, "30d": 30, "90d": 90, "365d": 365 };
  let from: number | null = null;
  let to: number | null = null;
  if (f.date === "custom") {
    from = dayStart(f.from);
    const end = dayStart(f.to);
    to = end === null ? null : end + DAY;
  } else if (days[f.date] !== undefined) {
    from = nowS - (days[f.date] ?? 0) * DAY;
  }
  return { from, to };
}

export function toFilter(f: InboxFilters, view: ReviewView, nowS: number): ReviewFilter {
  const { from, to } = dateRange(f, nowS);
  const keyword = f.keyword.trim();
  return {
    ratings: [...f.ratings].sort((a, b) => a - b),
    product_id: f.productId,
    source: f.source,
    has_image: f.hasImage,
    has_video: f.hasVideo,
    verified: f.verified,
    commented_from: from,
    commented_to: to,
    triage: f.triage,
    view,
    keyword: keyword === "" ? null : keyword,
    // Optional on the wire: sent only when they narrow, so a query key stays the same for
    // filters that never used them.
    ...(f.language !== null ? { language: f.language } : {}),
    ...(f.replied !== null ? { replied: f.replied } : {}),
    ...(f.reported !== null ? { reported: f.reported } : {}),
    ...(f.tag !== null ? { tag: { group: f.tag.group, value: f.tag.value } } : {}),
  };
}

/** The query for `limit` rows starting at row `offset` (or right after `after`). */
export function pageQuery(
  filter: ReviewFilter,
  sort: ReviewSort,
  offset: number,
  after: ReviewCursor | null,
  countLimit: number | null = 0,
  limit = PAGE_SIZE,
): ReviewQuery {
  return { filter, sort, limit, offset: after ? 0 : offset, after, count_limit: countLimit };
}

export const SORTS: { value: ReviewSort; label: string }[] = [
  { value: "newest", label: "Newest first" },
  { value: "oldest", label: "Oldest first" },
  { value: "rating_high", label: "Highest rating" },
  { value: "rating_low", label: "Lowest rating" },
];

/** The reply filter's choices (Trustpilot's `responded`), as the select's string values. */
export const REPLY_CHOICES: { value: "any" | "replied" | "awaiting"; label: string }[] = [
  { value: "any", label: "Replies" },
  { value: "awaiting", label: "Awaiting reply" },
  { value: "replied", label: "Replied" },
];

/** The reported filter's choices (Trustpilot's review `status` `reported`). */
export const REPORT_CHOICES: { value: "any" | "reported" | "not_reported"; label: string }[] = [
  { value: "any", label: "Reports" },
  { value: "reported", label: "Reported" },
  { value: "not_reported", label: "Not reported" },
];

export const DATE_PRESETS: { value: DatePreset; label: string }[] = [
  { value: "any", label: "Date" },
  { value: "7d", label: "Last 7 days" },
  { value: "30d", label: "Last 30 days" },
  { value: "90d", label: "Last 90 days" },
  { value: "365d", label: "Last 12 months" },
  { value: "custom", label: "Custom range…" },
];
