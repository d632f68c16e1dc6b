import type {
  CheckResult,
  ComposerFields,
  DraftSummary,
  DraftView,
  ProductChoice,
  ProgressEvent,
  PublishOutcome,
} from "./composer";
import type { AccountKey, AllReviewsPage } from "./types";
import type { BusinessUnit, TrustpilotAccount, TrustpilotSignIn, TrustpilotSignInInput } from "./types";
import type { InvitationInput, InvitationLinkMade, InvitationTemplateChoice } from "./types";
import type { LoginStatus, Notice, RatingSummary, ShopEntry, ShopRef, ShopSession, SignOutReport, TokenInput } from "./types";
import type { ShopAuthorization, Webhook, WebhookInput, WebhookOverview, WebhookSaved } from "./types";
import type {
  EventBucket,
  EventFilter,
  EventOptions,
  EventPage,
  EventSummary,
  FeedRefresh,
  OrderListQuery,
  OrderPage,
  OrderRow,
  RequestFunnel,
} from "./types";
import type {
  ActionOutcome,
  ExclusionPage,
  ExclusionTarget,
  ExportResult,
  NewReviews,
  ProductSummary,
  SourceSummary,
  LanguageSummary,
  TagSummary,
  ReviewTag,
  ReplyWarning,
  ReplyTemplate,
  ReplyInsights,
  QueuedAction,
  ReviewDetail,
  ReviewPage,
  ReviewQuery,
  SyncStatus,
  TriageState,
} from "./types";

/** Call this to stop listening. */
export type Unsubscribe = () => void;

/**
 * Everything the UI can ask of the back end, by area: one object, one place that picks Tauri or
 * the fixture (`getBackend()` in `index.ts`), so a screen is handed the backend and asks the area
 * it needs (`backend.reviews.queryReviews(…)`, `backend.composer.checkFiles(…)`). Every method
 * rejects with an `IpcError` (see `errors.ts`), never with anything else.
 *
 * Implementations: `tauri/` (the real app) and `fixture/` (vitest and a plain browser), each split
 * the same way.
 */
export interface Backend {
  /** Accounts, sign-in and the notices about them. */
  readonly auth: AuthArea;
  /** The review inbox (all filtering and search runs in Rust's local store), sync and actions. */
  readonly reviews: ReviewsArea;
  /** The review composer: drafts, files, publishing. */
  readonly composer: ComposerArea;
  /** The shop's webhooks and its authorization (the Webhooks and Shop pages). */
  readonly shop: ShopArea;
  /** Review requests (Trustoo orders), cached in the store. */
  readonly requests: RequestsArea;
  /** Widget analytics (Trustoo customer events), aggregated in the store. */
  readonly analytics: AnalyticsArea;
  /** Trustpilot accounts: sign-in with the merchant's own application, the business unit. */
  readonly trustpilot: TrustpilotArea;
}

/**
 * Signing in to Trustpilot with the merchant's own API application (every grant of Trustpilot's
 * Authentication page) and picking the business unit. The logic is Rust's
 * (`reviewdesk_auth::trustpilot`); key, secret and tokens never come back from it.
 */
export interface TrustpilotArea {
  /** Starts a sign-in with the chosen grant (browser grants open the browser). Rust: `trustpilot_sign_in` `{ input }`. */
  signIn(input: TrustpilotSignInInput): Promise<TrustpilotSignIn>;
  /** Where the sign-in stands now. Rust: `trustpilot_sign_in_status`. */
  status(): Promise<TrustpilotSignIn>;
  /** Abandons the browser sign-in in progress. Rust: `trustpilot_cancel`. */
  cancel(): Promise<void>;
  /** Opens Trustpilot's page again. Rust: `trustpilot_reopen_browser`. */
  reopenBrowser(): Promise<void>;
  /** Finds a business unit by domain or id. Rust: `trustpilot_find_business_unit` `{ name }`. */
  findBusinessUnit(name: string): Promise<BusinessUnit>;
  /** Places the sign-in on the unit; it becomes the account on screen. Rust: `trustpilot_choose_business_unit` `{ id }`. */
  chooseBusinessUnit(id: string): Promise<TrustpilotAccount>;
  /** The unit on screen with its TrustScore. Rust: `trustpilot_business_unit`. */
  businessUnit(): Promise<BusinessUnit>;
  /** Saves the redirect page to Downloads; answers its path. Rust: `trustpilot_save_redirect_page`. */
  saveRedirectPage(): Promise<string>;
  /** The unit's invitation email templates (FORBIDDEN: the plan lacks invitations). Rust: `invitation_templates`. */
  invitationTemplates(): Promise<InvitationTemplateChoice[]>;
  /** A review invitation link for one customer. Rust: `create_invitation_link` `{ input }`. */
  createInvitationLink(input: InvitationInput): Promise<InvitationLinkMade>;
  /** Asks Trustpilot to email one customer an invitation. Rust: `send_email_invitation` `{ input }`. */
  sendEmailInvitation(input: InvitationInput): Promise<void>;
  /** Progress of the sign-in (Rust event `trustpilot-sign-in`). */
  onSignIn(handler: (status: TrustpilotSignIn) => void): Promise<Unsubscribe>;
}

/**
 * The active shop's webhook subscriptions and how ReviewDesk is connected to it. Webhook input
 * is checked in Rust (`reviewdesk_auth::shop::webhooks`); its refusals arrive as `IpcError`
 * sentences (`VALIDATION` for a bad address or a duplicate, `FORBIDDEN` for a missing scope).
 */
export interface ShopArea {
  /** The webhooks and every documented topic with whether it is allowed. Rust: `webhooks_overview`. */
  webhooks(): Promise<WebhookOverview>;
  /** Rust: `webhook_create` `{ input }`. */
  createWebhook(input: WebhookInput): Promise<WebhookSaved>;
  /** Rust: `webhook_update` `{ id, input }`. */
  updateWebhook(id: string, input: WebhookInput): Promise<WebhookSaved>;
  /** Rust: `webhook_delete` `{ webhook }`. */
  deleteWebhook(webhook: Webhook): Promise<void>;
  /** How ReviewDesk is connected to the active shop, and what Trustoo says. Rust: `shop_authorization`. */
  authorization(): Promise<ShopAuthorization>;
  /**
   * Disconnects ReviewDesk from a shop (Trustoo, keyring, shop list), keeping or deleting its
   * local data; says what each step did. Rust: `disconnect_shop` `{ domain, deleteLocalData }`.
   */
  disconnect(shop: ShopRef, deleteLocalData: boolean): Promise<SignOutReport>;
}

/**
 * Review requests: the orders Trustoo tracks with the status of their request email, read from
 * the local store (offline too) and refreshed from Trustoo when the page opens.
 */
export interface RequestsArea {
  /** A window of the cached orders. Rust: `list_orders` `{ query }`. */
  listOrders(query: OrderListQuery): Promise<OrderPage>;
  /** One cached order (`null` when not cached). Rust: `get_order` `{ id }`. */
  getOrder(id: string): Promise<OrderRow | null>;
  /** Requests sent in `[from, to)`: sent → opened → reviewed. Rust: `request_funnel` `{ from, to }`. */
  funnel(from: number, to: number): Promise<RequestFunnel>;
  /** Fetches orders from Trustoo into the store. Rust: `refresh_orders`. */
  refresh(): Promise<FeedRefresh>;
}

/** Widget analytics: charts and the raw events, from the store's daily rollup. */
export interface AnalyticsArea {
  /** Counts over time by type, and totals by type, source, OS. Rust: `event_summary` `{ filter, bucket }`. */
  summary(filter: EventFilter, bucket: EventBucket): Promise<EventSummary>;
  /** Raw events, newest first. Rust: `list_events` `{ filter, offset, limit }`. */
  listEvents(filter: EventFilter, offset: number, limit: number): Promise<EventPage>;
  /** The filters' options, from the stored events. Rust: `event_options`. */
  options(): Promise<EventOptions>;
  /** Fetches new events from Trustoo into the store. Rust: `refresh_events`. */
  refresh(): Promise<FeedRefresh>;
}

/** Sign-in, the known shops and the events about them. */
export interface AuthArea {
  /** The shop the app is connected to, or `null` when not signed in. Rust: `current_session`. */
  currentSession(): Promise<ShopSession | null>;

  // ---- Sign-in -------------------------------------------------------------------------

  /**
   * Starts a browser sign-in: opens the system browser on Trustoo's consent page and answers
   * `waiting_for_browser` (with `expires_at`). A second call restarts cleanly.
   * Rust: `auth_start` `{ shopDomain }` (sent when given).
   */
  startSignIn(shopDomain?: string): Promise<LoginStatus>;
  /** Where the browser sign-in stands now (for a window that missed events). Rust: `auth_status`. */
  authStatus(): Promise<LoginStatus>;
  /** Abandons the sign-in in progress. Rust: `auth_cancel`. */
  cancelSignIn(): Promise<void>;
  /** Opens the consent page again (the merchant closed the tab). Rust: `auth_reopen_browser`. */
  reopenBrowser(): Promise<void>;
  /** Connects a shop with its Public Token and Private Token. Rust: `auth_connect_tokens` `{ input }`. */
  connectWithTokens(input: TokenInput): Promise<ShopSession>;

  // ---- Shops ---------------------------------------------------------------------------

  /** Every shop ReviewDesk knows, with whether it is signed in, open, and what is wrong. Rust: `list_shops`. */
  listShops(): Promise<ShopEntry[]>;
  /** Makes another known shop the one on screen. Rust: `switch_shop` `{ shopId, domain }`. */
  switchShop(shop: ShopRef): Promise<ShopSession>;
  /** Signs a shop out and says what each step did. Rust: `sign_out` `{ shopId, domain }`. */
  signOut(shop: ShopRef): Promise<SignOutReport>;

  // ---- Events --------------------------------------------------------------------------

  /**
   * Called whenever the back end signs in, out, or switches shop
   * (Rust event `session-changed`, payload `ShopSession | null`).
   */
  onSessionChanged(handler: (session: ShopSession | null) => void): Promise<Unsubscribe>;
  /** Progress of a browser sign-in (Rust event `login-status`, payload `LoginStatus`). */
  onLoginStatus(handler: (status: LoginStatus) => void): Promise<Unsubscribe>;
  /** Something the merchant should see in a toast (Rust event `notice`, payload `Notice`). */
  onNotice(handler: (notice: Notice) => void): Promise<Unsubscribe>;
  /**
   * Notices said before the window listened (e.g. a refused sign-in link that started the app),
   * oldest first, each once. Call it after `onNotice` resolved: from then on notices arrive as
   * events. Rust: `take_pending_notices`.
   */
  takePendingNotices(): Promise<Notice[]>;
}

/** The shop's reviews: the local store's listing, triage and write actions, sync, events. */
export interface ReviewsArea {
  /** Aggregate rating of the shop. Rust: `get_rating`. */
  getRating(): Promise<RatingSummary>;

  /** One page of the local review listing. Rust: `query_reviews` `{ query }`. */
  queryReviews(query: ReviewQuery): Promise<ReviewPage>;
  /**
   * A review with its audit history and pending actions, of `account` (the All accounts view
   * names the row's own), else of the account on screen. Rust: `get_review_detail` `{ id, account }`.
   */
  getReviewDetail(id: string, account?: AccountKey): Promise<ReviewDetail>;
  /**
   * One page of the All accounts view: the reviews of every known account (`accounts`: only
   * these), each row with its account, and on a first page every account's matches for the
   * filter. Rust: `query_all_reviews` `{ query, accounts }`.
   */
  queryAllReviews(query: ReviewQuery, accounts: AccountKey[] | null): Promise<AllReviewsPage>;
  /**
   * Sets the local triage state of reviews of `account` (the All accounts view names the row's
   * own), else of the account on screen. Rust: `set_triage` `{ ids, state, account }`.
   */
  setTriage(ids: string[], state: TriageState, account?: AccountKey): Promise<void>;
  /** Deletes reviews (sent now, or queued while offline): one outcome per id. Rust: `delete_reviews` `{ ids }`. */
  deleteReviews(ids: string[]): Promise<ActionOutcome[]>;
  /**
   * Answers a review (sent now, or queued). A Trustpilot product review is answered in its
   * conversation, which `isPublic` shows on Trustpilot or keeps between the business and the
   * reviewer (null: as it is). Rust: `post_reply` `{ id, message, account, public }`.
   */
  postReply(id: string, message: string, account?: AccountKey, isPublic?: boolean | null): Promise<ActionOutcome>;
  /** Shows a product review's conversation on Trustpilot, or keeps it private. Rust: `set_conversation_public` `{ id, public }`. */
  setConversationPublic(id: string, isPublic: boolean, account?: AccountKey): Promise<ActionOutcome>;
  /** Takes a review's public reply down (its text stays in the history). Rust: `delete_reply` `{ id }`. */
  deleteReply(id: string, account?: AccountKey): Promise<ActionOutcome>;
  /** Tags reviews with one tag (sent now, or queued); one outcome per id. Rust: `add_tag` `{ ids, group, value }`. */
  addTag(ids: string[], tag: ReviewTag, account?: AccountKey): Promise<ActionOutcome[]>;
  /** Takes one tag off a review (sent now, or queued). Rust: `remove_tag` `{ id, tag }`. */
  removeTag(id: string, tag: ReviewTag, account?: AccountKey): Promise<ActionOutcome>;
  /** Asks the reviewer for their order details (Trustpilot's Find Reviewer). Rust: `find_reviewer` `{ id, message }`. */
  findReviewer(id: string, message: string | null, account?: AccountKey): Promise<ActionOutcome>;
  /** Reads one review again from its provider; answers its detail. Rust: `refresh_review` `{ id }`. */
  refreshReview(id: string, account?: AccountKey): Promise<ReviewDetail>;
  /** The guidelines a reply may break (nothing is sent). Rust: `check_reply` `{ message }`. */
  checkReply(message: string): Promise<ReplyWarning[]>;
  /** Reply rate and median time to reply, by star and by month. Rust: `reply_insights`. */
  replyInsights(everyAccount?: boolean): Promise<ReplyInsights>;
  /** The kept draft of a reply to a review, or null. Rust: `reply_draft` `{ id }`. */
  replyDraft(id: string, account?: AccountKey): Promise<string | null>;
  /** Keeps the text of a reply being written ("" drops it). Rust: `save_reply_draft` `{ id, body }`. */
  saveReplyDraft(id: string, body: string, account?: AccountKey): Promise<void>;
  /** The merchant's reply templates. Rust: `list_reply_templates`. */
  listReplyTemplates(): Promise<ReplyTemplate[]>;
  /** Saves a template (new when its id is 0); answers it as stored. Rust: `save_reply_template` `{ template }`. */
  saveReplyTemplate(template: ReplyTemplate): Promise<ReplyTemplate>;
  /** Rust: `delete_reply_template` `{ id }`. */
  deleteReplyTemplate(id: number): Promise<void>;
  /** Keeps a review's author out of review requests. Rust: `exclude_author` `{ reviewId }`. */
  excludeAuthor(reviewId: string): Promise<ActionOutcome>;
  /** One page (1-based) of excluded customers. Rust: `list_exclusions` `{ page }`. */
  listExclusions(page: number): Promise<ExclusionPage>;
  /** Rust: `add_exclusion` `{ target }` (`{ email }` or `{ customer_id }`). */
  addExclusion(target: ExclusionTarget): Promise<ActionOutcome>;
  /** Rust: `remove_exclusion` `{ target }`. */
  removeExclusion(target: ExclusionTarget): Promise<ActionOutcome>;
  /** Rust: `unsubscribe_email` `{ email, emailType }`. */
  unsubscribeEmail(email: string, emailType: string): Promise<ActionOutcome>;
  /** Starts a sync now (progress arrives as `sync-progress`). Rust: `sync_now`. */
  syncNow(): Promise<void>;
  /** Rust: `sync_status`. */
  syncStatus(): Promise<SyncStatus>;
  /** Actions waiting to reach Trustoo. Rust: `pending_actions`. */
  pendingActions(): Promise<QueuedAction[]>;
  /** Writes the reviews matching `query` to a CSV file. Rust: `export_csv` `{ query }`. */
  exportCsv(query: ReviewQuery): Promise<ExportResult>;
  /** Rating from the local store, of one product or (null) the whole shop. Rust: `local_rating` `{ productId }`. */
  localRating(productId: string | null): Promise<RatingSummary>;
  /** Products with reviews in the local store. Rust: `list_products`. */
  listProducts(): Promise<ProductSummary[]>;
  /** Sources of the reviews in the local store with their counts, most used first. Rust: `list_sources`. */
  listSources(): Promise<SourceSummary[]>;
  /**
   * Languages of the stored reviews with their counts, most used first: the account on screen's,
   * or every account's together (the All accounts view). Rust: `list_languages` `{ everyAccount }`.
   */
  listLanguages(everyAccount?: boolean): Promise<LanguageSummary[]>;
  /**
   * Tags on the stored reviews with their counts, most used first: the account on screen's, or
   * every account's together. Rust: `list_tags` `{ everyAccount }`.
   */
  listTags(everyAccount?: boolean): Promise<TagSummary[]>;
  /**
   * Tells Rust when the window's first rows were painted (`Date.now()`), once per launch, with the
   * launch's marks (`launchMarks`): the app logs them, and `cargo xtask bench app` reads launch →
   * first row from that line. Rust: `first_rows_painted` `{ atUnixMs, rows, marks }`.
   */
  firstRowsPainted(atUnixMs: number, rows: number, marks?: Record<string, number>): Promise<void>;
  /** Rust event `sync-progress`, payload `SyncStatus`. */
  onSyncProgress(handler: (status: SyncStatus) => void): Promise<Unsubscribe>;
  /** Rust event `queue-changed`, payload `QueuedAction[]` (everything still waiting). */
  onQueueChanged(handler: (actions: QueuedAction[]) => void): Promise<Unsubscribe>;
  /** Rust event `new-reviews`, payload `NewReviews`. */
  onNewReviews(handler: (news: NewReviews) => void): Promise<Unsubscribe>;
}

/**
 * The review composer. Files cross as paths only (Tauri's native drop gives paths); Rust checks
 * them, makes the thumbnails (small `data:` URLs) and uploads straight from disk.
 */
export interface ComposerArea {
  /** Rust: `media_check` `{ existing, paths }`. */
  checkFiles(existing: string[], paths: string[]): Promise<CheckResult>;
  /** Rust: `draft_save` `{ id, fields, attachments }`. */
  saveDraft(id: string, fields: ComposerFields, attachments: string[]): Promise<DraftSummary>;
  /** Rust: `draft_list`. */
  listDrafts(): Promise<DraftSummary[]>;
  /** Rust: `draft_load` `{ id }`. */
  loadDraft(id: string): Promise<DraftView>;
  /** Rust: `draft_discard` `{ id }`. */
  discardDraft(id: string): Promise<boolean>;
  /** Rust: `composer_products`. */
  products(): Promise<ProductChoice[]>;
  /** Rust: `composer_publish` `{ id, onProgress }` (a `Channel`). */
  publish(id: string, onProgress: (ev: ProgressEvent) => void): Promise<PublishOutcome>;
  /** Rust: `composer_cancel` `{ id, index }` (`null` = all). */
  cancel(id: string, index: number | null): Promise<boolean>;
  /** Files dropped on the window (Tauri's native drag-and-drop: paths). `over` tells hovering. */
  onFileDrop(handler: (ev: { type: "over" | "drop" | "leave"; paths: string[] }) => void): Promise<() => void>;
  /** The system file picker for keyboard users; `[]` when dismissed. */
  pickFiles(): Promise<string[]>;
}

/** Names of the Rust commands, in one place so tests and implementations agree. */
export const COMMANDS = {
  currentSession: "current_session",
  getRating: "get_rating",
  startSignIn: "auth_start",
  authStatus: "auth_status",
  cancelSignIn: "auth_cancel",
  reopenBrowser: "auth_reopen_browser",
  connectWithTokens: "auth_connect_tokens",
  listShops: "list_shops",
  switchShop: "switch_shop",
  signOut: "sign_out",
  takePendingNotices: "take_pending_notices",
  trustpilotSignIn: "trustpilot_sign_in",
  trustpilotStatus: "trustpilot_sign_in_status",
  trustpilotCancel: "trustpilot_cancel",
  trustpilotReopen: "trustpilot_reopen_browser",
  trustpilotFindUnit: "trustpilot_find_business_unit",
  trustpilotChooseUnit: "trustpilot_choose_business_unit",
  trustpilotUnit: "trustpilot_business_unit",
  trustpilotSaveRedirectPage: "trustpilot_save_redirect_page",
  invitationTemplates: "invitation_templates",
  createInvitationLink: "create_invitation_link",
  sendEmailInvitation: "send_email_invitation",
  queryReviews: "query_reviews",
  queryAllReviews: "query_all_reviews",
  getReviewDetail: "get_review_detail",
  setTriage: "set_triage",
  deleteReviews: "delete_reviews",
  excludeAuthor: "exclude_author",
  listExclusions: "list_exclusions",
  addExclusion: "add_exclusion",
  removeExclusion: "remove_exclusion",
  unsubscribeEmail: "unsubscribe_email",
  syncNow: "sync_now",
  syncStatus: "sync_status",
  pendingActions: "pending_actions",
  exportCsv: "export_csv",
  localRating: "local_rating",
  listProducts: "list_products",
  listSources: "list_sources",
  listLanguages: "list_languages",
  listTags: "list_tags",
  firstRowsPainted: "first_rows_painted",
  postReply: "post_reply",
  deleteReply: "delete_reply",
  setConversationPublic: "set_conversation_public",
  addTag: "add_tag",
  removeTag: "remove_tag",
  findReviewer: "find_reviewer",
  refreshReview: "refresh_review",
  checkReply: "check_reply",
  listReplyTemplates: "list_reply_templates",
  replyDraft: "reply_draft",
  saveReplyDraft: "save_reply_draft",
  replyInsights: "reply_insights",
  saveReplyTemplate: "save_reply_template",
  deleteReplyTemplate: "delete_reply_template",
  webhooksOverview: "webhooks_overview",
  createWebhook: "webhook_create",
  updateWebhook: "webhook_update",
  deleteWebhook: "webhook_delete",
  shopAuthorization: "shop_authorization",
  disconnectShop: "disconnect_shop",
  listOrders: "list_orders",
  getOrder: "get_order",
  requestFunnel: "request_funnel",
  refreshOrders: "refresh_orders",
  eventSummary: "event_summary",
  listEvents: "list_events",
  eventOptions: "event_options",
  refreshEvents: "refresh_events",
} as const;

export type CommandName = (typeof COMMANDS)[keyof typeof COMMANDS];

/** Names of the events Rust emits to the webview. */
export const EVENTS = {
  sessionChanged: "session-changed",
  loginStatus: "login-status",
  notice: "notice",
  trustpilotSignIn: "trustpilot-sign-in",
  syncProgress: "sync-progress",
  queueChanged: "queue-changed",
  newReviews: "new-reviews",
} as const;

/** Names of the composer's Rust commands (`src-tauri/src/commands/media.rs`). */
export const COMPOSER_COMMANDS = {
  checkFiles: "media_check",
  saveDraft: "draft_save",
  listDrafts: "draft_list",
  loadDraft: "draft_load",
  discardDraft: "draft_discard",
  products: "composer_products",
  publish: "composer_publish",
  cancel: "composer_cancel",
} as const;
