import * as Plot from "@observablehq/plot";

const DAY = (d) => new Date(`${d}T00:00:00Z`);

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
        x2: (d) => new Date(DAY(d.incident_window_end).getTime() + 86_400_000),
        fill: (d) => SEVERITY_COLOR[d.severity],
        fillOpacity: 0.18,
      }),
      Plot.lineY(points, { x: "date", y: "value", stroke: "var(--theme-foreground-focus)", strokeWidth: 1.5 }),
      Plot.ruleX(incidents, { x: (d) => DAY(d.detected_at), stroke: (d) => SEVERITY_COLOR[d.severity], strokeDasharray: "3,2" }),
      Plot.tip(points, Plot.pointerX({ x: "date", y: "value" })),
    ],
  });
}

export const SEVERITY_COLOR = { LOW: "#6b9bd1", MEDIUM: "#e0a030", HIGH: "#e0602a", CRITICAL: "#c0202a" };
