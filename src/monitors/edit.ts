/** What people may change on a monitor (PATCH /v1/monitors/{id}), applied the same way everywhere. */
import type { Monitor } from "../scan-contract.ts";
import { monitorCondition } from "./condition.ts";

export interface MonitorEdit {
  enabled?: boolean;
  /** New |z| threshold; the condition string follows it. */
  threshold_z?: number;
}

/** Smallest and largest thresholds accepted: below 1 a monitor alerts on ordinary noise. */
export const THRESHOLD_RANGE = { min: 1, max: 10 } as const;

/** The monitor with the edit applied; fails naming the field when the edit is out of range. */
export function applyMonitorEdit(monitor: Monitor, edit: MonitorEdit): Monitor {
  const next = { ...monitor };
  if (edit.enabled !== undefined) next.enabled = edit.enabled;
  if (edit.threshold_z !== undefined) {
    const t = edit.threshold_z;
    if (!Number.isFinite(t) || t < THRESHOLD_RANGE.min || t > THRESHOLD_RANGE.max) {
      throw new Error(`applyMonitorEdit: threshold_z must be between ${THRESHOLD_RANGE.min} and ${THRESHOLD_RANGE.max}, got ${t}`);
    }
    next.threshold_z = t;
    next.condition = monitorCondition(monitor.direction, t);
  }
  return next;
}
