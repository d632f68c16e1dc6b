/**
 * The real back end: Tauri commands in `src-tauri/src/commands/`.
 *
 * This file and `index.ts` are the only places in the UI that import
 * `@tauri-apps/*`.
 */
import { invoke, type InvokeArgs } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { COMMANDS, EVENTS, type Backend, type Unsubscribe } from "./backend";
import { toIpcError } from "./errors";
import type { LoginStatus, Notice, RatingSummary, ShopEntry, ShopRef, ShopSession, SignOutReport, TokenInput } from "./types";
import type {
  ActionOutcome,
  ExclusionPage,
  ExclusionTarget,
  ExportResult,
  NewReviews,
  ProductSummary,
  QueuedAction,
  SourceSummary,
  ReviewDetail,
  ReviewPage,
  ReviewQuery,
  SyncStatus,
  TriageState,
} from "./types";

/** Only the key that is given (`{ email }` or `{ customer_id }`), trimmed, so Rust's untagged enum matches. */
function exclusionTarget(target: ExclusionTarget): ExclusionTarget {
  return target.email !== undefined ? { email: target.email.trim() } : { customer_id: (target.customer_id ?? "").trim() };
}

/** Invokes a command; a rejection always becomes a typed `IpcError`. */
export async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw toIpcError(reason);
  }
}

/** Subscribes to a Rust event; a failure to subscribe becomes a typed `IpcError` too. */
async function on<T>(event: string, handler: (payload: T) => void): Promise<Unsubscribe> {
  try {
    return await listen<T>(event, (e) => handler(e.payload));
  } catch (reason) {
    throw toIpcError(reason);
  }
}

export function createTauriBackend(): Backend {
  return {
    currentSession: () => call<ShopSession | null>(COMMANDS.currentSession),
    getRating: () => call<RatingSummary>(COMMANDS.getRating),

    startSignIn: (shopDomain?: string) =>
      call<LoginStatus>(COMMANDS.startSignIn, shopDomain === undefined ? undefined : { shopDomain }),
    authStatus: () => call<LoginStatus>(COMMANDS.authStatus),
    cancelSignIn: () => call<void>(COMMANDS.cancelSignIn),
    reopenBrowser: () => call<void>(COMMANDS.reopenBrowser),
    connectWithTokens: (input: TokenInput) =>
      call<ShopSession>(COMMANDS.connectWithTokens, {
        input: {
          public_token: input.public_token,
          private_token: input.private_token,
          ...(input.shop_domain === undefined ? {} : { shop_domain: input.shop_domain }),
        },
      }),

    listShops: () => call<ShopEntry[]>(COMMANDS.listShops),
    // Both keys, so the command can name its parameter `shop_id` or `domain`; Tauri ignores the other.
    switchShop: (shop: ShopRef) =>
      call<ShopSession>(COMMANDS.switchShop, { shopId: shop.shop_id, domain: shop.domain }),
    signOut: (shop: ShopRef) => call<SignOutReport>(COMMANDS.signOut, { shopId: shop.shop_id, domain: shop.domain }),

    onSessionChanged: (handler: (session: ShopSession | null) => void) =>
      on<ShopSession | null>(EVENTS.sessionChanged, handler),
    onLoginStatus: (handler: (status: LoginStatus) => void) => on<LoginStatus>(EVENTS.loginStatus, handler),
    onNotice: (handler: (notice: Notice) => void) => on<Notice>(EVENTS.notice, handler),
    takePendingNotices: () => call<Notice[]>(COMMANDS.takePendingNotices),

    queryReviews: (query: ReviewQuery) => call<ReviewPage>(COMMANDS.queryReviews, { query }),
    getReviewDetail: (id: string) => call<ReviewDetail>(COMMANDS.getReviewDetail, { id }),
    setTriage: (ids: string[], state: TriageState) => call<void>(COMMANDS.setTriage, { ids, state }),
    deleteReviews: (ids: string[]) => call<ActionOutcome[]>(COMMANDS.deleteReviews, { ids }),
    excludeAuthor: (reviewId: string) => call<ActionOutcome>(COMMANDS.excludeAuthor, { reviewId }),
    listExclusions: (page: number) => call<ExclusionPage>(COMMANDS.listExclusions, { page }),
    addExclusion: (target: ExclusionTarget) =>
      call<ActionOutcome>(COMMANDS.addExclusion, { target: exclusionTarget(target) }),
    removeExclusion: (target: ExclusionTarget) =>
      call<ActionOutcome>(COMMANDS.removeExclusion, { target: exclusionTarget(target) }),
    unsubscribeEmail: (email: string, emailType: string) =>
      call<ActionOutcome>(COMMANDS.unsubscribeEmail, { email, emailType }),
    syncNow: () => call<void>(COMMANDS.syncNow),
    syncStatus: () => call<SyncStatus>(COMMANDS.syncStatus),
    pendingActions: () => call<QueuedAction[]>(COMMANDS.pendingActions),
    exportCsv: (query: ReviewQuery) => call<ExportResult>(COMMANDS.exportCsv, { query }),
    localRating: (productId: string | null) => call<RatingSummary>(COMMANDS.localRating, { productId }),
    listProducts: () => call<ProductSummary[]>(COMMANDS.listProducts),
    listSources: () => call<SourceSummary[]>(COMMANDS.listSources),
    onSyncProgress: (handler: (status: SyncStatus) => void) => on<SyncStatus>(EVENTS.syncProgress, handler),
    onQueueChanged: (handler: (actions: QueuedAction[]) => void) => on<QueuedAction[]>(EVENTS.queueChanged, handler),
    onNewReviews: (handler: (news: NewReviews) => void) => on<NewReviews>(EVENTS.newReviews, handler),
  };
}
