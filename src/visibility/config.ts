/**
 * Detection settings. Defaults follow the proposal: ground truth arrives every 5 minutes, prices
 * may differ by up to 5 %, alerts should fire within minutes.
 */
import { z } from "zod";
import { DEFAULT_PRICE_TOLERANCE_PCT } from "./contract.ts";

const MINUTE_MS = 60_000;

export const detectionConfigSchema = z.strictObject({
  /** Tolerance for teams that did not register one, in percent of the ground-truth price. */
  default_price_tolerance_pct: z.number().finite().min(0).max(100).default(DEFAULT_PRICE_TOLERANCE_PCT),
  /** Ground truth older than this (relative to the decision) cannot judge it: flagged, not a conflict. Three missed 5-minute updates. */
  ground_truth_stale_after_ms: z.number().int().positive().default(15 * MINUTE_MS),
  /** A decision that still matches the previous ground truth this soon after a change is a cache refresh in flight, not a conflict. */
  propagation_grace_ms: z.number().int().min(0).default(MINUTE_MS),
  /**
   * How long a decision that needs the ground truth may wait, after it arrives, for a ground truth
   * still on its way (publishers send independently). The ground-truth watermark or the pair's
   * next ground truth usually releases it sooner; this bounds the detection latency it adds.
   */
  settle_ms: z.number().int().min(0).max(60_000).default(400),
  /** A decision arriving this long after its own time is a backfill: it may wait longer for the ground truth. */
  backfill_after_ms: z.number().int().positive().default(5 * MINUTE_MS),
  /** How long a backfilled decision may wait for the ground-truth watermark to pass it. */
  backfill_hold_ms: z.number().int().min(0).default(10 * MINUTE_MS),
  /** Two teams' decisions about the same product and store are compared when they are at most this far apart. */
  disagreement_window_ms: z.number().int().positive().default(10 * MINUTE_MS),
  /**
   * A contradiction that comes back after it cleared and stayed quiet this long is a new episode:
   * a new conflict (linked to the previous one) with its own alert. Shorter gaps are one ongoing conflict.
   */
  episode_gap_ms: z.number().int().positive().default(30 * MINUTE_MS),
  /** Also flag "out of stock" shown while stock is on hand (lost sales), not only the reverse. */
  flag_phantom_out_of_stock: z.boolean().default(true),
  /** Ground-truth points kept per product and store (for late decisions and the grace check). */
  ground_truth_history: z.number().int().min(2).max(64).default(8),
});
export type DetectionConfig = z.output<typeof detectionConfigSchema>;

export const DEFAULT_DETECTION_CONFIG: DetectionConfig = detectionConfigSchema.parse({});
