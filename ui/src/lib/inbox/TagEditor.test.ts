import { fireEvent, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { renderUnitOnScreen, UNIT_ACCOUNT } from "./harness";

/** The All accounts view with the Trustpilot unit on screen. */
function setup() {
  return renderUnitOnScreen();
}

function rows(): HTMLElement[] {
  return screen.queryAllByTestId("review-row");
}

function providerOf(row: HTMLElement | undefined): string | undefined {
  return row ? within(row).queryByTestId("row-account")?.dataset.provider : undefined;
}

/** Indexes of the rows of `provider`. */
async function rowsOf(provider: string): Promise<number[]> {
  await waitFor(() => expect(rows().length).toBeGreaterThan(0));
  return rows()
    .map((r, i) => (providerOf(r) === provider ? i : -1))
    .filter((i) => i >= 0);
}

describe("tagging reviews", () => {
  it("t tags the two checked Trustpilot reviews with a typed tag; the pane shows it and × takes it off", async () => {
    const backend = setup();
    const add = vi.spyOn(backend.reviews, "addTag");
    const remove = vi.spyOn(backend.reviews, "removeTag");
    const [a, b] = await rowsOf("trustpilot");
    if (a === undefined || b === undefined) throw new Error("two Trustpilot rows expected");
    const ids: string[] = [];
    for (const i of [a, b]) {
      const row = rows()[i] as HTMLElement;
      ids.push(row.dataset.reviewId ?? "");
      await fireEvent.click(row);
      await fireEvent.keyDown(window, { key: "x" });
    }
    // The bulk bar offers it too; t is the key.
    expect(screen.getByTestId("bulk-tag")).toBeInTheDocument();
    await fireEvent.keyDown(window, { key: "t" });
    const editor = await screen.findByTestId("tag-editor");
    expect(editor).toHaveTextContent("Tag 2 reviews");
    expect(editor).toHaveTextContent("shows in Trustpilot Business");
    const input = within(editor).getByTestId("tag-input");
    await fireEvent.input(input, { target: { value: "  Late parcel " } });
    await fireEvent.keyDown(input, { key: "Enter" });
    await waitFor(() => expect(add).toHaveBeenCalledTimes(1));
    expect(add.mock.calls[0]?.[0]).toEqual(expect.arrayContaining(ids.filter(Boolean)));
    expect(add.mock.calls[0]?.[1]).toEqual({ group: "generic", value: "Late parcel" });
    await waitFor(() => expect(screen.queryByTestId("tag-editor")).toBeNull());
    await waitFor(() => expect(document.body).toHaveTextContent("Tagged 2 reviews \u201cLate parcel\u201d."));
    // The selected (last checked) review's pane shows the tag, with a way to take it off.
    const tags = await screen.findByTestId("detail-tags");
    await waitFor(() => expect(tags).toHaveTextContent("Late parcel"));
    const chip = within(tags)
      .getAllByTestId("tag-remove")
      .find((x) => x.getAttribute("aria-label") === "Remove the tag Late parcel");
    if (!chip) throw new Error("no × on the new tag");
    await fireEvent.click(chip);
    await waitFor(() => expect(remove).toHaveBeenCalledWith(expect.any(String), { group: "generic", value: "Late parcel" }, UNIT_ACCOUNT));
    await waitFor(() => expect(screen.getByTestId("detail-tags")).not.toHaveTextContent("Late parcel"));
  });

  it("an empty tag is not sent, Escape closes, and a Trustoo row offers no tags", async () => {
    const backend = setup();
    const add = vi.spyOn(backend.reviews, "addTag");
    const [tp] = await rowsOf("trustpilot");
    const [trustoo] = await rowsOf("trustoo");
    if (tp === undefined || trustoo === undefined) throw new Error("rows of both providers expected");
    await fireEvent.click(rows()[tp] as HTMLElement);
    await fireEvent.click(await screen.findByTestId("tag-open"));
    const editor = await screen.findByTestId("tag-editor");
    expect(editor).toHaveTextContent("Tag this review");
    expect(within(editor).getByTestId("tag-apply")).toBeDisabled();
    const input = within(editor).getByTestId("tag-input");
    await fireEvent.input(input, { target: { value: "   " } });
    await fireEvent.keyDown(input, { key: "Enter" });
    expect(await within(editor).findByTestId("tag-problem")).toHaveTextContent("Type the tag first.");
    await fireEvent.keyDown(editor, { key: "Escape" });
    expect(screen.queryByTestId("tag-editor")).toBeNull();
    expect(add).not.toHaveBeenCalled();
    // A Trustoo review: no + Tag, and t opens nothing.
    await fireEvent.click(rows()[trustoo] as HTMLElement);
    await waitFor(() => expect(screen.queryByTestId("tag-open")).toBeNull());
    await fireEvent.keyDown(window, { key: "t" });
    expect(screen.queryByTestId("tag-editor")).toBeNull();
  });
});
