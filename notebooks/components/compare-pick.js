/**
 * The pair the comparison page opens on: two incidents of the same type, preferring, in order,
 *   1. different top root causes, both found upstream of the incident metric (the comparison
 *      that shows the RCA is specific, not "everything is correlated"),
 *   2. different top root causes,
 *   3. any two of one type;
 * within a tier the pair with the most recent newer incident, then the most recent older one.
 * With no repeated type, the two newest incidents. Returns [olderId, newerId] (A before B, so
 * "first" and "second" read in time), or null with fewer than two incidents.
 *
 * @example defaultPair(incidents) // ["inc_e178…", "inc_77d3…"]: satisfaction regressions from delivery vs supplier delays
 */
export function defaultPair(incidents) {
  if (incidents.length < 2) return null;
  const newestFirst = [...incidents].sort(newerFirst);
  let best = null;
  for (let i = 0; i < newestFirst.length; i++) {
    for (let j = i + 1; j < newestFirst.length; j++) {
      const [newer, older] = [newestFirst[i], newestFirst[j]];
      if (newer.incident_type !== older.incident_type) continue;
      const differ = topRootCause(newer) !== topRootCause(older);
      const tier = differ && foundUpstream(newer) && foundUpstream(older) ? 0 : differ ? 1 : 2;
      // pairs come newest first, so the first pair met in a tier is the most recent one
      if (!best || tier < best.tier) best = { tier, pair: [older, newer] };
    }
  }
  const [older, newer] = best ? best.pair : [newestFirst[1], newestFirst[0]];
  return [older.incident_id, newer.incident_id];
}

const newerFirst = (a, b) => b.detected_at.localeCompare(a.detected_at) || a.incident_id.localeCompare(b.incident_id);

function bestPath(incident) {
  return [...(incident.causal_chain?.paths ?? [])].sort((a, b) => a.rank - b.rank)[0];
}

/** The first metric of the best-ranked causal path (the incident metric itself when nothing upstream explained it). */
export function topRootCause(incident) {
  return bestPath(incident)?.nodes[0]?.metric_name ?? null;
}

/** True when the best path starts upstream of the incident metric. */
function foundUpstream(incident) {
  return (bestPath(incident)?.nodes.length ?? 0) > 1;
}
