/**
 * The All accounts view's pieces outside the page: which account a row is, the reviews area
 * that lists every account's reviews (`query_all_reviews`) in place of one account's, and
 * triage grouped by the rows' own accounts.
 */
import type { AccountCount, AccountKey, Capabilities, ReviewRow, ReviewsArea } from "../ipc";

/** An account as the All accounts view shows it: a provider badge, a name, what it allows. */
export interface AccountLabel {
  account: AccountKey;
  /** The shop's or business unit's name. */
  name: string;
  /** What the account's provider allows (a row's actions follow its account's). */
  capabilities: Capabilities;
}

/** The badge of a provider: "Trustoo" or "Trustpilot". */
export function providerName(account: AccountKey): string {
  return account.provider === "trustpilot" ? "Trustpilot" : "Trustoo";
}

export function sameAccount(a: AccountKey, b: AccountKey): boolean {
  return a.provider === b.provider && a.id === b.id;
}

/**
 * `reviews` whose `queryReviews` lists the accounts `accounts()` names (`null`: every known
 * one) together; each first page's per-account counts go to `oncounts`. Everything else is
 * `reviews`' own (a Proxy, so the fixture's private fields still work).
 */
export function acrossAccounts(
  reviews: ReviewsArea,
  accounts: () => AccountKey[] | null,
  oncounts: (counts: AccountCount[]) => void,
): ReviewsArea {
  return new Proxy(reviews, {
    get(target, prop) {
      if (prop === "queryReviews") {
        return async (query: Parameters<ReviewsArea["queryReviews"]>[0]) => {
          // Plain copies: the page's state is a proxy, which a structured clone refuses.
          const asked = accounts()?.map((a) => ({ provider: a.provider, id: a.id })) ?? null;
          const answer = await target.queryAllReviews(query, asked);
          if (answer.accounts.length > 0) oncounts(answer.accounts);
          return answer.page;
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** The ids of `rows` grouped by account, in first-seen order (missing rows are left out). */
export function byAccount(rows: (ReviewRow | undefined)[]): [AccountKey, string[]][] {
  const groups: [AccountKey, string[]][] = [];
  for (const row of rows) {
    if (!row) continue;
    const group = groups.find(([a]) => sameAccount(a, row.account));
    if (group) group[1].push(row.review.id);
    else groups.push([row.account, [row.review.id]]);
  }
  return groups;
}
