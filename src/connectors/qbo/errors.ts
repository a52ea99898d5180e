/**
 * Every QBO failure as a typed error with a stable `code`, built from Intuit's `Fault` body in any
 * of its three shapes (README of shared/fixtures/qbo, "Errors"): `{"Fault":{"Error":[{Message,
 * Detail,code,element}],"type"}}`, the lowercase `{"fault":{"error":[{message,detail,code}]}}`
 * seen on 401s, and XML `<Fault type><Error code><Message/><Detail/></Error></Fault>`.
 */
import { listField, objectField, stringField } from "./entities.ts";
import { qboXmlToJson } from "./xml.ts";

export interface FaultDetail {
  code: string;
  message: string;
  detail?: string;
  element?: string;
}

export type QboErrorCode =
  | "QBO_AUTHENTICATION"
  | "QBO_AUTHORIZATION"
  | "QBO_THROTTLED"
  | "QBO_VALIDATION"
  | "QBO_NOT_FOUND"
  | "QBO_STALE_OBJECT"
  | "QBO_SERVER"
  | "QBO_PROTOCOL"
  | "QBO_NETWORK"
  | "QBO_REFRESH_FAILED"
  | "QBO_NOT_CONNECTED";

export class QboError extends Error {
  readonly code: QboErrorCode;
  /** HTTP status of the answer (0 when there was none). */
  readonly status: number;
  /** Fault `type` (`ValidationFault`, `AUTHENTICATION`, `SERVICE`, `SystemFault`, …). */
  readonly faultType?: string;
  readonly errors: readonly FaultDetail[];
  /** `Intuit-Tid` of the answer: Intuit support asks for it. */
  readonly intuitTid?: string;
  /** For throttling and outages: how long to wait before trying again, when known. */
  retryAfterMs?: number;

  constructor(
    code: QboErrorCode,
    message: string,
    init: { status?: number; faultType?: string; errors?: FaultDetail[]; intuitTid?: string; cause?: unknown } = {},
  ) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = init.status ?? 0;
    this.faultType = init.faultType;
    this.errors = init.errors ?? [];
    this.intuitTid = init.intuitTid;
  }

  /** Whether trying the same request again later may succeed. */
  get retryable(): boolean {
    return this.code === "QBO_THROTTLED" || this.code === "QBO_SERVER" || this.code === "QBO_NETWORK";
  }
}

/** 401: the access token is missing, expired or revoked. */
export class QboAuthenticationError extends QboError {}
/** 403: the app or user may not do this (AuthorizationFault). */
export class QboAuthorizationError extends QboError {}
/** 429 (or 403 with code 3001): over the request limit. */
export class QboThrottleError extends QboError {}
/** 400 ValidationFault: the request is wrong and will stay wrong. */
export class QboValidationError extends QboError {}
/** Fault 610 "Object Not Found": read of a deleted (or never existing) entity. */
export class QboNotFoundError extends QboError {}
/** Fault 5010: the SyncToken sent is not the current one. */
export class QboStaleObjectError extends QboError {}
/** 5xx or SystemFault: Intuit's side failed. */
export class QboServerError extends QboError {}
/** The answer is not what the API promises (no Fault body, not JSON, missing envelope). */
export class QboProtocolError extends QboError {}
/** No answer at all (connection refused, reset, timed out). */
export class QboNetworkError extends QboError {}

const THROTTLE_CODE = "3001";
const NOT_FOUND_CODE = "610";
const STALE_CODE = "5010";

/** Reads the Fault details out of a body in any of the three shapes; empty when there is none. */
export function readFault(bodyText: string): { faultType?: string; errors: FaultDetail[] } {
  const trimmed = bodyText.trim();
  let body: Record<string, unknown> | undefined;
  try {
    if (trimmed.startsWith("<")) body = qboXmlToJson(trimmed);
    else if (trimmed.startsWith("{")) body = objectField(JSON.parse(trimmed));
  } catch {
    return { errors: [] };
  }
  const fault = objectField(body?.Fault) ?? objectField(body?.fault);
  if (!fault) return { errors: [] };
  const errors = listField(fault.Error ?? fault.error).map((e) => {
    const code = e.code === undefined || e.code === null ? "" : String(e.code);
    const detail: FaultDetail = { code, message: stringField(e.Message ?? e.message) ?? "" };
    const text = stringField(e.Detail ?? e.detail);
    if (text) detail.detail = text;
    const element = stringField(e.element);
    if (element) detail.element = element;
    return detail;
  });
  const faultType = stringField(fault.type);
  return faultType ? { faultType, errors } : { errors };
}

/**
 * The typed error for a failed answer. `what` names the request in the message
 * (`read Invoice 7`, `query Customer page at 1001`).
 */
export function faultToError(status: number, bodyText: string, what: string, intuitTid?: string): QboError {
  const { faultType, errors } = readFault(bodyText);
  const first = errors[0];
  const summary = first ? `${first.message || "fault"}${first.detail ? `: ${first.detail}` : ""} (code ${first.code || "?"})` : `HTTP ${status}`;
  const init = { status, faultType, errors, intuitTid };
  const codes = new Set(errors.map((e) => e.code));
  const message = `QuickBooks ${what} failed: ${summary}${intuitTid ? ` [intuit_tid ${intuitTid}]` : ""}`;

  if (status === 429 || codes.has(THROTTLE_CODE)) return new QboThrottleError("QBO_THROTTLED", message, init);
  if (status === 401 || faultType?.toUpperCase() === "AUTHENTICATION") return new QboAuthenticationError("QBO_AUTHENTICATION", message, init);
  if (status === 403 || faultType === "AuthorizationFault") return new QboAuthorizationError("QBO_AUTHORIZATION", message, init);
  if (codes.has(NOT_FOUND_CODE) || status === 404) return new QboNotFoundError("QBO_NOT_FOUND", message, init);
  if (codes.has(STALE_CODE)) return new QboStaleObjectError("QBO_STALE_OBJECT", message, init);
  if (status >= 500 || faultType === "SystemFault") return new QboServerError("QBO_SERVER", message, init);
  if (errors.length > 0) return new QboValidationError("QBO_VALIDATION", message, init);
  return new QboProtocolError("QBO_PROTOCOL", `QuickBooks ${what}: unexpected HTTP ${status} with no Fault body${intuitTid ? ` [intuit_tid ${intuitTid}]` : ""}`, init);
}
