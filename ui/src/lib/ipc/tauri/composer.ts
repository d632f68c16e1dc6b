/**
 * The composer area over Tauri: commands in `src-tauri/src/commands/media.rs`, Tauri's native
 * drag-and-drop (paths, never bytes), the dialog plugin's file picker, and a `Channel` for
 * upload progress.
 */
import { Channel } from "@tauri-apps/api/core";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { open } from "@tauri-apps/plugin-dialog";
import { COMPOSER_COMMANDS as C, type ComposerArea } from "../backend";
import type { CheckResult, DraftSummary, DraftView, ProductChoice, ProgressEvent, PublishOutcome } from "../composer";
import { toIpcError } from "../errors";
import { call } from "./invoke";

/** Extensions the picker shows; Rust still checks the content of whatever is chosen. */
export const PICKER_EXTENSIONS = ["jpg", "jpeg", "png", "webp", "gif", "heic", "heif", "mp4", "mov", "m4v", "webm"];

export function createTauriComposer(): ComposerArea {
  return {
    checkFiles: (existing, paths) => call<CheckResult>(C.checkFiles, { existing, paths }),
    saveDraft: (id, fields, attachments) => call<DraftSummary>(C.saveDraft, { id, fields, attachments }),
    listDrafts: () => call<DraftSummary[]>(C.listDrafts),
    loadDraft: (id) => call<DraftView>(C.loadDraft, { id }),
    discardDraft: (id) => call<boolean>(C.discardDraft, { id }),
    products: () => call<ProductChoice[]>(C.products),
    publish: (id, onProgress) => {
      const channel = new Channel<ProgressEvent>();
      channel.onmessage = onProgress;
      return call<PublishOutcome>(C.publish, { id, onProgress: channel });
    },
    cancel: (id, index) => call<boolean>(C.cancel, { id, index }),
    onFileDrop: async (handler) => {
      try {
        return await getCurrentWebview().onDragDropEvent((event) => {
          const p = event.payload;
          if (p.type === "drop") handler({ type: "drop", paths: p.paths });
          else if (p.type === "enter" || p.type === "over") handler({ type: "over", paths: [] });
          else handler({ type: "leave", paths: [] });
        });
      } catch (reason) {
        throw toIpcError(reason);
      }
    },
    pickFiles: async () => {
      try {
        const picked = await open({
          multiple: true,
          directory: false,
          title: "Attach photos and videos",
          filters: [{ name: "Photos and videos", extensions: PICKER_EXTENSIONS }],
        });
        if (picked === null) return [];
        return Array.isArray(picked) ? picked : [picked];
      } catch (reason) {
        throw toIpcError(reason);
      }
    },
  };
}
