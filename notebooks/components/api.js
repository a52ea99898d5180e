// Reads the workspace API on the same origin with an admin token kept for this browser session.
const TOKEN_KEY = "bre.admin-token";

function stored() {
  try {
    const value = JSON.parse(sessionStorage.getItem(TOKEN_KEY) ?? "null");
    if (value && Date.parse(value.expires_at) - Date.now() > 60_000) return value.token;
  } catch {}
  return null;
}

function keep(grant) {
  sessionStorage.setItem(TOKEN_KEY, JSON.stringify(grant));
  return grant.token;
}

/** The admin token: from this session, or the local development grant; null when sign-in is needed. */
export async function adminToken() {
  const token = stored();
  if (token) return token;
  const response = await fetch("/v1/auth/dev-token", { method: "POST" });
  if (response.ok) return keep(await response.json());
  return null;
}

/** Exchanges the admin secret for a token. Throws with the API's message when refused. */
export async function signIn(secret) {
  const response = await fetch("/v1/auth/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ secret }),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(body?.error?.message ?? `sign-in failed (${response.status})`);
  return keep(body);
}

/** GET/POST an API path; errors carry the envelope's message and request id. */
export async function api(path, { method = "GET", body, token } = {}) {
  const headers = { authorization: `Bearer ${token ?? (await adminToken())}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    if (response.status === 401) sessionStorage.removeItem(TOKEN_KEY);
    const error = new Error(data?.error?.message ?? `${method} ${path} failed (${response.status})`);
    error.status = response.status;
    error.requestId = data?.error?.request_id;
    throw error;
  }
  return data;
}

/** The company in the page's ?company= parameter, default demo. */
export function currentCompany() {
  return new URLSearchParams(location.search).get("company") ?? "demo";
}
