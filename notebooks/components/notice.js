import { html } from "htl";

/**
 * What to tell a reader when an API call failed: what could not be done, the API's own message,
 * and what to do about it (sign in again, run a scan, check the Worker), with the request id to
 * quote when asking for help.
 *
 * @example describeError({ status: 404, message: "No incident with id x" }, "The incident could not be loaded")
 * // { title: "The incident could not be loaded", detail: "No incident with id x", hint: "Check the link, or pick one from the list.", requestId: null }
 */
export function describeError(error, what) {
  const status = error?.status;
  const offline = !status && /fetch|network|load failed/i.test(error?.message ?? "");
  const hint =
    offline ? "The workspace API did not answer: is the Worker running (npm start)?"
    : status === 401 ? "Your session has expired: reload the page to sign in again."
    : status === 403 ? "This token may not do that."
    : status === 404 ? "Check the link, or pick one from the list."
    : error?.code === "NO_SCAN" || error?.code === "RUN_NOT_COMPLETED" ? "Run a scan of this company first (POST /v1/scan), then reload."
    : status >= 500 ? "The API failed; the Worker's log has the details."
    : null;
  return {
    title: what,
    detail: offline ? "network error" : (error?.message ?? String(error)),
    hint,
    requestId: error?.requestId ?? null,
  };
}

/** An API failure as a notice in the page (see `describeError`). */
export function errorNotice(error, what) {
  const d = describeError(error, what);
  return html`<div class="error-notice" role="alert">
    <strong>${d.title}.</strong> ${d.detail}
    ${d.hint ? html`<br><span class="muted">${d.hint}</span>` : ""}
    ${d.requestId ? html` <span class="muted">(request <code>${d.requestId}</code>)</span>` : ""}
  </div>`;
}
