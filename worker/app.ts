/**
 * The Hono app: every `/v1` route, behind the request-id middleware and the one error path.
 * Admin routes need a bearer JWT; health, config and token issuance are open.
 */
import { Hono } from "hono";
import { type AppEnv, DEV_DEFAULT_SECRETS, isProduction } from "./env.ts";
import { ApiError, notFound, onError } from "./errors.ts";
import { requireAdmin } from "./middleware/auth.ts";
import { requestId } from "./middleware/request-id.ts";
import { auth } from "./routes/auth.ts";
import { cascades } from "./routes/cascades.ts";
import { compare } from "./routes/compare.ts";
import { connect } from "./routes/connect.ts";
import { events } from "./routes/events.ts";
import { incidents } from "./routes/incidents.ts";
import { ingest } from "./routes/ingest.ts";
import { ingestQbo } from "./routes/ingest-qbo.ts";
import { metrics } from "./routes/metrics.ts";
import { monitors } from "./routes/monitors.ts";
import { postmortems } from "./routes/postmortems.ts";
import { scan } from "./routes/scan.ts";
import { simulate } from "./routes/simulate.ts";
import { system } from "./routes/system.ts";
import { visibility, visibilityPublish } from "./routes/visibility.ts";
import { webhooks } from "./routes/webhooks.ts";

export const app = new Hono<AppEnv>();

app.use("*", requestId());
app.use("/v1/*", async (c, next) => {
  if (!c.env.ADMIN_SECRET) throw new ApiError(500, "MISCONFIGURED", "ADMIN_SECRET is not set (wrangler secret put ADMIN_SECRET, or .dev.vars locally)");
  if (isProduction(c.env)) {
    for (const [name, value] of Object.entries(DEV_DEFAULT_SECRETS)) {
      if (c.env[name as keyof typeof DEV_DEFAULT_SECRETS] === value) {
        throw new ApiError(500, "MISCONFIGURED", `${name} still has its development default; set a real secret before serving production traffic`);
      }
    }
  }
  await next();
});

app.route("/v1/auth", auth);
app.route("/v1", system);
// Teams publish with their own key, not an admin token.
app.route("/v1/visibility", visibilityPublish);
// Webhooks authenticate by signature; the OAuth callback by its signed state; the rest of
// /v1/connect needs an admin token (checked per route there).
app.route("/v1/webhooks", webhooks);
app.route("/v1/connect", connect);

// Admin areas: each needs a bearer token. Mounted one by one so unknown paths still get a 404.
const ADMIN_AREAS = { ingest, scan, incidents, cascades, metrics, events, monitors, compare, simulate, visibility } as const;
for (const [path, area] of Object.entries(ADMIN_AREAS)) {
  app.use(`/v1/${path}`, requireAdmin());
  app.use(`/v1/${path}/*`, requireAdmin());
  app.route(`/v1/${path}`, area);
}
app.route("/v1/ingest/qbo", ingestQbo);
// Postmortems live beside the incidents (the admin check above covers /v1/incidents/*).
app.route("/v1/incidents", postmortems);

app.onError(onError);
app.notFound(notFound);
