import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import type { SourceSummary } from "../ipc";
import FilterBar from "./FilterBar.svelte";
import { emptyFilters, type InboxFilters } from "./query";

const SOURCES: SourceSummary[] = [
  { source: "Store front", count: 1234 },
  { source: "Email request", count: 56 },
];

function setup(options: { triage?: boolean; filters?: Partial<InboxFilters> } = {}) {
  const filters = $state<InboxFilters>({ ...emptyFilters(), ...options.filters });
  const onclear = vi.fn();
  render(FilterBar, { filters, products: [], sources: SOURCES, triage: options.triage ?? true, onclear });
  return { filters, onclear };
}

describe("filter bar", () => {
  it("toggles stars (kept in order), photos, video and verified in the filters it edits", async () => {
    const { filters } = setup();
    await fireEvent.click(screen.getByTestId("filter-rating-1"));
    await fireEvent.click(screen.getByTestId("filter-rating-5"));
    await fireEvent.click(screen.getByTestId("filter-rating-3"));
    expect(filters.ratings).toEqual([1, 3, 5]);
    expect(screen.getByTestId("filter-rating-3")).toHaveAttribute("aria-pressed", "true");
    await fireEvent.click(screen.getByTestId("filter-rating-3"));
    expect(filters.ratings).toEqual([1, 5]);
    expect(screen.getByTestId("filter-rating-3")).toHaveAttribute("aria-pressed", "false");

    await fireEvent.click(screen.getByTestId("filter-photo"));
    await fireEvent.click(screen.getByTestId("filter-verified"));
    expect(filters).toMatchObject({ hasImage: true, hasVideo: null, verified: true });
    await fireEvent.click(screen.getByTestId("filter-photo"));
    expect(filters.hasImage).toBeNull();
  });

  it("lists the stored sources with their counts, and keeps a chosen source that has none", () => {
    setup({ filters: { source: "Amazon" } });
    const labels = within(screen.getByTestId("filter-source"))
      .getAllByRole("option")
      .map((o) => o.textContent?.trim());
    expect(labels).toEqual(["Source", "Store front (1,234)", "Email request (56)", "Amazon (0)"]);
  });

  it("shows the custom range only for a custom date, and no triage where there is none", async () => {
    const { filters } = setup({ triage: false });
    expect(screen.queryByTestId("filter-triage")).not.toBeInTheDocument();
    expect(screen.queryByTestId("filter-from")).not.toBeInTheDocument();
    await fireEvent.change(screen.getByTestId("filter-date"), { target: { value: "custom" } });
    expect(filters.date).toBe("custom");
    expect(screen.getByTestId("filter-from")).toBeInTheDocument();
    expect(screen.getByTestId("filter-to")).toBeInTheDocument();
  });

  it("offers Clear filters only while something narrows the list, and leaves clearing to the page", async () => {
    const { onclear } = setup();
    expect(screen.queryByTestId("clear-filters")).not.toBeInTheDocument();
    await fireEvent.click(screen.getByTestId("filter-verified"));
    await fireEvent.click(screen.getByTestId("clear-filters"));
    expect(onclear).toHaveBeenCalledOnce();
  });
});
