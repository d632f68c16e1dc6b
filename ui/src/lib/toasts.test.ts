import { fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import Toasts from "./components/Toasts.svelte";
import { MAX_TOASTS, ToastStore } from "./toasts.svelte";

describe("toasts", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("shows a toast, and an info toast goes away by itself", async () => {
    vi.useFakeTimers();
    const store = new ToastStore();
    render(Toasts, { store });
    store.info("Opened the sign-in page again.");
    await vi.advanceTimersByTimeAsync(0);

    expect(screen.getByTestId("toast")).toHaveTextContent("Opened the sign-in page again.");
    await vi.advanceTimersByTimeAsync(6000);
    expect(screen.queryByTestId("toast")).not.toBeInTheDocument();
  });

  it("keeps errors until dismissed, and announces them as alerts", async () => {
    vi.useFakeTimers();
    const store = new ToastStore();
    render(Toasts, { store });
    store.error("Couldn't reach Trustoo.");
    await vi.advanceTimersByTimeAsync(60_000);

    expect(screen.getByRole("alert")).toHaveTextContent("Couldn't reach Trustoo.");
    await fireEvent.click(screen.getByRole("button", { name: "Dismiss notification" }));
    expect(screen.queryByTestId("toast")).not.toBeInTheDocument();
  });

  it("offers Retry on an API error, waiting retry_after_s first", async () => {
    vi.useFakeTimers();
    const store = new ToastStore();
    const retry = vi.fn();
    render(Toasts, { store });
    store.error({ code: "RATE_LIMITED", message: "Too many requests.", retry_after_s: 30 }, retry);
    await vi.advanceTimersByTimeAsync(0);

    const action = screen.getByTestId("toast-action");
    expect(action).toHaveTextContent("Retry in 30 s");
    expect(action).toBeDisabled();
    await vi.advanceTimersByTimeAsync(29_000);
    expect(action).toHaveTextContent("Retry in 1 s");
    await vi.advanceTimersByTimeAsync(1000);
    expect(action).toHaveTextContent(/^\s*Retry\s*$/);

    await fireEvent.click(action);
    expect(retry).toHaveBeenCalledOnce();
    expect(screen.queryByTestId("toast")).not.toBeInTheDocument();
  });

  it("does not stack the same message twice, and keeps at most a few", async () => {
    const store = new ToastStore();
    render(Toasts, { store });
    store.warning("Same");
    store.warning("Same");
    expect(await screen.findAllByTestId("toast")).toHaveLength(1);
    for (let i = 0; i < 10; i++) store.warning(`Toast ${i}`);
    await vi.waitFor(() => expect(screen.getAllByTestId("toast")).toHaveLength(MAX_TOASTS));
    expect(screen.getAllByTestId("toast").at(-1)).toHaveTextContent("Toast 9");
    store.clear();
  });
});
