/** The graphs and settings the what-if runs on: BRE-RCA's business DAG and the correlator's incident graph. */
import { DEFAULT_DETECTION_CONFIG } from "../detect/detect.ts";
import { BUSINESS_DAG_EDGES } from "./business-dag.ts";
import { DEFAULT_CASCADE_CONFIG, INCIDENT_DEPENDENCY_EDGES } from "./cascades.ts";
import type { WhatIfConfig, WhatIfModel } from "./whatif.ts";

export const DEFAULT_WHATIF_MODEL: WhatIfModel = { edges: BUSINESS_DAG_EDGES, incidentEdges: INCIDENT_DEPENDENCY_EDGES };

export const DEFAULT_WHATIF_CONFIG: WhatIfConfig = {
  horizonDays: 14,
  historyDays: 90,
  maxLagDays: 7,
  minPairs: 20,
  minCorrelation: 0.3,
  levelDays: 7,
  cascadeWindowDays: DEFAULT_CASCADE_CONFIG.windowDays,
  maxCascadeHops: DEFAULT_CASCADE_CONFIG.maxPlausibleHops,
  detection: DEFAULT_DETECTION_CONFIG,
};
