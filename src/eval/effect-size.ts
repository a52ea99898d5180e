/**
 * How large an injected incident turned out to be in its run: the events the mechanism added
 * (its effect marker's realized count) against the normal volume of the same kind of events over
 * the incident's window. A planned staffing cut that left 9 customers waiting in three weeks, in
 * a business that opens 6 tickets a day, realized 0.07 of the normal volume: next to nothing
 * happened, whatever the plan said.
 *
 * The ratio is a diagnostic of the evaluation (recall by effect size), not a label: every planned
 * incident stays expected. Types whose effect is an amount or a balance rather than a count
 * (margin compression, liquidity) have no comparable count and get no ratio.
 */
import type { CanonicalEvent } from "../events/canonical.ts";
import { LOW_REVIEW_SCORE } from "../metrics/ledger.ts";
import type { IncidentType } from "../scan-contract.ts";
import type { Labels } from "../sim/labels.ts";
import { addDays } from "../time.ts";

type EventLike = Pick<CanonicalEvent, "event_type" | "event_time" | "attributes">;

/** The events whose normal daily count an incident's effect is measured against. */
export const NORMAL_EVENTS: Partial<Record<IncidentType, (e: EventLike) => boolean>> = {
  REFUND_SPIKE: (e) => e.event_type === "refund_issued" || e.event_type === "credit_memo_issued",
  CHURN_ACCELERATION: (e) => e.event_type === "customer_churned",
  SUPPORT_LOAD_SURGE: (e) => e.event_type === "support_ticket_opened",
  SUPPLIER_DEPENDENCY_FAILURE: (e) => e.event_type === "shipment_delayed",
  FULFILLMENT_SLA_DEGRADATION: (e) => e.event_type === "order_late",
  CUSTOMER_SATISFACTION_REGRESSION: (e) => e.event_type === "review_submitted" && typeof e.attributes.score === "number" && e.attributes.score <= LOW_REVIEW_SCORE,
};

/** Days before the onset whose events give the normal daily count. */
export const NORMAL_DAYS = 30;
/** The window is the incident's duration, and at least a week. */
export const MIN_WINDOW_DAYS = 7;
/** Below this ratio an incident is "small" in the recall-by-effect-size table. */
export const SMALL_EFFECT = 0.5;

/**
 * For each expected incident (by label id): realized effect count / (normal daily count over the
 * 30 days before its onset × max(duration, 7 days)); null when the type has no comparable count,
 * the label no effect marker, or the normal count is 0.
 */
export function effectRatios(labels: Pick<Labels, "incidents" | "injections">, events: Iterable<EventLike>): Map<string, number | null> {
  const normal = new Map<string, number>(labels.incidents.map((l) => [l.id, 0]));
  const from = new Map(labels.incidents.map((l) => [l.id, addDays(l.onset, -NORMAL_DAYS)]));
  for (const e of events) {
    const day = e.event_time.slice(0, 10);
    for (const l of labels.incidents) {
      const counts = NORMAL_EVENTS[l.incident_type];
      if (counts && day >= from.get(l.id)! && day < l.onset && counts(e)) normal.set(l.id, normal.get(l.id)! + 1);
    }
  }
  const out = new Map<string, number | null>();
  for (const l of labels.incidents) {
    const perDay = normal.get(l.id)! / NORMAL_DAYS;
    const marker = l.effect_marker;
    if (!NORMAL_EVENTS[l.incident_type] || marker === null || perDay === 0) {
      out.set(l.id, null);
      continue;
    }
    const realized = labels.injections.reduce((n, inj) => n + (inj.realized[marker]?.count ?? 0), 0);
    out.set(l.id, realized / (perDay * Math.max(MIN_WINDOW_DAYS, l.duration_days)));
  }
  return out;
}
