/**
 * Types shared with the Rust back end: every one is generated from Rust by ts-rs into
 * `./bindings/` (`cargo xtask bindings`; CI fails when they are stale) and only re-exported
 * here, so field names are exactly what serde emits (snake_case). Import them from `$lib/ipc`
 * (index.ts), never from `./bindings/` directly. Where the UI has long used another name than
 * the Rust type's, the re-export says which Rust type it is.
 */

import type { ShopSession } from "./bindings/ShopSession";

// ---- Errors (app crate, src-tauri/src/error.rs) ----

export type { IpcError } from "./bindings/IpcError";
/** Rust `ErrorCode`: the codes `IpcError.code` can hold. */
export type { ErrorCode as IpcErrorCode } from "./bindings/ErrorCode";

// ---- Sign-in, shops and notices (app crate: src-tauri/src/events.rs, commands/auth.rs) ----

export type { LoginPhase } from "./bindings/LoginPhase";
export type { LoginStatus } from "./bindings/LoginStatus";
export type { TokenInput } from "./bindings/TokenInput";
export type { ShopEntry } from "./bindings/ShopEntry";
/** Rust `SignOutLine`: one line of what sign-out did. */
export type { SignOutLine as SignOutStep } from "./bindings/SignOutLine";
/** Rust `SignOutSummary`: the answer of `sign_out`. */
export type { SignOutSummary as SignOutReport } from "./bindings/SignOutSummary";
export type { NoticeLevel } from "./bindings/NoticeLevel";
export type { Notice } from "./bindings/Notice";
export type { BusinessUnit } from "./bindings/BusinessUnit";
export type { InvitationInput } from "./bindings/InvitationInput";
export type { InvitationTemplateChoice } from "./bindings/InvitationTemplateChoice";
export type { InvitationLinkMade } from "./bindings/InvitationLinkMade";
export type { TrustpilotAccount } from "./bindings/TrustpilotAccount";
export type { TrustpilotPhase } from "./bindings/TrustpilotPhase";
export type { TrustpilotSignIn } from "./bindings/TrustpilotSignIn";
export type { TrustpilotSignInInput } from "./bindings/TrustpilotSignInInput";

/** Which shop a shop command is about: the two keys of its `ShopSession` the commands take. */
export type ShopRef = Pick<ShopSession, "shop_id" | "domain">;

// ---- Shops and providers (reviewdesk-core) ----

export type { ShopSession } from "./bindings/ShopSession";
export type { MissingScope } from "./bindings/MissingScope";
export type { Feature } from "./bindings/Feature";
export type { Capabilities } from "./bindings/Capabilities";
export type { Provider } from "./bindings/Provider";
export type { ReplyAbility } from "./bindings/ReplyAbility";
export type { RatingSummary } from "./bindings/RatingSummary";
export type { AuthMode } from "./bindings/AuthMode";
export type { Environment } from "./bindings/Environment";
export type { ShopId } from "./bindings/ShopId";

// ---- The shop's webhooks and authorization (reviewdesk-core `shop`, commands/webhooks.rs, commands/shop.rs) ----

export type { Webhook } from "./bindings/Webhook";
export type { WebhookInput } from "./bindings/WebhookInput";
export type { WebhookOverview } from "./bindings/WebhookOverview";
export type { WebhookSaved } from "./bindings/WebhookSaved";
export type { WebhookTopicChoice } from "./bindings/WebhookTopicChoice";
export type { ShopAuthorization } from "./bindings/ShopAuthorization";
export type { AuthorizationFacts } from "./bindings/AuthorizationFacts";
export type { InstallFacts } from "./bindings/InstallFacts";
export type { ScopeGrant } from "./bindings/ScopeGrant";

// ---- Review inbox (reviewdesk-core, answers of src-tauri/src/commands/reviews.rs) ----

export type { ReviewDetail } from "./bindings/ReviewDetail";
export type { ActionStatus } from "./bindings/ActionStatus";
export type { ActionOutcome } from "./bindings/ActionOutcome";
export type { SyncPhase } from "./bindings/SyncPhase";
export type { SyncStatus } from "./bindings/SyncStatus";
export type { NewReviews } from "./bindings/NewReviews";
export type { ProductSummary } from "./bindings/ProductSummary";
export type { SourceSummary } from "./bindings/SourceSummary";
export type { LanguageSummary } from "./bindings/LanguageSummary";
export type { TagSummary } from "./bindings/TagSummary";
export type { ReplyWarning } from "./bindings/ReplyWarning";
export type { ReplyRule } from "./bindings/ReplyRule";
export type { ReplyTemplate } from "./bindings/ReplyTemplate";
export type { ReplyInsights } from "./bindings/ReplyInsights";
export type { ReplyStats } from "./bindings/ReplyStats";
export type { ReviewTag } from "./bindings/ReviewTag";
export type { FindReviewer } from "./bindings/FindReviewer";
export type { FindReviewerRequest } from "./bindings/FindReviewerRequest";
export type { FindReviewerAnswer } from "./bindings/FindReviewerAnswer";
export type { ProductReviewDetails } from "./bindings/ProductReviewDetails";
export type { ProductAttributeRating } from "./bindings/ProductAttributeRating";
export type { ExclusionTarget } from "./bindings/ExclusionTarget";
export type { ExclusionPage } from "./bindings/ExclusionPage";
export type { ExportResult } from "./bindings/ExportResult";
export type { ActionKind } from "./bindings/ActionKind";
export type { ActionState } from "./bindings/ActionState";
export type { AuditEntry } from "./bindings/AuditEntry";
export type { CustomerExclusion } from "./bindings/CustomerExclusion";
export type { Media } from "./bindings/Media";
export type { MediaKind } from "./bindings/MediaKind";
export type { PageInfo } from "./bindings/PageInfo";
export type { QueuedAction } from "./bindings/QueuedAction";
export type { Review } from "./bindings/Review";
export type { ProviderDetails } from "./bindings/ProviderDetails";
export type { TrustooDetails } from "./bindings/TrustooDetails";
export type { TrustpilotDetails } from "./bindings/TrustpilotDetails";
export type { ReviewCursor } from "./bindings/ReviewCursor";
export type { ReviewFilter } from "./bindings/ReviewFilter";
export type { ReviewPage } from "./bindings/ReviewPage";
export type { AccountKey } from "./bindings/AccountKey";
export type { AccountCount } from "./bindings/AccountCount";
export type { AllReviewsPage } from "./bindings/AllReviewsPage";
export type { ReviewQuery } from "./bindings/ReviewQuery";
export type { ReviewRow } from "./bindings/ReviewRow";
export type { ReviewSort } from "./bindings/ReviewSort";
export type { ReviewView } from "./bindings/ReviewView";
export type { TriageState } from "./bindings/TriageState";

// ---- Unsubscribing (reviewdesk-trustoo) ----

export type { EmailType } from "./bindings/EmailType";

// ---- Creating reviews (reviewdesk-trustoo) ----

export type { DocumentedSource } from "./bindings/DocumentedSource";

// The value lists the UI offers or checks, each held to its generated type (see ./options).
export { EMAIL_TYPES, IPC_ERROR_CODES, REVIEW_SOURCES } from "./options";

// ---- Review requests and widget analytics (reviewdesk-core; commands/requests.rs, analytics.rs) ----

export type { Order } from "./bindings/Order";
export type { OrderProduct } from "./bindings/OrderProduct";
export type { RequestEmailStatus } from "./bindings/RequestEmailStatus";
export type { OrderSort } from "./bindings/OrderSort";
export type { OrderListQuery } from "./bindings/OrderListQuery";
export type { OrderRow } from "./bindings/OrderRow";
export type { OrderPage } from "./bindings/OrderPage";
export type { RequestFunnel } from "./bindings/RequestFunnel";
export type { FeedRefresh } from "./bindings/FeedRefresh";
export type { CustomerEvent } from "./bindings/CustomerEvent";
export type { EventBucket } from "./bindings/EventBucket";
export type { EventFilter } from "./bindings/EventFilter";
export type { EventOptions } from "./bindings/EventOptions";
export type { EventPage } from "./bindings/EventPage";
export type { EventPoint } from "./bindings/EventPoint";
export type { EventSummary } from "./bindings/EventSummary";
export type { NamedCount } from "./bindings/NamedCount";
