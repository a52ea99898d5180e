/**
 * Alerts as Slack incoming-webhook messages (Block Kit). A spike of conflicts sends one message
 * per burst, not one per conflict: alerts whose times are at most `gap_ms` apart form a burst; the
 * message counts them by type and lists the most urgent few, then links to the workspace.
 * Slack's limits shape it: at most 50 blocks, 150 characters in a header, 3,000 in a section.
 */
import type { ConflictRecord, ConflictType } from "./conflict.ts";
import type { EscalationNotice } from "./escalation.ts";

export type AlertConflict = Pick<
  ConflictRecord,
  "conflict_id" | "type" | "product_id" | "store_id" | "category" | "teams" | "first_seen" | "detected_at" | "occurrences" | "evidence"
>;

/** One thing worth telling people about; the alerts queue carries these. */
export type AlertItem =
  | { kind: "conflict"; at: string; conflict: AlertConflict }
  | { kind: "escalation"; at: string; conflict: AlertConflict; notice: EscalationNotice };

export interface SlackText {
  type: "plain_text" | "mrkdwn";
  text: string;
}
export type SlackBlock =
  | { type: "header"; text: SlackText }
  | { type: "section"; text: SlackText; fields?: SlackText[] }
  | { type: "context"; elements: SlackText[] }
  | { type: "divider" }
  | { type: "actions"; elements: { type: "button"; text: SlackText; url: string }[] };

/** The JSON body posted to a Slack incoming webhook. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

export interface AlertMessage {
  message: SlackMessage;
  /** Conflicts announced for the first time: their `alerted_at` is set when this message is delivered. */
  conflict_ids: string[];
  escalations: { conflict_id: string; level: 1 | 2 }[];
  window: { from: string; to: string };
}

export interface AlertOptions {
  /** Alerts at most this far apart belong to one burst. */
  gap_ms: number;
  /** Items listed one by one; the rest are counted. */
  max_listed: number;
  /** Link to the conflicts page. */
  dashboard_url: string | null;
}

export const DEFAULT_ALERT_OPTIONS: AlertOptions = { gap_ms: 60_000, max_listed: 10, dashboard_url: null };

const SLACK_MAX_BLOCKS = 50;
const SLACK_HEADER_MAX = 150;
const SLACK_SECTION_MAX = 3000;

const TYPE_LABEL: Record<ConflictType, string> = {
  price_mismatch: "Price mismatch",
  availability_contradiction: "Availability contradiction",
  team_disagreement: "Team disagreement",
};
/** Listing order: escalations first (executives before owners), then what hurts customers most. */
const TYPE_RANK: Record<ConflictType, number> = { availability_contradiction: 0, price_mismatch: 1, team_disagreement: 2 };

/** Splits alerts into bursts and renders one message per burst. Same input ⇒ same messages. */
export function groupAlerts(items: readonly AlertItem[], options: Partial<AlertOptions> = {}): AlertMessage[] {
  const opts = { ...DEFAULT_ALERT_OPTIONS, ...options };
  if (!(opts.gap_ms >= 0)) throw new Error(`groupAlerts: gap_ms must be >= 0, got ${opts.gap_ms}`);
  if (!(opts.max_listed >= 1 && opts.max_listed <= 40)) throw new Error(`groupAlerts: max_listed must be 1…40 (Slack allows 50 blocks), got ${opts.max_listed}`);
  const unique = new Map<string, AlertItem>();
  for (const item of items) {
    const key = item.kind === "conflict" ? `c|${item.conflict.conflict_id}` : `e|${item.conflict.conflict_id}|${item.notice.level}`;
    if (!unique.has(key)) unique.set(key, item);
  }
  const sorted = [...unique.values()].sort((a, b) => compareStrings(a.at, b.at) || compareStrings(itemKey(a), itemKey(b)));
  const bursts: AlertItem[][] = [];
  for (const item of sorted) {
    const current = bursts[bursts.length - 1];
    if (current && Date.parse(item.at) - Date.parse(current[current.length - 1]!.at) <= opts.gap_ms) current.push(item);
    else bursts.push([item]);
  }
  return bursts.map((burst) => renderBurst(burst, opts));
}

function renderBurst(burst: AlertItem[], opts: AlertOptions): AlertMessage {
  const conflicts = burst.filter((i): i is Extract<AlertItem, { kind: "conflict" }> => i.kind === "conflict");
  const escalations = burst.filter((i): i is Extract<AlertItem, { kind: "escalation" }> => i.kind === "escalation");
  const from = burst[0]!.at;
  const to = burst[burst.length - 1]!.at;

  const headline = [
    conflicts.length > 0 ? `${conflicts.length} new conflict${conflicts.length === 1 ? "" : "s"}` : null,
    escalations.length > 0 ? `${escalations.length} escalation${escalations.length === 1 ? "" : "s"}` : null,
  ]
    .filter(Boolean)
    .join(", ");

  const byType = new Map<ConflictType, number>();
  for (const c of conflicts) byType.set(c.conflict.type, (byType.get(c.conflict.type) ?? 0) + 1);
  const fields: SlackText[] = [...byType]
    .sort(([a], [b]) => TYPE_RANK[a] - TYPE_RANK[b])
    .map(([type, n]) => ({ type: "mrkdwn", text: `*${TYPE_LABEL[type]}*\n${n}` }));
  if (escalations.length > 0) fields.push({ type: "mrkdwn", text: `*Escalated*\n${escalations.length}` });

  const ordered = [...burst].sort((a, b) => priority(a) - priority(b) || compareStrings(a.at, b.at) || compareStrings(itemKey(a), itemKey(b)));
  const listed = ordered.slice(0, opts.max_listed);
  const rest = ordered.length - listed.length;

  const blocks: SlackBlock[] = [
    { type: "header", text: { type: "plain_text", text: clip(`Visibility layer: ${headline}`, SLACK_HEADER_MAX) } },
    {
      type: "section",
      text: { type: "mrkdwn", text: clip(`${conflicts.length > 0 ? "Customers were told things that contradict the ground truth or another team." : "Conflicts nobody has resolved in time."} ${timeSpan(from, to)}`, SLACK_SECTION_MAX) },
      ...(fields.length > 0 ? { fields: fields.slice(0, 10) } : {}),
    },
    { type: "divider" },
    ...listed.map((item): SlackBlock => ({ type: "section", text: { type: "mrkdwn", text: clip(describe(item), SLACK_SECTION_MAX) } })),
  ];
  if (rest > 0) blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: `…and ${rest} more in the workspace.` }] });
  if (opts.dashboard_url) {
    blocks.push({ type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: "Open conflicts" }, url: opts.dashboard_url }] });
  }
  return {
    message: { text: `Visibility layer: ${headline}`, blocks: blocks.slice(0, SLACK_MAX_BLOCKS) },
    conflict_ids: conflicts.map((c) => c.conflict.conflict_id),
    escalations: escalations.map((e) => ({ conflict_id: e.conflict.conflict_id, level: e.notice.level })),
    window: { from, to },
  };
}

function priority(item: AlertItem): number {
  if (item.kind === "escalation") return item.notice.level === 2 ? 0 : 1;
  return 2 + TYPE_RANK[item.conflict.type];
}

function itemKey(item: AlertItem): string {
  return item.kind === "conflict" ? `c|${item.conflict.conflict_id}` : `e|${item.notice.level}|${item.conflict.conflict_id}`;
}

/** One line per alert, in Slack mrkdwn (user-supplied text escaped). */
export function describe(item: AlertItem): string {
  const c = item.conflict;
  const where = `\`${esc(c.product_id)}\` at \`${esc(c.store_id)}\`${c.category ? ` (${esc(c.category)})` : ""}`;
  if (item.kind === "escalation") {
    const who = item.notice.level === 1 ? "decision owner" : "executives";
    return `:rotating_light: *Escalated to ${who}* (${item.notice.notified.map(esc).join(", ")}) · ${TYPE_LABEL[c.type].toLowerCase()} on ${where}, unresolved since ${c.detected_at.slice(0, 16).replace("T", " ")} UTC · ${c.occurrences} occurrence${c.occurrences === 1 ? "" : "s"}`;
  }
  const e = c.evidence;
  switch (e.type) {
    case "price_mismatch": {
      const off = e.deviation_pct === null ? "a different currency" : `${e.decision.price >= e.ground_truth.price ? "+" : "−"}${fmt(e.deviation_pct)} %, tolerance ${fmt(e.tolerance_pct)} %`;
      return `*${TYPE_LABEL.price_mismatch}* · ${where} · ${who(e.decision)} quoted ${money(e.decision)}, ${esc(e.ground_truth.team)} says ${money(e.ground_truth)} (${off})`;
    }
    case "availability_contradiction": {
      const truth = e.ground_truth.quantity !== null ? `${e.ground_truth.quantity} on hand` : e.ground_truth.availability.replace(/_/g, " ");
      return `*${TYPE_LABEL.availability_contradiction}* · ${where} · ${who(e.decision)} showed ${e.decision.availability.replace(/_/g, " ")}, ${esc(e.ground_truth.team)} has ${truth}`;
    }
    case "team_disagreement":
      return `*${TYPE_LABEL.team_disagreement}* (${e.aspects.join(" and ")}) · ${where} · ${who(e.a)}: ${money(e.a)} ${e.a.availability.replace(/_/g, " ")}; ${who(e.b)}: ${money(e.b)} ${e.b.availability.replace(/_/g, " ")}`;
  }
}

function who(s: { team: string; surface: string | null }): string {
  return s.surface ? `${esc(s.team)} (${esc(s.surface)})` : esc(s.team);
}

function money(s: { price: number; currency: string }): string {
  return `${s.currency} ${s.price.toFixed(2)}`;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

function timeSpan(from: string, to: string): string {
  const a = from.slice(11, 19);
  const b = to.slice(11, 19);
  return from === to ? `At ${from.slice(0, 10)} ${a} UTC.` : `Between ${from.slice(0, 10)} ${a} and ${to.slice(0, 10) === from.slice(0, 10) ? "" : `${to.slice(0, 10)} `}${b} UTC.`;
}

/** Slack mrkdwn needs &, < and > escaped; backticks would break the code spans. */
function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/`/g, "'");
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
