/**
 * The UI's only door to the back end: `getBackend()` picks Tauri or the fixture once, for every
 * area (auth, reviews, composer, shop). Components import from `$lib/ipc` (this file), never from
 * `@tauri-apps/*`.
 */
import type { Backend } from "./backend";
import { createScenarioBackend } from "./fixture";
import { FIXTURE_NOW_S } from "./fixture/reviews-data";
import { createTauriBackend } from "./tauri";

export type {
  AnalyticsArea,
  AuthArea,
  Backend,
  ComposerArea,
  CommandName,
  RequestsArea,
  ReviewsArea,
  ShopArea,
  TrustpilotArea,
  Unsubscribe,
} from "./backend";
export { COMMANDS, EVENTS } from "./backend";
export type {
  IpcError,
  IpcErrorCode,
  LoginPhase,
  LoginStatus,
  Notice,
  NoticeLevel,
  RatingSummary,
  ShopEntry,
  ShopRef,
  ShopSession,
  MissingScope,
  Feature,
  Capabilities,
  Provider,
  ProviderDetails,
  TrustooDetails,
  TrustpilotDetails,
  ReplyAbility,
  SignOutReport,
  SignOutStep,
  TokenInput,
  BusinessUnit,
  InvitationInput,
  InvitationTemplateChoice,
  InvitationLinkMade,
  TrustpilotAccount,
  TrustpilotPhase,
  TrustpilotSignIn,
  TrustpilotSignInInput,
  ActionKind,
  ActionOutcome,
  ActionState,
  ActionStatus,
  AuditEntry,
  CustomerExclusion,
  EmailType,
  ExclusionPage,
  ExclusionTarget,
  ExportResult,
  Media,
  MediaKind,
  NewReviews,
  PageInfo,
  ProductSummary,
  SourceSummary,
  LanguageSummary,
  TagSummary,
  ReviewTag,
  FindReviewer,
  FindReviewerRequest,
  FindReviewerAnswer,
  ProductReviewDetails,
  ProductAttributeRating,
  ReplyWarning,
  ReplyRule,
  ReplyTemplate,
  ReplyInsights,
  ReplyStats,
  QueuedAction,
  Review,
  ReviewCursor,
  ReviewDetail,
  ReviewFilter,
  ReviewPage,
  AccountKey,
  AccountCount,
  AllReviewsPage,
  ReviewQuery,
  ReviewRow,
  ReviewSort,
  ReviewView,
  SyncPhase,
  SyncStatus,
  TriageState,
  AuthMode,
  Webhook,
  WebhookInput,
  WebhookOverview,
  WebhookSaved,
  WebhookTopicChoice,
  ShopAuthorization,
  AuthorizationFacts,
  InstallFacts,
  ScopeGrant,
  Order,
  OrderProduct,
  RequestEmailStatus,
  OrderSort,
  OrderListQuery,
  OrderRow,
  OrderPage,
  RequestFunnel,
  FeedRefresh,
  CustomerEvent,
  EventBucket,
  EventFilter,
  EventOptions,
  EventPage,
  EventPoint,
  EventSummary,
  NamedCount,
} from "./types";
export { IPC_ERROR_CODES, EMAIL_TYPES } from "./types";
export { isIpcError, isKnownErrorCode, toIpcError } from "./errors";

/** True inside the Tauri webview (Tauri v2 injects `__TAURI_INTERNALS__`). */
export function isTauri(win: object | undefined = globalThis.window): boolean {
  return win !== undefined && "__TAURI_INTERNALS__" in win;
}

let selected: Backend | undefined;

/**
 * The backend for this window: Tauri inside the app, else the fixture
 * (`?fixture=empty|error|rate-limited|signed-out|waiting|loading|narrow-scopes|…` picks a scenario).
 */
export function getBackend(): Backend {
  if (!selected) {
    if (isTauri()) {
      selected = createTauriBackend();
    } else {
      const scenario = new URLSearchParams(globalThis.location?.search ?? "").get("fixture");
      selected = createScenarioBackend(scenario);
    }
  }
  return selected;
}

/**
 * "Now" for the pages' date presets (Requests' funnel, Analytics' range): the fixture's clock in
 * the browser preview, whose data is dated around it; `undefined` (the real clock) in the app.
 */
export function previewNow(): number | undefined {
  return isTauri() ? undefined : FIXTURE_NOW_S;
}
