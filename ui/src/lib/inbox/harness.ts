/** Set-ups the inbox's component tests share (tests only; the app never imports this). */
import { render } from "@testing-library/svelte";
import { FixtureBackend, FIXTURE_SESSION, FIXTURE_UNIT_SESSION } from "../ipc/fixture";
import WorkspaceHarness from "./WorkspaceHarness.svelte";
import { accountLabels } from "./accounts";

/** The fixture unit's name as these tests show it. */
export const UNIT_NAME = "Aurora Outfitters (Trustpilot)";

/** The fixture unit's account: the All accounts view sends it with each of its rows' commands. */
export const UNIT_ACCOUNT = { provider: "trustpilot", id: FIXTURE_UNIT_SESSION.domain } as const;

/**
 * The All accounts view with the Trustpilot unit on screen (its rows answer, take tags and ask
 * the reviewer) beside the Trustoo shop; `backend` again for a second window on the same data.
 */
export function renderUnitOnScreen(backend = new FixtureBackend({ reviews: 30, latencyMs: 0, syncStepMs: 5 })): FixtureBackend {
  const allAccounts = accountLabels([
    { session: FIXTURE_SESSION, signed_in: true, active: false, problem: null },
    { session: { ...FIXTURE_UNIT_SESSION, shop_name: UNIT_NAME }, signed_in: true, active: true, problem: null },
  ]);
  render(WorkspaceHarness, { backend, allAccounts, session: { ...FIXTURE_UNIT_SESSION, shop_name: UNIT_NAME } });
  return backend;
}
