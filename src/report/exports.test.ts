import { PDFDocument } from "pdf-lib";
import { describe, expect, it } from "vitest";
import { planMonitors } from "../monitors/generate.ts";
import { fulfillmentIncident, refundIncident } from "../monitors/testing/incidents.ts";
import type { Incident } from "../scan-contract.ts";
import { renderPostmortemMarkdown } from "./markdown.ts";
import { renderPostmortemPdf, winAnsi } from "./pdf.ts";
import { buildPostmortem } from "./postmortem.ts";
import type { Postmortem } from "./postmortem-schema.ts";
import { pdfPagesText } from "./testing/pdf-text.ts";

const SECTIONS = ["1. Summary", "2. Timeline", "3. Root cause", "4. Blast radius", "5. Contributing factors", "6. Prevention monitors", "7. Recommendations", "8. Metadata"];

function postmortemOf(incident: Incident): Postmortem {
  return buildPostmortem({
    incident,
    incidents: [incident],
    cascades: [],
    monitors: planMonitors([incident], [], { baselineDays: 30 }),
    alerts: [],
    runId: "run_export",
    asOf: "2025-03-31",
    generatedAt: "2025-04-01T03:00:00.000Z",
  });
}

describe("Markdown export", () => {
  const md = renderPostmortemMarkdown(postmortemOf(fulfillmentIncident()));

  it("has the title, the key facts and the eight sections in order", () => {
    expect(md.startsWith("# Fulfillment SLA Degradation — Feb 8–14, 2025\n\n**Severity** HIGH · **Status** resolved · **Duration** 7 days")).toBe(true);
    const positions = SECTIONS.map((s) => md.indexOf(`\n## ${s}\n`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it("writes GFM tables whose rows all have as many cells as the header, with pipes escaped", () => {
    const timeline = md.slice(md.indexOf("| Date | What happened | Evidence |"), md.indexOf("## 3. Root cause")).trim().split("\n");
    expect(timeline[1]).toBe("| --- | --- | --- |");
    // 1 supplier anomaly + 1 backlog anomaly + detection + closure + 3 monitors born.
    expect(timeline).toHaveLength(2 + 7);
    const cells = (row: string) => row.split(/(?<!\\)\|/).length - 2;
    for (const row of timeline) expect(cells(row)).toBe(3);
    expect(md).toContain("crossed \\|z\\| 3.0");
    expect(md).toContain("| `sd-1`, `sd-2`, `sd-3` +20 more |");
    expect(md).toContain("| Step | Metric | Value | Baseline | z | Anomalous | Contribution |\n| ---: | --- | ---: | ---: | ---: | --- | ---: |\n| 1 | Supplier delay rate | 38.0% | 8.0% | +4.1 | Feb 3–12, 2025 | 1.20 |");
  });

  it("escapes Markdown in generated text instead of letting it format", () => {
    const tricky = fulfillmentIncident({ incident_id: "inc_*star*_[x]" });
    const text = renderPostmortemMarkdown(postmortemOf(tricky));
    expect(text).toContain("`inc_*star*_[x]`"); // inline code keeps it literal
    expect(text).not.toContain("&#x20;");
  });

  it("is deterministic", () => {
    expect(renderPostmortemMarkdown(postmortemOf(fulfillmentIncident()))).toBe(md);
  });
});

describe("PDF export", () => {
  it("is a Letter-size PDF with the postmortem's metadata, numbered pages and every section", async () => {
    const pm = postmortemOf(fulfillmentIncident());
    const bytes = await renderPostmortemPdf(pm);
    expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe("%PDF-");
    const doc = await PDFDocument.load(bytes, { updateMetadata: false });
    expect(doc.getTitle()).toBe("Fulfillment SLA Degradation — Feb 8–14, 2025");
    expect(doc.getCreationDate()?.toISOString()).toBe("2025-04-01T03:00:00.000Z");
    expect(doc.getPages().every((p) => p.getWidth() === 612 && p.getHeight() === 792)).toBe(true);

    const pages = await pdfPagesText(bytes);
    pages.forEach((text, i) => expect(text).toContain(`Page ${i + 1} of ${pages.length}`));
    const all = pages.join("\n");
    const positions = SECTIONS.map((s) => all.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(all).toContain("Fulfillment SLA Degradation — Feb 8–14, 2025");
    // The arrow the standard fonts lack is written as "->".
    expect(all).toContain("supplier delay rate -> fulfillment backlog -> delivery delay rate");
  });

  it("is byte-identical for the same postmortem", async () => {
    const pm = postmortemOf(refundIncident());
    const a = await renderPostmortemPdf(pm);
    const b = await renderPostmortemPdf(pm);
    expect(a.length).toBeGreaterThan(1000);
    expect(a).toEqual(b);
  });

  it("breaks long tables across pages, repeating the header, and survives text the fonts cannot draw", async () => {
    const pm = postmortemOf(fulfillmentIncident({ incident_id: "inc_東京_" + "x".repeat(120) }));
    const long: Postmortem = {
      ...pm,
      timeline: Array.from({ length: 80 }, (_, i) => ({ ...pm.timeline[0]!, event_description: `Entry ${i}: ${pm.timeline[0]!.event_description}` })),
    };
    const pages = await pdfPagesText(await renderPostmortemPdf(long));
    expect(pages.length).toBeGreaterThan(4);
    const withTimeline = pages.filter((p) => /Entry \d+:/.test(p));
    expect(withTimeline.length).toBeGreaterThan(2);
    for (const page of withTimeline) expect(page).toContain("What happened");
    const entries = pages.join("\n").match(/Entry \d+:/g)!;
    expect(entries).toEqual(Array.from({ length: 80 }, (_, i) => `Entry ${i}:`));
    expect(pages.join("\n")).toContain("inc_??_xxxx");
  });

  it("breaks long event ids after a separator rather than mid-word", async () => {
    const pm = postmortemOf(fulfillmentIncident());
    const ids = ["logistics:PO-00210:delayed", "logistics:PO-00217:delayed"];
    const withIds: Postmortem = { ...pm, timeline: [{ ...pm.timeline[0]!, evidence_event_ids: ids, evidence_event_count: 2 }] };
    const lines = (await pdfPagesText(await renderPostmortemPdf(withIds)))[0]!.split("\n");
    expect(lines).toContain("logistics:PO-00210:");
    expect(lines.some((l) => l.startsWith("delayed"))).toBe(true);
  });

  it("maps symbols outside WinAnsi to readable ASCII", () => {
    expect(winAnsi("a → b ≥ 3σ − 1")).toBe("a -> b >= 3sigma - 1");
    expect(winAnsi("Café — “ok” · 5€")).toBe("Café — “ok” · 5€");
    expect(winAnsi("東京")).toBe("??");
  });
});
