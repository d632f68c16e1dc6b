import { fireEvent, screen, waitFor, within } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { renderUnitOnScreen, UNIT_ACCOUNT, UNIT_NAME } from "./harness";

beforeEach(() => localStorage.clear());

/** Makes the first Trustpilot row a product review nobody has answered; answers its id. */
async function productReviewOnScreen(backend: ReturnType<typeof renderUnitOnScreen>): Promise<string> {
  await waitFor(() => expect(screen.queryAllByTestId("review-row").length).toBeGreaterThan(0));
  // Not the row selected at start: its detail is loaded already.
  const row = screen
    .queryAllByTestId("review-row")
    .find((r) => within(r).queryByTestId("row-account")?.dataset.provider === "trustpilot" && r.getAttribute("aria-selected") !== "true");
  const id = row?.dataset.reviewId ?? "";
  backend.reviews.changeReview(id, UNIT_ACCOUNT, (review) => {
  if (review.details.provider !== "trustpilot") throw new Error("a Trustpilot row");
  review.is_store_review = false;
  review.product_title = "Trail Jacket";
  review.title = "";
  review.reply = null;
  review.details.product = {
    state: "underModeration",
    sku: "AU-101",
    product_url: null,
    image_url: null,
    brand: "Aurora",
    attributes: [
      { name: "Quality", rating: 4, option: null },
      { name: "Fit", rating: 2, option: "True to size" },
    ],
    conversation_id: null,
    conversation_public: true,
    comment_id: null,
  };
  });
  if (!row) throw new Error("no Trustpilot row");
  await fireEvent.click(row);
  return id;
}

describe("a Trustpilot product review", () => {
  it("shows its product, state and attributes, and offers neither tags nor Find Reviewer", async () => {
    const backend = renderUnitOnScreen();
    await productReviewOnScreen(backend);
    const facts = await screen.findByTestId("product-facts");
    expect(screen.getByTestId("detail-title")).toHaveTextContent("Trail Jacket");
    expect(screen.getByTestId("detail-product")).toHaveTextContent("Product review on Trustpilot");
    expect(within(facts).getByTestId("product-state")).toHaveTextContent("Under moderation");
    expect(facts).toHaveTextContent("SKU AU-101");
    expect(within(facts).getByTestId("product-attributes")).toHaveTextContent("True to size");
    expect(within(facts).getByTestId("product-attributes")).toHaveTextContent("4/5");
    expect(screen.queryByTestId("find-reviewer")).toBeNull();
    expect(screen.queryByTestId("tag-open")).toBeNull();
    // Its state is the pill: no report status beside it (only service reviews are reported).
    expect(screen.queryByTestId("detail-report")).toBeNull();
  });

  it("is answered by a comment whose visibility the merchant chooses, updated in place, never taken down", async () => {
    const backend = renderUnitOnScreen();
    const post = vi.spyOn(backend.reviews, "postReply");
    const down = vi.spyOn(backend.reviews, "deleteReply");
    const visibility = vi.spyOn(backend.reviews, "setConversationPublic");
    const id = await productReviewOnScreen(backend);
    await screen.findByTestId("product-facts");
    expect(screen.getByTestId("reply-open")).toHaveTextContent("Answer");
    await fireEvent.keyDown(window, { key: "a" });
    const text = (await screen.findByTestId("reply-text")) as HTMLTextAreaElement;
    const shown = screen.getByTestId("reply-public") as HTMLInputElement;
    expect(shown.checked).toBe(true);
    await fireEvent.click(shown);
    expect(screen.getByTestId("reply-preview")).toHaveTextContent(`Comment from ${UNIT_NAME} · private`);
    expect(screen.getByTestId("reply-post")).toHaveTextContent("Post comment");
    await fireEvent.input(text, { target: { value: "Sorry about the zip: a new one is on its way." } });
    await fireEvent.keyDown(text, { key: "Enter", ctrlKey: true });
    await waitFor(() => expect(post).toHaveBeenCalledWith(id, "Sorry about the zip: a new one is on its way.", UNIT_ACCOUNT, false));
    const answer = await screen.findByTestId("review-reply");
    await waitFor(() => expect(answer).toHaveTextContent("private: only the reviewer sees it"));
    expect(screen.queryByTestId("reply-delete")).toBeNull();
    await waitFor(() => expect(screen.getByTestId("audit-list")).toHaveTextContent("Answered in a private conversation"));

    await fireEvent.click(screen.getByTestId("conversation-toggle"));
    await waitFor(() => expect(visibility).toHaveBeenCalledWith(id, true, UNIT_ACCOUNT));
    await waitFor(() => expect(screen.getByTestId("conversation-visibility")).toHaveTextContent("public on Trustpilot"));

    // An edit updates the comment: one click, no confirmation, nothing taken down.
    await fireEvent.click(screen.getByTestId("reply-edit"));
    const edit = (await screen.findByTestId("reply-text")) as HTMLTextAreaElement;
    expect(screen.getByTestId("reply-post")).toHaveTextContent("Update comment");
    await fireEvent.input(edit, { target: { value: "The new zip went out today." } });
    await fireEvent.click(screen.getByTestId("reply-post"));
    await waitFor(() => expect(post).toHaveBeenLastCalledWith(id, "The new zip went out today.", UNIT_ACCOUNT, true));
    expect(screen.queryByTestId("reply-confirm-replace")).toBeNull();
    expect(down).not.toHaveBeenCalled();
    await waitFor(() => expect(screen.getByTestId("audit-list")).toHaveTextContent("Updated the comment"));
  });
});
