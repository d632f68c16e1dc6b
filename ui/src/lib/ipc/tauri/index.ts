/**
 * The real back end: Tauri commands in `src-tauri/src/commands/`, one file per area of `Backend`
 * (`auth.ts`, `reviews.ts`, `composer.ts`, `shop.ts`) over one bridge (`invoke.ts`).
 *
 * This folder is the only place in the UI that imports `@tauri-apps/*`.
 */
import type { Backend } from "../backend";
import { createTauriAnalytics } from "./analytics";
import { createTauriAuth } from "./auth";
import { createTauriComposer } from "./composer";
import { createTauriRequests } from "./requests";
import { createTauriReviews } from "./reviews";
import { createTauriShop } from "./shop";
import { createTauriTrustpilot } from "./trustpilot";

export { call } from "./invoke";

export function createTauriBackend(): Backend {
  return {
    auth: createTauriAuth(),
    reviews: createTauriReviews(),
    composer: createTauriComposer(),
    shop: createTauriShop(),
    requests: createTauriRequests(),
    analytics: createTauriAnalytics(),
    trustpilot: createTauriTrustpilot(),
  };
}
