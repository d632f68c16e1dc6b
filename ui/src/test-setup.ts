import "@testing-library/jest-dom/vitest";

// jsdom has no layout engine and no ResizeObserver; Svelte's bind:clientWidth
// needs one. A no-op stand-in leaves measured sizes at 0 (components fall back
// to a default width).
if (typeof globalThis.ResizeObserver === "undefined") {
  class ResizeObserverStub implements ResizeObserver {
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
  }
  globalThis.ResizeObserver = ResizeObserverStub;
}
