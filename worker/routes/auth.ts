import { Hono } from "hono";
import { z } from "zod";
import { type AppEnv, DEV_DEFAULT_SECRETS, isProduction } from "../env.ts";
import { ApiError } from "../errors.ts";
import { readJson } from "../http.ts";
import { issueAdminToken, secretsEqual } from "../middleware/auth.ts";

const tokenRequest = z.object({ secret: z.string({ error: "is required" }).min(1, "must not be empty").max(1024) });

export const auth = new Hono<AppEnv>()
  /** `{"secret": "<ADMIN_SECRET>"}` → `{"token","expires_at"}` (HS256 JWT). */
  .post("/token", async (c) => {
    const { secret } = await readJson(c, tokenRequest);
    if (!(await secretsEqual(secret, c.env.ADMIN_SECRET))) {
      throw new ApiError(401, "INVALID_SECRET", "The admin secret is wrong");
    }
    return c.json(await issueAdminToken(c.env, Math.floor(Date.now() / 1000)));
  })
  /**
   * Local convenience for the workspace pages: while the development secret is in use, a token
   * is handed out without it. Refused in production and as soon as a real secret is set.
   */
  .post("/dev-token", async (c) => {
    if (isProduction(c.env) || c.env.ADMIN_SECRET !== DEV_DEFAULT_SECRETS.ADMIN_SECRET) {
      throw new ApiError(403, "DEV_LOGIN_DISABLED", "Sign in with the admin secret (POST /v1/auth/token)");
    }
    return c.json(await issueAdminToken(c.env, Math.floor(Date.now() / 1000)));
  });
