/**
 * The data-quality report of one ingested batch (spec, Component C "Data Quality Scoring"):
 * completeness, consistency and timeliness, the issues behind them and an advisory that says which
 * analyses the gaps weaken. Built record by record, so a batch of any size is never held in memory.
 */
import type { CanonicalEvent, EventType, Rejection } from "./canonical.ts";
import { AMOUNT_EVENT_TYPES, KEY_ATTRIBUTES } from "./canonical.ts";

export interface QualityIssue {
  /** `missing:<field>`, `inconsistent:<check>`, `timeliness:<check>` or `rejected:<field>`. */
  issue: string;
  count: number;
  /** Share of the batch's records with this issue (0–1). */
  share: number;
  event_types: string[];
}

export interface DataQualityReport {
  batch_id: string;
  source: string;
  total_records: number;
  valid_records: number;
  rejected_records: number;
  completeness_score: number;
  consistency_score: number;
  timeliness_score: number;
  overall_quality_score: number;
  quality_issues: QualityIssue[];
  impact_advisory: string;
}

/** Weights of the overall score: completeness matters most because RCA weights evidence by it. */
export const QUALITY_WEIGHTS = { completeness: 0.4, consistency: 0.3, timeliness: 0.3 } as const;

/** Which analyses an event type feeds, for the advisory. */
const DOMAIN_OF: Record<EventType, string> = {
  invoice_issued: "receivables",
  invoice_paid: "receivables",
  invoice_overdue: "receivables",
  payment_received: "revenue",
  expense_posted: "expense",
  expense_paid: "expense",
  refund_issued: "refund",
  credit_memo_issued: "refund",
  order_placed: "fulfillment",
  order_delivered: "fulfillment",
  order_late: "fulfillment",
  purchase_order_placed: "supplier",
  inventory_low: "supplier",
  shipment_delayed: "supplier",
  customer_created: "churn",
  customer_updated: "churn",
  support_ticket_opened: "support",
  support_ticket_closed: "support",
  review_submitted: "satisfaction",
  customer_churned: "churn",
};

export class QualityAccumulator {
  private total = 0;
  private valid = 0;
  private rejected = 0;
  private fieldsExpected = 0;
  private fieldsPresent = 0;
  private inconsistent = 0;
  private untimely = 0;
  private readonly issues = new Map<string, { count: number; types: Set<string> }>();

  /** An accepted event (with the flags validation gave it). */
  add(event: CanonicalEvent): void {
    this.total++;
    this.valid++;
    const expected = (KEY_ATTRIBUTES[event.event_type]?.length ?? 0) + (AMOUNT_EVENT_TYPES.has(event.event_type) ? 1 : 0);
    const missing = event.data_quality_flags.filter((f) => f.startsWith("missing:") && f !== "missing:currency").length;
    this.fieldsExpected += expected;
    this.fieldsPresent += Math.max(0, expected - missing);
    if (event.data_quality_flags.some((f) => f.startsWith("inconsistent:"))) this.inconsistent++;
    if (event.data_quality_flags.some((f) => f.startsWith("timeliness:"))) this.untimely++;
    for (const flag of event.data_quality_flags) this.note(flag, event.event_type);
  }

  /** A rejected record: it counts against completeness (it could not be used at all). */
  reject(rejection: Pick<Rejection, "field">, eventType?: string): void {
    this.total++;
    this.rejected++;
    this.fieldsExpected += 1;
    this.note(`rejected:${rejection.field}`, eventType ?? "unknown");
  }

  private note(issue: string, type: string): void {
    let entry = this.issues.get(issue);
    if (!entry) this.issues.set(issue, (entry = { count: 0, types: new Set() }));
    entry.count++;
    entry.types.add(type);
  }

  report(batchId: string, source: string): DataQualityReport {
    const completeness = this.fieldsExpected === 0 ? 1 : this.fieldsPresent / this.fieldsExpected;
    const consistency = this.total === 0 ? 1 : (this.total - this.rejected - this.inconsistent) / this.total;
    const timeliness = this.valid === 0 ? 1 : (this.valid - this.untimely) / this.valid;
    const overall =
      QUALITY_WEIGHTS.completeness * completeness + QUALITY_WEIGHTS.consistency * consistency + QUALITY_WEIGHTS.timeliness * timeliness;
    const issues: QualityIssue[] = [...this.issues]
      .map(([issue, { count, types }]) => ({
        issue,
        count,
        share: round4(this.total === 0 ? 0 : count / this.total),
        event_types: [...types].sort(),
      }))
      .sort((a, b) => b.count - a.count || a.issue.localeCompare(b.issue));
    return {
      batch_id: batchId,
      source,
      total_records: this.total,
      valid_records: this.valid,
      rejected_records: this.rejected,
      completeness_score: round4(completeness),
      consistency_score: round4(consistency),
      timeliness_score: round4(timeliness),
      overall_quality_score: round4(overall),
      quality_issues: issues,
      impact_advisory: advisory(issues, this.total),
    };
  }
}

/** Issues touching at least 5 % of the batch are worth a sentence. */
const ADVISORY_SHARE = 0.05;

function advisory(issues: QualityIssue[], total: number): string {
  if (total === 0) return "The batch was empty.";
  const serious = issues.filter((i) => i.share >= ADVISORY_SHARE && !i.issue.startsWith("missing:currency"));
  if (serious.length === 0) return "No data-quality issue affects more than 5 % of the batch; analyses run at full confidence.";
  return serious
    .slice(0, 3)
    .map((i) => {
      const domains = [...new Set(i.event_types.map((t) => DOMAIN_OF[t as EventType] ?? "ingestion"))].join("/");
      const what = describe(i.issue);
      return `${capitalise(domains)} RCA confidence may be reduced: ${Math.round(i.share * 100)} % of records ${what} (${i.event_types.join(", ")}).`;
    })
    .join(" ");
}

function describe(issue: string): string {
  const [kind, detail = ""] = issue.split(":");
  const field = detail.replace(/_/g, " ");
  switch (kind) {
    case "missing":
      return `lack ${field}`;
    case "inconsistent":
      return `are inconsistent (${field})`;
    case "timeliness":
      return `have suspicious event times (${field})`;
    case "rejected":
      return `were rejected for ${detail || "their shape"}`;
    default:
      return issue;
  }
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const round4 = (v: number) => Math.round(v * 1e4) / 1e4;
