/**
 * The postmortem laid out once as a neutral document (headings, paragraphs, lists, tables of styled
 * text runs), which the Markdown and PDF renderers both draw. The two exports therefore always say
 * the same thing in the same order.
 */
import { formatDay, formatDayRange, formatMetricValue, formatMoney, formatScore, formatZ, incidentLabel, metricLabel, plural } from "./format.ts";
import type { Postmortem } from "./postmortem-schema.ts";

export type RunStyle = "plain" | "bold" | "italic" | "code";
export interface Run {
  text: string;
  style: RunStyle;
}
export type Rich = Run[];

export interface Column {
  header: string;
  /** Relative width (the PDF shares the page width by these weights). */
  weight: number;
  align: "left" | "right";
}

export type Block =
  | { type: "heading"; text: string }
  | { type: "paragraph"; runs: Rich }
  | { type: "quote"; runs: Rich }
  | { type: "list"; ordered: boolean; items: Rich[] }
  | { type: "table"; columns: Column[]; rows: Rich[][] };

export interface ReportDocument {
  title: string;
  /** Short facts shown under the title: [label, value]. */
  facts: [string, string][];
  severity: Postmortem["severity"];
  /** Printed in the PDF's footer. */
  footer: string;
  blocks: Block[];
}

const plain = (text: string): Run => ({ text, style: "plain" });
const bold = (text: string): Run => ({ text, style: "bold" });
const code = (text: string): Run => ({ text, style: "code" });
const italic = (text: string): Run => ({ text, style: "italic" });
const cell = (text: string): Rich => [plain(text)];

/** Evidence ids shown per timeline row. */
const EVIDENCE_SHOWN = 3;

function evidenceCell(ids: readonly string[], count: number): Rich {
  if (count === 0 && ids.length === 0) return cell("—");
  const shown = ids.slice(0, EVIDENCE_SHOWN);
  const runs: Rich = [];
  shown.forEach((id, i) => {
    if (i > 0) runs.push(plain(", "));
    runs.push(code(id));
  });
  const rest = Math.max(count, ids.length) - shown.length;
  if (rest > 0) runs.push(plain(`${shown.length > 0 ? " " : ""}+${rest} more`));
  return runs;
}

export function postmortemDocument(pm: Postmortem): ReportDocument {
  const blocks: Block[] = [];
  const heading = (text: string) => blocks.push({ type: "heading", text });
  const paragraph = (...runs: Run[]) => blocks.push({ type: "paragraph", runs });
  const list = (items: string[], ordered = false) => blocks.push({ type: "list", ordered, items: items.map(cell) });

  blocks.push({ type: "quote", runs: [plain(pm.one_line_summary)] });

  heading("1. Summary");
  blocks.push({
    type: "table",
    columns: [
      { header: "Field", weight: 1, align: "left" },
      { header: "Value", weight: 3, align: "left" },
    ],
    rows: [
      [cell("Incident"), [plain(`${incidentLabel(pm.incident_type)} `), code(pm.incident_id)]],
      [cell("Window"), cell(`${formatDayRange(pm.incident_window[0], pm.incident_window[1])} (${pm.duration})`)],
      [cell("Detected"), cell(formatDay(pm.detected_at))],
      [cell("Severity"), cell(pm.severity)],
      [cell("Status"), cell(`${pm.status === "ongoing" ? "Ongoing" : "Resolved"} in the data; marked ${pm.incident_status} by people`)],
      [cell("Cascade"), pm.cascade_id ? [code(pm.cascade_id)] : cell("Not part of a cascade")],
    ],
  });

  heading("2. Timeline");
  blocks.push({
    type: "table",
    columns: [
      { header: "Date", weight: 1.15, align: "left" },
      { header: "What happened", weight: 4.2, align: "left" },
      { header: "Evidence", weight: 1.9, align: "left" },
    ],
    rows: pm.timeline.map((e) => [cell(formatDay(e.timestamp)), cell(e.event_description), evidenceCell(e.evidence_event_ids, e.evidence_event_count)]),
  });

  heading("3. Root cause");
  paragraph(plain(pm.root_cause_summary));
  const ranked = [...pm.causal_chain.paths].sort((a, b) => a.rank - b.rank);
  const top = ranked[0];
  if (top) {
    blocks.push({
      type: "table",
      columns: [
        { header: "Step", weight: 0.5, align: "right" },
        { header: "Metric", weight: 2, align: "left" },
        { header: "Value", weight: 1.1, align: "right" },
        { header: "Baseline", weight: 1.1, align: "right" },
        { header: "z", weight: 0.8, align: "right" },
        { header: "Anomalous", weight: 1.7, align: "left" },
        { header: "Contribution", weight: 1.1, align: "right" },
      ],
      rows: top.nodes.map((n, i) => [
        cell(String(i + 1)),
        cell(metricLabel(n.metric_name)),
        cell(formatMetricValue(n.metric_name, n.metric_value)),
        cell(formatMetricValue(n.metric_name, n.metric_baseline)),
        cell(formatZ(n.metric_zscore).replace("z = ", "")),
        cell(n.anomaly_window ? formatDayRange(n.anomaly_window[0], n.anomaly_window[1]) : "—"),
        cell(formatScore(n.contribution_score)),
      ]),
    });
  }
  if (ranked.length > 1) {
    blocks.push({
      type: "list",
      ordered: false,
      items: ranked.slice(1).map((p) => [
        bold(`Path ${p.rank}`),
        plain(` (score ${formatScore(p.overall_score)}): ${p.nodes.map((n) => metricLabel(n.metric_name).toLowerCase()).join(" → ")}${p.nodes.length === 1 ? " alone" : ""}`),
      ]),
    });
  }

  heading("4. Blast radius");
  const b = pm.blast_radius;
  paragraph(plain(b.narrative));
  blocks.push({
    type: "table",
    columns: [
      { header: "Measure", weight: 2, align: "left" },
      { header: "Value", weight: 1, align: "right" },
    ],
    rows: [
      [cell("Customers affected"), cell(String(b.customers_affected))],
      [cell("Orders affected"), cell(String(b.orders_affected))],
      [cell("Products affected"), cell(String(b.products_affected))],
      [cell("Vendors involved"), cell(String(b.vendors_involved))],
      [cell("Estimated revenue exposure"), cell(formatMoney(b.estimated_revenue_exposure))],
      [cell("Estimated refund exposure"), cell(formatMoney(b.estimated_refund_exposure))],
      [cell("Customers at churn risk"), cell(String(b.estimated_churn_exposure))],
      [cell("Downstream incidents"), cell(String(b.downstream_incidents_triggered.length))],
      [cell("Blast radius class"), cell(b.blast_radius_severity)],
    ],
  });

  heading("5. Contributing factors");
  list(pm.contributing_factors);

  heading("6. Prevention monitors");
  if (pm.monitors.length === 0) {
    paragraph(italic("No monitor watches this incident's causal path."));
  } else {
    const role = { root_cause: "root cause", intermediate: "step on the path", incident_metric: "incident metric" } as const;
    blocks.push({
      type: "table",
      columns: [
        { header: "Monitor", weight: 2.1, align: "left" },
        { header: "Condition", weight: 1.3, align: "left" },
        { header: "Baseline", weight: 0.9, align: "right" },
        { header: "Severity", weight: 0.95, align: "left" },
        { header: "State", weight: 0.85, align: "left" },
        { header: "Born from", weight: 2.6, align: "left" },
      ],
      rows: pm.monitors.map((m) => [
        [plain(m.name), plain(" "), code(m.monitor_id)],
        [code(m.condition)],
        cell(plural(m.baseline_window_days, "day")),
        cell(m.severity_if_triggered),
        cell(m.enabled ? "enabled" : "disabled"),
        cell(`${incidentLabel(m.source_incident_type)} of ${formatDay(m.source_incident_date)} (${role[m.path_role]}); armed ${formatDay(m.created_at)}`),
      ]),
    });
    paragraph(
      italic(
        "Each monitor checks its metric daily against the median of its trailing baseline and alerts when the modified z-score passes its threshold, " +
          "which is set below the incident detector's so that a recurrence is flagged before it becomes an incident.",
      ),
    );
  }

  heading("7. Recommendations");
  list(pm.recommendations, true);

  heading("8. Metadata");
  blocks.push({
    type: "list",
    ordered: false,
    items: [
      [bold("Data quality score:"), plain(" " + formatScore(pm.data_quality_score))],
      [bold("Confidence:"), plain(" " + pm.confidence_note)],
      [bold("Algorithm:"), plain(" "), code(pm.algorithm_version), plain(", dependency graph "), code(pm.dependency_graph_version)],
      [bold("Run:"), plain(" "), code(pm.run_id)],
      [bold("Postmortem:"), plain(" "), code(pm.postmortem_id), plain(`, generated ${pm.generated_at}`)],
    ],
  });

  return {
    title: pm.title,
    severity: pm.severity,
    facts: [
      ["Severity", pm.severity],
      ["Status", pm.status === "ongoing" ? "ongoing" : "resolved"],
      ["Duration", pm.duration],
      ["Detected", formatDay(pm.detected_at)],
      ["Confidence", pm.confidence],
    ],
    footer: `Postmortem ${pm.postmortem_id} · ${pm.incident_id} · generated ${pm.generated_at.slice(0, 10)}`,
    blocks,
  };
}
