import { describe, expect, it } from "vitest";
import { checkTokens, formatCountdown, parseShopDomain, secondsUntil, summariseSignOut } from "./auth";

describe("formatCountdown", () => {
  it("writes mm:ss and never goes negative", () => {
    expect(formatCountdown(600)).toBe("10:00");
    expect(formatCountdown(599)).toBe("09:59");
    expect(formatCountdown(65)).toBe("01:05");
    expect(formatCountdown(0)).toBe("00:00");
    expect(formatCountdown(-3)).toBe("00:00");
    expect(formatCountdown(Number.NaN)).toBe("00:00");
  });
});

describe("secondsUntil", () => {
  it("counts whole seconds to a unix-seconds deadline", () => {
    expect(secondsUntil(1000, 400_000)).toBe(600);
    expect(secondsUntil(1000, 999_500)).toBe(1);
    expect(secondsUntil(1000, 2_000_000)).toBe(0);
    expect(secondsUntil(null, 0)).toBeNull();
  });
});

describe("checkTokens", () => {
  it("trims both and asks for the missing ones", () => {
    expect(checkTokens("  pub ", "\tpriv\n")).toEqual({ input: { public_token: "pub", private_token: "priv" }, errors: {} });
    expect(checkTokens("   ", "").errors).toEqual({
      public_token: "Enter the Public Token.",
      private_token: "Enter the Private Token.",
    });
    expect(checkTokens("pub", " ").errors).toEqual({ private_token: "Enter the Private Token." });
  });
});

describe("summariseSignOut", () => {
  const ok = (step: string) => ({ step, ok: true, message: null });

  it("is one calm sentence when every step worked", () => {
    expect(summariseSignOut({ steps: [ok("Revoke the access token"), ok("Delete the keyring entries")] }, "Aurora")).toEqual({
      level: "success",
      message: "Signed out of Aurora.",
    });
  });

  it("explains a token that could not be revoked (once, however many revoke steps failed)", () => {
    const report = {
      steps: [
        { step: "Disconnect ReviewDesk on Trustoo", ok: false, message: "Offline." },
        { step: "Revoke the refresh token", ok: false, message: "Offline." },
        ok("Delete the keyring entries"),
      ],
    };
    expect(summariseSignOut(report, "Aurora Outfitters")).toEqual({
      level: "warning",
      message:
        "Signed out of Aurora Outfitters. Could not revoke the token on Trustoo (offline); it will expire on its own.",
    });
  });

  it("tells the merchant when keys were left in the keychain, and words other failures from the step", () => {
    const report = {
      steps: [
        { step: "Delete the keyring entries", ok: false, message: "The keychain is locked" },
        { step: "Remove the shop from ReviewDesk", ok: false, message: null },
      ],
    };
    const { level, message } = summariseSignOut(report, "Birch & Pine Home");
    expect(level).toBe("warning");
    expect(message).toBe(
      "Signed out of Birch & Pine Home. Could not delete the shop's keys from the system keychain (the keychain is locked); remove the ReviewDesk entries for this shop with your keychain app. Could not remove the shop from ReviewDesk.",
    );
  });
});

describe("parseShopDomain", () => {
  it("accepts what merchants type and gives the myshopify domain", () => {
    expect(parseShopDomain("  Aurora-Outfitters.myshopify.com ")).toEqual({ domain: "aurora-outfitters.myshopify.com" });
    expect(parseShopDomain("aurora-outfitters")).toEqual({ domain: "aurora-outfitters.myshopify.com" });
    expect(parseShopDomain("https://birch.myshopify.com/admin?x=1")).toEqual({ domain: "birch.myshopify.com" });
  });

  it("says what is wrong otherwise", () => {
    expect(parseShopDomain("  ")).toEqual({ error: "Enter your shop's domain, like your-store.myshopify.com." });
    expect(parseShopDomain("my shop!")).toEqual({
      error: "That doesn't look like a shop domain. Use the one ending in .myshopify.com.",
    });
  });
});
