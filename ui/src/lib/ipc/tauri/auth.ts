/** The auth area over Tauri: commands in `src-tauri/src/commands/auth.rs` and their events. */
import { COMMANDS, EVENTS, type AuthArea } from "../backend";
import type { LoginStatus, Notice, ShopEntry, ShopRef, ShopSession, SignOutReport, TokenInput } from "../types";
import { call, on } from "./invoke";

export function createTauriAuth(): AuthArea {
  return {
    currentSession: () => call<ShopSession | null>(COMMANDS.currentSession),

    startSignIn: (shopDomain?: string) =>
      call<LoginStatus>(COMMANDS.startSignIn, shopDomain === undefined ? undefined : { shopDomain }),
    authStatus: () => call<LoginStatus>(COMMANDS.authStatus),
    cancelSignIn: () => call<void>(COMMANDS.cancelSignIn),
    reopenBrowser: () => call<void>(COMMANDS.reopenBrowser),
    connectWithTokens: (input: TokenInput) =>
      call<ShopSession>(COMMANDS.connectWithTokens, {
        input: {
          public_token: input.public_token,
          private_token: input.private_token,
          ...(input.shop_domain === undefined ? {} : { shop_domain: input.shop_domain }),
        },
      }),

    listShops: () => call<ShopEntry[]>(COMMANDS.listShops),
    // Both keys, so the command can name its parameter `shop_id` or `domain`; Tauri ignores the other.
    switchShop: (shop: ShopRef) =>
      call<ShopSession>(COMMANDS.switchShop, { shopId: shop.shop_id, domain: shop.domain }),
    signOut: (shop: ShopRef) => call<SignOutReport>(COMMANDS.signOut, { shopId: shop.shop_id, domain: shop.domain }),

    onSessionChanged: (handler: (session: ShopSession | null) => void) =>
      on<ShopSession | null>(EVENTS.sessionChanged, handler),
    onLoginStatus: (handler: (status: LoginStatus) => void) => on<LoginStatus>(EVENTS.loginStatus, handler),
    onNotice: (handler: (notice: Notice) => void) => on<Notice>(EVENTS.notice, handler),
    takePendingNotices: () => call<Notice[]>(COMMANDS.takePendingNotices),
  };
}
