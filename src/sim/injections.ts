/**
 * What a scenario does to the business: shocks to the mechanisms' inputs (a supplier's shipments
 * run late, a carrier slows down, a campaign lifts demand, …), never to the metrics themselves.
 * Day indices are relative to the first emitted day.
 */
import type { EventType } from "../events/canonical.ts";

interface Window {
  onsetDay: number;
  durationDays: number;
}

export type Injection =
  /** Supplier shipments expected during the window arrive `delayDays` (± 1) late. */
  | ({ kind: "supplier_delay"; vendorIds: string[]; delayDays: number } & Window)
  /** Outbound parcels shipped during the window with this carrier take `extraDays` more shipping days. */
  | ({ kind: "carrier_delay"; carrierId: string; extraDays: number } & Window)
  /** Order intent × `multiplier` and extra new customers during the window; warehouse planning frozen for `capacityFreezeDays` from onset. */
  | ({ kind: "demand_surge"; multiplier: number; extraCustomersPerDay: number; capacityFreezeDays: number } & Window)
  /** Order lines of these products shipped during the window are defective with probability `defectRate`. */
  | ({ kind: "defect_batch"; productIds: string[]; defectRate: number } & Window)
  /** Support capacity × `multiplier` (staff cut or loss); support planning frozen meanwhile. */
  | ({ kind: "support_capacity"; multiplier: number } & Window)
  /** Purchase orders to these vendors placed during the window cost × `multiplier`. */
  | ({ kind: "vendor_cost"; vendorIds: string[]; multiplier: number } & Window)
  /** Extra churn hazard (monthly probability) for a segment, and acquisition × `acquisitionMultiplier`. */
  | ({ kind: "churn_wave"; segment: "retail" | "wholesale" | "all"; extraChurnPerMonth: number; acquisitionMultiplier: number } & Window)
  /** Invoices of these customers whose payment would fall in the window are paid `postponeDays` later. */
  | ({ kind: "payment_freeze"; customerIds: string[]; postponeDays: number } & Window)
  /** From onset, the source systems stop sending some fields on a share of events (a data-quality issue, not a business incident). */
  | ({ kind: "missing_fields"; fields: { event_type: EventType; field: string; share: number }[] } & Window);

export type InjectionKind = Injection["kind"];

/** Whether day t falls in the injection's window. */
export function active(injection: Window, t: number): boolean {
  return t >= injection.onsetDay && t < injection.onsetDay + injection.durationDays;
}
