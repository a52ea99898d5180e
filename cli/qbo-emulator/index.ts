/**
 * Assembles a QuickBooks emulator: the company (seeded history + live activity), the fault
 * injector, the webhook sender and the HTTP handler. Web APIs only.
 */
import { type Random, seededRandom } from "../../src/rng.ts";
import { DEMO_DEFAULT_END_DAY, DEMO_DEFAULT_SEED, DEMO_REALM, liveDemoCompany } from "../../src/sim/index.ts";
import { simulatedCompany } from "./company.ts";
import { QboEmulator } from "./emulator.ts";
import { FaultInjector, type FaultPlan } from "./faults.ts";
import { EmulatorStore } from "./store.ts";
import { type WebhookFormat, WebhookSender } from "./webhook-sender.ts";

export const EMULATOR_DEFAULTS = {
  /** The simulated demo company's realm, so its uploaded and synced QuickBooks facts share event ids. */
  realmId: DEMO_REALM,
  companyName: "Demo wholesaler (QuickBooks emulator)",
  clientId: "emulator-client-id",
  clientSecret: "emulator-client-secret",
  verifierToken: "dev-verifier-token",
  port: 8790,
} as const;

/** The QBO_* settings that point the connector (qboEndpoints) at an emulator served at `base`. */
export function emulatorUrls(base: string) {
  return {
    QBO_API_BASE: base,
    QBO_AUTHORIZE_URL: `${base}/connect/oauth2`,
    QBO_TOKEN_URL: `${base}/oauth2/v1/tokens/bearer`,
    QBO_REVOKE_URL: `${base}/v2/oauth2/tokens/revoke`,
  };
}

export interface EmulatorSetup {
  realmId?: string;
  companyName?: string;
  /** The demo company's seed (default: the demo's, {@link DEMO_DEFAULT_SEED}). */
  seed?: number;
  /** The last day of the demo's six months of history (default {@link DEMO_DEFAULT_END_DAY}). */
  endDay?: string;
  /** Where webhooks go (the Worker's /v1/webhooks/qbo); none: counted only. */
  webhookUrl?: string;
  verifierToken?: string;
  webhookFormat?: WebhookFormat;
  faults?: Partial<FaultPlan>;
  clientId?: string;
  clientSecret?: string;
  autoApprove?: boolean;
  accessTokenTtlSeconds?: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Used to deliver webhooks. */
  fetch: typeof fetch;
  random?: Random;
}

export function createEmulator(setup: EmulatorSetup): QboEmulator {
  const seed = setup.seed ?? DEMO_DEFAULT_SEED;
  const random = setup.random ?? seededRandom(`qbo-emulator:${seed}:tokens`);
  const store = new EmulatorStore(
    { realmId: setup.realmId ?? EMULATOR_DEFAULTS.realmId, companyName: setup.companyName ?? EMULATOR_DEFAULTS.companyName },
    setup.now,
  );
  const faults = new FaultInjector(setup.faults ?? {}, `qbo-emulator:${seed}:faults`);
  const idRandom = seededRandom(`qbo-emulator:${seed}:webhook-ids`);
  const webhooks = new WebhookSender({
    url: setup.webhookUrl,
    verifierToken: setup.verifierToken ?? EMULATOR_DEFAULTS.verifierToken,
    realmId: store.realmId,
    format: setup.webhookFormat ?? "alternate",
    fetch: setup.fetch,
    faults,
    newId: () => uuidFrom(idRandom),
  });
  // The simulated demo business, its realm the emulator's (event ids are realm-scoped). History
  // is written before webhooks are listened to: it is what a backfill finds.
  const business = liveDemoCompany({ seed, endDay: setup.endDay ?? DEMO_DEFAULT_END_DAY, realm: store.realmId });
  const activity = simulatedCompany(store, business, setup.now());
  return new QboEmulator({
    store,
    activity,
    faults,
    webhooks,
    clientId: setup.clientId ?? EMULATOR_DEFAULTS.clientId,
    clientSecret: setup.clientSecret ?? EMULATOR_DEFAULTS.clientSecret,
    autoApprove: setup.autoApprove,
    accessTokenTtlSeconds: setup.accessTokenTtlSeconds,
    now: setup.now,
    sleep: setup.sleep,
    random,
  });
}

/** A version-4-shaped UUID from a seeded generator. */
function uuidFrom(random: Random): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = "4";
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const h = hex.join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export { QboEmulator } from "./emulator.ts";
export { parseFaults } from "./faults.ts";
