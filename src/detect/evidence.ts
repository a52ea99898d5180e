/**
 * The events an incident cites (spec, Component E, "Evidence" of each type), read through the
 * EvidenceSource by type and day window so the scan never holds the log in memory.
 *
 * - REFUND_SPIKE: refunds and credit memos in the window.
 * - FULFILLMENT_SLA_DEGRADATION: late orders in the window, then orders placed in the backlog
 *   window (14 days before the window to its end) and not delivered by its end.
 * - SUPPORT_LOAD_SURGE: tickets opened in the window.
 * - CHURN_ACCELERATION: churn events in the window (drop-off customers are listed separately).
 * - MARGIN_COMPRESSION: expenses posted in the window, largest first, then refunds.
 * - LIQUIDITY_CRUNCH_RISK: explicit overdue events in the window, the invoices that fell overdue
 *   in or shortly before the window and were still unpaid at its end, then the largest expenses.
 * - SUPPLIER_DEPENDENCY_FAILURE: delayed shipments and purchase orders in the window.
 * - CUSTOMER_SATISFACTION_REGRESSION: reviews scoring 2 or less in the window (all reviews when
 *   none is that low).
 */
import type { EvidenceEvent, EvidenceSource } from "../evidence.ts";
import { compareEvidence } from "../evidence.ts";
import type { IncidentType } from "../scan-contract.ts";
import { addDays } from "../time.ts";
import { BACKLOG_WINDOW_DAYS } from "../metrics/ledger.ts";

/** Most events read for one intermediate look-up (e.g. the invoices behind an overdue balance). */
const LOOKUP_LIMIT = 5_000;
/** Days before the window in which an invoice may have fallen overdue and still be cited. */
const OVERDUE_LOOKBACK_DAYS = 30;
/** Invoices are looked up this far back from their due date. */
const INVOICE_TERMS_LOOKBACK_DAYS = 120;
const LARGEST_EXPENSES = 20;

export interface SelectedEvidence {
  /** In citation order, at most `limit`. */
  events: EvidenceEvent[];
  /** All events that qualified (the list may be cut at `limit`). */
  total: number;
}

export async function selectEvidence(type: IncidentType, source: EvidenceSource, from: string, to: string, limit: number): Promise<SelectedEvidence> {
  const read = (types: Parameters<EvidenceSource["events"]>[0]["types"], a = from, b = to, max = LOOKUP_LIMIT) => source.events({ types, from: a, to: b, limit: max });
  let groups: EvidenceEvent[][];
  switch (type) {
    case "REFUND_SPIKE":
      groups = [await read(["refund_issued", "credit_memo_issued"])];
      break;
    case "FULFILLMENT_SLA_DEGRADATION": {
      const late = await read(["order_late"]);
      const backlogFrom = addDays(from, -BACKLOG_WINDOW_DAYS);
      const delivered = new Set((await read(["order_delivered"], backlogFrom, to)).map((e) => e.entity_id));
      const open = (await read(["order_placed"], backlogFrom, to)).filter((e) => !delivered.has(e.entity_id));
      groups = [late, open];
      break;
    }
    case "SUPPORT_LOAD_SURGE":
      groups = [await read(["support_ticket_opened"])];
      break;
    case "CHURN_ACCELERATION":
      groups = [await read(["customer_churned"])];
      break;
    case "MARGIN_COMPRESSION":
      groups = [byAmount(await read(["expense_posted"])), await read(["refund_issued", "credit_memo_issued"])];
      break;
    case "LIQUIDITY_CRUNCH_RISK": {
      const explicit = await read(["invoice_overdue"]);
      const dueFrom = addDays(from, -OVERDUE_LOOKBACK_DAYS - 1);
      const paid = new Set((await read(["invoice_paid"], addDays(dueFrom, -INVOICE_TERMS_LOOKBACK_DAYS), to)).map((e) => e.entity_id));
      const fellOverdue = (await read(["invoice_issued"], addDays(dueFrom, -INVOICE_TERMS_LOOKBACK_DAYS), to)).filter((e) => {
        const due = typeof e.attributes.due_date === "string" ? e.attributes.due_date.slice(0, 10) : null;
        return due !== null && due >= dueFrom && due < to && !paid.has(e.entity_id);
      });
      groups = [explicit, byAmount(fellOverdue), byAmount(await read(["expense_posted"])).slice(0, LARGEST_EXPENSES)];
      break;
    }
    case "SUPPLIER_DEPENDENCY_FAILURE":
      groups = [await read(["shipment_delayed"]), await read(["purchase_order_placed"])];
      break;
    case "CUSTOMER_SATISFACTION_REGRESSION": {
      const reviews = await read(["review_submitted"]);
      const low = reviews.filter((e) => typeof e.attributes.score === "number" && e.attributes.score <= 2);
      groups = [low.length > 0 ? low : reviews];
      break;
    }
  }
  const seen = new Set<string>();
  const events: EvidenceEvent[] = [];
  for (const group of groups) {
    for (const event of group) {
      if (seen.has(event.event_id)) continue;
      seen.add(event.event_id);
      events.push(event);
    }
  }
  return { events: events.slice(0, limit), total: events.length };
}

/** Largest amounts first (ties by time then id), so a cut list keeps what matters most. */
function byAmount(events: EvidenceEvent[]): EvidenceEvent[] {
  return [...events].sort((a, b) => Math.abs(b.amount ?? 0) - Math.abs(a.amount ?? 0) || compareEvidence(a, b));
}
