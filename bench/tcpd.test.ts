import { describe, expect, it } from "vitest";
import { runDefault } from "./tcpd.ts";
import { loadTcpd, publishedScores } from "./tcpd/corpus.ts";
import { cleanPredictions, covering, fMeasure } from "./tcpd/metrics.ts";

// The published TCPDBench per-series scores are the independent reference: our PELT and BOCPD in
// the default setting must reproduce them (the full table is `npx tsx bench/tcpd.ts --per-dataset`).
describe("TCPD default-setting reproduction", () => {
  const series = loadTcpd();
  const f1 = publishedScores("default_f1");
  const cover = publishedScores("default_cover");
  it.each(["nile", "bank", "well_log", "jfk_passengers", "run_log"])("%s matches the published pelt and bocpd scores", (name) => {
    const s = series.find((x) => x.name === name)!;
    for (const method of ["pelt", "bocpd"] as const) {
      const raw = runDefault(method, s);
      const expectedF1 = f1[name]![method] ?? null;
      if (expectedF1 === null) {
        expect(raw).toBeNull();
        continue;
      }
      const predictions = cleanPredictions(raw!, s.nObs);
      expect(fMeasure(s.annotations, predictions).f1).toBeCloseTo(expectedF1, 9);
      expect(covering(s.annotations, predictions, s.nObs)).toBeCloseTo(cover[name]![method]!, 9);
    }
  });
});
