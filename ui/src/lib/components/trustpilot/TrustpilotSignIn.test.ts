import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import App from "../../../App.svelte";
import { COMMANDS } from "../../ipc";
import { FIXTURE_SESSION, FIXTURE_UNIT, FIXTURE_UNIT_SESSION, FixtureBackend, TWO_FACTOR_REFUSAL } from "../../ipc/fixture";
import TrustpilotSignIn from "./TrustpilotSignIn.svelte";

// The Trustpilot form on its own (over the fixture's Trustpilot area, which behaves like the
// sandbox): the fields each grant shows and sends, the checks made before anything is sent, the
// browser wait and what the `trustpilot-sign-in` event does to it. App-level flows are in
// App.trustpilot.test.ts; the switcher's part is at the end of this file.

const KEY = "tp-key-0123456789";
const SECRET = "tp-secret-never-shown";
const PASSWORD = "hunter2-never-shown";
const USER_ID = "5f8e2a1c9b3d4e7f60a1b2c3";

async function form(backend = new FixtureBackend({ session: null })) {
  render(TrustpilotSignIn, { trustpilot: backend.trustpilot });
  await screen.findByTestId("tp-form");
  return backend;
}

async function type(testId: string, value: string) {
  await fireEvent.input(screen.getByTestId(testId), { target: { value } });
}

async function grant(name: string) {
  await fireEvent.click(screen.getByTestId(`tp-grant-${name}`));
}

function sent(backend: FixtureBackend): unknown[] {
  return backend.args.filter((a) => a.command === COMMANDS.trustpilotSignIn).map((a) => a.arg);
}

function shown(testId: string): boolean {
  return screen.queryByTestId(testId) !== null;
}

/** Starts an authorization-code sign-in and waits for the browser step. */
async function waitingForBrowser(backend: FixtureBackend) {
  await type("tp-api-key", KEY);
  await type("tp-api-secret", SECRET);
  await type("tp-redirect-uri", "https://example.com/r.html");
  await fireEvent.click(screen.getByTestId("tp-submit"));
  await screen.findByTestId("tp-waiting");
  return backend;
}

describe("the Trustpilot form shows exactly the fields of the chosen grant", () => {
  it.each([
    ["authorization_code", ["tp-api-key", "tp-api-secret", "tp-redirect-uri", "tp-business-user-id"]],
    ["implicit", ["tp-api-key", "tp-redirect-uri", "tp-business-user-id"]],
    ["password", ["tp-api-key", "tp-api-secret", "tp-username", "tp-password", "tp-business-user-id"]],
    ["client_credentials", ["tp-api-key", "tp-api-secret", "tp-business-user-id"]],
  ])("%s", async (name, fields) => {
    await form();
    await grant(name);
    const all = ["tp-api-key", "tp-api-secret", "tp-redirect-uri", "tp-username", "tp-password", "tp-business-user-id"];
    expect(all.filter(shown)).toEqual(fields);
    // Secrets are typed into password inputs.
    for (const secret of ["tp-api-key", "tp-api-secret", "tp-password"].filter(shown))
      expect(screen.getByTestId(secret)).toHaveAttribute("type", "password");
    // The business user id is required only where no user signs in.
    expect(screen.getByTestId("tp-form")).toHaveTextContent(
      name === "client_credentials" ? /Business user id(?! \(optional\))/ : /Business user id \(optional\)/,
    );
    // Where the key comes from.
    expect(screen.getByTestId("tp-form")).toHaveTextContent(/Trustpilot Business → Integrations → Developers → APIs/);
  });

  it("the redirect page can be saved, and its path is shown", async () => {
    const backend = await form();
    expect(screen.getByTestId("tp-form")).toHaveTextContent(/https address you registered/);
    await fireEvent.click(screen.getByTestId("tp-save-redirect-page"));
    expect(await screen.findByTestId("tp-saved-page")).toHaveTextContent(backend.trustpilot.savedTo);
  });

  it("password says it is sent once and never stored, and not for two-factor users", async () => {
    await form();
    await grant("password");
    const note = screen.getByTestId("tp-grant-note");
    expect(note).toHaveTextContent(/sent to Trustpilot once and never stored/);
    expect(note).toHaveTextContent(/two-factor/);
  });

  it("implicit warns that it lasts about four days with no renewal, and why it is offered", async () => {
    await form();
    await grant("implicit");
    const note = screen.getByTestId("tp-grant-note");
    expect(note).toHaveTextContent(/lasts about four days/);
    expect(note).toHaveTextContent(/cannot be renewed/);
    expect(note).toHaveTextContent(/RFC 8252 discourages/);
    expect(note).toHaveTextContent(/cannot keep the API secret/);
    expect(note).toHaveClass("warning");
  });
});

describe("each grant sends exactly its fields", () => {
  it("password: key, secret, email, password and the optional business user id; the password leaves the form", async () => {
    const backend = await form();
    await grant("password");
    await type("tp-api-key", KEY);
    await type("tp-api-secret", SECRET);
    await type("tp-username", " owner@aurora-outfitters.com ");
    await type("tp-password", PASSWORD);
    await type("tp-business-user-id", USER_ID);
    await fireEvent.click(screen.getByTestId("tp-submit"));
    await screen.findByTestId("tp-unit-step");
    expect(sent(backend)).toEqual([
      {
        grant: "password",
        api_key: KEY,
        api_secret: SECRET,
        username: "owner@aurora-outfitters.com",
        password: PASSWORD,
        business_user_id: USER_ID,
      },
    ]);
    expect(screen.getByTestId("tp-unit-step")).toHaveTextContent(/Renews itself/);
  });

  it("implicit with a business user id sends it, and still no secret", async () => {
    const backend = await form();
    await type("tp-api-secret", SECRET); // typed under another grant first
    await grant("implicit");
    await type("tp-api-key", KEY);
    await type("tp-redirect-uri", "https://example.com/r.html");
    await type("tp-business-user-id", USER_ID);
    await fireEvent.click(screen.getByTestId("tp-submit"));
    await screen.findByTestId("tp-waiting");
    expect(sent(backend)).toEqual([
      { grant: "implicit", api_key: KEY, redirect_uri: "https://example.com/r.html", business_user_id: USER_ID },
    ]);
  });
});

describe("checks before anything is sent", () => {
  it.each([
    ["authorization_code", {}, "Enter the API key."],
    ["authorization_code", { "tp-api-key": KEY }, "Enter the API secret."],
    ["authorization_code", { "tp-api-key": KEY, "tp-api-secret": SECRET }, "Enter the redirect URI"],
    ["implicit", { "tp-api-key": KEY, "tp-redirect-uri": "   " }, "Enter the redirect URI"],
    ["password", { "tp-api-key": KEY, "tp-api-secret": SECRET, "tp-username": "a@b.c" }, "Enter the email and password"],
    ["password", { "tp-api-key": KEY, "tp-api-secret": SECRET, "tp-password": "x" }, "Enter the email and password"],
    ["client_credentials", { "tp-api-key": KEY, "tp-api-secret": SECRET, "tp-business-user-id": " " }, "Enter the business user id"],
  ])("%s with %o: %s", async (name, values, sentence) => {
    const backend = await form();
    await grant(name);
    for (const [testId, value] of Object.entries(values)) await type(testId, value);
    await fireEvent.click(screen.getByTestId("tp-submit"));
    expect(await screen.findByTestId("tp-error")).toHaveTextContent(sentence);
    expect(backend.calls[COMMANDS.trustpilotSignIn]).toBe(0);
  });

  it("Trustpilot's refusal is shown under the form without echoing any secret; the password is cleared", async () => {
    const backend = await form();
    await grant("password");
    await type("tp-api-key", KEY);
    await type("tp-api-secret", SECRET);
    await type("tp-username", "security@aurora-outfitters.com");
    await type("tp-password", PASSWORD);
    await fireEvent.click(screen.getByTestId("tp-submit"));
    expect(await screen.findByTestId("tp-error")).toHaveTextContent(TWO_FACTOR_REFUSAL);
    expect(backend.calls[COMMANDS.trustpilotSignIn]).toBe(1);
    for (const secret of [KEY, SECRET, PASSWORD]) expect(document.body.textContent).not.toContain(secret);
    expect(screen.getByTestId("tp-password")).toHaveValue("");
    // Switching grant clears the sentence.
    await grant("client_credentials");
    expect(screen.queryByTestId("tp-error")).not.toBeInTheDocument();
  });
});

describe("the browser wait", () => {
  it("counts down, reopens the page, and Cancel goes back to the form", async () => {
    const backend = await waitingForBrowser(await form());
    expect(screen.getByTestId("tp-countdown")).toHaveTextContent(/^(10:00|09:5\d)$/);
    await fireEvent.click(screen.getByTestId("tp-reopen"));
    await waitFor(() => expect(backend.calls[COMMANDS.trustpilotReopen]).toBe(1));
    expect(screen.queryByTestId("tp-error")).not.toBeInTheDocument();
    await fireEvent.click(screen.getByTestId("tp-cancel"));
    await screen.findByTestId("tp-form");
    expect(backend.calls[COMMANDS.trustpilotCancel]).toBe(1);
    // What was typed is still there for another try.
    expect(screen.getByTestId("tp-api-key")).toHaveValue(KEY);
  });

  it("the deep link moves the screen from waiting to the business unit step", async () => {
    const backend = await waitingForBrowser(await form());
    backend.trustpilot.completeBrowserSignIn();
    const step = await screen.findByTestId("tp-unit-step");
    expect(within(step).getByTestId("tp-unit-name")).toHaveValue("");
    expect(within(step).getByTestId("tp-unit-name")).toHaveAttribute("placeholder", "example.com");
  });

  it("declined on Trustpilot's page: back to the form with Rust's sentence", async () => {
    const backend = await waitingForBrowser(await form());
    backend.trustpilot.declineBrowserSignIn();
    expect(await screen.findByTestId("tp-error")).toHaveTextContent("You cancelled the sign-in on Trustpilot.");
    expect(screen.getByTestId("tp-form")).toBeInTheDocument();
  });

  it("a failed exchange: back to the form with Rust's sentence", async () => {
    const backend = await waitingForBrowser(await form());
    backend.trustpilot.failBrowserSignIn("Trustpilot refused the sign-in code. Start the sign-in again.");
    expect(await screen.findByTestId("tp-error")).toHaveTextContent("Trustpilot refused the sign-in code.");
  });

  it("past its expiry it says so and starts again from the form", async () => {
    const backend = await waitingForBrowser(await form());
    backend.trustpilot.expireBrowserSignIn();
    await screen.findByTestId("tp-expired");
    expect(screen.queryByTestId("tp-reopen")).not.toBeInTheDocument();
    await fireEvent.click(screen.getByTestId("tp-start-again"));
    await screen.findByTestId("tp-form");
    expect(backend.calls[COMMANDS.trustpilotCancel]).toBe(1);
  });

  it("a wait in progress is picked up when the form opens (cold start, or the screen came back)", async () => {
    const backend = new FixtureBackend({ session: null });
    await backend.trustpilot.signIn({
      grant: "implicit",
      api_key: KEY,
      redirect_uri: "https://example.com/r.html",
      business_user_id: null,
    });
    render(TrustpilotSignIn, { trustpilot: backend.trustpilot });
    await screen.findByTestId("tp-waiting");
  });
});

describe("the business unit step", () => {
  async function unitStep() {
    const backend = await form();
    await grant("client_credentials");
    await type("tp-api-key", KEY);
    await type("tp-api-secret", SECRET);
    await type("tp-business-user-id", USER_ID);
    await fireEvent.click(screen.getByTestId("tp-submit"));
    await screen.findByTestId("tp-unit-step");
    return backend;
  }

  it("'Sign in with other details' goes back to the form, and the next sign-in is sent", async () => {
    const backend = await unitStep();
    await fireEvent.click(screen.getByTestId("tp-start-over"));
    await screen.findByTestId("tp-form");
    await fireEvent.click(screen.getByTestId("tp-submit"));
    await screen.findByTestId("tp-unit-step");
    expect(backend.calls[COMMANDS.trustpilotSignIn]).toBe(2);
  });

  it("an empty search is refused before asking Trustpilot", async () => {
    const backend = await unitStep();
    await fireEvent.click(screen.getByTestId("tp-find-unit"));
    expect(await screen.findByTestId("tp-unit-error")).toHaveTextContent(/Type the domain/);
    expect(backend.calls[COMMANDS.trustpilotFindUnit]).toBe(0);
  });

  it("the found unit shows its names, TrustScore, stars and star counts; Use chooses it", async () => {
    const backend = await unitStep();
    await type("tp-unit-name", "aurora-outfitters.com");
    await fireEvent.click(screen.getByTestId("tp-find-unit"));
    const card = await screen.findByTestId("tp-unit-card");
    expect(card).toHaveTextContent(FIXTURE_UNIT.display_name);
    expect(card).toHaveTextContent(FIXTURE_UNIT.identifying_name);
    expect(within(card).getByTestId("tp-trust-score")).toHaveTextContent("4.4");
    // Every star count is on the card (RatingHistogram).
    for (const count of FIXTURE_UNIT.star_counts ?? []) expect(card).toHaveTextContent(String(count));
    await fireEvent.click(within(card).getByTestId("tp-use-unit"));
    await waitFor(() => expect(backend.trustpilot.placed).toBe(true));
    expect(backend.args).toContainEqual({ command: COMMANDS.trustpilotChooseUnit, arg: FIXTURE_UNIT.id });
  });
});

describe("a Trustpilot account whose sign-in expired", () => {
  it("opens the sign-in screen on the Trustpilot tab, without its unit id in the Trustoo shop field", async () => {
    const backend = new FixtureBackend({ session: FIXTURE_UNIT_SESSION }).failWith(COMMANDS.getRating, {
      code: "SESSION_EXPIRED",
      message: "Sign in again.",
      retry_after_s: null,
    });
    render(App, { backend });
    await screen.findByTestId("tp-form");
    expect(screen.getByTestId("provider-trustpilot")).toHaveAttribute("aria-selected", "true");
    await fireEvent.click(screen.getByTestId("provider-trustoo"));
    expect(screen.getByTestId("shop-domain")).toHaveValue("");
  });
});

describe("Trustpilot accounts in the shop switcher", () => {
  it("'Add account' offers both providers; the chosen unit joins the switcher with a Trustpilot mark", async () => {
    const backend = new FixtureBackend();
    render(App, { backend });
    await screen.findByTestId("rating-average");
    await fireEvent.click(screen.getByTestId("shop-switcher"));
    await fireEvent.click(await screen.findByTestId("add-shop"));
    // Both providers, Trustoo first.
    expect(await screen.findByTestId("provider-trustoo")).toHaveAttribute("aria-selected", "true");
    await fireEvent.click(screen.getByTestId("provider-trustpilot"));
    await grant("client_credentials");
    await type("tp-api-key", KEY);
    await type("tp-api-secret", SECRET);
    await type("tp-business-user-id", USER_ID);
    await fireEvent.click(screen.getByTestId("tp-submit"));
    await type("tp-unit-name", "aurora-outfitters.com");
    await fireEvent.click(await screen.findByTestId("tp-find-unit"));
    await fireEvent.click(await screen.findByTestId("tp-use-unit"));
    await waitFor(() => expect(screen.queryByTestId("not-signed-in")).not.toBeInTheDocument());

    await fireEvent.click(screen.getByTestId("shop-switcher"));
    const menu = await screen.findByTestId("shop-menu");
    const unit = await within(menu).findByTestId(`shop-option-${FIXTURE_UNIT_SESSION.domain}`);
    const shop = within(menu).getByTestId(`shop-option-${FIXTURE_SESSION.domain}`);
    expect(within(unit).getByTestId("provider-mark")).toHaveTextContent("Trustpilot");
    expect(within(shop).queryByTestId("provider-mark")).not.toBeInTheDocument();
  });
});
