import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { COMMANDS } from "../ipc/backend";
import { FixtureBackend, FIXTURE_SESSION, FIXTURE_UNIT_SESSION } from "../ipc/fixture";
import WorkspaceHarness from "../inbox/WorkspaceHarness.svelte";
import { inviteProblem, sendAtFrom } from "./invite";

const NOW = Date.parse("2026-12-06T10:00:00Z");

function setup(session = FIXTURE_UNIT_SESSION) {
  const backend = new FixtureBackend({ reviews: 5, latencyMs: 0, syncStepMs: 5 });
  render(WorkspaceHarness, { backend, initialPage: "invite", session, now: NOW });
  return backend;
}

async function fill(name: string, email: string, reference = ""): Promise<void> {
  await fireEvent.input(await screen.findByTestId("invite-name"), { target: { value: name } });
  await fireEvent.input(screen.getByTestId("invite-email"), { target: { value: email } });
  await fireEvent.input(screen.getByTestId("invite-reference"), { target: { value: reference } });
}

describe("the Invite page", () => {
  it("makes a link for one customer and shows it with Copy", async () => {
    const backend = setup();
    const make = vi.spyOn(backend.trustpilot, "createInvitationLink");
    await fill(" Ana Souza ", "ana@example.com", "#1077");
    await fireEvent.click(screen.getByTestId("invite-create-link"));
    const field = (await screen.findByTestId("invite-link")) as HTMLInputElement;
    expect(field.value).toMatch(/^https:\/\/www\.trustpilot\.com\/evaluate-link\/[0-9a-f]{24}$/);
    expect(make).toHaveBeenCalledWith(expect.objectContaining({ name: " Ana Souza ", email: "ana@example.com", reference_id: "#1077" }));
    expect(screen.getByTestId("invite-copy")).toBeInTheDocument();
    expect(screen.getByTestId("invite-history")).toHaveTextContent("Ana Souza <ana@example.com>");
  });

  it("sends an email with the chosen template at the chosen time, and needs the order number", async () => {
    const backend = setup();
    const send = vi.spyOn(backend.trustpilot, "sendEmailInvitation");
    const select = (await screen.findByTestId("invite-template")) as HTMLSelectElement;
    await waitFor(() => expect(select.options.length).toBeGreaterThan(1));
    expect(select.selectedOptions[0]?.textContent).toContain("(default)");
    await fill("Ana", "ana@example.com");
    await fireEvent.click(screen.getByTestId("invite-send-email"));
    expect(await screen.findByTestId("invite-problem")).toHaveTextContent("order number");
    expect(send).not.toHaveBeenCalled();
    await fill("Ana", "ana@example.com", "#1077");
    const other = select.options[1]?.value ?? "";
    await fireEvent.change(select, { target: { value: other } });
    await fireEvent.click(screen.getByTestId("invite-later"));
    await fireEvent.input(screen.getByTestId("invite-send-at"), { target: { value: "2026-12-07T09:30" } });
    await fireEvent.click(screen.getByTestId("invite-send-email"));
    await waitFor(() => expect(send).toHaveBeenCalledTimes(1));
    const sent = send.mock.calls[0]?.[0];
    expect(sent?.template_id).toBe(other);
    expect(sent?.send_at).toBe(new Date("2026-12-07T09:30").toISOString());
    await waitFor(() => expect(document.body).toHaveTextContent("Trustpilot will email Ana the invitation at the time you chose."));
    // Sent: the form is ready for the next customer.
    expect((screen.getByTestId("invite-name") as HTMLInputElement).value).toBe("");
  });

  it("a plan without the Invitation API says so in those words and turns both ways off", async () => {
    const backend = new FixtureBackend({ reviews: 5, latencyMs: 0, syncStepMs: 5 });
    const message = "Your Trustpilot plan does not include invitations through the API.";
    backend.failWith(COMMANDS.invitationTemplates, { code: "FORBIDDEN", message, retry_after_s: null });
    render(WorkspaceHarness, { backend, initialPage: "invite", session: FIXTURE_UNIT_SESSION, now: NOW });
    expect(await screen.findByTestId("invite-plan")).toHaveTextContent(message);
    expect(screen.getByTestId("invite-create-link")).toBeDisabled();
    expect(screen.getByTestId("invite-send-email")).toBeDisabled();
    expect(screen.getByTestId("invite-template")).toHaveTextContent("Not available on your plan");
  });

  it("is a section of Trustpilot accounts only", async () => {
    setup(FIXTURE_SESSION);
    await screen.findByTestId("nav-inbox");
    expect(screen.queryByTestId("nav-invite")).toBeNull();
  });
});

describe("invitation checks", () => {
  const input = { name: "Ana", email: "ana@example.com", reference_id: "#1" };
  it("needs a name, an email address, and for an email the order number and a time ahead", () => {
    expect(inviteProblem(input, "link")).toBeNull();
    expect(inviteProblem({ ...input, name: " " }, "link")).toMatch(/name/);
    for (const email of ["ana", "ana@x", "@x.com", "a@b@c.com"]) expect(inviteProblem({ ...input, email }, "link")).toMatch(/email address/);
    expect(inviteProblem({ ...input, reference_id: "" }, "link")).toBeNull();
    expect(inviteProblem({ ...input, reference_id: "" }, "email")).toMatch(/order number/);
    expect(inviteProblem({ ...input, send_at: "" }, "email")).toMatch(/when/);
    expect(inviteProblem({ ...input, send_at: "2026-12-06T08:00:00.000Z" }, "email", NOW)).toMatch(/from now on/);
    expect(inviteProblem({ ...input, send_at: "2026-12-06T11:00:00.000Z" }, "email", NOW)).toBeNull();
  });

  it("reads the time picker in the merchant's zone and sends UTC", () => {
    expect(sendAtFrom("2026-12-07T09:30")).toBe(new Date(2026, 11, 7, 9, 30).toISOString());
    expect(sendAtFrom("")).toBe("");
    expect(sendAtFrom("soon")).toBe("");
  });
});
