import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import App from "./App.svelte";
import { COMMANDS } from "./lib/ipc";
import { FIXTURE_UNIT, FixtureBackend, TWO_FACTOR_REFUSAL } from "./lib/ipc/fixture";

// The Trustpilot sign-in: the merchant's own application, every grant with exactly its fields,
// Trustpilot's refusals shown as they are, then the business unit and its TrustScore.

async function trustpilotForm() {
  const backend = new FixtureBackend({ session: null });
  render(App, { backend });
  await fireEvent.click(await screen.findByTestId("provider-trustpilot"));
  await screen.findByTestId("tp-form");
  return backend;
}

async function type(testId: string, value: string) {
  await fireEvent.input(screen.getByTestId(testId), { target: { value } });
}

function sent(backend: FixtureBackend): unknown[] {
  return backend.args.filter((a) => a.command === COMMANDS.trustpilotSignIn).map((a) => a.arg);
}

describe("signing in to Trustpilot", () => {
  it("the authorization code is recommended and sends key, secret and redirect URI only, then waits for the browser", async () => {
    const backend = await trustpilotForm();
    expect(screen.getByTestId("tp-grant-authorization_code")).toBeChecked();
    expect(screen.getByText("Recommended")).toBeInTheDocument();
    expect(screen.queryByTestId("tp-username")).not.toBeInTheDocument();
    await type("tp-api-key", " key-1 ");
    await type("tp-api-secret", "secret-1");
    await type("tp-redirect-uri", "https://example.com/reviewdesk/trustpilot.html");
    await fireEvent.click(screen.getByTestId("tp-submit"));
    await screen.findByTestId("tp-waiting");
    expect(sent(backend)).toEqual([
      {
        grant: "authorization_code",
        api_key: "key-1",
        api_secret: "secret-1",
        redirect_uri: "https://example.com/reviewdesk/trustpilot.html",
        business_user_id: null,
      },
    ]);
    // The deep link came back: the business unit step.
    backend.trustpilot.completeBrowserSignIn();
    await screen.findByTestId("tp-unit-step");
  });

  it("implicit keeps no secret and says it lasts about four days", async () => {
    const backend = await trustpilotForm();
    await fireEvent.click(screen.getByTestId("tp-grant-implicit"));
    expect(screen.queryByTestId("tp-api-secret")).not.toBeInTheDocument();
    expect(screen.getByTestId("tp-grant-note")).toHaveTextContent(/about four days/);
    expect(screen.getByTestId("tp-grant-note")).toHaveTextContent(/RFC 8252/);
    await type("tp-api-key", "key-1");
    await type("tp-redirect-uri", "https://example.com/r.html");
    await fireEvent.click(screen.getByTestId("tp-submit"));
    await screen.findByTestId("tp-waiting");
    expect(sent(backend)).toEqual([
      { grant: "implicit", api_key: "key-1", redirect_uri: "https://example.com/r.html", business_user_id: null },
    ]);
  });

  it("a two-factor business user is refused with Trustpilot's sentence pointing to the other grants", async () => {
    await trustpilotForm();
    await fireEvent.click(screen.getByTestId("tp-grant-password"));
    expect(screen.getByTestId("tp-grant-note")).toHaveTextContent(/never stored/);
    await type("tp-api-key", "key-1");
    await type("tp-api-secret", "secret-1");
    await type("tp-username", "security@aurora-outfitters.com");
    await type("tp-password", "pw");
    await fireEvent.click(screen.getByTestId("tp-submit"));
    expect(await screen.findByTestId("tp-error")).toHaveTextContent(TWO_FACTOR_REFUSAL);
    expect(screen.queryByText("pw")).not.toBeInTheDocument();
  });

  it("client credentials need the business user id before anything is sent", async () => {
    const backend = await trustpilotForm();
    await fireEvent.click(screen.getByTestId("tp-grant-client_credentials"));
    await type("tp-api-key", "key-1");
    await type("tp-api-secret", "secret-1");
    await fireEvent.click(screen.getByTestId("tp-submit"));
    expect(await screen.findByTestId("tp-error")).toHaveTextContent(/business user id/);
    expect(backend.calls[COMMANDS.trustpilotSignIn]).toBe(0);
    await type("tp-business-user-id", "5f8e2a1c9b3d4e7f60a1b2c3");
    await fireEvent.click(screen.getByTestId("tp-submit"));
    await screen.findByTestId("tp-unit-step");
    expect(sent(backend)).toEqual([
      { grant: "client_credentials", api_key: "key-1", api_secret: "secret-1", business_user_id: "5f8e2a1c9b3d4e7f60a1b2c3" },
    ]);
  });

  it("the business unit is found by its domain, shows its TrustScore, and opens its inbox", async () => {
    const backend = await trustpilotForm();
    await fireEvent.click(screen.getByTestId("tp-grant-client_credentials"));
    await type("tp-api-key", "key-1");
    await type("tp-api-secret", "secret-1");
    await type("tp-business-user-id", "5f8e2a1c9b3d4e7f60a1b2c3");
    await fireEvent.click(screen.getByTestId("tp-submit"));
    await screen.findByTestId("tp-unit-step");
    await type("tp-unit-name", "nowhere.example");
    await fireEvent.click(screen.getByTestId("tp-find-unit"));
    expect(await screen.findByTestId("tp-unit-error")).toHaveTextContent(/no business unit by that name/);
    await type("tp-unit-name", "https://aurora-outfitters.com/");
    await fireEvent.click(screen.getByTestId("tp-find-unit"));
    expect(await screen.findByTestId("tp-trust-score")).toHaveTextContent("4.4");
    expect(screen.getByTestId("tp-unit-card")).toHaveTextContent(FIXTURE_UNIT.display_name);
    await fireEvent.click(screen.getByTestId("tp-use-unit"));
    await waitFor(() => expect(screen.getByTestId("shop-name")).toHaveTextContent(FIXTURE_UNIT.display_name));
    expect(screen.queryByTestId("not-signed-in")).not.toBeInTheDocument();
  });
});
