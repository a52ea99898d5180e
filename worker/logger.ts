/**
 * JSON logs, one object per line, each carrying the request (or run) id so a request can be
 * followed from the edge through queues into scans.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  readonly context: Readonly<Record<string, unknown>>;
  debug(event: string, fields?: Record<string, unknown>): void;
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
let threshold: LogLevel = "info";

/** Sets the lowest level written (from the LOG_LEVEL variable; tests use "error"). */
export function setLogLevel(level: string | undefined): void {
  if (level && level in RANK) threshold = level as LogLevel;
}

export function createLogger(context: Record<string, unknown> = {}, sink: (line: string) => void = defaultSink): Logger {
  const write = (level: LogLevel, event: string, fields?: Record<string, unknown>) => {
    if (RANK[level] < RANK[threshold]) return;
    sink(JSON.stringify({ time: new Date().toISOString(), level, event, ...context, ...fields }));
  };
  return {
    context,
    debug: (e, f) => write("debug", e, f),
    info: (e, f) => write("info", e, f),
    warn: (e, f) => write("warn", e, f),
    error: (e, f) => write("error", e, f),
    child: (fields) => createLogger({ ...context, ...fields }, sink),
  };
}

function defaultSink(line: string): void {
  console.log(line);
}

export function errorFields(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { error: error.message, error_name: error.name, stack: error.stack?.split("\n").slice(0, 5).join("\n") };
  return { error: String(error) };
}
