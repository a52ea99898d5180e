/**
 * Streaming readers for uploaded files: NDJSON, a JSON array, or CSV with a header row. They read
 * chunk by chunk and yield one record at a time, so a file of a million events is never held in
 * memory, in the Worker or in the CLI.
 */

export type RecordFormat = "ndjson" | "json" | "csv";

export type RecordItem =
  | { index: number; record: unknown }
  /** A record that could not even be parsed; the batch goes on without it. */
  | { index: number; error: string };

/** The whole body is unusable (a JSON array with a syntax error, a CSV without a header). */
export class MalformedBodyError extends Error {
  constructor(
    message: string,
    readonly offset?: number,
  ) {
    super(message);
    this.name = "MalformedBodyError";
  }
}

/** Picks the format from a Content-Type or a file name. */
export function formatFrom(contentTypeOrName: string): RecordFormat | null {
  const value = contentTypeOrName.toLowerCase().split(";")[0]!.trim();
  if (/(^|\/)(x-)?ndjson$|jsonl$|json-seq$|\.ndjson$|\.jsonl$/.test(value)) return "ndjson";
  if (/(^|\/)json$|\.json$/.test(value)) return "json";
  if (/(^|\/)csv$|\.csv$/.test(value)) return "csv";
  return null;
}

/** Decodes UTF-8 byte chunks into text chunks (a BOM at the start is dropped). */
export async function* decodeUtf8(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false });
  for await (const chunk of chunks) {
    const text = typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    if (text) yield text;
  }
  const tail = decoder.decode();
  if (tail) yield tail;
}

export function readRecords(text: AsyncIterable<string>, format: RecordFormat): AsyncGenerator<RecordItem> {
  switch (format) {
    case "ndjson":
      return readNdjson(text);
    case "json":
      return readJsonArray(text);
    case "csv":
      return readCsvRecords(text);
  }
}

/** One JSON value per line; blank lines are skipped; a bad line is a rejected record, not a failed batch. */
export async function* readNdjson(text: AsyncIterable<string>): AsyncGenerator<RecordItem> {
  let carry = "";
  let index = 0;
  for await (const chunk of text) {
    carry += chunk;
    let newline = carry.indexOf("\n");
    let start = 0;
    while (newline !== -1) {
      const line = carry.slice(start, newline).trim();
      if (line) yield parseNdjsonLine(line, index++);
      start = newline + 1;
      newline = carry.indexOf("\n", start);
    }
    carry = carry.slice(start);
  }
  const last = carry.trim();
  if (last) yield parseNdjsonLine(last, index++);
}

/** Record `index` of an NDJSON body from its trimmed, non-blank line: a bad line is a rejected record. */
export function parseNdjsonLine(line: string, index: number): RecordItem {
  try {
    return { index, record: JSON.parse(line) };
  } catch (error) {
    return { index, error: `is not valid JSON (${(error as Error).message})` };
  }
}

/**
 * The elements of a top-level JSON array, one at a time. Tracks strings, escapes and nesting to
 * find element boundaries, then JSON.parse-s each element. A syntax error anywhere fails the
 * whole body: a JSON document is all or nothing.
 */
export async function* readJsonArray(text: AsyncIterable<string>): AsyncGenerator<RecordItem> {
  let state: "before" | "elements" | "after" = "before";
  let depth = 0;
  let inString = false;
  let escaped = false;
  let element = "";
  let index = 0;
  let offset = 0;
  let sawComma = false;
  const finishElement = (): RecordItem | null => {
    const source = element.trim();
    element = "";
    if (!source) {
      if (sawComma) throw new MalformedBodyError("a JSON array element is empty (two commas in a row, or a trailing comma)", offset);
      return null;
    }
    const position = index++;
    try {
      return { index: position, record: JSON.parse(source) };
    } catch (error) {
      throw new MalformedBodyError(`element ${position} is not valid JSON (${(error as Error).message})`, offset);
    }
  };
  for await (const chunk of text) {
    let segmentStart = 0;
    for (let i = 0; i < chunk.length; i++, offset++) {
      const c = chunk[i]!;
      if (state === "before") {
        if (c === "[") {
          state = "elements";
          segmentStart = i + 1;
        } else if (!/\s/.test(c)) {
          throw new MalformedBodyError("the body must be a JSON array of events (or NDJSON with Content-Type application/x-ndjson)", offset);
        }
        continue;
      }
      if (state === "after") {
        if (!/\s/.test(c)) throw new MalformedBodyError("unexpected data after the closing ] of the JSON array", offset);
        continue;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (c === "\\") escaped = true;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') inString = true;
      else if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        if (depth === 0 && c === "]") {
          element += chunk.slice(segmentStart, i);
          const item = finishElement();
          if (item) yield item;
          state = "after";
          continue;
        }
        depth--;
        if (depth < 0) throw new MalformedBodyError(`unbalanced ${c}`, offset);
      } else if (c === "," && depth === 0) {
        element += chunk.slice(segmentStart, i);
        sawComma = true;
        const item = finishElement();
        if (!item) throw new MalformedBodyError("a JSON array element is empty (two commas in a row, or a leading comma)", offset);
        yield item;
        segmentStart = i + 1;
      }
    }
    if (state === "elements") element += chunk.slice(segmentStart);
  }
  if (state === "before") throw new MalformedBodyError("the body is empty; expected a JSON array of events", offset);
  if (state === "elements") throw new MalformedBodyError("the JSON array is not closed (missing ])", offset);
}

/** RFC 4180 rows: quoted fields, doubled quotes, CRLF or LF line ends. */
export async function* readCsvRows(text: AsyncIterable<string>): AsyncGenerator<string[]> {
  let field = "";
  let row: string[] = [];
  let inQuotes = false;
  let quoteJustClosed = false;
  let pendingCR = false;
  for await (const chunk of text) {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (pendingCR) {
        pendingCR = false;
        if (c === "\n") continue;
      }
      if (inQuotes) {
        if (c === '"') {
          inQuotes = false;
          quoteJustClosed = true;
        } else field += c;
        continue;
      }
      if (c === '"') {
        if (quoteJustClosed) field += '"'; // a doubled quote inside a quoted field
        inQuotes = true;
        quoteJustClosed = false;
        continue;
      }
      quoteJustClosed = false;
      if (c === ",") {
        row.push(field);
        field = "";
      } else if (c === "\n" || c === "\r") {
        pendingCR = c === "\r";
        row.push(field);
        field = "";
        if (row.length > 1 || row[0] !== "") yield row;
        row = [];
      } else field += c;
    }
  }
  if (inQuotes) throw new MalformedBodyError("the CSV ends inside a quoted field");
  if (field !== "" || row.length > 0) {
    row.push(field);
    if (row.length > 1 || row[0] !== "") yield row;
  }
}

const NUMERIC = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const LIST_FIELDS = new Set(["product_ids", "invoice_ids", "bill_ids", "data_quality_flags"]);
/** Columns that hold identifiers stay strings even when they look like numbers. */
const ID_FIELD = /(^|_)(id|ids)$/;

/**
 * Canonical events from a CSV whose header names the fields; nested fields use dotted columns
 * (`attributes.days_late`, `related_entity_ids.customer_id`), lists are `;`-separated, numbers
 * are read as numbers, and empty cells are left out.
 */
export async function* readCsvRecords(text: AsyncIterable<string>): AsyncGenerator<RecordItem> {
  let header: string[] | null = null;
  let index = 0;
  for await (const row of readCsvRows(text)) {
    if (!header) {
      header = row.map((h) => h.trim());
      if (!header.includes("event_type")) {
        throw new MalformedBodyError("the CSV header must name the canonical fields (event_id, event_type, event_time, …)");
      }
      continue;
    }
    if (row.length !== header.length) {
      yield { index: index++, error: `has ${row.length} columns but the header has ${header.length}` };
      continue;
    }
    const record: Record<string, unknown> = {};
    header.forEach((column, k) => setCsvField(record, column, row[k]!));
    yield { index: index++, record };
  }
  if (!header) throw new MalformedBodyError("the CSV is empty; expected a header row");
}

function setCsvField(record: Record<string, unknown>, column: string, raw: string): void {
  const cell = raw.trim();
  if (cell === "") return;
  const path = column.split(".");
  const leaf = path[path.length - 1]!;
  let value: unknown = cell;
  if (LIST_FIELDS.has(leaf)) value = cell.split(";").map((s) => s.trim()).filter(Boolean);
  else if (!ID_FIELD.test(leaf) && leaf !== "currency" && NUMERIC.test(cell)) value = Number(cell);
  let target = record;
  for (const key of path.slice(0, -1)) {
    const next = target[key];
    if (typeof next !== "object" || next === null) target[key] = {};
    target = target[key] as Record<string, unknown>;
  }
  target[leaf] = value;
}
