import { html } from "htl";
import { money } from "./format.js";

/** An incident's blast radius: customers, orders, revenue exposure and severity class, then its narrative. */
export function blastRadiusCards(b) {
  return html`<div class="grid grid-cols-4">
    <div class="card"><h2>Customers</h2><span class="big">${b.customers_affected}</span></div>
    <div class="card"><h2>Orders</h2><span class="big">${b.orders_affected}</span></div>
    <div class="card"><h2>Revenue exposure</h2><span class="big">${money(b.estimated_revenue_exposure)}</span><p class="muted">refund exposure ${money(b.estimated_refund_exposure)}</p></div>
    <div class="card"><h2>Severity</h2><span class="big">${b.blast_radius_severity}</span><p class="muted">${b.products_affected} products · ${b.vendors_involved} vendors · ${b.estimated_churn_exposure} customers at churn risk</p></div>
  </div>
  <p>${b.narrative}</p>`;
}
