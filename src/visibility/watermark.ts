/**
 * The ground-truth watermark: how far in event time every ground-truth publisher has got. A
 * decision later than the watermark may still be waiting for the ground truth that judges it; one
 * at or before it will not get any (publishers send roughly in time order). A publisher silent for
 * `idleMs` of processing time no longer holds the watermark back (a dead feed must not stall
 * detection; its pairs go stale instead).
 */
export interface WatermarkState {
  /** Per ground-truth team: the latest event time received and when that was (processing time), in ms. */
  teams: Record<string, { max_ts_ms: number; last_arrival_ms: number }>;
}

export const WATERMARK_IDLE_MS = 10 * 60_000;

export function createWatermark(): WatermarkState {
  return { teams: {} };
}

/** Notes a ground-truth event of `team` with event time `tsMs`, received at `nowMs`. */
export function noteGroundTruth(state: WatermarkState, team: string, tsMs: number, nowMs: number): void {
  const current = state.teams[team];
  state.teams[team] = { max_ts_ms: Math.max(current?.max_ts_ms ?? Number.NEGATIVE_INFINITY, tsMs), last_arrival_ms: nowMs };
}

/**
 * The minimum, over ground-truth teams heard from within `idleMs`, of the latest event time each
 * has sent; null when none is live.
 * @example two teams at 10:00:05 and 10:00:02 → 10:00:02
 */
export function watermarkOf(state: WatermarkState, nowMs: number, idleMs = WATERMARK_IDLE_MS): number | null {
  let min: number | null = null;
  for (const team of Object.values(state.teams)) {
    if (nowMs - team.last_arrival_ms > idleMs) continue;
    min = min === null ? team.max_ts_ms : Math.min(min, team.max_ts_ms);
  }
  return min;
}
