import * as d3 from "d3";
import { graphStratify, sugiyama, decrossTwoLayer, coordQuad } from "d3-dag";
import { html } from "htl";

/** |z| → colour: calm green, watch yellow, anomalous orange, severe red (grey when unknown). */
export function zColor(z) {
  if (z === null || z === undefined) return "#9aa3ad";
  const a = Math.abs(z);
  return a < 2 ? "#2e9d5b" : a < 3 ? "#e0c030" : a < 5 ? "#e0802a" : "#c0202a";
}

const NODE_W = 150;
const NODE_H = 54;
/** Each drawing gets its own arrow-head id: two graphs on one page must not share a marker. */
let instances = 0;

/**
 * The causal chain as a top-down DAG (d3-dag's Sugiyama layout): root causes at the top, the
 * incident metric at the bottom, nodes sized by contribution and coloured by |z|, the top path
 * drawn bold. `onSelect(node)` runs when a node is clicked. Returns the SVG with an
 * `animate()` method that lights the nodes up in the order their anomalies began.
 * Other graphs drawn the same way (the what-if propagation) may give a node its own `fill`,
 * `caption` (second line) and `tooltip`, and an edge its own `title`.
 */
export function causalDag(graphView, { width = 900, onSelect = () => {} } = {}) {
  const rows = graphView.nodes.map((n) => ({ ...n, parentIds: n.parentIds ?? [] }));
  const dag = graphStratify()(rows);
  const layout = sugiyama()
    .nodeSize([NODE_W + 24, NODE_H + 44])
    .decross(decrossTwoLayer())
    .coord(coordQuad());
  const { width: layoutWidth, height: layoutHeight } = layout(dag);
  // Causes at the top, the incident at the bottom; a graph wider than the card scrolls sideways.
  const svgWidth = Math.max(layoutWidth + 20, width);
  const svgHeight = layoutHeight + 20;
  const offsetX = (svgWidth - layoutWidth) / 2;
  const pos = (p) => [offsetX + p[0], p[1] + 10];
  const maxContribution = d3.max(rows, (n) => n.contribution_score ?? 0) || 1;
  const radius = (n) => 0.8 + 0.2 * Math.sqrt((n.contribution_score ?? 0) / maxContribution);
  const edgeOnTop = new Map(graphView.edges.map((e) => [`${e.source}->${e.target}`, e]));

  const svg = d3.create("svg").attr("width", svgWidth).attr("height", svgHeight).attr("viewBox", [0, 0, svgWidth, svgHeight]).attr("class", "causal-dag");
  const arrowId = `dag-arrow-${++instances}`;
  svg
    .append("defs")
    .append("marker")
    .attr("id", arrowId)
    .attr("viewBox", "0 0 10 10")
    .attr("refX", 9)
    .attr("refY", 5)
    .attr("markerWidth", 7)
    .attr("markerHeight", 7)
    .attr("orient", "auto-start-reverse")
    .append("path")
    .attr("d", "M0,0L10,5L0,10z")
    .attr("fill", "currentColor");

  const line = d3.line().curve(d3.curveMonotoneY);
  for (const link of dag.links()) {
    const edge = edgeOnTop.get(`${link.source.data.id}->${link.target.data.id}`);
    const points = link.points.map(pos);
    // start and end on the node boxes' edges rather than their centres
    points[0] = [points[0][0], points[0][1] + NODE_H / 2];
    points[points.length - 1] = [points[points.length - 1][0], points[points.length - 1][1] - NODE_H / 2 - 2];
    svg
      .append("path")
      .attr("d", line(points))
      .attr("fill", "none")
      .attr("stroke", edge?.on_top_path ? "var(--theme-foreground)" : "var(--theme-foreground-faint)")
      .attr("stroke-width", edge?.on_top_path ? 2.5 : 1.2)
      .attr("stroke-dasharray", edge?.sign === -1 ? "5,3" : null)
      .attr("color", edge?.on_top_path ? "var(--theme-foreground)" : "var(--theme-foreground-faint)")
      .attr("marker-end", `url(#${arrowId})`)
      .append("title")
      .text(edge?.title ?? `${link.source.data.id} → ${link.target.data.id}${edge?.sign === -1 ? " (more of one means less of the other)" : ""}`);
  }

  const groups = [];
  for (const node of dag.nodes()) {
    const n = node.data;
    const [x, y] = pos([node.x, node.y]);
    const r = radius(n);
    const w = NODE_W * r;
    const h = NODE_H;
    const g = svg.append("g").attr("transform", `translate(${x},${y})`).attr("class", "dag-node").style("cursor", "pointer");
    g.append("rect")
      .attr("x", -w / 2)
      .attr("y", -h / 2)
      .attr("width", w)
      .attr("height", h)
      .attr("rx", 8)
      .attr("fill", n.role === "mediator" ? "var(--theme-background)" : (n.fill ?? zColor(n.zscore)))
      .attr("fill-opacity", n.role === "mediator" ? 1 : 0.9)
      .attr("stroke", n.on_top_path ? "var(--theme-foreground)" : "var(--theme-foreground-faint)")
      .attr("stroke-width", n.role === "incident" ? 3 : n.on_top_path ? 2 : 1)
      .attr("stroke-dasharray", n.role === "mediator" ? "4,3" : null);
    const dark = n.role !== "mediator";
    g.append("text")
      .attr("text-anchor", "middle")
      .attr("dy", "-0.2em")
      .attr("fill", dark ? "white" : "var(--theme-foreground)")
      .attr("font-size", 12)
      .attr("font-weight", 600)
      .text(n.label ?? n.id.replaceAll("_", " "));
    g.append("text")
      .attr("text-anchor", "middle")
      .attr("dy", "1.1em")
      .attr("fill", dark ? "white" : "var(--theme-foreground-muted)")
      .attr("font-size", 11)
      .text(n.caption ?? (n.role === "mediator" ? "on the path, not anomalous" : `${n.role.replace("_", " ")} · z ${n.zscore?.toFixed(1) ?? "–"}`));
    g.append("title").text(n.tooltip ?? `${n.id}\nrole: ${n.role}\nz: ${n.zscore ?? "–"}\ncontribution: ${n.contribution_score ?? "–"}\nanomaly: ${n.anomaly_window?.join(" → ") ?? "–"}`);
    g.on("click", () => {
      svg.selectAll(".dag-node rect").attr("filter", null);
      g.select("rect").attr("filter", "drop-shadow(0 0 4px var(--theme-foreground-focus))");
      onSelect(n);
    });
    groups.push({ g, n });
  }

  const node = html`<div class="dag-scroll">${svg.node()}</div>`;
  /** Lights the nodes in the order their anomalies began: how the problem spread. */
  node.animate = () => {
    const ordered = groups
      .filter(({ n }) => n.anomaly_window)
      .sort((a, b) => a.n.anomaly_window[0].localeCompare(b.n.anomaly_window[0]));
    for (const { g } of groups) g.attr("opacity", 0.15);
    ordered.forEach(({ g }, i) => g.transition().delay(400 + i * 900).duration(500).attr("opacity", 1));
    groups.filter(({ n }) => !n.anomaly_window).forEach(({ g }) => g.transition().delay(400 + ordered.length * 900).duration(500).attr("opacity", 1));
  };
  return node;
}

/** The side panel for a clicked node: its numbers and the evidence behind it. */
export function nodeDetails(n, chain) {
  if (!n) return html`<p class="muted">Click a node of the graph to see its numbers and evidence.</p>`;
  const scored = chain.paths.flatMap((p) => p.nodes).find((x) => x.metric_name === n.id);
  const fmt = (v) => (v === null || v === undefined ? "–" : Math.abs(v) >= 1000 ? Math.round(v).toLocaleString("en-US") : (+v).toPrecision(4));
  return html`<div class="node-details">
    <h3>${n.id.replaceAll("_", " ")}</h3>
    <table>
      <tr><td>role</td><td>${n.role.replace("_", " ")}</td></tr>
      <tr><td>z-score</td><td>${fmt(scored?.metric_zscore ?? n.zscore)}</td></tr>
      <tr><td>value / baseline</td><td>${fmt(scored?.metric_value)} / ${fmt(scored?.metric_baseline)}</td></tr>
      <tr><td>anomaly window</td><td>${(scored?.anomaly_window ?? n.anomaly_window)?.join(" → ") ?? "–"}</td></tr>
      <tr><td>contribution</td><td>${fmt(scored?.contribution_score ?? n.contribution_score)}</td></tr>
      ${scored ? html`<tr><td>= magnitude × precedence × proximity × quality</td><td>${fmt(scored.anomaly_magnitude)} × ${fmt(scored.temporal_precedence)} × ${fmt(scored.graph_proximity)} × ${fmt(scored.data_quality_weight)}</td></tr>` : ""}
    </table>
    ${scored?.evidence_clusters?.length
      ? html`<h4>Evidence</h4><ul class="clusters">${scored.evidence_clusters.map(
          (c) => html`<li><strong>${c.cluster_label}</strong> — ${c.summary} <span class="muted">(${c.event_count} events${c.total_amount ? `, $${Math.round(c.total_amount).toLocaleString("en-US")}` : ""})</span></li>`,
        )}</ul>`
      : html`<p class="muted">No evidence clusters for this metric.</p>`}
  </div>`;
}
