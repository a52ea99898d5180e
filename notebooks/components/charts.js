import * as Plot from "@observablehq/plot";
import { detectorBand, hasDetectorScores, trailingBand } from "./baseline.js";
import { DAY, DAY_END, SEVERITY_COLOR } from "./format.js";

/**
 * A metric's daily line with incident windows shaded behind it.
 * `series` is [{day, value}], `incidents` the API's incidents whose primary metric this is.
 */
export function metricChart(series, { title, unit, incidents = [], width, height = 160 }) {
  const points = series.filter((p) => p.value !== null).map((p) => ({ date: DAY(p.day), value: p.value }));
  return Plot.plot({
    title,
    width,
    height,
    marginLeft: 56,
    x: { type: "utc", label: null },
    y: { label: unit, grid: true, nice: true },
    marks: [
      Plot.rectX(incidents, {
        x1: (d) => DAY(d.incident_window_start),
        x2: (d) => DAY_END(d.incident_window_end),
        fill: (d) => SEVERITY_COLOR[d.severity],
        fillOpacity: 0.18,
      }),
      Plot.lineY(points, { x: "date", y: "value", stroke: "var(--theme-foreground-focus)", strokeWidth: 1.5 }),
      Plot.ruleX(incidents, { x: (d) => DAY(d.detected_at), stroke: (d) => SEVERITY_COLOR[d.severity], strokeDasharray: "3,2" }),
      Plot.tip(points, Plot.pointerX({ x: "date", y: "value" })),
    ],
  });
}

/**
 * A monitor's metric over the last `days` days with its early-warning threshold (the trailing
 * median ± `threshold_z` robust σ, as the monitor runtime scores it), the days its alerts fired
 * shaded, and the day its source incident was detected marked.
 */
export function monitorChart(monitor, series, { unit, alerts = [], width, height = 150, days = 120 }) {
  const all = series.map((p) => ({ date: DAY(p.day), value: p.value, expected: p.expected, scale: p.scale }));
  const k = monitor.direction === "down" ? -monitor.threshold_z : monitor.threshold_z;
  // The detector's stored scores fit a monitor on the detection's own baseline window (the default).
  const band = (monitor.baseline_window_days === 30 && hasDetectorScores(all) ? detectorBand(all, k) : trailingBand(all, monitor.baseline_window_days, k, { unit })).slice(-days);
  const points = all.slice(-days).filter((p) => p.value !== null);
  const from = points[0]?.date;
  const shown = alerts.filter((a) => from && DAY(a.last_day) >= from);
  const source = from && DAY(monitor.source_incident_date) >= from ? [monitor] : [];
  return Plot.plot({
    width,
    height,
    marginLeft: 56,
    x: { type: "utc", label: null },
    y: { label: unit, grid: true, nice: true },
    marks: [
      Plot.rectX(shown, {
        x1: (a) => DAY(a.triggered_at),
        x2: (a) => DAY_END(a.last_day),
        fill: (a) => SEVERITY_COLOR[a.severity],
        fillOpacity: 0.25,
      }),
      Plot.lineY(band, { x: "date", y: "median", stroke: "var(--theme-foreground-muted)", strokeDasharray: "4,3" }),
      Plot.lineY(band, { x: "date", y: "threshold", stroke: SEVERITY_COLOR.CRITICAL, strokeWidth: 1.2 }),
      Plot.lineY(points, { x: "date", y: "value", stroke: "var(--theme-foreground-focus)", strokeWidth: 1.4 }),
      Plot.ruleX(source, { x: (m) => DAY(m.source_incident_date), stroke: "var(--theme-foreground-muted)", strokeDasharray: "2,2" }),
      Plot.tip(points, Plot.pointerX({ x: "date", y: "value" })),
    ],
  });
}
