/**
 * A supplier's price rise, end to end: the simulated vendor-cost scenario scanned as `bre scan`
 * does. The dearer bills raise the margin incident within days of the rise, long before the
 * 30-day margin moves; the incident's window starts with them, and its RCA still traces the
 * margin's own anomaly. When the margin drifts down too slowly to fire at all for weeks, the
 * bills open the incident themselves.
 */
import { describe, expect, it } from "vitest";
import { loadSimulated, scanLoaded } from "../../bench/scan-simulated.ts";
import { simulate } from "../sim/index.ts";
import { addDays, daysBetween } from "../time.ts";

/** The vendor-cost scenario of `seed`, scanned: its labelled onset and the first margin incident raised from then on. */
async function firstMarginIncident(seed: number) {
  const run = simulate({ scenario: "vendor_cost_increase", seed, qbo: false });
  const label = run.labels.incidents.find((l) => l.incident_type === "MARGIN_COMPRESSION")!;
  const { result } = await scanLoaded(loadSimulated(run.events), undefined);
  const margin = result.incidents.find((i) => i.incident_type === "MARGIN_COMPRESSION" && i.confidence !== "LOW" && i.detected_at >= label.onset)!;
  return { onset: label.onset, margin };
}

describe("dearer units raise margin compression early", () => {
  it("raises the vendor cost increase within a week of its onset, on the bills, and anchors RCA on the margin's anomaly", async () => {
    const { onset, margin } = await firstMarginIncident(7);
    expect(daysBetween(onset, margin.detected_at)).toBeLessThanOrEqual(7);
    expect(margin.incident_window_start <= margin.detected_at).toBe(true);
    expect((margin.detection_notes as string[])[0]).toMatch(/^Bills' items cost \d+ % more per unit in the 7 days to .* dearest: /);
    // The margin itself moved weeks later: the causal window is anchored there, not on the bills.
    const [causalStart] = margin.causal_chain!.causal_window;
    expect(causalStart > addDays(margin.incident_window_start, -14)).toBe(true);
  });

  it("opens the incident on the bills when the margin drifts down too slowly to fire for weeks", async () => {
    // Seed 102: three suppliers (55 % of demand) at × 1.55; the 30-day margin first reached z −3 53 days after.
    const { onset, margin } = await firstMarginIncident(102);
    expect(daysBetween(onset, margin.detected_at)).toBeLessThanOrEqual(7);
    expect(margin.primary_metric_zscore!).toBeGreaterThan(-3);
    expect((margin.detection_notes as string[])[0]).toMatch(/^Bills' items cost \d+ % more per unit in the 7 days to .* the margin falls as this stock is sold\.$/);
  });
});
