import { describe, expect, it } from "vitest";
import type { ProviderDetails } from "./ipc";
import { codeWords, languageName, orderReference, reportLabel, reviewerEmail, variantOf } from "./review";

const trustoo: ProviderDetails = {
  provider: "trustoo",
  source: "Store front",
  author_email: "ana@example.com",
  order_id: "5400000013",
  item_type: "Blue / M",
  is_featured: false,
  is_published: true,
  is_pinned: false,
};

const trustpilot: ProviderDetails = {
  provider: "trustpilot",
  source: "AFS",
  reference_id: "#1042",
  referral_email: null,
  report_status: "active",
  report_reasons: [],
  language: "en",
  consumer_id: null,
};

describe("the provider part of a review", () => {
  it("reads each provider's own fields", () => {
    expect([reviewerEmail(trustoo), orderReference(trustoo), variantOf(trustoo)]).toEqual([
      "ana@example.com",
      "5400000013",
      "Blue / M",
    ]);
    expect([reviewerEmail(trustpilot), orderReference(trustpilot), variantOf(trustpilot)]).toEqual(["", "#1042", ""]);
    expect(reviewerEmail({ ...trustpilot, referral_email: "bo@example.com" })).toBe("bo@example.com");
  });
});

describe("Trustpilot facts in words", () => {
  it("names a review's status and its report reasons as the merchant reads them", () => {
    expect(reportLabel("active", [])).toBe("Published");
    expect(reportLabel("reported", ["sensitiveInformation", "consumerIsCompetitor"])).toBe(
      "Reported · sensitive information, consumer is competitor",
    );
    expect(reportLabel("underModeration", [])).toBe("under moderation");
    expect(reportLabel("", [])).toBe("—");
    expect(codeWords("consumer_is_competitor")).toBe("consumer is competitor");
  });

  it("names a language code, and keeps a code it cannot name", () => {
    expect(languageName("da")).toBe("Danish");
    expect(languageName("")).toBe("—");
    expect(languageName("not a code")).toBe("not a code");
  });
});
