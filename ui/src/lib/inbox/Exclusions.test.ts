import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { COMMANDS } from "../ipc/backend";
import { FixtureBackend, FIXTURE_SESSION, FIXTURE_UNIT, FIXTURE_UNIT_SESSION } from "../ipc/fixture";
import { accountLabels } from "./accounts";
import WorkspaceHarness from "./WorkspaceHarness.svelte";

function setup(options: ConstructorParameters<typeof FixtureBackend>[0] = {}) {
  const backend = new FixtureBackend({ reviews: 50, latencyMs: 0, ...options });
  render(WorkspaceHarness, { backend, initialPage: "exclusions" });
  return backend;
}

describe("exclusions page", () => {
  it("lists the excluded customers page by page", async () => {
    const backend = setup();
    expect(await screen.findByTestId("exclusions-count")).toHaveTextContent(`${backend.reviews.exclusions.length} in all`);
    expect(screen.getAllByTestId("exclusion-row")).toHaveLength(10);
    expect(screen.getByTestId("exclusions-page")).toHaveTextContent("Page 1 of 3");
    await fireEvent.click(screen.getByTestId("exclusions-next"));
    await waitFor(() => expect(screen.getByTestId("exclusions-page")).toHaveTextContent("Page 2 of 3"));
    expect(screen.getByTestId("exclusions-prev")).toBeEnabled();
  });

  it("refuses a malformed email before sending, then excludes a valid one", async () => {
    const backend = setup();
    await screen.findByTestId("exclusions-table");
    const input = screen.getByTestId("exclusion-input");
    await fireEvent.input(input, { target: { value: "not-an-email" } });
    await fireEvent.click(screen.getByTestId("add-exclusion"));
    expect(screen.getByTestId("exclusion-error")).toHaveTextContent("doesn't look like an email");
    expect(backend.calls[COMMANDS.addExclusion]).toBe(0);

    await fireEvent.input(input, { target: { value: "  spam@example.com " } });
    await fireEvent.click(screen.getByTestId("add-exclusion"));
    await waitFor(() => expect(backend.reviews.exclusions.some((e) => e.email === "spam@example.com")).toBe(true));
    expect(await screen.findByText("spam@example.com won't get review requests any more.")).toBeInTheDocument();
    await waitFor(() => expect(screen.getAllByTestId("exclusion-row")[0]?.dataset.email).toBe("spam@example.com"));
    expect(input).toHaveValue("");
  });

  it("excludes by customer id (digits only)", async () => {
    const backend = setup();
    await screen.findByTestId("exclusions-table");
    await fireEvent.click(screen.getByTestId("exclusion-mode-customer"));
    const input = screen.getByTestId("exclusion-input");
    await fireEvent.input(input, { target: { value: "71x" } });
    await fireEvent.click(screen.getByTestId("add-exclusion"));
    expect(screen.getByTestId("exclusion-error")).toHaveTextContent("digits only");
    await fireEvent.input(input, { target: { value: "7123456789" } });
    await fireEvent.click(screen.getByTestId("add-exclusion"));
    await waitFor(() => expect(backend.args.find((a) => a.command === COMMANDS.addExclusion)?.arg).toEqual({ customer_id: "7123456789" }));
  });

  it("removes an exclusion after asking", async () => {
    const backend = setup();
    await screen.findByTestId("exclusions-table");
    const first = screen.getAllByTestId("exclusion-row")[0] as HTMLElement;
    const email = first.dataset.email ?? "";
    const before = backend.reviews.exclusions.length;
    await fireEvent.click(within(first).getByTestId("remove-exclusion"));
    expect(await screen.findByTestId("confirm-dialog")).toHaveTextContent(`${email} will get review-request emails again.`);
    await fireEvent.click(screen.getByTestId("confirm-remove-exclusion"));
    await waitFor(() => expect(backend.reviews.exclusions.length).toBe(before - 1));
    await waitFor(() => expect(screen.getAllByTestId("exclusion-row").some((r) => r.dataset.email === email)).toBe(false));
  });

  it("unsubscribes an email from one kind of email", async () => {
    const backend = setup();
    await screen.findByTestId("exclusions-table");
    await fireEvent.input(screen.getByTestId("unsubscribe-email"), { target: { value: "ana@example.com" } });
    await fireEvent.change(screen.getByTestId("unsubscribe-type"), { target: { value: "review_request" } });
    await fireEvent.click(screen.getByTestId("unsubscribe"));
    expect(await screen.findByText("ana@example.com is unsubscribed from review request emails.")).toBeInTheDocument();
    expect(backend.args.find((a) => a.command === COMMANDS.unsubscribeEmail)?.arg).toEqual({
      email: "ana@example.com",
      emailType: "review_request",
    });
  });

  it("queues an exclusion while offline and shows it as pending", async () => {
    const backend = setup({ offline: true });
    await screen.findByTestId("exclusions-table");
    await fireEvent.input(screen.getByTestId("exclusion-input"), { target: { value: "later@example.com" } });
    await fireEvent.click(screen.getByTestId("add-exclusion"));
    expect(await screen.findByText(/The exclusion will be sent when Trustoo is reachable/)).toBeInTheDocument();
    expect(backend.reviews.exclusions.some((e) => e.email === "later@example.com")).toBe(false);
    await fireEvent.click(screen.getByTestId("nav-inbox"));
    expect(await screen.findByTestId("pending-actions")).toHaveTextContent("1 action waiting to be sent");
    backend.reviews.setOffline(false);
    await waitFor(() => expect(screen.queryByTestId("pending-actions")).not.toBeInTheDocument());
    expect(backend.reviews.exclusions.some((e) => e.email === "later@example.com")).toBe(true);
  });

  it("shows why the list could not be loaded, and retries", async () => {
    const backend = new FixtureBackend({ reviews: 10, latencyMs: 0 });
    backend.failWith(COMMANDS.listExclusions, { code: "NETWORK", message: "Couldn't reach Trustoo.", retry_after_s: null });
    render(WorkspaceHarness, { backend, initialPage: "exclusions" });
    expect(await screen.findByTestId("error-message")).toHaveTextContent("Couldn't reach Trustoo.");
    await fireEvent.click(screen.getByTestId("retry-button"));
    expect(await screen.findByTestId("exclusions-table")).toBeInTheDocument();
  });
});

describe("overview", () => {
  it("shows the shop's rating and a per-product histogram from local data", async () => {
    const backend = new FixtureBackend({ reviews: 400, latencyMs: 0 });
    render(WorkspaceHarness, { backend, initialPage: "overview" });
    expect(screen.getByTestId("rating-average")).toHaveTextContent("4.3");
    const local = await screen.findByTestId("local-rating");
    expect(local).toHaveTextContent("400 reviews saved on this computer");
    await fireEvent.click(screen.getByTestId("filter-product"));
    await fireEvent.click(await screen.findByTestId("product-option-8012345001"));
    await waitFor(() => expect(screen.getByTestId("local-rating")).not.toHaveTextContent("400 reviews"));
    const bars = screen.getByTestId("local-rating").querySelectorAll("[data-star]");
    expect([...bars].map((b) => b.getAttribute("data-star"))).toEqual(["5", "4", "3", "2", "1"]);
  });

  it("a Trustpilot business unit shows its TrustScore, its stars and review count, and no product picker", async () => {
    const backend = new FixtureBackend({ reviews: 40, latencyMs: 0 });
    render(WorkspaceHarness, { backend, initialPage: "overview", session: FIXTURE_UNIT_SESSION });
    const card = await screen.findByTestId("trustscore");
    await waitFor(() => expect(within(card).getByTestId("trustscore-value")).toHaveTextContent(FIXTURE_UNIT.trust_score?.toFixed(1) ?? ""));
    expect(card).toHaveTextContent("1,500 reviews on Trustpilot");
    expect(within(card).getByRole("img")).toHaveAccessibleName(/4\.5 out of 5 stars/);
    expect(screen.queryByTestId("filter-product")).toBeNull();
    expect(screen.getByTestId("rating-scope-label")).toHaveTextContent("Every service review on Trustpilot");
  });

  it("a Trustpilot business unit shows its reply rate and wait, by star and by month, as counted from the reviews", async () => {
    const backend = new FixtureBackend({ reviews: 40, latencyMs: 0 });
    const counted = await backend.reviews.replyInsights();
    render(WorkspaceHarness, { backend, initialPage: "overview", session: FIXTURE_UNIT_SESSION });
    const card = await screen.findByTestId("reply-insights");
    const overall = Math.round((counted.overall.replied / counted.overall.reviews) * 100);
    await waitFor(() => expect(within(card).getByTestId("reply-rate")).toHaveTextContent(`${overall}% answered`));
    for (const s of counted.by_stars) {
      const pct = s.reviews === 0 ? 0 : Math.round((s.replied / s.reviews) * 100);
      expect(within(card).getByTestId(`reply-star-${s.group}`)).toHaveTextContent(`${pct}%`);
    }
    expect(within(card).getByTestId("reply-months").querySelectorAll("text")).toHaveLength(counted.by_month.length);
  });

  it("in All accounts, the Replies card counts every Trustpilot account, even with a Trustoo shop on screen", async () => {
    const backend = new FixtureBackend({ reviews: 40, latencyMs: 0 });
    const asked = vi.spyOn(backend.reviews, "replyInsights");
    const allAccounts = accountLabels([
      { session: FIXTURE_SESSION, signed_in: true, active: true, problem: null },
      { session: FIXTURE_UNIT_SESSION, signed_in: true, active: false, problem: null },
    ]);
    render(WorkspaceHarness, { backend, initialPage: "overview", session: FIXTURE_SESSION, allAccounts });
    const card = await screen.findByTestId("reply-insights");
    expect(card).toHaveTextContent("Replies · every Trustpilot account");
    await waitFor(() => expect(within(card).getByTestId("reply-rate")).toHaveTextContent("% answered"));
    expect(asked).toHaveBeenCalledWith(true);
    // No TrustScore card: the shop on screen is Trustoo's.
    expect(screen.queryByTestId("trustscore")).toBeNull();
  });

  it("a TrustScore Trustpilot did not answer says why and tries again", async () => {
    const backend = new FixtureBackend({ reviews: 10, latencyMs: 0 });
    backend.failWith(COMMANDS.trustpilotUnit, { code: "NETWORK", message: "Couldn't reach Trustpilot.", retry_after_s: null });
    render(WorkspaceHarness, { backend, initialPage: "overview", session: FIXTURE_UNIT_SESSION });
    const card = await screen.findByTestId("trustscore");
    await waitFor(() => expect(card).toHaveTextContent("Couldn't reach Trustpilot."));
    await fireEvent.click(within(card).getByTestId("trustscore-retry"));
    await waitFor(() => expect(within(card).getByTestId("trustscore-value")).toHaveTextContent("4.4"));
  });
});
