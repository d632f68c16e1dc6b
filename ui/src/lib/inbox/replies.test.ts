import { describe, expect, it } from "vitest";
import { generateReviews } from "../ipc/fixture/reviews-data";
import { FIXTURE_REPLY_TEMPLATES } from "../ipc/fixture/reviews";
import { defaultTemplate, fillTemplate, firstName } from "./replies";

const row = (author: string, rating = 5, product = "Glacier Waterproof Shell") => {
  const base = generateReviews(1, 7)[0]?.row;
  if (!base) throw new Error("no fixture review");
  return { ...base, review: { ...base.review, author, rating, product_title: product, is_store_review: product === "" } };
};

describe("reply templates", () => {
  it("offers a default for every star rating, the apology for low ones", () => {
    const t = FIXTURE_REPLY_TEMPLATES;
    for (const stars of [1, 2, 3, 4, 5]) expect(defaultTemplate(stars, t)).toBeDefined();
    expect(defaultTemplate(1, t)?.name).toBe("Sorry, let us put it right");
    expect(defaultTemplate(3, t)?.name).toBe("Thanks, and we'd like to hear more");
    expect(defaultTemplate(5, t)?.name).toBe("Thank you");
    expect(defaultTemplate(5, [])).toBeUndefined();
  });

  it("fills the first name, the shop and the product, and leaves unknown variables as written", () => {
    const text = fillTemplate("Hi {first_name}, {shop_name} hopes {product} fits. {unknown}", row("ana SILVA"), "Aurora Outfitters");
    expect(text).toBe("Hi Ana, Aurora Outfitters hopes Glacier Waterproof Shell fits. {unknown}");
    expect(fillTemplate("{product}", row("Lily", 5, ""), "A")).toBe("your order");
  });

  it("greets a reviewer whose name is not a name as 'there'", () => {
    expect(firstName("")).toBe("there");
    expect(firstName("user1234")).toBe("there");
    expect(firstName("noah@example.com")).toBe("there");
    expect(firstName("Noah.")).toBe("Noah");
  });

  it("a review whose rating no template names is offered the first one", () => {
    expect(defaultTemplate(4, [{ id: 9, name: "Only", stars: [1], body: "x" }])?.id).toBe(9);
  });
});
