import { describe, expect, it } from "vitest";
import { loadScenario } from "./load.ts";
import { traversalBaseline } from "./traversal-baseline.ts";

describe("the PetShop traversal baseline, re-implemented", () => {
  it("reproduces the repository's published low_traffic figures (RCA-Dataset-Eval notebook)", () => {
    const scenario = loadScenario("low_traffic");
    const recall = (metric: string) => {
      const issues = scenario.issues.filter((i) => i.target.metric === metric);
      let top1 = 0;
      let top3 = 0;
      let empty = 0;
      for (const issue of issues) {
        const roots = traversalBaseline(scenario.nodes, scenario.calls, scenario.normal!, issue).map((c) => c.node);
        if (roots.length === 0) empty++;
        if (roots[0] === issue.rootCause) top1++;
        if (roots.slice(0, 3).includes(issue.rootCause)) top3++;
      }
      return { n: issues.length, top1: top1 / issues.length, top3: top3 / issues.length, empty: empty / issues.length };
    };
    // Published: latency 14 issues, empty 0.21, top-1 0.571, top-3 0.571; availability 12, 0.00, 0.833, 1.000.
    const latency = recall("latency");
    expect(latency.n).toBe(14);
    expect(latency.top1).toBeCloseTo(0.571, 3);
    expect(latency.top3).toBeCloseTo(0.571, 3);
    expect(latency.empty).toBeCloseTo(0.21, 2);
    const availability = recall("availability");
    expect(availability.n).toBe(12);
    expect(availability.top1).toBeCloseTo(0.833, 3);
    expect(availability.top3).toBe(1);
    expect(availability.empty).toBe(0);
  });
});
