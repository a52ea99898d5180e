/**
 * The visibility layer on the real local stack (wrangler dev: Worker → ConflictShard Durable
 * Objects → D1, alerts queue → local sink), against an in-process baseline measured in the same run.
 *
 *   npx tsx bench/visibility.ts [rate=2500] [seconds=300] [replay-minutes=120]
 *
 * 1. Baseline: the pure detection path (src/visibility, MemoryVisibilityLayer) on the replay stream.
 * 2. Sustained: a seeded synthetic stream at `rate` events/s for `seconds`, paced in real time
 *    (event times are wall-clock times), four teams publishing in batches every 200 ms. Checks that
 *    every event was counted (no loss), measures time to detect per conflict (event time → alert
 *    delivered to the sink) and scores the injected conflicts.
 * 3. Spike: 500 new conflicts in one batch; counts the alert messages they produce.
 * 4. Replay: `replay-minutes` of simulated history (including stale ground-truth feeds, which need
 *    more than 15 minutes to show) sent as fast as the server takes it; scores detection.
 */
import { MemoryVisibilityLayer } from "../src/visibility/memory-layer.ts";
import { nearestRankPercentile } from "../src/visibility/okr/nearest-rank.ts";
import type { ConflictRecord } from "../src/visibility/conflict.ts";
import type { VisibilityEvent } from "../src/visibility/event.ts";
import type { GroundTruthFlag } from "../src/visibility/shard.ts";
import { scoreDetection, SyntheticStream, type SyntheticOptions } from "../src/visibility/synthetic.ts";
import { startLocalServer, type LocalServer } from "./lib/local-server.ts";

const RATE = Number(process.argv[2] ?? 2500);
const SECONDS = Number(process.argv[3] ?? 300);
const REPLAY_MINUTES = Number(process.argv[4] ?? 120);
const TICK_MS = 200;
const MAX_IN_FLIGHT = 32;
const TEAMS = ["magic-apron", "search", "sponsored"];

/** 200 products × 50 stores = 10,000 pairs; ground truth every 30 s for the 90 % covered (≈ 300/s). */
function sustainedOptions(start: number): Partial<SyntheticOptions> {
  const pairs = 200 * 50;
  const groundTruthPerSecond = (pairs * 0.9) / 30;
  return {
    seed: "bench-sustained",
    id_prefix: "s-",
    start: new Date(start).toISOString(),
    duration_s: SECONDS,
    decisions_per_s: Math.max(1, Math.round(RATE - groundTruthPerSecond)),
    products: 200,
    stores: 50,
    ground_truth_interval_s: 30,
    warmup_s: 90,
    episode_spacing_s: 10,
    // Shorter runs (quick checks) measure throughput only: episodes need the warm-up first.
    inject: SECONDS >= 300 ? { price_mismatch: 100, availability_contradiction: 100, team_disagreement: 100, stale_ground_truth: 0 } : { price_mismatch: 0, availability_contradiction: 0, team_disagreement: 0, stale_ground_truth: 0 },
  };
}

function replayOptions(start: number, minutes = REPLAY_MINUTES): Partial<SyntheticOptions> {
  return {
    seed: "bench-replay",
    id_prefix: "r-",
    start: new Date(start).toISOString(),
    duration_s: minutes * 60,
    decisions_per_s: 100,
    products: 300,
    stores: 20,
    ground_truth_interval_s: 300,
    // A backlog sent after live traffic comes from its own ground-truth registration: the live
    // feed's watermark says nothing about how far the backlog has got (docs/decisions.md).
    ground_truth_team: "inventory-backfill",
    inject: { price_mismatch: 100, availability_contradiction: 100, team_disagreement: 100, stale_ground_truth: 20 },
  };
}

interface Publisher {
  /** Queues a batch (at most MAX_IN_FLIGHT requests at once) and returns as soon as it is queued. */
  post(team: string, events: VisibilityEvent[]): Promise<void>;
  /** Sends a batch and returns when it has been answered. */
  send(team: string, events: VisibilityEvent[]): Promise<void>;
  drain(): Promise<void>;
  stats: { requests: number; accepted: number; duplicates: number; rejected: number; errors: number; latencies: number[]; errorSamples: string[] };
}

function publisher(server: LocalServer, keys: Record<string, string>): Publisher {
  const stats = { requests: 0, accepted: 0, duplicates: 0, rejected: 0, errors: 0, latencies: [] as number[], errorSamples: [] as string[] };
  const inFlight = new Set<Promise<void>>();
  const send = async (team: string, events: VisibilityEvent[]) => {
    const started = performance.now();
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await fetch(`${server.base}/v1/visibility/events`, {
          method: "POST",
          headers: { authorization: `Bearer ${keys[team]}`, "content-type": "application/x-ndjson" },
          body: events.map((e) => JSON.stringify(e)).join("\n"),
        });
        const body = (await response.json()) as { accepted: number; duplicates: number; rejected: number; error?: { message: string } };
        if (!response.ok) throw new Error(`${response.status} ${body.error?.message}`);
        stats.accepted += body.accepted;
        stats.duplicates += body.duplicates;
        stats.rejected += body.rejected;
        break;
      } catch (error) {
        stats.errors++;
        if (stats.errorSamples.length < 5) stats.errorSamples.push(`${(error as Error).message} ${String((error as { cause?: unknown }).cause ?? "")}`.slice(0, 300));
        // A publisher retries: ingestion is idempotent by event id, so a retry cannot double count.
        if (attempt >= 5) throw new Error(`publishing ${events.length} events for ${team} failed 5 times: ${(error as Error).message}`);
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
    stats.requests++;
    stats.latencies.push(performance.now() - started);
  };
  return {
    stats,
    send,
    async post(team, events) {
      while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
      const p = send(team, events).finally(() => inFlight.delete(p));
      inFlight.add(p);
    },
    async drain() {
      await Promise.all(inFlight);
    },
  };
}

async function api<T>(server: LocalServer, path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(`${server.base}${path}`, { ...init, headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json", ...(init.headers as Record<string, string>) } });
  const body = (await response.json()) as T & { error?: { message: string } };
  if (!response.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${response.status} ${body.error?.message}`);
  return body;
}

async function allConflicts(server: LocalServer, prefix: string): Promise<ConflictRecord[]> {
  const out: ConflictRecord[] = [];
  let cursor: string | null = "0";
  while (cursor !== null) {
    const page: { conflicts: ConflictRecord[]; next_cursor: string | null } = await api(server, `/v1/visibility/conflicts?limit=1000&sort=detected_at&cursor=${cursor}`);
    out.push(...page.conflicts.filter((c) => c.product_id.startsWith(prefix)));
    cursor = page.next_cursor;
  }
  return out;
}

async function flags(server: LocalServer, prefix: string): Promise<GroundTruthFlag[]> {
  const { flags } = await api<{ flags: GroundTruthFlag[] }>(server, "/v1/visibility/flags?reason=stale&limit=1000");
  return flags.filter((f) => f.product_id.startsWith(prefix));
}

async function eventsCounted(server: LocalServer, from: string, to: string): Promise<number> {
  const okr = await api<{ events: { decision: number; ground_truth: number } }>(server, `/v1/visibility/okr?from=${from}&to=${to}`);
  return okr.events.decision + okr.events.ground_truth;
}

async function settle(server: LocalServer, expected: number, from: string, to: string): Promise<number> {
  await api(server, "/v1/visibility/shards/flush", { method: "POST" });
  let counted = 0;
  for (let i = 0; i < 60; i++) {
    counted = await eventsCounted(server, from, to);
    if (counted >= expected) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return counted;
}

function pct(values: number[], p: number): number | null {
  return values.length ? nearestRankPercentile(values, p) : null;
}

function fmt(ms: number | null): string {
  return ms === null ? "n/a" : `${Math.round(ms)} ms`;
}

function baseline(): void {
  if (process.env.SKIP_BASELINE) return;
  const stream = new SyntheticStream(replayOptions(Date.parse("2025-03-03T00:00:00Z"), Math.max(REPLAY_MINUTES, 120)));
  const layer = new MemoryVisibilityLayer();
  const started = performance.now();
  let batch: VisibilityEvent[] = [];
  let count = 0;
  for (const e of stream.events()) {
    batch.push(e);
    count++;
    if (batch.length === 500) {
      layer.ingest(batch, batch[batch.length - 1]!.ts);
      batch = [];
    }
  }
  if (batch.length) layer.ingest(batch, batch[batch.length - 1]!.ts);
  layer.settle("9999-12-31T00:00:00.000Z");
  const seconds = (performance.now() - started) / 1000;
  const score = scoreDetection([...layer.conflicts.values()], [...layer.flags.values()], stream);
  console.log(`baseline (in-process detection, replay stream ${count} events): ${Math.round(count / seconds)} events/s (generation included)`);
  console.log(
    `baseline detection: ${score.detected}/${score.injected} injected conflicts (recall ${(score.recall * 100).toFixed(2)} %), ${score.false_alerts}/${score.alerts} false alerts (${(score.false_alert_rate * 100).toFixed(2)} %), stale feeds flagged ${score.stale_flagged}/${score.stale_episodes}`,
  );
}

async function sustained(server: LocalServer, keys: Record<string, string>): Promise<void> {
  const start = Date.now() + 3000;
  const stream = new SyntheticStream(sustainedOptions(start));
  const pub = publisher(server, keys);
  let generated = 0;
  let maxLagMs = 0;
  let tickEnd = start + TICK_MS;
  let pending = new Map<string, VisibilityEvent[]>();
  const flushTick = async () => {
    const wait = tickEnd - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    maxLagMs = Math.max(maxLagMs, Date.now() - tickEnd);
    for (const [team, events] of pending) await pub.post(team, events);
    pending = new Map();
  };
  const wallStart = Date.now();
  let lastReport = wallStart;
  for (const event of stream.events()) {
    const ts = Date.parse(event.ts);
    while (ts >= tickEnd) {
      await flushTick();
      tickEnd += TICK_MS;
      if (Date.now() - lastReport > 30_000) {
        lastReport = Date.now();
        process.stderr.write(`  ${Math.round((Date.now() - start) / 1000)} s: ${generated} events sent, ${pub.stats.requests} requests, max pacing lag ${maxLagMs} ms\n`);
      }
    }
    const list = pending.get(event.team) ?? [];
    list.push(event);
    pending.set(event.team, list);
    generated++;
  }
  await flushTick();
  await pub.drain();
  const sendSeconds = (Date.now() - start) / 1000;
  const day0 = new Date(start).toISOString().slice(0, 10);
  const day1 = new Date().toISOString().slice(0, 10);

  const counted = await settle(server, generated, day0, day1);
  const lat = pub.stats.latencies;
  console.log(
    `sustained: ${generated} events over ${sendSeconds.toFixed(1)} s = ${Math.round(generated / sendSeconds)} events/s offered (target ${RATE}/s for ${SECONDS} s); max pacing lag ${maxLagMs} ms`,
  );
  console.log(
    `  publish requests: ${pub.stats.requests} (${pub.stats.errors} retried), latency p50 ${fmt(pct(lat, 50))}, p99 ${fmt(pct(lat, 99))}, max ${fmt(Math.max(...lat))}`,
  );
  if (pub.stats.errorSamples.length) console.log(`  retried because: ${JSON.stringify(pub.stats.errorSamples)}`);
  console.log(
    `  no event lost: accepted ${pub.stats.accepted} + duplicates ${pub.stats.duplicates}, rejected ${pub.stats.rejected}; counted by the shards ${counted} of ${generated} generated → ${counted === generated && pub.stats.rejected === 0 ? "none lost" : "MISMATCH"}`,
  );

  const conflicts = await allConflicts(server, "s-");
  const ttd = conflicts.filter((c) => c.alerted_at).map((c) => Date.parse(c.alerted_at!) - Date.parse(c.first_seen));
  const detect = conflicts.map((c) => Date.parse(c.detected_at) - Date.parse(c.first_seen));
  console.log(
    `  time to detect (event time → alert delivered), ${ttd.length} conflicts: p50 ${fmt(pct(ttd, 50))}, p95 ${fmt(pct(ttd, 95))}, p99 ${fmt(pct(ttd, 99))}, max ${fmt(ttd.length ? Math.max(...ttd) : null)}; not alerted ${conflicts.length - ttd.length}`,
  );
  console.log(`  of which event time → detected in the shard: p50 ${fmt(pct(detect, 50))}, p99 ${fmt(pct(detect, 99))}`);
  const score = scoreDetection(conflicts, [], stream);
  console.log(
    `  detection: ${score.detected}/${score.injected} injected conflicts (recall ${(score.recall * 100).toFixed(2)} %), ${score.false_alerts}/${score.alerts} false alerts (${(score.false_alert_rate * 100).toFixed(2)} %)`,
  );
  if (score.missed.length) console.log(`  missed: ${JSON.stringify(score.missed.slice(0, 3))}`);
  if (score.false_examples.length) console.log(`  false: ${JSON.stringify(score.false_examples.slice(0, 3))}`);
  const { alerts } = await api<{ alerts: { conflict_ids: string[] }[] }>(server, "/v1/visibility/alerts?limit=500");
  const ids = new Set(conflicts.map((c) => c.conflict_id));
  const messages = alerts.filter((a) => a.conflict_ids.some((id) => ids.has(id))).length;
  console.log(`  alert messages for these ${ttd.length} conflicts: ${messages}`);
  console.log(`  workerd peak RSS: ${server.peakMemoryMiB()?.toFixed(0) ?? "n/a"} MiB`);
}

async function spike(server: LocalServer, keys: Record<string, string>): Promise<void> {
  const now = Date.now();
  const ts = (ms: number) => new Date(ms).toISOString();
  const truths: VisibilityEvent[] = [];
  const quotes: VisibilityEvent[] = [];
  for (let i = 0; i < 500; i++) {
    const base = { product_id: `k-sku-${i}`, store_id: "store-spike", currency: "USD", availability: "in_stock" as const };
    truths.push({ ...base, event_id: `k-gt-${i}`, team: "inventory", kind: "ground_truth", price: 20, quantity: 9, ts: ts(now - 2000) });
    quotes.push({ ...base, event_id: `k-ma-${i}`, team: "magic-apron", kind: "decision", surface: "assistant", price: 29, ts: ts(now - 1000) });
  }
  const post = (team: string, events: VisibilityEvent[]) =>
    fetch(`${server.base}/v1/visibility/events`, { method: "POST", headers: { authorization: `Bearer ${keys[team]}`, "content-type": "application/json" }, body: JSON.stringify(events) }).then((r) => r.json());
  await post("inventory", truths);
  const result = (await post("magic-apron", quotes)) as { conflicts_opened: number };
  await new Promise((r) => setTimeout(r, 4000));
  const conflicts = (await allConflicts(server, "k-")).filter((c) => c.alerted_at);
  const { alerts } = await api<{ alerts: { conflict_ids: string[] }[] }>(server, "/v1/visibility/alerts?limit=500");
  const ids = new Set(conflicts.map((c) => c.conflict_id));
  const messages = alerts.filter((a) => a.conflict_ids.some((id) => ids.has(id))).length;
  console.log(`spike: ${result.conflicts_opened} conflicts opened by one batch → ${messages} alert messages (${conflicts.length} conflicts alerted)`);
}

async function replay(server: LocalServer, keys: Record<string, string>): Promise<void> {
  // Three hours ago, so that the whole simulated history is in the past and inside the 7-day window.
  const start = Date.now() - (REPLAY_MINUTES + 60) * 60_000;
  const stream = new SyntheticStream(replayOptions(start));
  const pub = publisher(server, keys);
  // Each team sends its own backlog in time order, one batch in flight, as a publisher replaying
  // its history would; the teams run side by side and none gets more than two batches ahead.
  const BATCH = 1000;
  const senders = new Map<string, { ready: VisibilityEvent[][]; filling: VisibilityEvent[]; running: Promise<void> | null }>();
  const sender = (team: string) => {
    let s = senders.get(team);
    if (!s) {
      s = { ready: [], filling: [], running: null };
      senders.set(team, s);
    }
    return s;
  };
  const pump = (team: string) => {
    const s = sender(team);
    if (s.running) return;
    s.running = (async () => {
      while (s.ready.length > 0) await pub.send(team, s.ready.shift()!);
    })().finally(() => (s.running = null));
  };
  let generated = 0;
  const started = performance.now();
  for (const event of stream.events()) {
    const s = sender(event.team);
    s.filling.push(event);
    generated++;
    if (s.filling.length >= BATCH) {
      s.ready.push(s.filling);
      s.filling = [];
      pump(event.team);
      while (s.ready.length > 2 && s.running) await s.running;
    }
  }
  for (const [team, s] of senders) {
    if (s.filling.length) s.ready.push(s.filling);
    pump(team);
  }
  for (const s of senders.values()) while (s.running) await s.running;
  await pub.drain();
  const seconds = (performance.now() - started) / 1000;
  const day0 = new Date(start).toISOString().slice(0, 10);
  const day1 = new Date().toISOString().slice(0, 10);
  const before = await eventsCounted(server, day0, day1);
  void before;
  await new Promise((r) => setTimeout(r, 3000));
  const conflicts = await allConflicts(server, "r-");
  const score = scoreDetection(conflicts, await flags(server, "r-"), stream);
  console.log(`replay: ${generated} events (${REPLAY_MINUTES} simulated minutes) in ${seconds.toFixed(1)} s = ${Math.round(generated / seconds)} events/s, as fast as the server took them; ${pub.stats.errors} retried requests`);
  console.log(
    `  detection: ${score.detected}/${score.injected} injected conflicts (recall ${(score.recall * 100).toFixed(2)} %), ${score.false_alerts}/${score.alerts} false alerts (${(score.false_alert_rate * 100).toFixed(2)} %), stale feeds flagged ${score.stale_flagged}/${score.stale_episodes} and none called a conflict`,
  );
  if (score.missed.length) console.log(`  missed: ${JSON.stringify(score.missed.slice(0, 5))}`);
  if (score.false_examples.length) console.log(`  false: ${JSON.stringify(score.false_examples.slice(0, 5))}`);
}

/** A server started by hand (BENCH_BASE=http://127.0.0.1:8799, ADMIN_SECRET bench-secret), to read its logs while debugging. */
async function existingServer(base: string): Promise<LocalServer> {
  const grant = (await (await fetch(`${base}/v1/auth/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ secret: "bench-secret" }) })).json()) as { token: string };
  return { base, token: grant.token, peakMemoryMiB: () => null, stop: async () => undefined };
}

async function main(): Promise<void> {
  baseline();
  const server = process.env.BENCH_BASE ? await existingServer(process.env.BENCH_BASE) : await startLocalServer({ LOG_LEVEL: "error" });
  try {
    const keys: Record<string, string> = {};
    for (const [team, role] of [...TEAMS.map((t) => [t, "decision"]), ["inventory", "ground_truth"], ["inventory-backfill", "ground_truth"]] as const) {
      const body = await api<{ key: string }>(server, "/v1/visibility/teams", { method: "POST", body: JSON.stringify({ team, role }) });
      keys[team] = body.key;
    }
    if (!process.env.REPLAY_ONLY) {
      await sustained(server, keys);
      await spike(server, keys);
    }
    if (REPLAY_MINUTES > 0) await replay(server, keys);
    const shards = await api<{ shards: { events: number; pairs: number }[] }>(server, "/v1/visibility/shards");
    const events = shards.shards.map((s) => s.events);
    console.log(`shards: ${shards.shards.length}; raw events per shard min ${Math.min(...events)}, max ${Math.max(...events)} (max/mean ${(Math.max(...events) / (events.reduce((a, b) => a + b, 0) / events.length)).toFixed(2)})`);
    console.log(`workerd peak RSS at the end: ${server.peakMemoryMiB()?.toFixed(0) ?? "n/a"} MiB`);
  } finally {
    await server.stop();
  }
}

await main();
