/** The shop area over Tauri: commands in `src-tauri/src/commands/webhooks.rs` and `shop.rs`. */
import { COMMANDS, type ShopArea } from "../backend";
import type { ShopAuthorization, ShopRef, SignOutReport, Webhook, WebhookInput, WebhookOverview, WebhookSaved } from "../types";
import { call } from "./invoke";

export function createTauriShop(): ShopArea {
  return {
    webhooks: () => call<WebhookOverview>(COMMANDS.webhooksOverview),
    createWebhook: (input: WebhookInput) => call<WebhookSaved>(COMMANDS.createWebhook, { input }),
    updateWebhook: (id: string, input: WebhookInput) => call<WebhookSaved>(COMMANDS.updateWebhook, { id, input }),
    deleteWebhook: (webhook: Webhook) => call<void>(COMMANDS.deleteWebhook, { webhook }),
    authorization: () => call<ShopAuthorization>(COMMANDS.shopAuthorization),
    disconnect: (shop: ShopRef, deleteLocalData: boolean) =>
      call<SignOutReport>(COMMANDS.disconnectShop, { domain: shop.domain, deleteLocalData }),
  };
}
