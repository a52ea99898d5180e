/**
 * Action items and the confidence note. Actions follow the root cause's domain and cite the numbers
 * and entities the evidence names; monitor items say whether the monitor already proved itself.
 */
import { detectionThresholdFor } from "../monitors/generate.ts";
import type { CausalNode, CausalPath, Confidence, Incident } from "../scan-contract.ts";
import { PRECEDENCE_LOOKAHEAD_DAYS } from "../monitors/runtime.ts";
import { leadDays, monitorsOf, type PostmortemInput, precedingAlerts, rcaRan, topPath, upstreamNodes } from "./context.ts";
import { formatDay, formatMetricValue, formatMoney, formatScore, formatShare, metricLabel, plural } from "./format.ts";

/** Data quality below this gets its own action item. */
export const QUALITY_ACTION = 0.9;

type Action = (node: CausalNode) => string;

const reading = (n: CausalNode) => `${formatMetricValue(n.metric_name, n.metric_value)} against a usual ${formatMetricValue(n.metric_name, n.metric_baseline)}`;

/** What to do about each root-cause metric, by domain. */
const ACTIONS: Record<string, Action> = {
  supplier_delay_rate: (n) => `Review open purchase orders with the delayed suppliers; the supplier delay rate reached ${reading(n)}. Agree on delivery dates or line up a second source for the affected items.`,
  supplier_delay_severity: (n) => `Review open purchase orders with the delayed suppliers; delays averaged ${reading(n)}. Agree on delivery dates or line up a second source.`,
  order_volume: (n) => `Check fulfillment capacity against demand: orders reached ${reading(n)} a day. Plan staffing and stock before the next campaign or seasonal peak.`,
  fulfillment_backlog: (n) => `Work down the fulfillment backlog (${reading(n)} open orders) and watch it daily until it is back at its usual level.`,
  delivery_delay_rate: (n) => `Contact the customers with late orders (delay rate ${reading(n)}) before they open tickets or leave reviews, and check the carrier or warehouse step that slowed down.`,
  avg_delivery_delay_days: (n) => `Find the step that made deliveries late (${reading(n)}) and tell affected customers a realistic date.`,
  ticket_volume: (n) => `Add support capacity or self-service answers for the surge (${reading(n)} tickets a day) and group the tickets by cause.`,
  ticket_backlog: (n) => `Clear the ticket backlog (${reading(n)} open tickets), oldest first.`,
  avg_resolution_time: (n) => `Bring resolution time back down (${reading(n)}): triage by age and escalate the oldest tickets.`,
  review_score_avg: (n) => `Read the low-score reviews in the evidence (average ${reading(n)}) and reply to each with a fix.`,
  review_score_trend: (n) => `Read the recent low-score reviews (trend ${reading(n)}) and reply to each with a fix.`,
  churn_proxy: (n) => `Reach out to the customers who left or went quiet (churn ${reading(n)}), starting with the highest-revenue accounts.`,
  refund_rate: (n) => `Review the refunds in the evidence (refund rate ${reading(n)}) for a common product, customer or reason, and fix that cause.`,
  daily_refunds: (n) => `Review the refunds in the evidence (${reading(n)} a day) for a common product, customer or reason.`,
  daily_revenue: (n) => `Look at which customers stopped paying or buying (revenue ${reading(n)} a day).`,
  daily_expenses: (n) => `Review the expenses posted in the window (${reading(n)} a day) and confirm each was planned.`,
  expense_ratio: (n) => `Review the expenses posted in the window (expense ratio ${reading(n)}) against revenue, and pause the ones that were not planned.`,
  margin_proxy: (n) => `Find what squeezed the margin (${reading(n)}): refunds, unplanned expenses or lost revenue, from the evidence.`,
  net_cash_proxy: (n) => `Plan cash for the coming weeks: net cash over 30 days was ${reading(n)}. Chase overdue invoices and time large payments.`,
  ar_aging_amount: (n) => `Follow up on overdue invoices: ${reading(n)} is overdue. Offer payment plans to the largest balances.`,
  ar_overdue_count: (n) => `Follow up on overdue invoices (${reading(n)}).`,
  dso_proxy: (n) => `Shorten payment terms or send reminders earlier: customers took ${reading(n)} to pay.`,
};

/** " Start with: …" naming the entities (vendor, customer, product) the evidence clusters single out. */
function evidenceNote(node: CausalNode): string {
  const named = node.evidence_clusters.filter((c) => c.entity_id !== null).sort((a, b) => b.event_count - a.event_count || (a.cluster_label < b.cluster_label ? -1 : 1));
  if (named.length === 0) return "";
  return ` Start with ${named.slice(0, 2).map((c) => c.summary).join("; ")}.`;
}

/** First day the metric was anomalous on the path, if the path has it. */
function anomalousSince(path: CausalPath | null, metric: string): string | null {
  return path?.nodes.find((n) => n.metric_name === metric)?.anomaly_window?.[0] ?? null;
}

export function recommendations(input: PostmortemInput): string[] {
  const { incident } = input;
  const items: string[] = [];
  const path = topPath(incident);
  const root = upstreamNodes(path)[0] ?? path?.nodes[path.nodes.length - 1] ?? null;
  if (root) {
    const action = ACTIONS[root.metric_name];
    if (action) items.push(action(root) + evidenceNote(root));
  }

  const alerts = precedingAlerts(input);
  for (const monitor of monitorsOf(input)) {
    const what = `"${monitor.name}" (${monitor.condition} on ${metricLabel(monitor.metric_name).toLowerCase()}, daily, ${monitor.baseline_window_days}-day baseline)`;
    // The earliest alert of this monitor ahead of the incident.
    const alert = alerts.filter((a) => a.monitor_id === monitor.monitor_id).sort((a, b) => (a.triggered_at < b.triggered_at ? -1 : 1))[0];
    if (monitor.source_incident_id === incident.incident_id) {
      const detection = detectionThresholdFor(monitor.metric_name);
      items.push(
        monitor.threshold_z < detection
          ? `${monitor.enabled ? "Keep" : "Re-enable"} ${what}: it was created from this incident and alerts at |z| ${monitor.threshold_z} where detection needs ${detection.toFixed(1)}, so it warns first.`
          : `Lower the threshold of ${what} below ${detection.toFixed(1)}: at ${monitor.threshold_z} it cannot warn before detection does.`,
      );
    } else if (alert) {
      items.push(
        `Act on ${what} when it alerts: it alerted on ${formatDay(alert.triggered_at)}, ${leadDays(alert, incident) > 0 ? `${plural(leadDays(alert, incident), "day")} before this incident was detected` : "the day this incident was detected"}.`,
      );
    } else if (monitor.created_at >= incident.detected_at) {
      // Born from another incident of the same episode, after this one was detected.
      items.push(`Keep ${what}: created on ${formatDay(monitor.created_at)} from a related incident, it guards against the next recurrence of this pattern.`);
    } else if (!monitor.enabled) {
      items.push(`Re-enable ${what}: it was disabled and this pattern came back.`);
    } else if (anomalousSince(path, monitor.metric_name) !== null && anomalousSince(path, monitor.metric_name)! <= monitor.created_at) {
      // The metric was already anomalous when the monitor was born: this is the same episode, not a miss.
      items.push(
        `Keep ${what}: ${metricLabel(monitor.metric_name).toLowerCase()} was already anomalous from ${formatDay(anomalousSince(path, monitor.metric_name)!)}, before the monitor was armed on ${formatDay(monitor.created_at)}; it guards against the next recurrence.`,
      );
    } else {
      items.push(`Consider a lower threshold for ${what}: it was already in place and did not alert in the ${PRECEDENCE_LOOKAHEAD_DAYS} days before this incident was detected.`);
    }
  }

  const b = incident.blast_radius;
  if (b.blast_radius_severity !== "contained" && (b.customers_affected > 0 || b.orders_affected > 0)) {
    items.push(
      `Contact the ${plural(b.customers_affected, "affected customer")}${b.orders_affected > 0 ? ` about their ${plural(b.orders_affected, "order")}` : ""}: ${formatMoney(b.estimated_revenue_exposure)} of revenue is exposed (${b.blast_radius_severity}).`,
    );
  }
  if (incident.data_quality_score < QUALITY_ACTION) {
    items.push(
      `Fix the data gaps behind ${metricLabel(incident.primary_metric).toLowerCase()}: ${formatShare(1 - incident.data_quality_score)} of its source events carry data-quality flags, which lowers the confidence of this analysis.`,
    );
  }
  return items;
}

const LEVELS: readonly Confidence[] = ["LOW", "MEDIUM", "HIGH", "VERY_HIGH"];

/**
 * RCA confidence: the detection's confidence (how many layers agreed), capped at MEDIUM when no
 * upstream cause was found or RCA did not run, one level lower when data quality is below 0.8,
 * and one lower again when the window holds no evidence event.
 */
export function confidenceOf(incident: Incident): { level: Confidence; note: string } {
  let level = LEVELS.indexOf(incident.confidence);
  const reasons: string[] = [`detection confidence ${incident.confidence} (${incident.detection_methods.join(" + ")})`];
  const path = topPath(incident);
  const causes = upstreamNodes(path);
  if (!rcaRan(incident)) {
    level = Math.min(level, 1);
    reasons.push("root-cause analysis did not run, so no upstream cause was tested");
  } else if (causes.length === 0) {
    level = Math.min(level, 1);
    reasons.push("no upstream metric explained the incident, so the root cause is the incident metric itself");
  } else {
    reasons.push(`a top causal path of ${plural(path!.nodes.length, "metric")} with score ${formatScore(path!.overall_score)}`);
  }
  if (incident.data_quality_score < 0.8) {
    level -= 1;
    reasons.push(`data quality ${formatScore(incident.data_quality_score)} (below 0.80)`);
  } else {
    reasons.push(`data quality ${formatScore(incident.data_quality_score)}`);
  }
  if (incident.evidence_event_count === 0) {
    level -= 1;
    reasons.push("no evidence event in the incident window");
  } else {
    reasons.push(plural(incident.evidence_event_count, "evidence event"));
  }
  const final = LEVELS[Math.max(0, level)]!;
  return { level: final, note: `RCA confidence is ${final} based on ${reasons.join("; ")}.` };
}
