import { describe, expect, it } from "vitest";
import { formatFrom, MalformedBodyError, readCsvRows, readRecords, type RecordFormat, type RecordItem } from "./records.ts";

/** Feeds `text` in chunks of `size` characters, to exercise boundaries inside tokens. */
async function* chunked(text: string, size: number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

async function collect(text: string, format: RecordFormat, size = 7): Promise<RecordItem[]> {
  const out: RecordItem[] = [];
  for await (const item of readRecords(chunked(text, size), format)) out.push(item);
  return out;
}

describe("formatFrom", () => {
  it.each([
    ["application/x-ndjson", "ndjson"],
    ["application/jsonl; charset=utf-8", "ndjson"],
    ["application/json", "json"],
    ["text/csv", "csv"],
    ["events.ndjson", "ndjson"],
    ["events.csv", "csv"],
    ["text/plain", null],
  ])("%s → %s", (input, expected) => expect(formatFrom(input)).toBe(expected));
});

describe("NDJSON", () => {
  it("numbers records by position, skipping blank lines, and keeps going after a bad line", async () => {
    const items = await collect('{"a":1}\n\n"x"\r\n{broken\n{"b":2}', "ndjson");
    expect(items).toEqual([
      { index: 0, record: { a: 1 } },
      { index: 1, record: "x" },
      { index: 2, error: expect.stringMatching(/^is not valid JSON/) },
      { index: 3, record: { b: 2 } },
    ]);
  });
});

describe("JSON array", () => {
  it("yields each element, whatever the chunk boundaries", async () => {
    const text = ' [ {"s": "a,]}\\"[", "n": [1, {"x": 2}]}, 3 , "four" ] ';
    for (const size of [1, 2, 5, 1000]) {
      expect(await collect(text, "json", size)).toEqual([
        { index: 0, record: { s: 'a,]}"[', n: [1, { x: 2 }] } },
        { index: 1, record: 3 },
        { index: 2, record: "four" },
      ]);
    }
  });

  it("accepts an empty array", async () => {
    expect(await collect("[]", "json")).toEqual([]);
  });

  it.each([
    ["", /empty/],
    ['{"a":1}', /must be a JSON array/],
    ["[1, 2", /not closed/],
    ["[1,,2]", /empty/],
    ["[1, 2,]", /empty/],
    ["[1] x", /after the closing/],
    ["[{bad}]", /element 0 is not valid JSON/],
  ])("fails the whole body for %j", async (text, message) => {
    await expect(collect(text, "json")).rejects.toThrow(MalformedBodyError);
    await expect(collect(text, "json")).rejects.toThrow(message);
  });
});

describe("CSV", () => {
  it("parses RFC 4180 quoting and line ends", async () => {
    const rows: string[][] = [];
    for await (const row of readCsvRows(chunked('a,b\r\n"x, ""y""",2\n"multi\nline",3', 3))) rows.push(row);
    expect(rows).toEqual([
      ["a", "b"],
      ['x, "y"', "2"],
      ["multi\nline", "3"],
    ]);
  });

  it("builds nested canonical records from dotted columns, with numbers and lists", async () => {
    const text = "event_id,event_type,amount,currency,related_entity_ids.customer_id,related_entity_ids.product_ids,attributes.days_late\n7,order_late,12.5,USD,00042,p1;p2,3\n";
    expect(await collect(text, "csv")).toEqual([
      {
        index: 0,
        record: {
          event_id: "7",
          event_type: "order_late",
          amount: 12.5,
          currency: "USD",
          related_entity_ids: { customer_id: "00042", product_ids: ["p1", "p2"] },
          attributes: { days_late: 3 },
        },
      },
    ]);
  });

  it("rejects a row with the wrong number of columns but keeps the others", async () => {
    const items = await collect("event_id,event_type\n1,a\n2\n3,c\n", "csv");
    expect(items.map((i) => ("error" in i ? `${i.index}:error` : `${i.index}:ok`))).toEqual(["0:ok", "1:error", "2:ok"]);
  });

  it("fails without a header naming the canonical fields, or inside an open quote", async () => {
    await expect(collect("a,b\n1,2\n", "csv")).rejects.toThrow(/header must name/);
    await expect(collect('event_type\n"open', "csv")).rejects.toThrow(/inside a quoted field/);
  });
});
