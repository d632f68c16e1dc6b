import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import App from "./App.svelte";
import { COMMANDS } from "./lib/ipc/backend";
import { EMPTY_RATING, FIXTURE_SESSION, FixtureBackend } from "./lib/ipc/fixture";

describe("App", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("shows a loading skeleton, then the shop and its rating summary", async () => {
    render(App, { backend: new FixtureBackend({ latencyMs: 20 }) });

    expect(screen.getByTestId("rating-loading")).toBeInTheDocument();
    expect(await screen.findByTestId("rating-average")).toHaveTextContent(/^4\.3$/);
    expect(screen.queryByTestId("rating-loading")).not.toBeInTheDocument();

    expect(screen.getByTestId("shop-name")).toHaveTextContent("Aurora Outfitters");
    expect(screen.getByText("aurora-outfitters.myshopify.com")).toBeInTheDocument();
    expect(screen.getByTestId("env-badge")).toHaveTextContent("Sandbox");
    expect(screen.getByTestId("rating-count")).toHaveTextContent("1,234 reviews");
    expect(screen.getByRole("img", { name: "4.3 out of 5 stars" })).toBeInTheDocument();
  });

  it("draws the histogram from 5★ down to 1★ with counts and percentages", async () => {
    render(App, { backend: new FixtureBackend() });
    const histogram = await screen.findByTestId("rating-histogram");

    const order = [...histogram.querySelectorAll("[data-testid^='rating-bar-']")].map((el) =>
      el.getAttribute("data-testid"),
    );
    expect(order).toEqual(["rating-bar-5", "rating-bar-4", "rating-bar-3", "rating-bar-2", "rating-bar-1"]);

    const five = within(screen.getByTestId("rating-bar-5") as unknown as HTMLElement);
    expect(five.getByText("764")).toBeInTheDocument();
    expect(five.getByText("62%")).toBeInTheDocument();
    const one = within(screen.getByTestId("rating-bar-1") as unknown as HTMLElement);
    expect(one.getByText("71")).toBeInTheDocument();
    expect(one.getByText("6%")).toBeInTheDocument();
  });

  it("shows a production shop with a non-sandbox badge", async () => {
    const backend = new FixtureBackend({
      session: { ...FIXTURE_SESSION, environment: "production", api_base: "https://rapi.trustoo.io" },
    });
    render(App, { backend });
    expect(await screen.findByTestId("env-badge")).toHaveTextContent("Production");
  });

  it("shows the empty state when the shop has no reviews", async () => {
    render(App, { backend: new FixtureBackend({ rating: EMPTY_RATING }) });

    expect(await screen.findByTestId("empty-state")).toHaveTextContent(
      "No reviews yet — reviews your customers leave will appear here.",
    );
    expect(screen.queryByTestId("rating-average")).not.toBeInTheDocument();
    expect(screen.queryByTestId("rating-histogram")).not.toBeInTheDocument();
  });

  it("shows the error message and loads again on Retry", async () => {
    const backend = new FixtureBackend().failWith(COMMANDS.getRating, {
      code: "NETWORK",
      message: "Couldn't reach Trustoo. Check your internet connection and try again.",
      retry_after_s: null,
    });
    render(App, { backend });

    expect(await screen.findByTestId("error-message")).toHaveTextContent(
      "Couldn't reach Trustoo. Check your internet connection and try again.",
    );
    const retry = screen.getByTestId("retry-button");
    expect(retry).toHaveTextContent("Retry");
    expect(retry).toBeEnabled();

    await fireEvent.click(retry);

    expect(await screen.findByTestId("rating-average")).toHaveTextContent(/^4\.3$/);
    expect(screen.queryByTestId("error-message")).not.toBeInTheDocument();
    expect(backend.calls.get_rating).toBe(2);
    expect(backend.calls.current_session).toBe(1);
  });

  it("shows an error when even the session cannot be read", async () => {
    const backend = new FixtureBackend().failWith(COMMANDS.currentSession, {
      code: "KEYCHAIN_UNAVAILABLE",
      message: "The system keychain is locked. Unlock it and try again.",
      retry_after_s: null,
    });
    render(App, { backend });

    expect(await screen.findByTestId("error-message")).toHaveTextContent("The system keychain is locked.");
    expect(screen.queryByTestId("shop-name")).not.toBeInTheDocument();
    await fireEvent.click(screen.getByTestId("retry-button"));
    expect(await screen.findByTestId("shop-name")).toHaveTextContent("Aurora Outfitters");
  });

  it("makes a rate-limited user wait retry_after_s before retrying", async () => {
    vi.useFakeTimers();
    const backend = new FixtureBackend().failWith(COMMANDS.getRating, {
      code: "RATE_LIMITED",
      message: "Trustoo is receiving too many requests from this shop.",
      retry_after_s: 3,
    });
    render(App, { backend });
    await vi.advanceTimersByTimeAsync(0);

    const retry = screen.getByTestId("retry-button");
    expect(screen.getByTestId("error-message")).toHaveTextContent("too many requests");
    expect(retry).toHaveTextContent("Retry in 3 s");
    expect(retry).toBeDisabled();

    await vi.advanceTimersByTimeAsync(1000);
    expect(retry).toHaveTextContent("Retry in 2 s");

    await vi.advanceTimersByTimeAsync(2000);
    expect(retry).toHaveTextContent(/^\s*Retry\s*$/);
    expect(retry).toBeEnabled();

    await fireEvent.click(retry);
    await vi.advanceTimersByTimeAsync(0);
    expect(screen.getByTestId("rating-average")).toHaveTextContent(/^4\.3$/);
  });

  it("welcomes a signed-out merchant with a way to sign in", async () => {
    const backend = new FixtureBackend({ session: null });
    render(App, { backend });

    const card = await screen.findByTestId("not-signed-in");
    expect(card).toHaveTextContent("ReviewDesk");
    expect(card).toHaveTextContent("Read, answer and moderate your shop's Trustoo reviews");
    expect(within(card).getByTestId("sign-in")).toHaveTextContent("Sign in with Trustoo");
    expect(card).toHaveTextContent("You'll approve ReviewDesk in your browser, then come back here.");
    expect(within(card).getByTestId("use-tokens")).toHaveTextContent("Use a Public Token and Private Token instead");
    expect(screen.getByText(/starts it connected to the sandbox shop/)).toBeInTheDocument();
    expect(screen.queryByTestId("shop-name")).not.toBeInTheDocument();
    expect(screen.queryByTestId("rating-average")).not.toBeInTheDocument();
    expect(backend.calls.get_rating).toBe(0);
  });

  it("follows session-changed: signing in later loads the shop", async () => {
    const backend = new FixtureBackend({ session: null });
    render(App, { backend });
    await screen.findByTestId("not-signed-in");

    backend.auth.setSession(FIXTURE_SESSION);

    expect(await screen.findByTestId("rating-average")).toHaveTextContent(/^4\.3$/);
    expect(screen.getByTestId("shop-name")).toHaveTextContent("Aurora Outfitters");
    expect(screen.queryByTestId("not-signed-in")).not.toBeInTheDocument();
  });
});
