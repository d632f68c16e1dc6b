/**
 * The review composer's door to the back end: its own small interface next to `Backend`, so the
 * composer can be built and tested without touching the inbox's interface.
 *
 * Files cross as paths only (Tauri's native drop gives paths); Rust checks them, makes the
 * thumbnails (small `data:` URLs) and uploads straight from disk.
 */
import type { IpcError } from "./types";

/** `image` or `video`. */
export type AttachmentKind = "image" | "video";

/** One attached file as Rust checked it. Rust: `composer::Attachment`. */
export interface Attachment {
  path: string;
  name: string;
  size: number;
  kind: AttachmentKind;
  mime: string;
  /** Small JPEG thumbnail as a data URL; `null` shows a tile (videos, HEIC). */
  thumbnail: string | null;
}

/** A refused file and the sentence that says why. */
export interface Refusal {
  name: string;
  message: string;
}

/** Rust: `media_check`. */
export interface CheckResult {
  accepted: Attachment[];
  refused: Refusal[];
}

/** The composer's fields (Rust: `reviewdesk_media::compose::ComposerForm`). */
export interface ComposerFields {
  productId: string;
  productTitle: string;
  rating: number;
  author: string;
  email: string;
  country: string;
  title: string;
  content: string;
  /** `YYYY-MM-DD`, empty = now. */
  date: string;
  source: string;
  verified: boolean;
  featured: boolean;
  published: boolean;
  pinned: boolean;
  reply: string;
}

/** A draft in the list. */
export interface DraftSummary {
  id: string;
  author: string;
  productTitle: string;
  title: string;
  rating: number;
  attachments: number;
  /** "IMG_2231.jpg was moved or deleted". */
  missing: string[];
  /** Publishing started and was interrupted. */
  interrupted: boolean;
  updatedAt: number;
}

/** A draft opened again. */
export interface DraftView {
  id: string;
  fields: Partial<ComposerFields>;
  attachments: Attachment[];
  /** Sentences about files that are gone or no longer acceptable. */
  problems: string[];
  /** Paths already uploaded by an interrupted publish. */
  uploaded: string[];
}

/** Rust: `commands::media::ProductChoice`. */
export interface ProductChoice {
  id: string;
  title: string;
}

/** Where one file's upload is. Rust: `reviewdesk_media::FileState`. */
export type FileState = "queued" | "uploading" | "finalizing" | "done" | "failed" | "cancelled";

/** One progress event over the channel. Rust: `reviewdesk_media::ProgressEvent`. */
export interface ProgressEvent {
  index: number;
  name: string;
  state: FileState;
  sent: number;
  size: number;
  /** 100 only when the storage answered. */
  percent: number;
  total_sent: number;
  total_size: number;
  total_percent: number;
}

/** A field to fix. */
export interface FieldError {
  field: string;
  message: string;
}

/** A file that did not upload. */
export interface FileFailure {
  index: number;
  name: string;
  message: string;
  retryable: boolean;
  cancelled: boolean;
}

/** Rust: `commands::media::PublishOutcome`. */
export type PublishOutcome =
  | { status: "created"; reviewId: string; foundExisting: boolean }
  | { status: "invalid"; errors: FieldError[] }
  | { status: "upload_failed"; files: FileFailure[] };

/** Everything the composer asks of the back end. Every method rejects with an `IpcError`. */
export interface ComposerBackend {
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
