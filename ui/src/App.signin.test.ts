import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import App from "./App.svelte";
import { COMMANDS } from "./lib/ipc/backend";
import {
  createScenarioBackend,
  FIXTURE_SECOND_PUBLIC_TOKEN,
  FIXTURE_SECOND_SESSION,
  FIXTURE_SESSION,
  FixtureBackend,
} from "./lib/ipc/fixture";

const NOW = new Date("2025-06-15T12:00:00Z");
const flush = () => vi.advanceTimersByTimeAsync(0);

async function signedOut(backend = new FixtureBackend({ session: null })) {
  render(App, { backend });
  await flush();
  return backend;
}

async function typeShop(domain = "aurora-outfitters"): Promise<void> {
  await fireEvent.input(screen.getByTestId("shop-domain"), { target: { value: domain } });
}

async function clickSignIn(): Promise<HTMLElement> {
  await typeShop();
  await fireEvent.click(screen.getByTestId("sign-in"));
  await flush();
  return screen.getByTestId("waiting-for-browser");
}

describe("browser sign-in", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("waits for the browser, then shows the shop once the merchant approved", async () => {
    const backend = await signedOut();

    const waiting = await clickSignIn();
    expect(waiting).toHaveTextContent("Waiting for your browser…");
    expect(waiting).toHaveTextContent("Approve ReviewDesk in the browser window that just opened.");
    expect(screen.getByTestId("sign-in-countdown")).toHaveTextContent("10:00");
    expect(screen.queryByTestId("not-signed-in")).not.toBeInTheDocument();
    expect(backend.calls.auth_start).toBe(1);
    expect(backend.args).toEqual([{ command: "auth_start", arg: "aurora-outfitters.myshopify.com" }]);

    backend.auth.emitLoginStatus({ phase: "exchanging", message: null, session: null, expires_at: null });
    await flush();
    expect(screen.getByTestId("exchanging")).toHaveTextContent("Finishing sign-in…");

    backend.auth.completeSignIn();
    await flush();
    expect(screen.getByTestId("shop-name")).toHaveTextContent(/^Aurora Outfitters$/);
    expect(screen.getByTestId("rating-average")).toHaveTextContent(/^4\.3$/);
    expect(screen.queryByTestId("waiting-for-browser")).not.toBeInTheDocument();
    expect(screen.queryByTestId("not-signed-in")).not.toBeInTheDocument();
    expect(screen.getByTestId("toast")).toHaveTextContent("Signed in to Aurora Outfitters.");
  });

  it("asks which shop before opening the browser", async () => {
    const backend = await signedOut();
    await fireEvent.click(screen.getByTestId("sign-in"));
    await flush();

    expect(screen.getByTestId("shop-domain-error")).toHaveTextContent(
      "Enter your shop's domain, like your-store.myshopify.com.",
    );
    expect(screen.getByTestId("shop-domain")).toHaveFocus();
    expect(backend.calls.auth_start).toBe(0);
    expect(screen.queryByTestId("waiting-for-browser")).not.toBeInTheDocument();
  });

  it("counts down to the expiry and offers Try again afterwards", async () => {
    const backend = await signedOut();
    await clickSignIn();

    await vi.advanceTimersByTimeAsync(1000);
    expect(screen.getByTestId("sign-in-countdown")).toHaveTextContent("09:59");
    await vi.advanceTimersByTimeAsync(598_000);
    expect(screen.getByTestId("sign-in-countdown")).toHaveTextContent("00:01");
    await vi.advanceTimersByTimeAsync(1000);

    const expired = screen.getByTestId("sign-in-expired");
    expect(expired).toHaveTextContent("This sign-in attempt expired");
    expect(screen.queryByTestId("waiting-for-browser")).not.toBeInTheDocument();

    await fireEvent.click(within(expired).getByRole("button", { name: "Try again" }));
    await flush();
    expect(screen.getByTestId("waiting-for-browser")).toBeInTheDocument();
    expect(screen.getByTestId("sign-in-countdown")).toHaveTextContent("10:00");
    expect(backend.calls.auth_start).toBe(2);
  });

  it("cancels back to the signed-out screen", async () => {
    const backend = await signedOut();
    await clickSignIn();

    await fireEvent.click(screen.getByTestId("cancel-sign-in"));
    await flush();

    expect(screen.getByTestId("not-signed-in")).toHaveTextContent("Sign in with Trustoo");
    expect(screen.queryByTestId("waiting-for-browser")).not.toBeInTheDocument();
    expect(backend.calls.auth_cancel).toBe(1);
    expect(backend.auth.loginStatus.phase).toBe("idle");
  });

  it("opens the browser again and says so", async () => {
    const backend = await signedOut();
    await clickSignIn();

    await fireEvent.click(screen.getByTestId("reopen-browser"));
    await flush();

    expect(backend.calls.auth_reopen_browser).toBe(1);
    expect(screen.getByTestId("toast")).toHaveTextContent("Opened the sign-in page in your browser again.");
    expect(screen.getByTestId("waiting-for-browser")).toBeInTheDocument();
  });

  it("keeps the countdown when a refused link re-announces waiting without an expiry", async () => {
    const backend = await signedOut();
    await clickSignIn();
    backend.auth.emitNotice({ level: "warning", message: "ReviewDesk ignored a sign-in link it did not expect." });
    backend.auth.emitLoginStatus({ phase: "waiting_for_browser", message: null, session: null, expires_at: null });
    await flush();

    expect(screen.getByTestId("sign-in-countdown")).toHaveTextContent("10:00");
    expect(screen.getByTestId("toast")).toHaveTextContent("ReviewDesk ignored a sign-in link it did not expect.");
  });

  it("says so when the merchant declined in the browser", async () => {
    const backend = await signedOut();
    await clickSignIn();

    backend.auth.declineSignIn();
    await flush();

    expect(screen.getByTestId("auth-message")).toHaveTextContent(/^You declined access\.$/);
    expect(screen.getByTestId("not-signed-in")).toContainElement(screen.getByTestId("auth-message"));
    expect(screen.getByTestId("sign-in")).toBeEnabled();

    // Starting again clears the message.
    await clickSignIn();
    expect(screen.queryByTestId("auth-message")).not.toBeInTheDocument();
  });

  it("shows why the sign-in failed and tries again", async () => {
    const backend = await signedOut();
    await clickSignIn();

    backend.auth.failSignIn("Trustoo couldn't confirm the sign-in. Please try again.");
    await flush();

    const failed = screen.getByTestId("sign-in-failed");
    expect(failed).toHaveTextContent("Sign-in didn't work");
    expect(screen.getByTestId("auth-message")).toHaveTextContent(
      "Trustoo couldn't confirm the sign-in. Please try again.",
    );

    await fireEvent.click(screen.getByTestId("try-again"));
    await flush();
    expect(screen.getByTestId("waiting-for-browser")).toBeInTheDocument();
    expect(backend.calls.auth_start).toBe(2);
  });

  it("shows the IpcError when the browser cannot even be opened, and goes back", async () => {
    const backend = new FixtureBackend({ session: null }).failWith(COMMANDS.startSignIn, {
      code: "INTERNAL",
      message: "ReviewDesk could not open your web browser. Check that a default browser is set, then try again.",
      retry_after_s: null,
    });
    await signedOut(backend);

    await typeShop();
    await fireEvent.click(screen.getByTestId("sign-in"));
    await flush();
    expect(screen.getByTestId("auth-message")).toHaveTextContent("ReviewDesk could not open your web browser.");

    await fireEvent.click(screen.getByTestId("back-to-sign-in"));
    await flush();
    expect(screen.getByTestId("not-signed-in")).toBeInTheDocument();
    // Nothing was pending, so there was nothing to cancel.
    expect(backend.calls.auth_cancel).toBe(0);
  });

  it("explains an unavailable keychain prominently and retries", async () => {
    const message =
      "ReviewDesk couldn't reach the system keychain. Install and unlock a Secret Service keychain (such as GNOME Keyring), then retry.";
    const backend = new FixtureBackend({ session: null }).failWith(COMMANDS.startSignIn, {
      code: "KEYCHAIN_UNAVAILABLE",
      message,
      retry_after_s: null,
    });
    await signedOut(backend);

    await typeShop();
    await fireEvent.click(screen.getByTestId("sign-in"));
    await flush();

    const panel = screen.getByTestId("keychain-unavailable");
    expect(panel).toHaveTextContent("ReviewDesk can't use your system keychain");
    expect(within(panel).getByTestId("auth-message")).toHaveTextContent(message);
    const retry = within(panel).getByRole("button", { name: "Retry" });

    await fireEvent.click(retry);
    await flush();
    expect(screen.getByTestId("waiting-for-browser")).toBeInTheDocument();
  });

  it("shows a notice Rust made before the window listened (a refused link that started the app), once", async () => {
    const message = "ReviewDesk ignored a sign-in link: No sign-in is in progress. Please start the sign-in again.";
    const backend = new FixtureBackend({ session: null });
    backend.auth.holdNotice({ level: "warning", message });
    render(App, { backend });
    await flush();
    expect(backend.calls.take_pending_notices).toBe(1);
    expect(screen.getByTestId("toast")).toHaveTextContent(message);
    expect(screen.getByTestId("not-signed-in")).toBeInTheDocument();

    // Later notices arrive as events, and the held one is not shown again.
    backend.auth.emitNotice({ level: "info", message: "Synced 12 new reviews." });
    await flush();
    expect(screen.getAllByTestId("toast").map((t) => t.textContent?.trim())).toEqual([
      expect.stringContaining(message),
      expect.stringContaining("Synced 12 new reviews."),
    ]);
  });

  it("stays on 'finishing sign-in' when a stray 'waiting' or 'idle' arrives during the exchange", async () => {
    const backend = await signedOut();
    await clickSignIn();
    backend.auth.emitLoginStatus({ phase: "exchanging", message: null, session: null, expires_at: null });
    await flush();
    backend.auth.emitNotice({ level: "warning", message: "ReviewDesk ignored a sign-in link: This sign-in link was already used." });
    backend.auth.emitLoginStatus({ phase: "waiting_for_browser", message: null, session: null, expires_at: null });
    backend.auth.emitLoginStatus({ phase: "idle", message: null, session: null, expires_at: null });
    await flush();
    expect(screen.getByTestId("exchanging")).toHaveTextContent("Finishing sign-in…");
    expect(screen.queryByTestId("waiting-for-browser")).not.toBeInTheDocument();
    expect(screen.queryByTestId("not-signed-in")).not.toBeInTheDocument();

    backend.auth.completeSignIn();
    await flush();
    expect(screen.getByTestId("shop-name")).toHaveTextContent(/^Aurora Outfitters$/);
  });

  it("picks up a sign-in already under way when the window opens (?fixture=waiting)", async () => {
    render(App, { backend: createScenarioBackend("waiting", 0) });
    await flush();
    expect(screen.getByTestId("waiting-for-browser")).toHaveTextContent("Waiting for your browser…");
    expect(screen.getByTestId("sign-in-countdown")).toHaveTextContent("10:00");
  });
});

describe("Public Token and Private Token", () => {
  async function openTokenForm(backend = new FixtureBackend({ session: null }), shop = "aurora-outfitters") {
    render(App, { backend });
    await fireEvent.input(await screen.findByTestId("shop-domain"), { target: { value: shop } });
    await fireEvent.click(screen.getByTestId("use-tokens"));
    return backend;
  }

  it("reveals the form with where to find the tokens", async () => {
    await openTokenForm();
    expect(screen.getByTestId("use-tokens")).toHaveAttribute("aria-expanded", "true");
    expect(screen.getByText(/Find both in your Trustoo admin/)).toHaveTextContent("Trustoo admin → Settings → Open API");
    expect(screen.getByTestId("public-token")).toHaveAttribute("type", "password");
    expect(screen.getByTestId("private-token")).toHaveAttribute("type", "password");
  });

  it("requires both tokens, ignoring surrounding blanks", async () => {
    const backend = await openTokenForm();

    await fireEvent.input(screen.getByTestId("public-token"), { target: { value: "   " } });
    await fireEvent.click(screen.getByTestId("connect-tokens"));

    expect(await screen.findByTestId("public-token-error")).toHaveTextContent("Enter the Public Token.");
    expect(screen.getByTestId("private-token-error")).toHaveTextContent("Enter the Private Token.");
    expect(screen.getByTestId("public-token")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByTestId("public-token")).toHaveFocus();
    expect(backend.calls.auth_connect_tokens).toBe(0);

    await fireEvent.input(screen.getByTestId("public-token"), { target: { value: "abc" } });
    expect(screen.queryByTestId("public-token-error")).not.toBeInTheDocument();
    await fireEvent.click(screen.getByTestId("connect-tokens"));
    expect(screen.getByTestId("private-token-error")).toHaveTextContent("Enter the Private Token.");
    expect(backend.calls.auth_connect_tokens).toBe(0);
  });

  it("shows and hides a token", async () => {
    await openTokenForm();
    const show = screen.getByRole("button", { name: "Show Private Token" });
    await fireEvent.click(show);
    expect(screen.getByTestId("private-token")).toHaveAttribute("type", "text");
    expect(show).toHaveTextContent("Hide");
    await fireEvent.click(screen.getByRole("button", { name: "Hide Private Token" }));
    expect(screen.getByTestId("private-token")).toHaveAttribute("type", "password");
  });

  it("connects with trimmed tokens and shows the shop", async () => {
    const backend = await openTokenForm(undefined, " Birch-and-Pine-Home.myshopify.com ");

    await fireEvent.input(screen.getByTestId("public-token"), { target: { value: `  ${FIXTURE_SECOND_PUBLIC_TOKEN} ` } });
    await fireEvent.input(screen.getByTestId("private-token"), { target: { value: "\tbirch-private\n" } });
    await fireEvent.click(screen.getByTestId("connect-tokens"));

    expect(await screen.findByTestId("shop-name")).toHaveTextContent(/^Birch & Pine Home$/);
    expect(await screen.findByTestId("rating-average")).toHaveTextContent(/^4\.6$/);
    expect(backend.args).toEqual([
      {
        command: "auth_connect_tokens",
        arg: {
          public_token: FIXTURE_SECOND_PUBLIC_TOKEN,
          private_token: "birch-private",
          shop_domain: "birch-and-pine-home.myshopify.com",
        },
      },
    ]);
    expect(screen.queryByTestId("not-signed-in")).not.toBeInTheDocument();
  });

  it("shows Trustoo's refusal under the form and keeps what was typed", async () => {
    const backend = new FixtureBackend({ session: null }).failWith(COMMANDS.connectWithTokens, {
      code: "VALIDATION",
      message: "Trustoo didn't accept these tokens. Copy them again from Settings → Open API.",
      retry_after_s: null,
    });
    await openTokenForm(backend);
    await fireEvent.input(screen.getByTestId("public-token"), { target: { value: "pub" } });
    await fireEvent.input(screen.getByTestId("private-token"), { target: { value: "priv" } });
    await fireEvent.click(screen.getByTestId("connect-tokens"));

    expect(await screen.findByTestId("token-error")).toHaveTextContent("Trustoo didn't accept these tokens.");
    expect(screen.getByTestId("public-token")).toHaveValue("pub");
    expect(screen.getByTestId("not-signed-in")).toBeInTheDocument();
  });

  it("explains an unavailable keychain and retries the same tokens", async () => {
    const backend = new FixtureBackend({ session: null }).failWith(COMMANDS.connectWithTokens, {
      code: "KEYCHAIN_UNAVAILABLE",
      message: "The system keychain is locked. Unlock it, then retry.",
      retry_after_s: null,
    });
    await openTokenForm(backend);
    await fireEvent.input(screen.getByTestId("public-token"), { target: { value: "pub" } });
    await fireEvent.input(screen.getByTestId("private-token"), { target: { value: "priv" } });
    await fireEvent.click(screen.getByTestId("connect-tokens"));

    const panel = await screen.findByTestId("keychain-unavailable");
    expect(panel).toHaveTextContent("The system keychain is locked. Unlock it, then retry.");
    await fireEvent.click(within(panel).getByRole("button", { name: "Retry" }));

    expect(await screen.findByTestId("shop-name")).toHaveTextContent("Aurora Outfitters");
    expect(backend.calls.auth_connect_tokens).toBe(2);
    const sent = { public_token: "pub", private_token: "priv", shop_domain: "aurora-outfitters.myshopify.com" };
    expect(backend.args.map((a) => a.arg)).toEqual([sent, sent]);
  });
});

describe("session expiry", () => {
  const EXPIRED = { code: "SESSION_EXPIRED", message: "Sign in again.", retry_after_s: null } as const;

  it("returns to the sign-in screen, and signing in again brings the shop back", async () => {
    const backend = new FixtureBackend().failWith(COMMANDS.getRating, EXPIRED);
    render(App, { backend });

    expect(await screen.findByTestId("auth-message")).toHaveTextContent(/^Your session expired — sign in again\.$/);
    expect(screen.getByTestId("not-signed-in")).toHaveTextContent("Sign in with Trustoo");
    expect(screen.queryByTestId("shop-name")).not.toBeInTheDocument();
    expect(screen.getByTestId("shop-domain")).toHaveValue("aurora-outfitters.myshopify.com");

    await fireEvent.click(screen.getByTestId("sign-in"));
    await screen.findByTestId("waiting-for-browser");
    backend.auth.completeSignIn(FIXTURE_SESSION);

    expect(await screen.findByTestId("rating-average")).toHaveTextContent(/^4\.3$/);
    expect(screen.getByTestId("shop-name")).toHaveTextContent("Aurora Outfitters");
    expect(screen.queryByTestId("auth-message")).not.toBeInTheDocument();
  });

  it("applies to any call (here: switching shop) and keeps the toasts on screen", async () => {
    const backend = new FixtureBackend();
    render(App, { backend });
    await screen.findByTestId("rating-average");
    backend.auth.emitNotice({ level: "info", message: "Synced 12 new reviews." });
    backend.failWith(COMMANDS.switchShop, EXPIRED);

    await fireEvent.click(screen.getByTestId("shop-switcher"));
    await fireEvent.click(await screen.findByTestId(`shop-option-${FIXTURE_SECOND_SESSION.domain}`));

    expect(await screen.findByTestId("auth-message")).toHaveTextContent("Your session expired — sign in again.");
    expect(screen.getByTestId("toast")).toHaveTextContent("Synced 12 new reviews.");
  });
});
