import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import { FixtureComposer } from "../ipc/fixture";
import type { IpcError } from "../ipc";
import ComposerPage from "./ComposerPage.svelte";
import { emptyFields } from "./model";

function setup(backend = new FixtureComposer()) {
  const onerror = vi.fn((reason: unknown) => reason as IpcError);
  render(ComposerPage, { backend, onerror, saveDelayMs: 0 });
  return { backend, onerror };
}

async function openNew() {
  await fireEvent.click(await screen.findByTestId("new-review"));
  await screen.findByTestId("composer");
}

async function fillRequired() {
  await fireEvent.input(screen.getByTestId("product-search"), { target: { value: "boots" } });
  await fireEvent.click(await screen.findByTestId("product-7002"));
  await fireEvent.input(screen.getByTestId("author"), { target: { value: "Mina Oduya" } });
  await fireEvent.input(screen.getByTestId("content"), { target: { value: "Warm and light." } });
}

describe("review composer", () => {
  it("suggests only Trustoo's own source values", async () => {
    // The documented `source` enum of Create Review (trustoo-api.md); "Email", "In person" or
    // "Other" are not among them.
    const documented = ["Store front", "Store link", "Email request", "CSV uploaded", "AliExpress", "Amazon", "Shopee", "Auto", "Shop", "QR Code"];
    setup();
    await openNew();
    const list = document.getElementById(screen.getByTestId("source").getAttribute("list") ?? "");
    const offered = [...(list?.querySelectorAll("option") ?? [])].map((o) => o.value);
    expect(offered.length).toBeGreaterThan(0);
    for (const value of offered) expect(documented).toContain(value);
  });

  it("takes dropped files, shows Rust's thumbnails and says why a file is refused", async () => {
    const { backend } = setup();
    await openNew();
    backend.drop(["/home/m/IMG_1.jpg", "/home/m/report.pdf", "/home/m/clip.mp4"]);
    await waitFor(() => expect(screen.getByTestId("attachment-1")).toBeInTheDocument());
    expect(within(screen.getByTestId("attachment-0")).getByRole("img")).toHaveAttribute("src", expect.stringMatching(/^data:image\//));
    expect(within(screen.getByTestId("attachment-1")).getByTestId("video-tile")).toBeInTheDocument();
    expect(screen.getByTestId("refused")).toHaveTextContent("report.pdf is not an image or video");
    // The draft holds the attached paths (saved on every change).
    await waitFor(() => expect([...backend.drafts.values()][0]?.attachments).toEqual(["/home/m/IMG_1.jpg", "/home/m/clip.mp4"]));
    // A second video is over the limit.
    backend.drop(["/home/m/other.mov"]);
    await waitFor(() => expect(screen.getByTestId("refused")).toHaveTextContent("A review can have at most 1 video"));
  });

  it("attaches files from the picker too (keyboard users)", async () => {
    const { backend } = setup();
    await openNew();
    backend.pickNext = ["/p/a.png"];
    await fireEvent.click(screen.getByTestId("pick-files"));
    await waitFor(() => expect(screen.getByTestId("attachment-0")).toHaveTextContent("a.png"));
  });

  it("validates before sending anything", async () => {
    const { backend } = setup();
    await openNew();
    await fireEvent.input(screen.getByTestId("title"), { target: { value: "t".repeat(301) } });
    await fireEvent.click(screen.getByTestId("publish"));
    expect(await screen.findByText("Enter the reviewer's name")).toBeInTheDocument();
    expect(screen.getByText("The title is 301 characters; shorten it to 300")).toBeInTheDocument();
    expect(screen.getByText(/Choose a product/)).toBeInTheDocument();
    expect(backend.calls).not.toContain("publish");
  });

  it("publishes: progress per file and in total reaches 100 %, then the review exists", async () => {
    const { backend } = setup();
    await openNew();
    await fillRequired();
    backend.drop(["/p/a.jpg", "/p/b.jpg", "/p/c.mp4"]);
    await waitFor(() => expect(screen.getByTestId("attachment-2")).toBeInTheDocument());
    await fireEvent.click(screen.getByTestId("publish"));
    expect(await screen.findByTestId("published-notice")).toHaveTextContent("Review 900001 was created");
    expect(backend.created).toHaveLength(1);
    expect(backend.created[0]?.fields.product_id).toBe("7002");
    expect(backend.created[0]?.fields.author).toBe("Mina Oduya");
    expect(backend.created[0]?.media).toEqual(["/p/a.jpg", "/p/b.jpg", "/p/c.mp4"]);
    expect(backend.drafts.size).toBe(0);
  });

  it("shows the failed file with what to do, and a retry uploads only that file", async () => {
    const { backend } = setup();
    await openNew();
    await fillRequired();
    backend.drop(["/p/a.jpg", "/p/b.jpg"]);
    await waitFor(() => expect(screen.getByTestId("attachment-1")).toBeInTheDocument());
    backend.failNext = ["b.jpg"];
    await fireEvent.click(screen.getByTestId("publish"));
    expect(await screen.findByText(/Could not upload b.jpg.*Retry to upload it with fresh credentials/)).toBeInTheDocument();
    expect(screen.getByTestId("composer-status")).toHaveTextContent("One file did not upload");
    expect(screen.getByTestId("progress-0")).toHaveAttribute("aria-valuenow", "100");
    expect(screen.getByTestId("progress-1")).toHaveAttribute("data-state", "failed");
    expect(screen.getByTestId("progress-total")).not.toHaveAttribute("aria-valuenow", "100");
    await fireEvent.click(screen.getByTestId("retry-1"));
    expect(await screen.findByTestId("published-notice")).toBeInTheDocument();
    expect(backend.created).toHaveLength(1);
  });

  it("cancels one file or the whole upload, keeping the draft", async () => {
    const { backend } = setup(new FixtureComposer({ steps: 20, stepDelayMs: 5 }));
    await openNew();
    await fillRequired();
    backend.drop(["/p/a.jpg", "/p/b.jpg"]);
    await waitFor(() => expect(screen.getByTestId("attachment-1")).toBeInTheDocument());
    await fireEvent.click(screen.getByTestId("publish"));
    await fireEvent.click(await screen.findByTestId("cancel-0"));
    await waitFor(() => expect(screen.getByTestId("progress-0")).toHaveAttribute("data-state", "cancelled"));
    await fireEvent.click(await screen.findByTestId("cancel-all"));
    expect(await screen.findByText(/2 files did not upload/)).toBeInTheDocument();
    expect(screen.getByText(/Upload of b.jpg was cancelled/)).toBeInTheDocument();
    expect(backend.created).toHaveLength(0);
    expect(backend.drafts.size).toBe(1);
  });

  it("reorders attachments and saves the order", async () => {
    const { backend } = setup();
    await openNew();
    backend.drop(["/p/a.jpg", "/p/b.jpg"]);
    await waitFor(() => expect(screen.getByTestId("attachment-1")).toBeInTheDocument());
    await fireEvent.click(screen.getByRole("button", { name: "Move b.jpg earlier" }));
    await waitFor(() => expect([...backend.drafts.values()][0]?.attachments).toEqual(["/p/b.jpg", "/p/a.jpg"]));
    await fireEvent.click(screen.getByTestId("remove-0"));
    await waitFor(() => expect([...backend.drafts.values()][0]?.attachments).toEqual(["/p/a.jpg"]));
  });
});

describe("drafts", () => {
  it("offers to resume a saved draft and names files that went missing", async () => {
    const backend = new FixtureComposer({ missing: ["/home/m/IMG_2231.jpg"] });
    await backend.saveDraft("new-review:x", { ...emptyFields(), author: "Lee", title: "From email" }, ["/home/m/IMG_2231.jpg", "/home/m/IMG_2232.jpg"]);
    setup(backend);
    const row = await screen.findByTestId("draft");
    expect(row).toHaveTextContent("Lee");
    expect(row).toHaveTextContent("IMG_2231.jpg was moved or deleted");
    await fireEvent.click(screen.getByTestId("resume-draft"));
    expect(await screen.findByTestId("author")).toHaveValue("Lee");
    expect(screen.getByTestId("refused")).toHaveTextContent("IMG_2231.jpg was moved or deleted");
    expect(screen.getByTestId("attachment-0")).toHaveTextContent("IMG_2232.jpg");
  });

  it("discards a draft", async () => {
    const backend = new FixtureComposer();
    await backend.saveDraft("new-review:y", { ...emptyFields(), author: "Kim" }, []);
    setup(backend);
    await fireEvent.click(await screen.findByTestId("discard-draft"));
    expect(await screen.findByTestId("no-drafts")).toBeInTheDocument();
    expect(backend.drafts.size).toBe(0);
  });
});
