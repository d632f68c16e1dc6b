import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../ipc/backend";
import { FixtureBackend } from "../ipc/fixture";
import { FIXTURE_NOW_S } from "../ipc/fixture/reviews-data";
import type { CustomerEvent, IpcError } from "../ipc";
import WorkspaceHarness from "../inbox/WorkspaceHarness.svelte";

const DAY = 86_400;
const TODAY = Math.floor(FIXTURE_NOW_S / DAY) * DAY;

function setup(options: ConstructorParameters<typeof FixtureBackend>[0] = {}, prepare: (b: FixtureBackend) => void = () => {}) {
  const backend = new FixtureBackend({ reviews: 50, events: 6000, latencyMs: 0, ...options });
  prepare(backend);
  const errors: IpcError[] = [];
  render(WorkspaceHarness, { backend, initialPage: "analytics", errors, now: FIXTURE_NOW_S });
  return { backend, errors };
}

/** Events of the last `days` UTC days up to the fixture's today, matching `keep`. */
function inRange(all: CustomerEvent[], days: number, keep: (e: CustomerEvent) => boolean = () => true): CustomerEvent[] {
  const from = TODAY - (days - 1) * DAY;
  return all.filter((e) => e.created_at >= from && e.created_at < TODAY + DAY && keep(e));
}

const fmt = (n: number) => n.toLocaleString("en-US");

describe("analytics page", () => {
  it("counts the last 30 days by day, by type, by source and by device, and refreshes on open", async () => {
    const { backend } = setup();
    const month = inRange(backend.analytics.all, 30);
    expect(month.length).toBeGreaterThan(100);
    expect(await screen.findByTestId("analytics-total")).toHaveTextContent(`${fmt(month.length)} events`);
    const timeline = screen.getByTestId("timeline");
    expect(timeline.dataset.columns).toBe("30");
    const columns = within(timeline).getAllByTestId("timeline-column");
    expect(columns.reduce((s, c) => s + Number(c.dataset.total), 0)).toBe(month.length);
    const ios = month.filter((e) => e.os_type === "IOS").length;
    expect(within(screen.getByTestId("by-os")).getByText("iOS").closest("[data-key]")?.getAttribute("data-count")).toBe(String(ios));
    const email = month.filter((e) => e.event_source === "EMAIL").length;
    expect(screen.getByTestId("by-source").querySelector('[data-key="EMAIL"]')?.getAttribute("data-count")).toBe(String(email));
    const views = month.filter((e) => e.event_type === "VIEW_REVIEW").length;
    expect(screen.getByTestId("by-type").querySelector('[data-key="VIEW_REVIEW"]')?.getAttribute("data-count")).toBe(String(views));
    expect(backend.calls[COMMANDS.refreshEvents]).toBe(1);
  });

  it("shows a year by month, and filters by type with options from the data", async () => {
    const { backend } = setup();
    await screen.findByTestId("analytics-total");
    await fireEvent.click(screen.getByTestId("preset-365"));
    const year = inRange(backend.analytics.all, 365);
    await waitFor(() => expect(screen.getByTestId("analytics-total")).toHaveTextContent(`${fmt(year.length)} events`));
    expect(Number(screen.getByTestId("timeline").dataset.columns)).toBeGreaterThanOrEqual(12);
    const select = screen.getByTestId("filter-type") as HTMLSelectElement;
    const values = [...select.options].map((o) => o.value).filter((v) => v !== "");
    expect(values).toEqual([...new Set(backend.analytics.all.map((e) => e.event_type))].sort());
    await fireEvent.change(select, { target: { value: "CLICK_MEDIA" } });
    const clicks = inRange(backend.analytics.all, 365, (e) => e.event_type === "CLICK_MEDIA");
    await waitFor(() => expect(screen.getByTestId("analytics-total")).toHaveTextContent(`${fmt(clicks.length)} events`));
    await waitFor(() => expect(screen.getAllByTestId("event-row").every((r) => r.dataset.type === "CLICK_MEDIA")).toBe(true));
  });

  it("lists the raw events 50 at a time", async () => {
    const { backend } = setup();
    await screen.findByTestId("analytics-total");
    expect(screen.getAllByTestId("event-row")).toHaveLength(50);
    await fireEvent.click(screen.getByTestId("events-more"));
    await waitFor(() => expect(screen.getAllByTestId("event-row")).toHaveLength(100));
    expect(backend.args.filter((a) => a.command === COMMANDS.listEvents).at(-1)?.arg).toMatchObject({ offset: 50, limit: 50 });
  });

  it("refuses a range that ends before it starts", async () => {
    setup();
    await screen.findByTestId("analytics-total");
    await fireEvent.input(screen.getByTestId("analytics-from"), { target: { value: "2025-11-30" } });
    expect(await screen.findByTestId("analytics-range-error")).toHaveTextContent("end before they start");
  });

  it("says when no events are saved yet", async () => {
    setup({ events: 0 }, (b) => {
      b.analytics.syncedAt = null;
      b.failWith(COMMANDS.refreshEvents, { code: "NETWORK", message: "Couldn't reach Trustoo.", retry_after_s: null });
    });
    expect(await screen.findByTestId("analytics-empty")).toHaveTextContent("No events saved yet");
  });

  it("shows an error with a retry when the store cannot be read", async () => {
    const { backend } = setup({}, (b) =>
      b.failWith(COMMANDS.eventSummary, { code: "INTERNAL", message: "The local database could not be read.", retry_after_s: null }, 2),
    );
    expect(await screen.findByText("The local database could not be read.")).toBeInTheDocument();
    await fireEvent.click(screen.getByRole("button", { name: /retry/i }));
    expect(await screen.findByTestId("analytics-total")).toHaveTextContent(fmt(inRange(backend.analytics.all, 30).length));
  });
});
