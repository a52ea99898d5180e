/**
 * A what-if scenario's propagation as a graph for `causalDag`: the perturbed metrics at the top,
 * every edge the simulation tried below them (bold when its historical fit carried the change,
 * faint when it did not), each node captioned with how far it moves and coloured by what became
 * of it: set by hand (blue), moved by propagation (orange), firing an incident (its severity's
 * colour), or not moved (outlined).
 */
import { SEVERITY_COLOR, SEVERITY_RANK } from "./format.js";

export const WHATIF_COLOR = { perturbed: "#2a6fdb", moved: "#e0802a", unmoved: null };

export function whatifGraph(scenario) {
  const perturbed = new Map(scenario.perturbations.map((p) => [p.metric, p.change_pct]));
  const worstIncident = new Map();
  for (const incident of scenario.triggered_incidents) {
    const known = worstIncident.get(incident.primary_metric);
    if (!known || SEVERITY_RANK[incident.severity] > SEVERITY_RANK[known.severity]) worstIncident.set(incident.primary_metric, incident);
  }
  const ids = [...new Set([...perturbed.keys(), ...scenario.propagation.flatMap((s) => [s.from, s.to]), ...worstIncident.keys()])];
  const parents = new Map(ids.map((id) => [id, []]));
  for (const step of scenario.propagation) if (!parents.get(step.to).includes(step.from)) parents.get(step.to).push(step.from);

  const nodes = ids.map((id) => {
    const simulated = scenario.simulated_metrics[id];
    const change = simulated?.change_pct ?? null;
    const moved = Boolean(simulated?.changed);
    const incident = worstIncident.get(id);
    const role = perturbed.has(id) ? "root_cause" : incident ? "incident" : moved ? "intermediate" : "mediator";
    const pct = (v) => `${v >= 0 ? "+" : ""}${Math.abs(v) >= 10 ? v.toFixed(0) : v.toFixed(1)}%`;
    const caption = perturbed.has(id)
      ? `set ${pct(perturbed.get(id))}${!moved ? " · no effect" : incident ? " · fires" : ""}`
      : moved && change !== null
        ? `moves ${pct(change)}${incident ? " · fires" : ""}`
        : moved
          ? "moves"
          : "not carried";
    return {
      id,
      label: id.replaceAll("_", " "),
      role,
      zscore: incident?.primary_metric_zscore ?? null,
      contribution_score: change === null ? 0 : Math.abs(change),
      anomaly_window: null,
      on_top_path: moved,
      parentIds: parents.get(id),
      caption,
      fill: incident ? SEVERITY_COLOR[incident.severity] : perturbed.has(id) ? WHATIF_COLOR.perturbed : moved ? WHATIF_COLOR.moved : null,
      tooltip: [
        id,
        simulated ? `level ${simulated.level ?? "–"} → last simulated day ${simulated.simulated.at(-1) ?? "–"}` : "",
        incident ? `fires ${incident.incident_type} (${incident.severity}) on day ${incident.days_after_start}` : "",
      ]
        .filter(Boolean)
        .join("\n"),
    };
  });
  const edges = scenario.propagation.map((s) => ({
    id: `${s.from}->${s.to}`,
    source: s.from,
    target: s.to,
    sign: s.sign,
    on_top_path: s.used,
    title: `${s.from} → ${s.to}: ${s.used ? `carried (r = ${s.correlation?.toFixed(2)}, lag ${s.lag_days} d, slope ${s.slope})` : `not carried: ${s.reason}`}`,
  }));
  return { nodes, edges };
}
