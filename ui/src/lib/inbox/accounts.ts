/**
 * The All accounts view's pieces outside the page: which account a row is, the reviews area
 * that lists every account's reviews (`query_all_reviews`) in place of one account's, and
 * triage grouped by the rows' own accounts.
 */
import type { AccountCount, AccountKey, Capabilities, ReviewRow, ReviewsArea, ShopEntry } from "../ipc";

/** An account as the All accounts view shows it: a provider badge, a name, what it allows. */
export interface AccountLabel {
  account: AccountKey;
  /** The shop's or business unit's name. */
  name: string;
  /** What a row of this account offers here (a row's actions follow its account's). */
  capabilities: Capabilities;
  /**
   * It is the account on screen. Actions sent to the provider (delete, exclude) act through
   * the account on screen, so another account's rows do not offer them; they say where to go.
   */
  onScreen: boolean;
  /** What its provider allows, for the hint of what switching to it would offer. */
  allows: Capabilities;
}

/**
 * The All accounts view's labels of the switcher's entries. Triage and reading work for every
 * row, and so do a Trustpilot review's answer, tags and Find Reviewer (each goes through its own
 * business unit's sign-in); delete and exclude, which Trustoo carries out with the shop's own
 * session, are offered only on the rows of the account on screen.
 */
export function accountLabels(entries: readonly ShopEntry[]): AccountLabel[] {
  return entries.map((e) => {
    const allows = e.session.capabilities;
    return {
      account: { provider: e.session.provider, id: e.session.domain },
      name: e.session.shop_name,
      capabilities: e.active
        ? allows
        : { ...allows, delete_reviews: false, exclusions: false, create_reviews: false },
      onScreen: e.active,
      allows,
    };
  });
}

/**
 * What a row of an account not on screen can have done in that account's own inbox ("delete
 * this review or exclude its author"), or null when its provider allows none of it.
 */
export function actionsElsewhere(allows: Capabilities): string | null {
  const verbs = [
    allows.delete_reviews ? "delete it" : null,
    allows.exclusions ? "exclude its author" : null,
  ].filter((v): v is string => v !== null);
  if (verbs.length === 0) return null;
  const [first, ...rest] = verbs;
  const last = rest.pop();
  const said = last ? `${[first, ...rest].join(", ")} or ${last}` : first;
  return said ? `To ${said.replace(/^delete it/, "delete this review")}` : null;
}

/** The filters a view of these accounts offers: each where at least one account has it. */
export function anyAllows(labels: readonly AccountLabel[], has: (c: Capabilities) => boolean): boolean {
  return labels.some((l) => has(l.allows));
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
