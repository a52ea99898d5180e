import { html } from "htl";
import { api } from "./api.js";
import { badge, incidentHref, label, metricValue, postmortemHref, severityBadge, zText } from "./format.js";

/** Green healthy, yellow warning (alerted within the last week), red triggered (still firing), grey disabled. */
export const MONITOR_STATE_COLOR = { healthy: "#2e9d5b", warning: "#d9b400", triggered: "#c0202a", disabled: "#9aa3ad" };

export const stateBadge = (state) => badge(state, MONITOR_STATE_COLOR[state] ?? "#9aa3ad");

/**
 * A prevention monitor as a card: state, metric, condition, source incident, an optional chart,
 * and inline edits (enable/disable, threshold) saved with PATCH /v1/monitors/{id}. The API keeps
 * edits across scans and applies them from the next scan; `reload()` returns the monitor with its
 * state as the list endpoint computes it, to repaint the badge after an edit.
 */
export function monitorCard(monitor, { token, company, chart = null, reload = null }) {
  let current = { ...monitor };
  const stateSlot = html`<span></span>`;
  const condition = html`<code></code>`;
  const message = html`<p class="muted monitor-message"></p>`;
  const paint = () => {
    stateSlot.replaceChildren(current.state ? stateBadge(current.state) : current.enabled ? "" : stateBadge("disabled"));
    condition.textContent = current.condition;
    card.style.borderTopColor = MONITOR_STATE_COLOR[current.state ?? (current.enabled ? "healthy" : "disabled")];
  };
  const enabled = html`<input type="checkbox" checked=${current.enabled}>`;
  const threshold = html`<input type="number" min="1" max="10" step="0.1" value=${current.threshold_z} aria-label="threshold |z|">`;
  const save = html`<button>Set threshold</button>`;

  const patch = async (body) => {
    enabled.disabled = save.disabled = true;
    try {
      const saved = await api(`/v1/monitors/${encodeURIComponent(current.monitor_id)}`, { method: "PATCH", body, token });
      current = { ...current, ...saved, state: saved.enabled ? current.state : "disabled" };
      if (reload) current = { ...current, ...(await reload(current.monitor_id)) };
      message.textContent = `Saved: ${saved.enabled ? "enabled" : "disabled"}, ${saved.condition}. Takes effect ${saved.takes_effect}.`;
    } catch (error) {
      message.textContent = `Not saved: ${error.message}`;
      enabled.checked = current.enabled;
      threshold.value = current.threshold_z;
    } finally {
      enabled.disabled = save.disabled = false;
      Object.assign(monitor, current); // a page that redraws its cards from its list keeps the edit
      paint();
    }
  };
  enabled.onchange = () => patch({ enabled: enabled.checked });
  save.onclick = () => {
    const value = threshold.valueAsNumber;
    if (!(value >= 1 && value <= 10)) {
      message.textContent = "The threshold is a |z| from 1 to 10.";
      return;
    }
    patch({ threshold_z: value });
  };
  threshold.onkeydown = (event) => event.key === "Enter" && save.click();

  const card = html`<div class="card monitor-card">
    <h3>${current.name} ${stateSlot}</h3>
    <p class="muted">${current.description}</p>
    <table class="facts">
      <tr><td>metric</td><td>${label(current.metric_name)} <span class="muted">(${current.metric_name})</span></td></tr>
      <tr><td>alerts when</td><td>${condition} <span class="muted">against the trailing ${current.baseline_window_days}-day median, checked ${current.check_frequency}</span></td></tr>
      <tr><td>severity if triggered</td><td>${severityBadge(current.severity_if_triggered)}</td></tr>
      ${current.last_checked !== undefined ? html`<tr><td>last checked</td><td>${current.last_checked ?? "not yet"} <span class="muted">(the latest scanned day)</span></td></tr>` : ""}
      ${current.alert_count !== undefined ? html`<tr><td>alerts</td><td>${current.alert_count} in all, ${current.active_alert_count} active${current.last_alert_at ? `, last ${current.last_alert_at}` : ""}</td></tr>` : ""}
      <tr><td>born from</td><td><a href=${incidentHref(current.source_incident_id, company)}>${label(current.source_incident_type)} of ${current.source_incident_date}</a>
        · <a href=${postmortemHref(current.source_incident_id, company)}>postmortem</a> <span class="muted">(${label(current.path_role)} on its top path)</span></td></tr>
    </table>
    ${chart ?? ""}
    <div class="monitor-edit">
      <label>${enabled} enabled</label>
      <label>threshold |z| ${threshold}</label>${save}
    </div>
    ${message}
  </div>`;
  paint();
  return card;
}

/**
 * The alert feed: each alert with its day(s), monitor, numbers and message, links to the
 * incident it warns about (and the one it came ahead of), and Acknowledge / Dismiss, saved with
 * PATCH /v1/monitors/alerts/{id}/status. A changed status is written back on the alert object.
 */
export function alertFeed(alerts, { token, company, monitorsById = new Map(), incidentsById = new Map(), units = {} }) {
  if (alerts.length === 0) return html`<p class="muted">No alerts match.</p>`;
  return html`<ul class="alert-feed">${alerts.map((alert) => alertItem(alert, { token, company, monitor: monitorsById.get(alert.monitor_id), incidentsById, unit: units[alert.metric_name] }))}</ul>`;
}

function alertItem(alert, { token, company, monitor, incidentsById, unit }) {
  const incidentLink = (id) => {
    const incident = incidentsById.get(id);
    return html`<a href=${incidentHref(id, company)}>${incident ? `${label(incident.incident_type)} of ${incident.detected_at}` : id}</a> (<a href=${postmortemHref(id, company)}>postmortem</a>)`;
  };
  const lead = alert.lead_days === 0 ? "fired on the day" : `came ${alert.lead_days} day${alert.lead_days === 1 ? "" : "s"} before`;
  const status = html`<span></span>`;
  const buttons = html`<span class="alert-actions"></span>`;
  const message = html`<span class="muted"></span>`;
  const setStatus = async (next) => {
    for (const b of buttons.querySelectorAll("button")) b.disabled = true;
    try {
      const saved = await api(`/v1/monitors/alerts/${encodeURIComponent(alert.alert_id)}/status`, { method: "PATCH", body: { status: next }, token });
      alert.status = saved.status;
      message.textContent = "";
    } catch (error) {
      message.textContent = error.message;
    }
    paint();
  };
  const button = (text, next) => Object.assign(html`<button>${text}</button>`, { onclick: () => setStatus(next) });
  const paint = () => {
    status.replaceChildren(badge(alert.status, ALERT_STATUS_COLOR[alert.status]));
    buttons.replaceChildren(...(alert.status === "active" ? [button("Acknowledge", "acknowledged"), button("Dismiss", "dismissed")] : [button("Reopen", "active")]));
    item.classList.toggle("settled", alert.status !== "active");
  };
  const days = alert.last_day === alert.triggered_at ? alert.triggered_at : `${alert.triggered_at} → ${alert.last_day}`;
  const item = html`<li class="alert-item">
    <div class="alert-head"><span>${severityBadge(alert.severity)} <strong>${days}</strong>
      <span class="muted">${alert.firing_days} day${alert.firing_days === 1 ? "" : "s"}${alert.ongoing ? ", still firing" : ""}</span>
      · ${monitor?.name ?? alert.monitor_id} · ${label(alert.metric_name)} ${metricValue(alert.current_value, unit)} against ${metricValue(alert.baseline_value, unit)} (${zText(alert.zscore)}, ${alert.threshold})
      ${status}</span>${buttons}</div>
    <div>${alert.message}</div>
    <div class="alert-links">
      <span class="muted">warns of a repeat of</span> ${incidentLink(alert.related_incident_id)}
      ${alert.preceded_incident_id ? html` · <span class="muted">${lead}</span> ${incidentLink(alert.preceded_incident_id)} <span class="muted">was detected</span>` : ""}
      ${message}
    </div>
  </li>`;
  paint();
  return item;
}

const ALERT_STATUS_COLOR = { active: "#c0202a", acknowledged: "#6b9bd1", dismissed: "#9aa3ad" };

