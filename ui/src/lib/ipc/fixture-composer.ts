/**
 * The composer's FIXTURE back end for vitest and a plain browser: drafts in memory, files
 * recognised by their extension (Rust uses magic bytes; the fixture has no disk), uploads that
 * report progress in steps. `drop(paths)` plays the part of Tauri's native drop event.
 */
import type {
  Attachment,
  CheckResult,
  ComposerBackend,
  ComposerFields,
  DraftSummary,
  DraftView,
  FileFailure,
  ProductChoice,
  ProgressEvent,
  PublishOutcome,
} from "./composer";
import type { IpcError } from "./types";

const IMAGE = /\.(jpe?g|png|webp|gif|heic)$/i;
const VIDEO = /\.(mp4|mov|webm)$/i;

/** A 1×1 grey JPEG-ish data URL standing in for a thumbnail. */
export const FIXTURE_THUMB = "data:image/gif;base64,R0lGODlhAQABAIAAAMzMzAAAACwAAAAAAQABAAACAkQBADs=";

export const FIXTURE_PRODUCTS: ProductChoice[] = [
  { id: "7001", title: "Alpine Down Jacket" },
  { id: "7002", title: "Canyon Trail Boots" },
  { id: "7003", title: "Harbor Wool Beanie" },
];

function baseName(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}

interface StoredDraft {
  id: string;
  fields: ComposerFields;
  attachments: string[];
  updated_at: number;
  uploaded: string[];
}

export interface FixtureComposerOptions {
  /** Paths that do not exist (a draft naming them reports "… was moved or deleted"). */
  missing?: string[];
  /** Size of every fixture file, bytes. */
  fileSize?: number;
  /** Progress steps per file. */
  steps?: number;
  /** Pause between progress steps, ms (0 = a microtask). */
  stepDelayMs?: number;
}

export class FixtureComposer implements ComposerBackend {
  drafts = new Map<string, StoredDraft>();
  created: { id: string; fields: ComposerFields; media: string[] }[] = [];
  /** Set to make the next publish fail these file names (retryable network failure). */
  failNext: string[] = [];
  /** Set to make the next publish reject with this error. */
  errorNext: IpcError | null = null;
  /** Calls, for assertions. */
  calls: string[] = [];
  private dropHandlers = new Set<(ev: { type: "over" | "drop" | "leave"; paths: string[] }) => void>();
  private cancelled = new Set<number>();
  private missing: Set<string>;
  private fileSize: number;
  private steps: number;
  private stepDelayMs: number;
  /** What the picker answers next. */
  pickNext: string[] = [];

  constructor(opts: FixtureComposerOptions = {}) {
    this.missing = new Set(opts.missing ?? []);
    this.fileSize = opts.fileSize ?? 1_000_000;
    this.steps = opts.steps ?? 4;
    this.stepDelayMs = opts.stepDelayMs ?? 0;
  }

  /** Plays a native drop of `paths` on the window. */
  drop(paths: string[]): void {
    for (const h of this.dropHandlers) h({ type: "drop", paths });
  }

  /** Removes a file from the fake disk. */
  remove(path: string): void {
    this.missing.add(path);
  }

  private attachment(path: string): Attachment {
    const name = baseName(path);
    const video = VIDEO.test(name);
    return {
      path,
      name,
      size: this.fileSize,
      kind: video ? "video" : "image",
      mime: video ? "video/mp4" : "image/jpeg",
      thumbnail: video ? null : FIXTURE_THUMB,
    };
  }

  async checkFiles(existing: string[], paths: string[]): Promise<CheckResult> {
    this.calls.push("checkFiles");
    const out: CheckResult = { accepted: [], refused: [] };
    let images = existing.filter((p) => IMAGE.test(p)).length;
    let videos = existing.filter((p) => VIDEO.test(p)).length;
    for (const p of paths) {
      const name = baseName(p);
      if (existing.includes(p) || out.accepted.some((a) => a.path === p)) {
        out.refused.push({ name, message: `${name} is already attached` });
      } else if (this.missing.has(p)) {
        out.refused.push({ name, message: `${name} was moved or deleted` });
      } else if (IMAGE.test(name)) {
        if (images >= 10) out.refused.push({ name: "", message: "A review can have at most 10 photos" });
        else {
          images++;
          out.accepted.push(this.attachment(p));
        }
      } else if (VIDEO.test(name)) {
        if (videos >= 1) out.refused.push({ name: "", message: "A review can have at most 1 video" });
        else {
          videos++;
          out.accepted.push(this.attachment(p));
        }
      } else {
        out.refused.push({ name, message: `${name} is not an image or video` });
      }
    }
    return out;
  }

  private summary(d: StoredDraft): DraftSummary {
    return {
      id: d.id,
      author: d.fields.author,
      product_title: d.fields.product_title,
      title: d.fields.title,
      rating: d.fields.rating,
      attachments: d.attachments.length,
      missing: d.attachments.filter((p) => this.missing.has(p)).map((p) => `${baseName(p)} was moved or deleted`),
      interrupted: d.uploaded.length > 0,
      updated_at: d.updated_at,
    };
  }

  async saveDraft(id: string, fields: ComposerFields, attachments: string[]): Promise<DraftSummary> {
    this.calls.push("saveDraft");
    const prev = this.drafts.get(id);
    const d: StoredDraft = {
      id,
      fields: { ...fields },
      attachments: [...attachments],
      updated_at: Math.floor(Date.now() / 1000),
      uploaded: prev?.uploaded ?? [],
    };
    this.drafts.set(id, d);
    return this.summary(d);
  }

  async listDrafts(): Promise<DraftSummary[]> {
    return [...this.drafts.values()].sort((a, b) => b.updated_at - a.updated_at).map((d) => this.summary(d));
  }

  async loadDraft(id: string): Promise<DraftView> {
    const d = this.drafts.get(id);
    if (!d) throw { code: "NOT_FOUND", message: "This draft no longer exists.", retry_after_s: null } satisfies IpcError;
    const checked = await this.checkFiles([], d.attachments);
    return {
      id,
      fields: { ...d.fields },
      attachments: checked.accepted,
      problems: checked.refused.map((r) => r.message),
      uploaded: [...d.uploaded],
    };
  }

  async discardDraft(id: string): Promise<boolean> {
    return this.drafts.delete(id);
  }

  async products(): Promise<ProductChoice[]> {
    return FIXTURE_PRODUCTS.map((p) => ({ ...p }));
  }

  async publish(id: string, onProgress: (ev: ProgressEvent) => void): Promise<PublishOutcome> {
    this.calls.push("publish");
    if (this.errorNext) {
      const e = this.errorNext;
      this.errorNext = null;
      throw e;
    }
    const d = this.drafts.get(id);
    if (!d) throw { code: "NOT_FOUND", message: "Save the draft before publishing.", retry_after_s: null } satisfies IpcError;
    this.cancelled.clear();
    const files = d.attachments.map((p) => this.attachment(p));
    const total = files.length * this.fileSize;
    const fail = new Set(this.failNext);
    this.failNext = [];
    let doneBytes = files.filter((f) => d.uploaded.includes(f.path)).length * this.fileSize;
    const failures: FileFailure[] = [];
    const ev = (i: number, f: Attachment, state: ProgressEvent["state"], sent: number): ProgressEvent => {
      const totalSent = doneBytes + (state === "done" ? 0 : sent);
      const allDone = state === "done" && doneBytes >= total;
      return {
        index: i,
        name: f.name,
        state,
        sent,
        size: f.size,
        percent: state === "done" ? 100 : Math.min(99, Math.floor((sent * 100) / f.size)),
        total_sent: totalSent,
        total_size: total,
        total_percent: allDone ? 100 : Math.min(99, Math.floor((totalSent * 100) / Math.max(1, total))),
      };
    };
    for (const [i, f] of files.entries()) {
      if (d.uploaded.includes(f.path)) {
        onProgress(ev(i, f, "done", f.size));
        continue;
      }
      let stopped = false;
      for (let s = 1; s <= this.steps; s++) {
        await (this.stepDelayMs > 0 ? new Promise((r) => setTimeout(r, this.stepDelayMs)) : Promise.resolve());
        if (this.cancelled.has(i) || this.cancelled.has(-1)) {
          onProgress(ev(i, f, "cancelled", 0));
          failures.push({ index: i, name: f.name, message: `Upload of ${f.name} was cancelled. Publish again to upload it, or remove it.`, retryable: true, cancelled: true });
          stopped = true;
          break;
        }
        if (fail.has(f.name) && s === 2) {
          onProgress(ev(i, f, "failed", 0));
          failures.push({ index: i, name: f.name, message: `Could not upload ${f.name}: the connection was lost. Retry to upload it with fresh credentials.`, retryable: true, cancelled: false });
          stopped = true;
          break;
        }
        const sent = Math.floor((f.size * s) / this.steps);
        onProgress(ev(i, f, sent >= f.size ? "finalizing" : "uploading", sent));
      }
      if (!stopped) {
        doneBytes += f.size;
        d.uploaded.push(f.path);
        onProgress(ev(i, f, "done", f.size));
      }
    }
    if (failures.length > 0) return { status: "upload_failed", files: failures };
    const reviewId = String(900000 + this.created.length + 1);
    this.created.push({ id: reviewId, fields: { ...d.fields }, media: [...d.attachments] });
    this.drafts.delete(id);
    return { status: "created", review_id: reviewId, found_existing: false };
  }

  async cancel(_id: string, index: number | null): Promise<boolean> {
    this.cancelled.add(index ?? -1);
    return true;
  }

  async onFileDrop(handler: (ev: { type: "over" | "drop" | "leave"; paths: string[] }) => void): Promise<() => void> {
    this.dropHandlers.add(handler);
    return () => this.dropHandlers.delete(handler);
  }

  async pickFiles(): Promise<string[]> {
    const p = this.pickNext;
    this.pickNext = [];
    return p;
  }
}
