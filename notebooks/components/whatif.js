import * as Plot from "@observablehq/plot";
import { html } from "htl";
import { DAY, DAY_END, fmt, label, metricValue, SEVERITY_COLOR, signedPct } from "./format.js";
import { WHATIF_COLOR } from "./whatif-graph.js";

const LIMITS = { minPct: -100, maxPct: 1000, sliderMax: 300, maxRows: 10 };

/**
 * The perturbations as editable rows: a metric (grouped by domain, with its latest value), a
 * change in percent (slider −100…+300, number up to +1000 as the API allows), remove; and "Add".
 * A metric is offered to one row only (the API refuses a metric named twice). Works as an
 * Observable input: `.value` is [{metric, change_pct}] and it fires "input" on every edit.
 * `metrics` is GET /v1/metrics/current's list.
 */
export function perturbationEditor(metrics, initial) {
  let rows = initial.map((p) => ({ ...p }));
  const list = html`<div class="perturbation-rows"></div>`;
  const add = html`<button type="button">+ Add a perturbation</button>`;
  const editor = html`<div class="perturbation-editor">${list}${add}</div>`;
  const emit = () => editor.dispatchEvent(new Event("input", { bubbles: true }));
  const byName = new Map(metrics.map((m) => [m.name, m]));

  const row = (p, index) => {
    const taken = new Set(rows.filter((_, i) => i !== index).map((r) => r.metric));
    const domains = [...new Set(metrics.map((m) => m.domain))];
    const select = html`<select aria-label="metric">${domains.map(
      (d) => html`<optgroup label=${d}>${metrics
        .filter((m) => m.domain === d)
        .map((m) => html`<option value=${m.name} selected=${m.name === p.metric} disabled=${taken.has(m.name)}>${label(m.name)} (latest ${metricValue(m.value, m.unit)})</option>`)}</optgroup>`,
    )}</select>`;
    const slider = html`<input type="range" min=${LIMITS.minPct} max=${LIMITS.sliderMax} step="5" value=${Math.min(p.change_pct, LIMITS.sliderMax)} aria-label="change in percent">`;
    const number = html`<input type="number" min=${LIMITS.minPct} max=${LIMITS.maxPct} step="1" value=${p.change_pct} aria-label="change in percent">`;
    const remove = html`<button type="button" title="Remove this perturbation" disabled=${rows.length === 1}>×</button>`;
    const note = html`<span class="muted"></span>`;
    // The simulation starts from each metric's recent median; warn where a percentage cannot move it.
    const explain = () => {
      const m = byName.get(p.metric);
      note.textContent = !m || m.value === null ? "no recent value: a % change moves nothing" : m.value === 0 ? "at 0 now: a % change may move nothing" : "";
    };
    select.onchange = () => {
      p.metric = select.value;
      render();
      emit();
    };
    slider.oninput = () => {
      p.change_pct = slider.valueAsNumber;
      number.value = p.change_pct;
      explain();
      emit();
    };
    number.oninput = () => {
      const v = number.valueAsNumber;
      if (!Number.isFinite(v)) return;
      p.change_pct = Math.max(LIMITS.minPct, Math.min(LIMITS.maxPct, v));
      slider.value = Math.min(p.change_pct, LIMITS.sliderMax);
      explain();
      emit();
    };
    remove.onclick = () => {
      rows.splice(index, 1);
      render();
      emit();
    };
    explain();
    return html`<div class="perturbation-row">${select}${slider}<label>${number} %</label>${note}${remove}</div>`;
  };

  const render = () => {
    list.replaceChildren(...rows.map(row));
    add.disabled = rows.length >= Math.min(LIMITS.maxRows, metrics.length);
  };
  add.onclick = () => {
    const free = metrics.find((m) => !rows.some((r) => r.metric === m.name) && m.value);
    if (!free) return;
    rows.push({ metric: free.name, change_pct: 50 });
    render();
    emit();
  };
  Object.defineProperty(editor, "value", { get: () => rows.map((r) => ({ metric: r.metric, change_pct: r.change_pct })) });
  render();
  return editor;
}

/** The side panel for a clicked node of the propagation graph: the metric's move and the edges in and out. */
export function propagationDetails(node, scenario, units) {
  if (!node) return html`<p class="muted">Click a metric in the graph to see how the change reached it and what it was carried on to.</p>`;
  const m = scenario.simulated_metrics[node.id];
  const unit = units[node.id];
  const steps = (list, direction) =>
    list.length
      ? html`<ul class="clusters">${list.map(
          (s) => html`<li><strong>${direction === "in" ? label(s.from) : label(s.to)}</strong> — ${s.used
            ? html`carried: r = ${s.correlation.toFixed(2)}, lag ${s.lag_days} d, slope ${fmt(s.slope)}${s.effect_change_pct !== null ? `, ${signedPct(s.effect_change_pct)} by the last day` : ""}`
            : html`<span class="muted">not carried: ${s.reason}</span>`}</li>`,
        )}</ul>`
      : html`<p class="muted">none</p>`;
  const perturbation = scenario.perturbations.find((p) => p.metric === node.id);
  const incidents = scenario.triggered_incidents.filter((i) => i.primary_metric === node.id);
  return html`<div class="node-details">
    <h3>${label(node.id)}</h3>
    <table>
      <tr><td>projected level</td><td>${metricValue(m?.level, unit)}</td></tr>
      <tr><td>last simulated day</td><td>${metricValue(m?.simulated.at(-1), unit)} (${signedPct(m?.change_pct)})</td></tr>
      ${perturbation ? html`<tr><td>set by you</td><td>${signedPct(perturbation.change_pct, 0)}</td></tr>` : ""}
      ${incidents.map((i) => html`<tr><td>fires</td><td>${label(i.incident_type)} (${i.severity}) on day ${i.days_after_start}</td></tr>`)}
    </table>
    <h4>Reached from</h4>${steps(scenario.propagation.filter((s) => s.to === node.id), "in")}
    <h4>Carried on to</h4>${steps(scenario.propagation.filter((s) => s.from === node.id), "out")}
  </div>`;
}

/**
 * One metric's recent history, then the horizon: the unperturbed projection (held flat at its
 * level, dashed) against the perturbed one, with the days simulated incidents fire on it.
 */
export function projectionChart(metric, scenario, history, { unit, width, height = 170 }) {
  const m = scenario.simulated_metrics[metric];
  const horizonDays = m.simulated.map((_, i) => new Date(DAY(scenario.horizon[0]).getTime() + i * 86_400_000));
  const past = history.filter((p) => p.value !== null).map((p) => ({ date: DAY(p.day), value: p.value }));
  const lastPast = past.at(-1);
  const join = lastPast ? [lastPast] : [];
  const flat = [...join, ...horizonDays.map((date) => ({ date, value: m.level }))].filter((p) => p.value !== null);
  const moved = [...join, ...horizonDays.map((date, i) => ({ date, value: m.simulated[i] }))].filter((p) => p.value !== null);
  const fires = scenario.triggered_incidents.filter((i) => i.primary_metric === metric);
  return Plot.plot({
    title: `${label(metric)} ${m.change_pct === null ? "" : signedPct(m.change_pct)}`,
    width,
    height,
    marginLeft: 56,
    x: { type: "utc", label: null },
    y: { label: unit, grid: true, nice: true },
    marks: [
      Plot.rectX([scenario], { x1: () => DAY(scenario.horizon[0]), x2: () => DAY_END(scenario.horizon[1]), fill: "var(--theme-foreground-faint)", fillOpacity: 0.18 }),
      Plot.lineY(past, { x: "date", y: "value", stroke: "var(--theme-foreground-muted)", strokeWidth: 1.2 }),
      Plot.lineY(flat, { x: "date", y: "value", stroke: "var(--theme-foreground-muted)", strokeDasharray: "4,3", strokeWidth: 1.5 }),
      Plot.lineY(moved, { x: "date", y: "value", stroke: WHATIF_COLOR.moved, strokeWidth: 2 }),
      Plot.ruleX(fires, { x: (i) => DAY(i.detected_at), stroke: (i) => SEVERITY_COLOR[i.severity], strokeWidth: 2 }),
      Plot.text(fires, { x: (i) => DAY(i.detected_at), frameAnchor: "top", dx: -4, textAnchor: "end", text: (i) => `${label(i.incident_type)} (${i.severity})`, fill: (i) => SEVERITY_COLOR[i.severity] }),
      Plot.tip([...past, ...moved.slice(1)], Plot.pointerX({ x: "date", y: "value" })),
    ],
  });
}
