import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../ipc/backend";
import { FIXTURE_NARROW_SESSION, FIXTURE_SESSION, FIXTURE_WEBHOOKS, FixtureBackend, type FixtureOptions } from "../ipc/fixture";
import type { ShopSession } from "../ipc";
import WorkspaceHarness from "../inbox/WorkspaceHarness.svelte";

function setup(options: FixtureOptions = {}, session: ShopSession = FIXTURE_SESSION) {
  const backend = new FixtureBackend({ reviews: 5, latencyMs: 0, session, ...options });
  render(WorkspaceHarness, { backend, initialPage: "webhooks", session });
  return backend;
}

async function fill(topic: string, url: string) {
  await fireEvent.change(screen.getByTestId("webhook-topic"), { target: { value: topic } });
  await fireEvent.input(screen.getByTestId("webhook-url"), { target: { value: url } });
}

describe("webhooks page", () => {
  it("is in the navigation when the provider has webhooks, and lists them", async () => {
    setup();
    expect(screen.getByTestId("nav-webhooks")).toHaveAttribute("aria-current", "page");
    const rows = await screen.findAllByTestId("webhook-row");
    expect(rows).toHaveLength(FIXTURE_WEBHOOKS.length);
    expect(rows[0]).toHaveTextContent("A review is created");
    expect(rows[0]).toHaveTextContent(FIXTURE_WEBHOOKS[0]?.url ?? "");
    expect(screen.getByTestId("webhooks-count")).toHaveTextContent("2 webhooks");
  });

  it("says so when there is none yet", async () => {
    setup({ webhooks: [] });
    expect(await screen.findByTestId("webhooks-empty")).toHaveTextContent("No webhooks yet.");
  });

  it("shows a load failure with a way to retry", async () => {
    const backend = new FixtureBackend({ latencyMs: 0 }).failWith(COMMANDS.webhooksOverview, {
      code: "NETWORK",
      message: "Could not reach Trustoo. Check your internet connection and try again.",
      retry_after_s: null,
    });
    render(WorkspaceHarness, { backend, initialPage: "webhooks", session: FIXTURE_SESSION });
    expect(await screen.findByText("Could not reach Trustoo. Check your internet connection and try again.")).toBeInTheDocument();
    await fireEvent.click(screen.getByRole("button", { name: /retry/i }));
    expect(await screen.findAllByTestId("webhook-row")).toHaveLength(2);
  });

  it("checks the address before sending, and warns about http without refusing it", async () => {
    const backend = setup({ webhooks: [] });
    await screen.findByTestId("webhooks-empty");
    await fill("review/updated", "example.com/hook");
    await fireEvent.click(screen.getByTestId("save-webhook"));
    expect(screen.getByTestId("webhook-url-error")).toHaveTextContent("Enter a full web address starting with https://");
    expect(backend.calls[COMMANDS.createWebhook]).toBe(0);

    await fill("review/updated", "http://hooks.shop.example/trustoo");
    expect(screen.getByTestId("webhook-http-warning")).toHaveTextContent("unencrypted");
    await fireEvent.click(screen.getByTestId("save-webhook"));
    await waitFor(() => expect(backend.shop.list).toHaveLength(1));
    expect(backend.args.find((a) => a.command === COMMANDS.createWebhook)?.arg).toEqual({
      topic: "review/updated",
      url: "http://hooks.shop.example/trustoo",
    });
    expect(await screen.findByText(/Added\. Trustoo will post “A review is updated” events/)).toHaveTextContent("unencrypted");
    expect(await screen.findAllByTestId("webhook-row")).toHaveLength(1);
  });

  it("shows Trustoo's refusal of a duplicate as a sentence under the form", async () => {
    setup();
    await screen.findAllByTestId("webhook-row");
    await fill("review/created", FIXTURE_WEBHOOKS[0]?.url ?? "");
    await fireEvent.click(screen.getByTestId("save-webhook"));
    expect(await screen.findByTestId("webhook-form-error")).toHaveTextContent(
      "Trustoo already has a “review/created” webhook to this address, so nothing was changed.",
    );
  });

  it("edits a webhook in place", async () => {
    const backend = setup();
    const row = (await screen.findAllByTestId("webhook-row"))[0] as HTMLElement;
    await fireEvent.click(within(row).getByTestId("edit-webhook"));
    expect(screen.getByRole("heading", { name: "Edit webhook" })).toBeInTheDocument();
    expect(screen.getByTestId("webhook-url")).toHaveValue(FIXTURE_WEBHOOKS[0]?.url);
    await fill("review/updated", "https://hooks.shop.example/v2");
    await fireEvent.click(screen.getByTestId("save-webhook"));
    await waitFor(() => expect(backend.shop.list[0]).toMatchObject({ topic: "review/updated", url: "https://hooks.shop.example/v2" }));
    expect(await screen.findByRole("heading", { name: "Add a webhook" })).toBeInTheDocument();
  });

  it("deletes only after asking", async () => {
    const backend = setup();
    const row = (await screen.findAllByTestId("webhook-row"))[1] as HTMLElement;
    await fireEvent.click(within(row).getByTestId("delete-webhook"));
    const dialog = await screen.findByTestId("confirm-dialog");
    expect(dialog).toHaveTextContent("Trustoo will stop posting “A review is deleted or hidden” events to");
    await fireEvent.click(within(dialog).getByTestId("cancel"));
    expect(backend.calls[COMMANDS.deleteWebhook]).toBe(0);
    expect(backend.shop.list).toHaveLength(2);

    await fireEvent.click(within(row).getByTestId("delete-webhook"));
    await fireEvent.click(await screen.findByTestId("confirm-delete-webhook"));
    await waitFor(() => expect(backend.shop.list).toHaveLength(1));
    await waitFor(() => expect(screen.getAllByTestId("webhook-row")).toHaveLength(1));
  });

  it("shows the topics the sign-in does not allow, with the scope they need", async () => {
    setup({}, FIXTURE_NARROW_SESSION);
    await screen.findAllByTestId("webhook-row");
    const refused = screen.getAllByTestId("refused-topic");
    expect(refused).toHaveLength(1);
    expect(refused[0]).toHaveTextContent("customer_event/created needs the scope read_customer_events.");
    const option = within(screen.getByTestId("webhook-topic")).getByRole("option", { name: /widget/ });
    expect(option).toBeDisabled();
    expect(option).toHaveTextContent("needs read_customer_events");
  });

  it("says, instead of failing later, that no topic is allowed", async () => {
    const reviewsOnly: ShopSession = { ...FIXTURE_NARROW_SESSION, scopes: ["read_reviews"] };
    const backend = setup({}, reviewsOnly);
    const notice = await screen.findByTestId("webhooks-not-allowed");
    expect(notice).toHaveTextContent("need the Trustoo scope write_reviews");
    expect(notice).toHaveTextContent("need the Trustoo scope read_customer_events");
    expect(screen.getByTestId("save-webhook")).toBeDisabled();
    expect(backend.calls[COMMANDS.createWebhook]).toBe(0);
  });

  it("is not in the navigation when the provider has no webhooks", async () => {
    const noHooks: ShopSession = { ...FIXTURE_SESSION, capabilities: { ...FIXTURE_SESSION.capabilities, webhooks: false } };
    const backend = new FixtureBackend({ reviews: 5, latencyMs: 0, session: noHooks });
    render(WorkspaceHarness, { backend, initialPage: "inbox", session: noHooks });
    expect(screen.queryByTestId("nav-webhooks")).toBeNull();
    expect(screen.getByTestId("nav-shop")).toBeInTheDocument();
  });
});
