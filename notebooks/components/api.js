// Reads the workspace API on the same origin with an admin token kept for this browser session.
import { errorNotice } from "./notice.js";

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
    error.code = data?.error?.code;
    error.requestId = data?.error?.request_id;
    throw error;
  }
  return data;
}

/**
 * Awaits an API call without throwing: `[value, null]`, or `[fallback, error]` when it failed, so a
 * page can show what went wrong in place (`errorNotice`) and still draw its other sections.
 */
export async function attempt(promise, fallback = null) {
  try {
    return [await promise, null];
  } catch (error) {
    return [fallback, error];
  }
}

/**
 * A page's loader: `load(what, path, fallback)` GETs `path` with `token`, shows an error notice
 * saying `what` (through the page's `display`) and returns `fallback` when it fails, and returns
 * `fallback` at once without a token. Each part of a page loads on its own this way.
 */
export function loader(token, display) {
  return async (what, path, fallback) => {
    if (!token) return fallback;
    const [value, failure] = await attempt(api(path, { token }), fallback);
    if (failure) display(errorNotice(failure, what));
    return value;
  };
}

/** The company in the page's ?company= parameter, default demo. */
export function currentCompany() {
  return new URLSearchParams(location.search).get("company") ?? "demo";
}

/**
 * Fetches an API file with the bearer token (a plain link cannot send it) and hands the browser
 * the blob as a download, named by the API's content-disposition or `filename`.
 */
export async function download(path, { token, filename } = {}) {
  const response = await fetch(path, { headers: { authorization: `Bearer ${token ?? (await adminToken())}` } });
  if (!response.ok) {
    const data = await response.json().catch(() => null);
    throw new Error(data?.error?.message ?? `GET ${path} failed (${response.status})`);
  }
  const named = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") ?? "")?.[1];
  const url = URL.createObjectURL(await response.blob());
  const link = Object.assign(document.createElement("a"), { href: url, download: named ?? filename ?? "download" });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
