import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../ipc/backend";
import { FixtureBackend } from "../ipc/fixture";
import { FIXTURE_NOW_S } from "../ipc/fixture/reviews-data";
import type { IpcError, OrderRow } from "../ipc";
import WorkspaceHarness from "../inbox/WorkspaceHarness.svelte";

const DAY = 86_400;

function setup(options: ConstructorParameters<typeof FixtureBackend>[0] = {}, prepare: (b: FixtureBackend) => void = () => {}) {
  const backend = new FixtureBackend({ reviews: 400, orders: 1200, latencyMs: 0, ...options });
  prepare(backend);
  const errors: IpcError[] = [];
  render(WorkspaceHarness, { backend, initialPage: "requests", errors, now: FIXTURE_NOW_S });
  return { backend, errors };
}

async function count(): Promise<string> {
  await waitFor(() => expect(screen.getByTestId("requests-count")).not.toHaveTextContent("Loading"));
  return screen.getByTestId("requests-count").textContent ?? "";
}

const fmt = (n: number) => n.toLocaleString("en-US");

describe("requests page", () => {
  it("lists every cached order in a virtual list, newest first, and refreshes on open", async () => {
    const { backend } = setup();
    const all = backend.requests.all;
    expect(await count()).toBe(`${fmt(all.length)} requests`);
    await waitFor(() => expect(screen.getAllByTestId("order-row").length).toBeGreaterThan(3));
    const newest = [...all].sort((a, b) => b.order.created_at - a.order.created_at)[0] as OrderRow;
    expect(screen.getAllByTestId("order-row")[0]?.dataset.id).toBe(newest.order.id);
    expect(backend.calls[COMMANDS.refreshOrders]).toBe(1);
  });

  it("stays smooth at 100,000 orders: only a window of rows is rendered", async () => {
    setup({ orders: 100_000 });
    expect(await count()).toMatch(/^100,\d{3} requests$/);
    const list = screen.getByTestId("review-list");
    await waitFor(() => expect(screen.getAllByTestId("order-row").length).toBeGreaterThan(3));
    expect(Number(list.dataset.rendered)).toBeLessThan(40);
  });

  it("filters by status, and the count agrees with the data", async () => {
    const { backend } = setup();
    await count();
    await fireEvent.change(screen.getByTestId("requests-status"), { target: { value: "evaluated" } });
    const reviewed = backend.requests.all.filter((r) => r.order.request_status === "evaluated");
    expect(reviewed.length).toBeGreaterThan(0);
    await waitFor(() => expect(screen.getByTestId("requests-count")).toHaveTextContent(`${fmt(reviewed.length)} request`));
    await waitFor(() => expect(screen.getAllByTestId("order-row").every((r) => r.dataset.status === "evaluated")).toBe(true));
  });

  it("filters by sending days (inclusive) and refuses a range that ends before it starts", async () => {
    const { backend } = setup();
    await count();
    const from = FIXTURE_NOW_S - 60 * DAY;
    const to = FIXTURE_NOW_S - 31 * DAY;
    const iso = (t: number) => new Date(t * 1000).toISOString().slice(0, 10);
    await fireEvent.input(screen.getByTestId("sent-from"), { target: { value: iso(from) } });
    await fireEvent.input(screen.getByTestId("sent-to"), { target: { value: iso(to) } });
    const start = Math.floor(from / DAY) * DAY;
    const end = Math.floor(to / DAY) * DAY + DAY;
    const expected = backend.requests.all.filter((r) => r.order.sent_at !== null && r.order.sent_at >= start && r.order.sent_at < end);
    await waitFor(() => expect(screen.getByTestId("requests-count")).toHaveTextContent(`${fmt(expected.length)} requests`));
    await fireEvent.input(screen.getByTestId("sent-from"), { target: { value: iso(to + 5 * DAY) } });
    expect(await screen.findByTestId("requests-range-error")).toHaveTextContent("end before they start");
    await fireEvent.click(screen.getByTestId("requests-clear"));
    expect(await count()).toBe(`${fmt(backend.requests.all.length)} requests`);
  });

  it("searches by order number or customer, and sorts", async () => {
    const { backend } = setup();
    await count();
    await fireEvent.input(screen.getByTestId("requests-search"), { target: { value: "#1005" } });
    await waitFor(() => expect(screen.getByTestId("requests-count")).toHaveTextContent("1 request"));
    await waitFor(() => expect(screen.getAllByTestId("order-row")[0]?.dataset.id).toBe("5500000004"));
    await fireEvent.input(screen.getByTestId("requests-search"), { target: { value: "zoë" } });
    const zoe = backend.requests.all.filter((r) => r.order.customer_name.toLowerCase().includes("zoë"));
    await waitFor(() => expect(screen.getByTestId("requests-count")).toHaveTextContent(`${fmt(zoe.length)} requests`));
    await fireEvent.input(screen.getByTestId("requests-search"), { target: { value: "" } });
    await fireEvent.change(screen.getByTestId("requests-sort"), { target: { value: "created_asc" } });
    const oldest = [...backend.requests.all].sort((a, b) => a.order.created_at - b.order.created_at)[0] as OrderRow;
    await waitFor(() => expect(screen.getAllByTestId("order-row")[0]?.dataset.id).toBe(oldest.order.id));
  });

  it("shows the funnel of the chosen period with its rates", async () => {
    const { backend } = setup();
    await count();
    const funnelOf = (days: number) => {
      const to = (Math.floor(FIXTURE_NOW_S / DAY) + 1) * DAY;
      const sent = backend.requests.all.filter(
        (r) => r.order.sent_at !== null && r.order.sent_at >= to - days * DAY && r.order.sent_at < to && ["sent", "opened", "evaluated"].includes(r.order.request_status),
      );
      return {
        sent: sent.length,
        opened: sent.filter((r) => r.order.request_status !== "sent").length,
        reviewed: sent.filter((r) => r.order.request_status === "evaluated").length,
      };
    };
    const check = async (f: { sent: number; opened: number; reviewed: number }) => {
      await waitFor(() => expect(screen.getByTestId("funnel-sent").dataset.count).toBe(String(f.sent)));
      expect(screen.getByTestId("funnel-opened").dataset.count).toBe(String(f.opened));
      expect(screen.getByTestId("funnel-reviewed").dataset.count).toBe(String(f.reviewed));
      const pct = (a: number, b: number) => {
        const p = (a / b) * 100;
        return `${p < 10 ? p.toFixed(1) : Math.round(p)}%`;
      };
      expect(screen.getByTestId("funnel-opened-rate")).toHaveTextContent(`${pct(f.opened, f.sent)} of sent`);
      expect(screen.getByTestId("funnel-reviewed-rate")).toHaveTextContent(`${pct(f.reviewed, f.opened)} of opened`);
    };
    const month = funnelOf(30);
    expect(month.sent).toBeGreaterThan(0);
    await check(month);
    await fireEvent.change(screen.getByTestId("funnel-period"), { target: { value: "365" } });
    const year = funnelOf(365);
    expect(year.reviewed).toBeGreaterThan(0);
    await check(year);
  });

  it("goes from an order to the review it brought, and from that review back to its order", async () => {
    const { backend } = setup();
    await count();
    await fireEvent.change(screen.getByTestId("requests-status"), { target: { value: "evaluated" } });
    await waitFor(() => expect(screen.getAllByTestId("order-row").every((r) => r.dataset.status === "evaluated")).toBe(true));
    const first = screen.getAllByTestId("order-row")[0] as HTMLElement;
    const orderId = first.dataset.id ?? "";
    const reviewId = backend.requests.all.find((r) => r.order.id === orderId)?.review_id;
    await fireEvent.click(within(first).getByTestId("open-review"));
    await waitFor(() => expect(screen.getByTestId("review-total")).toHaveTextContent("1 review brought by this order's request"));
    await waitFor(() => expect(screen.getAllByTestId("review-row")[0]?.dataset.reviewId).toBe(reviewId));
    await fireEvent.click(await screen.findByTestId("open-order"));
    await waitFor(() => expect(screen.getByTestId("requests-count")).toHaveTextContent("1 request"));
    await waitFor(() => expect(screen.getAllByTestId("order-row")[0]?.dataset.id).toBe(orderId));
  });

  it("excludes an order's customer with the exclusion action (queued while offline)", async () => {
    const { backend } = setup({ offline: true });
    await count();
    await waitFor(() => expect(screen.getAllByTestId("order-row").length).toBeGreaterThan(0));
    const first = screen.getAllByTestId("order-row")[0] as HTMLElement;
    const order = backend.requests.all.find((r) => r.order.id === first.dataset.id)?.order;
    await fireEvent.click(within(first).getByTestId("exclude-customer"));
    await waitFor(() => expect(backend.calls[COMMANDS.addExclusion]).toBe(1));
    expect(backend.args.find((a) => a.command === COMMANDS.addExclusion)?.arg).toEqual({ customer_id: order?.customer_id });
    expect(await screen.findByText("You're offline. The exclusion will be sent when Trustoo is reachable.")).toBeInTheDocument();
  });

  it("says when nothing is saved yet", async () => {
    setup({ orders: 0, reviews: 0 }, (backend) => {
      backend.requests.syncedAt = null;
      backend.failWith(COMMANDS.refreshOrders, { code: "NETWORK", message: "Couldn't reach Trustoo.", retry_after_s: null });
    });
    expect(await screen.findByTestId("requests-empty")).toHaveTextContent("No requests saved yet");
    expect(screen.getByTestId("requests-synced")).toHaveTextContent("Not fetched yet");
  });

  it("shows an error with a retry when the store cannot be read", async () => {
    const { backend } = setup();
    backend.failWith(COMMANDS.listOrders, { code: "INTERNAL", message: "The local database could not be read.", retry_after_s: null });
    expect(await screen.findByText("The local database could not be read.")).toBeInTheDocument();
    await fireEvent.click(screen.getByRole("button", { name: /retry/i }));
    expect(await count()).toBe(`${fmt(backend.requests.all.length)} requests`);
  });
});
