import { describe, expect, it } from "vitest";
import { describe as describeAlert, groupAlerts, type AlertItem } from "./alerts.ts";
import { conflictFixture } from "./test-fixtures.ts";

const T0 = Date.parse("2025-03-03T10:00:00.000Z");
const at = (ms: number) => new Date(T0 + ms).toISOString();

function conflictAlert(i: number, ms: number, type: "price_mismatch" | "availability_contradiction" = "price_mismatch"): AlertItem {
  const base = conflictFixture({ conflict_id: `c-${String(i).padStart(3, "0")}`, product_id: `sku-${i}`, detected_at: at(ms) });
  if (type === "price_mismatch" || base.evidence.type !== "price_mismatch") return { kind: "conflict", at: at(ms), conflict: base };
  const { decision, ground_truth } = base.evidence;
  const evidence = { type, decision, ground_truth: { ...ground_truth, availability: "out_of_stock" as const, quantity: 0 }, direction: "shown_available" as const };
  return { kind: "conflict", at: at(ms), conflict: { ...base, type, evidence } };
}

describe("groupAlerts", () => {
  it("sends one message for a spike of 300 conflicts, listing 10 and counting the rest", () => {
    const spike = Array.from({ length: 300 }, (_, i) => conflictAlert(i, i * 10, i % 3 === 0 ? "availability_contradiction" : "price_mismatch"));
    const messages = groupAlerts(spike, { dashboard_url: "http://localhost:8787/conflicts" });
    expect(messages).toHaveLength(1);
    const [m] = messages;
    expect(m!.conflict_ids).toHaveLength(300);
    expect(m!.message.text).toBe("Visibility layer: 300 new conflicts");
    expect(m!.message.blocks.length).toBeLessThanOrEqual(50);
    expect(m!.message.blocks[1]).toMatchObject({
      fields: [
        { type: "mrkdwn", text: "*Availability contradiction*\n100" },
        { type: "mrkdwn", text: "*Price mismatch*\n200" },
      ],
    });
    const listed = m!.message.blocks.filter((b) => b.type === "section").slice(1);
    expect(listed).toHaveLength(10);
    // Availability contradictions are listed first.
    expect(listed.every((b) => b.type === "section" && b.text.text.startsWith("*Availability contradiction*"))).toBe(true);
    expect(m!.message.blocks.at(-2)).toEqual({ type: "context", elements: [{ type: "mrkdwn", text: "…and 290 more in the workspace." }] });
    expect(m!.message.blocks.at(-1)).toMatchObject({ type: "actions", elements: [{ url: "http://localhost:8787/conflicts" }] });
    expect(m!.window).toEqual({ from: at(0), to: at(2990) });
  });

  it("splits alerts more than the gap apart into separate messages", () => {
    const items = [conflictAlert(1, 0), conflictAlert(2, 30_000), conflictAlert(3, 200_000)];
    expect(groupAlerts(items, { gap_ms: 60_000 }).map((m) => m.conflict_ids)).toEqual([["c-001", "c-002"], ["c-003"]]);
  });

  it("announces a conflict once even if it is queued twice (queues deliver at least once)", () => {
    const item = conflictAlert(1, 0);
    expect(groupAlerts([item, item])[0]!.conflict_ids).toEqual(["c-001"]);
  });

  it("lists escalations first, executives before owners", () => {
    const conflict = conflictFixture({ conflict_id: "c-900" });
    const items: AlertItem[] = [
      conflictAlert(1, 0),
      { kind: "escalation", at: at(10), conflict, notice: { conflict_id: "c-900", type: "price_mismatch", level: 1, notified: ["vp-data-science"], due_at: at(0), at: at(10) } },
      { kind: "escalation", at: at(20), conflict, notice: { conflict_id: "c-900", type: "price_mismatch", level: 2, notified: ["sam-evp-digital"], due_at: at(0), at: at(20) } },
    ];
    const [m] = groupAlerts(items);
    const lines = m!.message.blocks.filter((b) => b.type === "section").slice(1).map((b) => (b.type === "section" ? b.text.text : ""));
    expect(lines[0]).toMatch(/^:rotating_light: \*Escalated to executives\* \(sam-evp-digital\)/);
    expect(lines[1]).toMatch(/^:rotating_light: \*Escalated to decision owner\* \(vp-data-science\)/);
    expect(m!.message.text).toBe("Visibility layer: 1 new conflict, 2 escalations");
    expect(m!.escalations).toEqual([
      { conflict_id: "c-900", level: 1 },
      { conflict_id: "c-900", level: 2 },
    ]);
  });

  it("is deterministic: the same alerts in another order give the same messages", () => {
    const items = Array.from({ length: 40 }, (_, i) => conflictAlert(i, (i % 7) * 100));
    expect(groupAlerts([...items].reverse())).toEqual(groupAlerts(items));
  });
});

describe("describe", () => {
  it("says who quoted what against which truth, with the deviation", () => {
    expect(describeAlert(conflictAlert(1, 0))).toBe(
      "*Price mismatch* · `sku-1` at `store-9` (paint) · magic-apron (assistant) quoted USD 12.99, inventory says USD 10.99 (+18.2 %, tolerance 5 %)",
    );
  });

  it("escapes what teams sent, so a product id cannot inject Slack markup", () => {
    const item = conflictAlert(1, 0);
    if (item.kind !== "conflict") throw new Error("fixture");
    const text = describeAlert({ ...item, conflict: { ...item.conflict, product_id: "<!channel> & `x`" } });
    expect(text).toContain("`&lt;!channel&gt; &amp; 'x'`");
  });
});
