import { describe, expect, it } from "vitest";

// Every source file of the UI, as text (tests included: they must mock, not import, Tauri).
const sources = import.meta.glob<string>("/src/**/*.{ts,js,svelte}", {
  query: "?raw",
  import: "default",
  eager: true,
});

const TAURI_IMPORT = /(?:from\s+|import\s*\(\s*|import\s+)["']@tauri-apps\//;

describe("architecture", () => {
  it("sees the source files", () => {
    expect(Object.keys(sources)).toContain("/src/lib/ipc/tauri/index.ts");
    expect(Object.keys(sources)).toContain("/src/App.svelte");
  });

  it("imports @tauri-apps/* only in src/lib/ipc/", () => {
    const offenders = Object.entries(sources)
      .filter(([path, text]) => !path.startsWith("/src/lib/ipc/") && TAURI_IMPORT.test(text))
      .map(([path]) => path);
    expect(offenders).toEqual([]);
  });

  it("fetches nothing from the network", () => {
    const offenders = Object.entries(sources)
      .filter(([path]) => !path.endsWith(".test.ts"))
      // ts-rs output names its project page in a comment; it holds types only.
      .filter(([path]) => !path.includes("/ipc/bindings/"))
      // Allowed: the sandbox and Trustoo, a scheme named in a sentence ("https:// (or http://)"),
      // the RFC 2606 example names a form shows (example.com, *.example, *.test), which
      // resolve nowhere, and the form of Trustpilot's invitation links, a value the fixture
      // answers for the merchant to copy (never fetched).
      .filter(([, text]) =>
        /\bfetch\(|https?:\/\/(?!127\.0\.0\.1|rapi\.trustoo\.io|www\.trustpilot\.com\/evaluate-link\/|[\s)"]|([\w-]+\.)*example(\.(com|org|net))?[/:"'`\s]|([\w-]+\.)+test[/:"'`\s])/.test(text),
      )
      .map(([path]) => path);
    expect(offenders).toEqual([]);
  });
});
