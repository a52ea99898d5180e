import * as Plot from "@observablehq/plot";
import { html } from "htl";

export const TYPE_LABEL = {
  price_mismatch: "Price mismatch",
  availability_contradiction: "Availability contradiction",
  team_disagreement: "Team disagreement",
};
export const TYPE_COLOR = { price_mismatch: "#e0602a", availability_contradiction: "#c0202a", team_disagreement: "#6b6bd1" };
const STATUS_MOVES = {
  open: ["acknowledged", "fixed", "documented", "disputed"],
  acknowledged: ["fixed", "documented", "disputed"],
  documented: ["open"],
  disputed: ["open"],
  fixed: [],
};

const pct = (x) => (x === null || x === undefined ? "—" : `${(x * 100).toFixed(x < 0.1 ? 2 : 1)} %`);
const duration = (ms) => (ms === null || ms === undefined ? "—" : ms < 1000 ? `${ms} ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`);

function tile(title, value, note, met) {
  const color = met === null || met === undefined ? "var(--theme-foreground-muted)" : met ? "#2e9d5b" : "#c0202a";
  return html`<div class="card" style="border-top: 4px solid ${color}">
    <h2>${title}</h2>
    <span class="big" style="color:${color}">${value}</span>
    <p class="muted">${note}</p>
  </div>`;
}

/** The four OKR figures of `GET /v1/visibility/okr`, each against its target. */
export function okrTiles(okr) {
  const ttd = okr.time_to_detect;
  const resolved = okr.resolved_within_24h;
  const weeks = okr.customer_impact_incidents.per_week;
  const thisWeek = weeks.length ? weeks[weeks.length - 1].incidents : 0;
  return html`<div class="grid grid-cols-4">
    ${tile("Conflict rate", pct(okr.conflict_rate.value), `${okr.conflict_rate.conflicting_events.toLocaleString()} of ${okr.conflict_rate.decision_events.toLocaleString()} decisions · target < ${pct(okr.conflict_rate.target)}`, okr.conflict_rate.met)}
    ${tile("Time to detect", duration(ttd.mean_ms), `mean over ${ttd.count} alerted conflicts · p99 ${duration(ttd.p99_ms)} · target < ${duration(ttd.target_ms)}`, ttd.met)}
    ${tile("Resolved within 24 h", pct(resolved.share), `${resolved.resolved} of ${resolved.eligible} with a known outcome · target > ${pct(resolved.target)}`, resolved.met)}
    ${tile("Customer-impact incidents", String(thisWeek), `this week · target < ${okr.customer_impact_incidents.target_per_week} a week`, okr.customer_impact_incidents.met)}
  </div>`;
}

/** Conflict rate per day with the 2 % target. */
export function conflictRateChart(days, { width, target = 0.02 }) {
  const points = days.map((d) => ({ date: new Date(`${d.day}T00:00:00Z`), rate: d.conflict_rate, decisions: d.decision_events }));
  return Plot.plot({
    width,
    height: 220,
    marginLeft: 50,
    x: { type: "utc", label: null },
    y: { label: "conflict rate", tickFormat: (d) => `${(d * 100).toFixed(1)} %`, grid: true, domain: [0, Math.max(target * 1.5, ...points.map((p) => p.rate))] },
    marks: [
      Plot.ruleY([target], { stroke: "#c0202a", strokeDasharray: "4,3" }),
      Plot.text([target], { y: (d) => d, x: points.length ? points[0].date : new Date(), text: () => "target", dy: -6, textAnchor: "start", fill: "#c0202a" }),
      Plot.lineY(points, { x: "date", y: "rate", stroke: "var(--theme-foreground-focus)", marker: points.length < 40 ? "circle" : null }),
      Plot.tip(points, Plot.pointerX({ x: "date", y: "rate", title: (d) => `${d.date.toISOString().slice(0, 10)}\n${(d.rate * 100).toFixed(2)} % of ${d.decisions.toLocaleString()} decisions` })),
    ],
  });
}

/** Open conflicts per team (a conflict counts for each team it involves), by type. */
export function openByTeamChart(conflicts, { width }) {
  const rows = conflicts.flatMap((c) => c.teams.map((team) => ({ team, type: TYPE_LABEL[c.type] })));
  return Plot.plot({
    width,
    height: Math.max(120, 36 * new Set(rows.map((r) => r.team)).size + 40),
    marginLeft: 110,
    x: { label: "open conflicts", grid: true },
    y: { label: null },
    color: { legend: true, domain: Object.values(TYPE_LABEL), range: Object.values(TYPE_COLOR) },
    marks: [Plot.barX(rows, Plot.groupY({ x: "count" }, { y: "team", fill: "type", sort: { y: "x", reverse: true }, tip: true }))],
  });
}

function statement(s) {
  return `${s.team}${s.surface ? ` (${s.surface})` : ""}: ${s.currency} ${s.price.toFixed(2)}, ${s.availability.replaceAll("_", " ")}${s.quantity !== null ? ` (${s.quantity})` : ""}`;
}

export function evidenceText(c) {
  const e = c.evidence;
  if (e.type === "price_mismatch") return `${statement(e.decision)} vs ${statement(e.ground_truth)}${e.deviation_pct !== null ? ` · ${e.deviation_pct.toFixed(1)} % off` : ""}`;
  if (e.type === "availability_contradiction") return `${statement(e.decision)} vs ${statement(e.ground_truth)}`;
  return `${statement(e.a)} vs ${statement(e.b)}`;
}

/**
 * The conflicts as a table; each row can be moved along its lifecycle (who and why are required).
 * `transition(id, body)` performs the PATCH and resolves when done.
 */
export function conflictsTable(conflicts, { transition }) {
  if (conflicts.length === 0) return html`<p class="muted">No conflicts here.</p>`;
  return html`<table class="conflicts">
    <thead><tr><th>First seen</th><th>Type</th><th>Product @ store</th><th>Teams</th><th>What customers saw</th><th>Seen</th><th>Status</th><th>Next step</th></tr></thead>
    <tbody>${conflicts.map((c) => html`<tr>
      <td title=${`detected ${c.detected_at}${c.alerted_at ? `, alerted ${c.alerted_at}` : ""}`}>${c.first_seen.slice(0, 16).replace("T", " ")}</td>
      <td><span class="badge" style="background:${TYPE_COLOR[c.type]}">${TYPE_LABEL[c.type]}</span></td>
      <td><code>${c.product_id}</code> @ <code>${c.store_id}</code></td>
      <td>${c.teams.join(" vs ")}</td>
      <td class="evidence">${evidenceText(c)}</td>
      <td>${c.occurrences}×${c.active ? "" : html` <span class="muted">(cleared)</span>`}</td>
      <td>${c.status}${c.escalation_level > 0 ? html` <span class="badge" style="background:#c0202a">L${c.escalation_level}</span>` : ""}</td>
      <td>${transitionForm(c, transition)}</td>
    </tr>`)}</tbody>
  </table>`;
}

function transitionForm(c, transition) {
  const moves = STATUS_MOVES[c.status] ?? [];
  if (moves.length === 0) return html`<span class="muted">final</span>`;
  const message = html`<span class="muted"></span>`;
  const form = html`<form class="transition">
    <select name="status">${moves.map((m) => html`<option value=${m}>${m}</option>`)}</select>
    <input name="actor" placeholder="who" required size="10">
    <input name="reason" placeholder="why" required size="16">
    <button type="submit">Apply</button> ${message}
  </form>`;
  form.onsubmit = async (event) => {
    event.preventDefault();
    try {
      await transition(c.conflict_id, { status: form.status.value, actor: form.actor.value, reason: form.reason.value });
      message.textContent = "done";
    } catch (error) {
      message.textContent = error.message;
    }
  };
  return form;
}

/** Recurring conflict patterns raised as incidents. */
export function patternsTable(incidents) {
  if (incidents.length === 0) return html`<p class="muted">No recurring pattern yet (the miner runs daily at 00:15 UTC over 14 days).</p>`;
  return html`<table class="conflicts">
    <thead><tr><th>Raised</th><th>Pattern</th><th>Severity</th><th>Confidence</th><th>Conflicts</th><th>Days</th><th>Lift</th><th>Status</th></tr></thead>
    <tbody>${incidents.map((i) => html`<tr>
      <td>${i.detected_at}</td>
      <td>${i.title}</td>
      <td>${i.severity}</td>
      <td>${i.confidence}</td>
      <td>${i.pattern.conflicts}</td>
      <td>${i.pattern.days}</td>
      <td>${i.pattern.lift === null ? "—" : `${i.pattern.lift.toFixed(1)}×`}</td>
      <td>${i.status}</td>
    </tr>`)}</tbody>
  </table>`;
}
