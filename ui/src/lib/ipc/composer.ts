/**
 * The review composer's types as they cross IPC. What the composer asks of the back end is the
 * `composer` area of `Backend` (`backend.ts`).
 *
 * Files cross as paths only (Tauri's native drop gives paths); Rust checks them, makes the
 * thumbnails (small `data:` URLs) and uploads straight from disk.
 */
import type { IpcError } from "./types";

// The composer's types, generated from the media crate (`reviewdesk_media::service`,
// `compose`, `progress`) by ts-rs; see ./types for how.
export type { MediaKind as AttachmentKind } from "./bindings/MediaKind";
export type { Attachment } from "./bindings/Attachment";
export type { Refusal } from "./bindings/Refusal";
export type { CheckResult } from "./bindings/CheckResult";
/** Rust `ComposerForm`: the composer's fields, as the draft keeps them. */
export type { ComposerForm as ComposerFields } from "./bindings/ComposerForm";
export type { DraftSummary } from "./bindings/DraftSummary";
export type { DraftView } from "./bindings/DraftView";
export type { ProductChoice } from "./bindings/ProductChoice";
export type { FileState } from "./bindings/FileState";
export type { ProgressEvent } from "./bindings/ProgressEvent";
export type { FieldError } from "./bindings/FieldError";
export type { FileFailure } from "./bindings/FileFailure";
export type { PublishOutcome } from "./bindings/PublishOutcome";

export type { IpcError };
