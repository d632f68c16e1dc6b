/**
 * The review composer's door to the back end: its own small interface next to `Backend`, so the
 * composer can be built and tested without touching the inbox's interface.
 *
 * Files cross as paths only (Tauri's native drop gives paths); Rust checks them, makes the
 * thumbnails (small `data:` URLs) and uploads straight from disk.
 */
import type { IpcError } from "./types";
import type { CheckResult } from "./bindings/CheckResult";
import type { ComposerForm } from "./bindings/ComposerForm";
import type { DraftSummary } from "./bindings/DraftSummary";
import type { DraftView } from "./bindings/DraftView";
import type { ProductChoice } from "./bindings/ProductChoice";
import type { ProgressEvent } from "./bindings/ProgressEvent";
import type { PublishOutcome } from "./bindings/PublishOutcome";

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

/** Everything the composer asks of the back end. Every method rejects with an `IpcError`. */
export interface ComposerBackend {
  /** Rust: `media_check` `{ existing, paths }`. */
  checkFiles(existing: string[], paths: string[]): Promise<CheckResult>;
  /** Rust: `draft_save` `{ id, fields, attachments }`. */
  saveDraft(id: string, fields: ComposerForm, attachments: string[]): Promise<DraftSummary>;
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

export type { IpcError };

let selected: ComposerBackend | undefined;

/** Tauri inside the app (loaded lazily, so tests never import `@tauri-apps/*`), else the fixture. */
export async function getComposerBackend(): Promise<ComposerBackend> {
  if (!selected) {
    if (globalThis.window !== undefined && "__TAURI_INTERNALS__" in globalThis.window) {
      const { createTauriComposer } = await import("./tauri-composer");
      selected = createTauriComposer();
    } else {
      const { FixtureComposer } = await import("./fixture-composer");
      selected = new FixtureComposer();
    }
  }
  return selected;
}
