import { describe, expect, it } from "vitest";
import { flagReason, isReviewFlag, SHOW_CHOICES, shownUnder } from "./review-flags.js";

describe("review flags on the incident list", () => {
  const held = { confidence: "LOW", needs_review: true, detection_notes: ["Held for review: customers paid later."] };
  const raised = { confidence: "VERY_HIGH", needs_review: false };
  const pattern = { source: "visibility", confidence: "LOW" };

  it("tells the detector's held-back incidents from raised ones and from conflict patterns", () => {
    expect([held, raised, pattern].map(isReviewFlag)).toEqual([true, false, false]);
  });

  it("shows both by default, and either alone on request", () => {
    const names = (choice: string) => [held, raised, pattern].filter((i) => shownUnder(choice, i)).map((i) => (i === held ? "held" : i === raised ? "raised" : "pattern"));
    expect(names(SHOW_CHOICES[0]!)).toEqual(["held", "raised", "pattern"]);
    expect(names("incidents")).toEqual(["raised", "pattern"]);
    expect(names("review flags")).toEqual(["held"]);
  });

  it("gives the detector's reason when it has one", () => {
    expect(flagReason(held)).toBe("Held for review: customers paid later.");
    expect(flagReason({ confidence: "LOW" })).toMatch(/low confidence/);
  });
});
