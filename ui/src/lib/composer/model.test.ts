import { describe, expect, it } from "vitest";
import type { Attachment } from "../ipc/composer";
import { dropIndex, emptyFields, formatBytes, LIMITS, move, newDraftId, progressText, validate } from "./model";

const img = (n: number): Attachment => ({ path: `/p/${n}.jpg`, name: `${n}.jpg`, size: 1, kind: "image", mime: "image/jpeg", thumbnail: null });
const vid = (n: number): Attachment => ({ path: `/p/${n}.mp4`, name: `${n}.mp4`, size: 1, kind: "video", mime: "video/mp4", thumbnail: null });

describe("composer validation", () => {
  const ok = { ...emptyFields(), product_id: "0", author: "Ana" };

  it("accepts a minimal form and the limits themselves", () => {
    expect(validate(ok, [])).toEqual({});
    const atLimit = { ...ok, author: "a".repeat(LIMITS.author), title: "t".repeat(LIMITS.title), content: "é".repeat(LIMITS.content) };
    expect(validate(atLimit, Array.from({ length: 10 }, (_, i) => img(i)).concat(vid(1)))).toEqual({});
  });

  it("names each field past its documented limit", () => {
    const e = validate(
      { ...ok, author: "a".repeat(121), title: "t".repeat(301), content: "c".repeat(10_001), rating: 6 },
      Array.from({ length: 11 }, (_, i) => img(i)),
    );
    expect(Object.keys(e).sort()).toEqual(["attachments", "author", "content", "rating", "title"]);
    expect(e.author).toBe("The name is 121 characters; shorten it to 120");
    expect(e.attachments).toBe("A review can have at most 10 photos; remove 1");
    expect(validate(ok, [vid(1), vid(2)]).attachments).toBe("A review can have at most 1 video; remove 1");
  });

  it("asks for product, author, and well-formed optional fields", () => {
    const e = validate({ ...emptyFields(), rating: 0, email: "x@", country: "USA", date: "tomorrow" }, []);
    expect(Object.keys(e).sort()).toEqual(["author", "country", "date", "email", "product_id", "rating"]);
    expect(validate({ ...ok, email: "a@b.co", country: "de", date: "2025-06-01" }, [])).toEqual({});
  });
});

describe("composer helpers", () => {
  it("moves an attachment", () => {
    expect(move(["a", "b", "c"], 0, 2)).toEqual(["b", "c", "a"]);
    expect(move(["a", "b", "c"], 2, 0)).toEqual(["c", "a", "b"]);
    expect(move(["a", "b"], 5, 0)).toEqual(["a", "b"]);
  });

  it("finds where a dragged tile lands", () => {
    const rects = [0, 100, 200].map((left) => ({ left, width: 90 }));
    expect(dropIndex(10, rects)).toBe(0);
    expect(dropIndex(160, rects)).toBe(2);
    expect(dropIndex(999, rects)).toBe(2);
  });

  it("formats sizes and progress", () => {
    expect(formatBytes(12)).toBe("12 bytes");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(20 * 1024 * 1024)).toBe("20 MB");
    expect(progressText(512 * 1024, 1024 * 1024, 50)).toBe("512 KB of 1 MB · 50 %");
  });

  it("makes composer draft ids", () => {
    expect(newDraftId(0, 0.5)).toMatch(/^new-review:/);
  });
});
