import { html } from "htl";
import { api } from "./api.js";

const HEALTH_COLOR = { healthy: "#2e9d5b", degraded: "#d99a00", needs_reconnect: "#c8372d", disconnected: "#888" };

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "never";
}

/** The QuickBooks connection of a company: status, and Connect / Sync now / Disconnect. */
export async function quickbooksCard({ token, company }) {
  const status = await api(`/v1/connect/status?company=${encodeURIComponent(company)}`, { token });
  const connection = status.connections.find((c) => c.status !== "disconnected") ?? status.connections[0];
  const message = html`<p class="muted"></p>`;
  const act = (label, run) => {
    const button = html`<button>${label}</button>`;
    button.onclick = async () => {
      button.disabled = true;
      try {
        await run();
      } catch (error) {
        message.textContent = `${error.message}${error.requestId ? ` (request ${error.requestId})` : ""}`;
        button.disabled = false;
      }
    };
    return button;
  };
  const connect = act(connection && connection.status !== "disconnected" ? "Reconnect QuickBooks" : "Connect QuickBooks", async () => {
    const { authorize_url } = await api(`/v1/connect/quickbooks?company=${encodeURIComponent(company)}`, { method: "POST", token });
    location.href = authorize_url;
  });
  const sync = act("Sync now", async () => {
    await api(`/v1/ingest/qbo?company=${encodeURIComponent(company)}`, { method: "POST", token });
    message.textContent = "Sync queued: changes since the last sweep are being read.";
  });
  const disconnect = act("Disconnect", async () => {
    await api(`/v1/connect/quickbooks/disconnect?company=${encodeURIComponent(company)}`, { method: "POST", token });
    location.reload();
  });
  if (!status.configured) {
    return html`<div class="card"><h2>QuickBooks</h2><p>Not configured: ${status.config_problem}</p><p class="muted">See docs/quickbooks.md.</p></div>`;
  }
  if (!connection || connection.status === "disconnected") {
    return html`<div class="card"><h2>QuickBooks</h2><p>Not connected. Connect this company's QuickBooks Online to bring in invoices, payments, bills, refunds, customers and more; changes arrive within seconds.</p>${connect}${message}</div>`;
  }
  const color = HEALTH_COLOR[connection.health] ?? "#888";
  return html`<div class="card" style="border-top: 4px solid ${color}">
    <h2>QuickBooks <span class="muted">· realm ${connection.realm_id} (${connection.environment})</span></h2>
    <p><b style="color:${color}">${connection.health.replace("_", " ")}</b>
      · backfill ${connection.backfill.status} (${connection.backfill.done.length}/11 types)
      · ${connection.entities_tracked} records tracked</p>
    <p class="muted">Last webhook ${when(connection.last_webhook_at)} · last sync ${when(connection.last_sync_at)} · last sweep ${when(connection.last_sweep_at)}<br>
      Access token until ${when(connection.tokens.access_expires_at)} · refresh token until ${when(connection.tokens.refresh_expires_at)} · ${connection.tokens.refreshes} refreshes<br>
      API use: ${connection.rate.in_window}/${connection.rate.per_minute} requests in the last minute</p>
    ${connection.last_error ? html`<p style="color:#c8372d">${connection.last_error} <span class="muted">(${when(connection.last_error_at)})</span></p>` : ""}
    ${connection.health === "needs_reconnect" ? connect : ""} ${sync} ${disconnect}
    ${message}
  </div>`;
}
