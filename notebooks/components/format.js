import { html } from "htl";

/** "REFUND_SPIKE" / "refund_rate" → "refund spike" / "refund rate" (as the API's graph labels read). */
export const label = (name) => name.replaceAll("_", " ").toLowerCase();

/** A number for reading: whole numbers as they are (grouped), others to three significant digits. */
export function fmt(v) {
  if (v === null || v === undefined) return "–";
  return Number.isInteger(v) || Math.abs(v) >= 1000 ? Math.round(v).toLocaleString("en-US") : (+v).toPrecision(3);
}

export const money = (v) => (v === null || v === undefined ? "–" : `${v < 0 ? "-" : ""}$${Math.round(Math.abs(v)).toLocaleString("en-US")}`);

/** A metric value in its unit: ratios as percentages, dollars, days, hours, scores. */
export function metricValue(v, unit) {
  if (v === null || v === undefined) return "–";
  switch (unit) {
    case "ratio":
      return `${(v * 100).toFixed(Math.abs(v) < 0.1 ? 2 : 1)}%`;
    case "USD":
      return money(v);
    case "days":
      return `${fmt(v)} d`;
    case "hours":
      return `${fmt(v)} h`;
    default:
      return fmt(v);
  }
}

export const signedPct = (v, digits = 1) => (v === null || v === undefined ? "–" : `${v >= 0 ? "+" : ""}${v.toFixed(digits)}%`);
export const zText = (z) => (z === null || z === undefined ? "z –" : `z ${z >= 0 ? "+" : ""}${z.toFixed(1)}`);

/** A UTC day "2026-05-21" as a Date at midnight UTC (what Plot's utc scales want). */
export const DAY = (d) => new Date(`${d}T00:00:00Z`);
/** The end of a UTC day (the next midnight), where a shaded window that includes the day stops. */
export const DAY_END = (d) => new Date(DAY(d).getTime() + 86_400_000);

export const SEVERITY_COLOR = { LOW: "#6b9bd1", MEDIUM: "#e0a030", HIGH: "#e0602a", CRITICAL: "#c0202a" };
/** Severities in order, to find the worst. */
export const SEVERITY_RANK = { LOW: 1, MEDIUM: 2, HIGH: 3, CRITICAL: 4 };
export const CONFIDENCE_COLOR = { LOW: "#9aa3ad", MEDIUM: "#6b9bd1", HIGH: "#2a6fdb", VERY_HIGH: "#173f8a" };

export const badge = (text, color) => html`<span class="badge" style="background:${color}">${text}</span>`;
export const severityBadge = (severity) => badge(severity, SEVERITY_COLOR[severity] ?? "#888");

/** Links to an incident's pages, carrying the company along. */
export const incidentHref = (id, company) => `./incident?id=${encodeURIComponent(id)}&company=${encodeURIComponent(company)}`;
export const postmortemHref = (id, company) => `./postmortem?id=${encodeURIComponent(id)}&company=${encodeURIComponent(company)}`;

/**
 * Nothing, to display: Framework keeps a cell's old output when a re-run displays nothing, so a
 * cell whose output may go away starts with `display(cleared())`.
 */
export const cleared = () => document.createDocumentFragment();
