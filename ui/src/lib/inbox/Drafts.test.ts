import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { emptyFields } from "../composer/model";
import { FixtureBackend } from "../ipc/fixture";
import WorkspaceHarness from "./WorkspaceHarness.svelte";

function backend(): FixtureBackend {
  return new FixtureBackend({ reviews: 20, latencyMs: 0, syncStepMs: 5 });
}

function setup(given = backend()) {
  render(WorkspaceHarness, { backend: given, initialPage: "inbox" });
}

describe("drafts left from an earlier run", () => {
  it("are offered on arrival and Resume opens them", async () => {
    const given = backend();
    await given.composer.saveDraft("new-review:1", { ...emptyFields(), author: "Mina", title: "Warm" }, []);
    setup(given);
    expect(await screen.findByText("You have an unfinished review from last time.")).toBeInTheDocument();
    expect(screen.getByTestId("drafts-badge")).toHaveTextContent("1 draft");
    await fireEvent.click(screen.getByRole("button", { name: "Resume" }));
    expect(await screen.findByTestId("composer-page")).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByTestId("drafts-badge")).not.toBeInTheDocument());
  });

  it("say nothing when there are none", async () => {
    setup();
    await screen.findAllByTestId("review-row");
    expect(screen.queryByTestId("drafts-badge")).not.toBeInTheDocument();
    expect(screen.queryByText(/unfinished review/)).not.toBeInTheDocument();
  });
});
