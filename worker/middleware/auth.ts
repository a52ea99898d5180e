import type { MiddlewareHandler } from "hono";
import { sign, verify } from "hono/jwt";
import type { AppEnv, Bindings } from "../env.ts";
import { numberVar } from "../env.ts";
import { ApiError } from "../errors.ts";

const ISSUER = "bre-workspace";
const AUDIENCE = "bre-admin";

/** Issues an HS256 admin token signed with ADMIN_SECRET. */
export async function issueAdminToken(env: Bindings, nowSeconds: number): Promise<{ token: string; expires_at: string }> {
  const ttl = numberVar(env.TOKEN_TTL_SECONDS, 3600);
  const exp = nowSeconds + ttl;
  const token = await sign(
    { sub: "admin", role: "admin", iss: ISSUER, aud: AUDIENCE, iat: nowSeconds, nbf: nowSeconds, exp, jti: crypto.randomUUID() },
    env.ADMIN_SECRET,
    "HS256",
  );
  return { token, expires_at: new Date(exp * 1000).toISOString() };
}

/** Constant-time comparison of two strings (via their SHA-256, so lengths leak nothing). */
export async function secretsEqual(a: string, b: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [x, y] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(a)),
    crypto.subtle.digest("SHA-256", encoder.encode(b)),
  ]);
  const left = new Uint8Array(x);
  const right = new Uint8Array(y);
  let diff = 0;
  for (let i = 0; i < left.length; i++) diff |= left[i]! ^ right[i]!;
  return diff === 0;
}

/** Admin routes: a valid, unexpired bearer token signed with ADMIN_SECRET, or 401. */
export function requireAdmin(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization");
    if (!header) throw new ApiError(401, "AUTH_REQUIRED", "This route needs an admin token: Authorization: Bearer <token> (POST /v1/auth/token)");
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new ApiError(401, "AUTH_REQUIRED", "The Authorization header must be 'Bearer <token>'");
    let payload: Record<string, unknown>;
    try {
      payload = (await verify(match[1]!, c.env.ADMIN_SECRET, { alg: "HS256", iss: ISSUER, aud: AUDIENCE })) as Record<string, unknown>;
    } catch (error) {
      const name = (error as Error).name;
      if (name === "JwtTokenExpired") throw new ApiError(401, "TOKEN_EXPIRED", "The admin token has expired; request a new one from POST /v1/auth/token");
      throw new ApiError(401, "TOKEN_INVALID", "The admin token is not valid (bad signature, malformed, or not issued by this workspace)");
    }
    if (payload.role !== "admin") throw new ApiError(403, "FORBIDDEN", "The token does not grant admin access");
    await next();
  };
}
