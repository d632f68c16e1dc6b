import { fireEvent, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { FIXTURE_UNIT_SESSION } from "../ipc/fixture";
import type { ReviewDetail } from "../ipc";
import { renderUnitOnScreen, UNIT_ACCOUNT } from "./harness";
import { formatDateTime, formatStamp } from "./format";

/** The All accounts view with the Trustpilot unit on screen. */
function setup() {
  return renderUnitOnScreen();
}

async function selectRowOf(provider: string): Promise<string> {
  await waitFor(() => expect(screen.queryAllByTestId("review-row").length).toBeGreaterThan(0));
  const row = screen.queryAllByTestId("review-row").find((r) => within(r).queryByTestId("row-account")?.dataset.provider === provider);
  if (!row) throw new Error(`no ${provider} row`);
  await fireEvent.click(row);
  return row.dataset.reviewId ?? "";
}

describe("Find Reviewer", () => {
  it("asks with an optional message, shows the request waiting, and the answer once Trustpilot has it", async () => {
    const backend = setup();
    const ask = vi.spyOn(backend.reviews, "findReviewer");
    const id = await selectRowOf("trustpilot");
    await fireEvent.click(await screen.findByTestId("find-reviewer-open"));
    await fireEvent.input(screen.getByTestId("find-reviewer-message"), { target: { value: "  Could you share your order number?  " } });
    await fireEvent.click(screen.getByTestId("find-reviewer-send"));
    await waitFor(() => expect(ask).toHaveBeenCalledWith(id, "Could you share your order number?", UNIT_ACCOUNT));
    const request = await screen.findByTestId("find-request");
    expect(request).toHaveTextContent("Waiting for the reviewer");
    expect(request).toHaveTextContent("Could you share your order number?");
    expect(screen.queryByTestId("find-reviewer-message")).toBeNull();

    // Trustpilot now has the consumer's answer: "Check for an answer" reads the review again.
    const fresh = await backend.reviews.getReviewDetail(id, { provider: "trustpilot", id: FIXTURE_UNIT_SESSION.domain });
    const details = fresh.row.review.details;
    if (details.provider !== "trustpilot" || !details.find_reviewer) throw new Error("a request");
    const first = details.find_reviewer.requests[0];
    if (!first) throw new Error("a request");
    first.status = "answered";
    first.answer = { reference_id: "#1042", name: "Ana Souza", email: null, phone: null, address: null, message: "Thanks!", submitted_at: "2026-12-06 10:00:00" };
    const refresh = vi.spyOn(backend.reviews, "refreshReview").mockResolvedValue(fresh as ReviewDetail);
    await fireEvent.click(screen.getByTestId("find-reviewer-refresh"));
    await waitFor(() => expect(refresh).toHaveBeenCalledWith(id, UNIT_ACCOUNT));
    const answer = await screen.findByTestId("find-answer");
    expect(answer).toHaveTextContent("#1042");
    expect(answer).toHaveTextContent("Ana Souza");
    expect(screen.getByTestId("find-request")).toHaveTextContent("Answered");
    await waitFor(() => expect(document.body).toHaveTextContent("The reviewer's answer is here."));
  });

  it("is not offered for a Trustoo review", async () => {
    setup();
    await selectRowOf("trustoo");
    await screen.findByTestId("detail-title");
    expect(screen.queryByTestId("find-reviewer")).toBeNull();
  });

  it("reads the store's time text as UTC", () => {
    expect(formatStamp("2026-12-06 10:00:00")).toBe(formatDateTime(Date.parse("2026-12-06T10:00:00Z") / 1000));
    expect(formatStamp("2026-12-06T10:00:00Z")).toBe(formatDateTime(Date.parse("2026-12-06T10:00:00Z") / 1000));
    expect(formatStamp("soon")).toBe("soon");
  });
});
