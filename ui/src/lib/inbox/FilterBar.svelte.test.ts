import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import type { LanguageSummary, SourceSummary, TagSummary } from "../ipc";
import FilterBar from "./FilterBar.svelte";
import { emptyFilters, type InboxFilters } from "./query";

const SOURCES: SourceSummary[] = [
  { source: "Store front", count: 1234 },
  { source: "Email request", count: 56 },
];

interface Options {
  triage?: boolean;
  filters?: Partial<InboxFilters>;
  languages?: LanguageSummary[];
  tags?: TagSummary[];
  replies?: boolean;
  reports?: boolean;
}

function setup(options: Options = {}) {
  const filters = $state<InboxFilters>({ ...emptyFilters(), ...options.filters });
  const onclear = vi.fn();
  render(FilterBar, {
    filters,
    products: [],
    sources: SOURCES,
    triage: options.triage ?? true,
    onclear,
    languages: options.languages,
    tags: options.tags,
    replies: options.replies,
    reports: options.reports,
  });
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

  it("offers language, reply and report chips only where the provider has them", () => {
    setup();
    expect(screen.queryByTestId("filter-language")).toBeNull();
    expect(screen.queryByTestId("filter-replied")).toBeNull();
    expect(screen.queryByTestId("filter-reported")).toBeNull();
    expect(screen.queryByTestId("filter-tag")).toBeNull();
  });

  it("leaves out the product, photo and video filters where the provider's reviews have none", () => {
    const filters = $state<InboxFilters>(emptyFilters());
    render(FilterBar, { filters, products: [], sources: SOURCES, onclear: vi.fn(), productFilter: false, mediaFilters: false });
    expect(screen.queryByTestId("filter-product")).toBeNull();
    expect(screen.queryByTestId("filter-photo")).toBeNull();
    expect(screen.queryByTestId("filter-video")).toBeNull();
    expect(screen.getByTestId("filter-verified")).toBeInTheDocument();
  });

  it("picks a tag by group and value, naming a group other than generic", async () => {
    const { filters } = setup({
      tags: [
        { tag: { group: "generic", value: "Delivery" }, count: 30 },
        { tag: { group: "ProductGroup", value: "Delivery" }, count: 2 },
      ],
    });
    const tag = screen.getByTestId("filter-tag") as HTMLSelectElement;
    expect([...tag.options].map((o) => o.textContent)).toEqual(["Tag", "Delivery (30)", "Delivery · ProductGroup (2)"]);
    await fireEvent.change(tag, { target: { value: tag.options[2]?.value } });
    expect(filters.tag).toEqual({ group: "ProductGroup", value: "Delivery" });
    await fireEvent.change(tag, { target: { value: "" } });
    expect(filters.tag).toBeNull();
  });

  it("sets the language, replied and reported filters from their chips, and clears them", async () => {
    const { filters } = setup({
      languages: [
        { language: "en", count: 1200 },
        { language: "da", count: 34 },
      ],
      replies: true,
      reports: true,
      filters: { language: "de" },
    });
    const language = screen.getByTestId("filter-language") as HTMLSelectElement;
    // The codes Trustpilot sends, named; a chosen one the stored reviews lack stays offered.
    expect([...language.options].map((o) => o.value)).toEqual(["", "en", "da", "de"]);
    expect(language.options[1]?.textContent).toMatch(/English \(1,200\)/);
    await fireEvent.change(language, { target: { value: "da" } });
    expect(filters.language).toBe("da");

    const replied = screen.getByTestId("filter-replied");
    await fireEvent.change(replied, { target: { value: "awaiting" } });
    expect(filters.replied).toBe(false);
    await fireEvent.change(replied, { target: { value: "replied" } });
    expect(filters.replied).toBe(true);
    await fireEvent.change(replied, { target: { value: "any" } });
    expect(filters.replied).toBeNull();

    const reported = screen.getByTestId("filter-reported");
    await fireEvent.change(reported, { target: { value: "reported" } });
    expect(filters.reported).toBe(true);
    await fireEvent.change(reported, { target: { value: "not_reported" } });
    expect(filters.reported).toBe(false);
    expect(screen.getByTestId("clear-filters")).toBeInTheDocument();
  });
});
