/** The reviews area over Tauri: the inbox's commands (`src-tauri/src/commands/`) and events. */
import { COMMANDS, EVENTS, type ReviewsArea } from "../backend";
import type {
  AccountKey,
  ActionOutcome,
  AllReviewsPage,
  ExclusionPage,
  ExclusionTarget,
  ExportResult,
  NewReviews,
  ProductSummary,
  QueuedAction,
  RatingSummary,
  SourceSummary,
  LanguageSummary,
  TagSummary,
  ReviewTag,
  ReplyWarning,
  ReplyTemplate,
  ReplyInsights,
  ReviewDetail,
  ReviewPage,
  ReviewQuery,
  SyncStatus,
  TriageState,
} from "../types";
import { call, on } from "./invoke";

/** Only the key that is given (`{ email }` or `{ customer_id }`), trimmed, so Rust's untagged enum matches. */
function exclusionTarget(target: ExclusionTarget): ExclusionTarget {
  return target.email !== undefined ? { email: target.email.trim() } : { customer_id: (target.customer_id ?? "").trim() };
}

export function createTauriReviews(): ReviewsArea {
  return {
    getRating: () => call<RatingSummary>(COMMANDS.getRating),
    queryReviews: (query: ReviewQuery) => call<ReviewPage>(COMMANDS.queryReviews, { query }),
    getReviewDetail: (id: string, account?: AccountKey) =>
      call<ReviewDetail>(COMMANDS.getReviewDetail, { id, account: account ?? null }),
    queryAllReviews: (query: ReviewQuery, accounts: AccountKey[] | null) =>
      call<AllReviewsPage>(COMMANDS.queryAllReviews, { query, accounts }),
    setTriage: (ids: string[], state: TriageState, account?: AccountKey) =>
      call<void>(COMMANDS.setTriage, { ids, state, account: account ?? null }),
    deleteReviews: (ids: string[]) => call<ActionOutcome[]>(COMMANDS.deleteReviews, { ids }),
    postReply: (id: string, message: string, account?: AccountKey, isPublic?: boolean | null) =>
      call<ActionOutcome>(COMMANDS.postReply, { id, message, account: account ?? null, public: isPublic ?? null }),
    setConversationPublic: (id: string, isPublic: boolean, account?: AccountKey) =>
      call<ActionOutcome>(COMMANDS.setConversationPublic, { id, public: isPublic, account: account ?? null }),
    deleteReply: (id: string, account?: AccountKey) => call<ActionOutcome>(COMMANDS.deleteReply, { id, account: account ?? null }),
    addTag: (ids: string[], tag: ReviewTag, account?: AccountKey) =>
      call<ActionOutcome[]>(COMMANDS.addTag, { ids, group: tag.group, value: tag.value, account: account ?? null }),
    removeTag: (id: string, tag: ReviewTag, account?: AccountKey) =>
      call<ActionOutcome>(COMMANDS.removeTag, { id, tag, account: account ?? null }),
    findReviewer: (id: string, message: string | null, account?: AccountKey) =>
      call<ActionOutcome>(COMMANDS.findReviewer, { id, message, account: account ?? null }),
    refreshReview: (id: string, account?: AccountKey) => call<ReviewDetail>(COMMANDS.refreshReview, { id, account: account ?? null }),
    checkReply: (message: string) => call<ReplyWarning[]>(COMMANDS.checkReply, { message }),
    listReplyTemplates: () => call<ReplyTemplate[]>(COMMANDS.listReplyTemplates),
    replyDraft: (id: string, account?: AccountKey) => call<string | null>(COMMANDS.replyDraft, { id, account: account ?? null }),
    saveReplyDraft: (id: string, body: string, account?: AccountKey) =>
      call<void>(COMMANDS.saveReplyDraft, { id, body, account: account ?? null }),
    replyInsights: (everyAccount?: boolean) => call<ReplyInsights>(COMMANDS.replyInsights, { everyAccount: everyAccount ?? false }),
    saveReplyTemplate: (template: ReplyTemplate) => call<ReplyTemplate>(COMMANDS.saveReplyTemplate, { template }),
    deleteReplyTemplate: (id: number) => call<void>(COMMANDS.deleteReplyTemplate, { id }),
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
    listLanguages: (everyAccount?: boolean) =>
      call<LanguageSummary[]>(COMMANDS.listLanguages, { everyAccount: everyAccount ?? false }),
    listTags: (everyAccount?: boolean) => call<TagSummary[]>(COMMANDS.listTags, { everyAccount: everyAccount ?? false }),
    firstRowsPainted: (atUnixMs: number, rows: number, marks?: Record<string, number>) =>
      call<void>(COMMANDS.firstRowsPainted, { atUnixMs: Math.round(atUnixMs), rows, marks: marks ?? {} }),
    onSyncProgress: (handler: (status: SyncStatus) => void) => on<SyncStatus>(EVENTS.syncProgress, handler),
    onQueueChanged: (handler: (actions: QueuedAction[]) => void) => on<QueuedAction[]>(EVENTS.queueChanged, handler),
    onNewReviews: (handler: (news: NewReviews) => void) => on<NewReviews>(EVENTS.newReviews, handler),
  };
}
