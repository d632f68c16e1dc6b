/** The requests area over Tauri: `src-tauri/src/commands/requests.rs`. */
import { COMMANDS, type RequestsArea } from "../backend";
import type { FeedRefresh, OrderListQuery, OrderPage, OrderRow, RequestFunnel } from "../types";
import { call } from "./invoke";

export function createTauriRequests(): RequestsArea {
  return {
    listOrders: (query: OrderListQuery) => call<OrderPage>(COMMANDS.listOrders, { query }),
    getOrder: (id: string) => call<OrderRow | null>(COMMANDS.getOrder, { id }),
    funnel: (from: number, to: number) => call<RequestFunnel>(COMMANDS.requestFunnel, { from, to }),
    refresh: () => call<FeedRefresh>(COMMANDS.refreshOrders),
  };
}
