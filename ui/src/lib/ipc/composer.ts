/**
 * The review composer's types as they cross IPC. What the composer asks of the back end is the
 * `composer` area of `Backend` (`backend.ts`).
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

export type { IpcError };
