/**
 * QBO's XML (the v3 API speaks it too; several real fixtures and some Intuit error bodies are XML)
 * → the JSON shape Intuit returns for the same document. The rules are the ones the two formats
 * follow: a `…Ref` element becomes `{value, name?, type?}`; repeated children and the list fields
 * (`Line`, `LinkedTxn`, …) become arrays; money and quantities become numbers; `true`/`false`
 * become booleans; `Id` and `SyncToken` stay strings. Only what QBO emits is supported (elements,
 * attributes, text, the five entities and character references), not XML in general.
 */

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/** Children that are lists in QBO's JSON even when only one is present. */
const LIST_FIELDS = new Set(["Line", "LinkedTxn", "CustomField", "TaxLine", "Error", "NameValue"]);

/** Fields whose text is a number in QBO's JSON. */
const NUMBER_FIELDS = new Set([
  "Amount",
  "TotalAmt",
  "Balance",
  "BalanceWithJobs",
  "UnitPrice",
  "Qty",
  "UnappliedAmt",
  "RemainingCredit",
  "TotalTax",
  "TaxPercent",
  "NetAmountTaxable",
  "LineNum",
  "QtyOnHand",
  "ReorderPoint",
  "ExchangeRate",
  "DiscountPercent",
  "HomeTotalAmt",
  "HomeBalance",
  "PurchaseCost",
  "startPosition",
  "maxResults",
  "totalCount",
]);

/** Parses QBO XML into its JSON form: `IntuitResponse` becomes the usual envelope with `time`. */
export function qboXmlToJson(xml: string): Record<string, unknown> {
  const root = parseXml(xml);
  if (root.name !== "IntuitResponse") return { [root.name]: elementToJson(root) };
  const envelope: Record<string, unknown> = {};
  for (const child of root.children) {
    if (child.name === "QueryResponse") envelope.QueryResponse = queryResponseToJson(child);
    else if (child.name === "CDCResponse") {
      envelope.CDCResponse = [{ QueryResponse: child.children.filter((c) => c.name === "QueryResponse").map(queryResponseToJson) }];
    } else envelope[child.name] = elementToJson(child);
  }
  if (root.attributes.time !== undefined) envelope.time = root.attributes.time;
  return envelope;
}

function queryResponseToJson(element: XmlElement): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const child of element.children) {
    const list = (out[child.name] as unknown[] | undefined) ?? [];
    list.push(elementToJson(child));
    out[child.name] = list;
  }
  for (const [key, value] of Object.entries(element.attributes)) out[key] = NUMBER_FIELDS.has(key) ? Number(value) : value;
  return out;
}

function elementToJson(element: XmlElement): unknown {
  if (element.name.endsWith("Ref")) {
    const ref: Record<string, string> = { value: element.text.trim() };
    for (const [key, value] of Object.entries(element.attributes)) ref[key] = value;
    return ref;
  }
  if (element.children.length === 0) {
    const hasAttributes = Object.keys(element.attributes).length > 0;
    if (!hasAttributes) return element.text.trim() === "" ? {} : scalar(element.name, element.text.trim());
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(element.attributes)) {
    if (key === "xmlns" || key.startsWith("xmlns:")) continue;
    out[key] = value === "true" ? true : value === "false" ? false : value;
  }
  const counts = new Map<string, number>();
  for (const child of element.children) counts.set(child.name, (counts.get(child.name) ?? 0) + 1);
  for (const child of element.children) {
    const value = elementToJson(child);
    if (LIST_FIELDS.has(child.name) || (counts.get(child.name) ?? 0) > 1) {
      const list = (out[child.name] as unknown[] | undefined) ?? [];
      list.push(value);
      out[child.name] = list;
    } else out[child.name] = value;
  }
  // A Fault's Error carries its code as an attribute and Message/Detail as children.
  if (element.children.length === 0 && element.text.trim() !== "") out.value = element.text.trim();
  return out;
}

function scalar(name: string, text: string): unknown {
  if (NUMBER_FIELDS.has(name) && /^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text === "true") return true;
  if (text === "false") return false;
  return text;
}

const TOKEN = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[([\s\S]*?)\]\]>|<\/([\w:.-]+)\s*>|<([\w:.-]+)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
const ATTRIBUTE = /([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

function parseXml(xml: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  for (const match of xml.matchAll(TOKEN)) {
    const [, cdata, closing, opening, attributeText, selfClosing, text] = match;
    if (opening !== undefined) {
      const element: XmlElement = { name: localName(opening), attributes: parseAttributes(attributeText ?? ""), children: [], text: "" };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(element);
      else if (root) throw new Error("qboXmlToJson: more than one root element");
      else root = element;
      if (selfClosing !== "/") stack.push(element);
    } else if (closing !== undefined) {
      const open = stack.pop();
      if (!open || open.name !== localName(closing)) throw new Error(`qboXmlToJson: unexpected closing tag </${closing}>`);
    } else if (text !== undefined || cdata !== undefined) {
      const parent = stack[stack.length - 1];
      if (parent) parent.text += cdata ?? decodeEntities(text!);
      else if ((text ?? "").trim() !== "") throw new Error("qboXmlToJson: text outside the root element");
    } else if (match[0].startsWith("<") && !match[0].startsWith("<!--") && !match[0].startsWith("<?")) {
      throw new Error(`qboXmlToJson: malformed markup near "${match[0].slice(0, 40)}"`);
    }
  }
  if (!root) throw new Error("qboXmlToJson: no root element");
  if (stack.length > 0) throw new Error(`qboXmlToJson: element <${stack[stack.length - 1]!.name}> is not closed`);
  return root;
}

function parseAttributes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [, name, double, single] of text.matchAll(ATTRIBUTE)) out[localName(name!)] = decodeEntities(double ?? single ?? "");
  return out;
}

function localName(name: string): string {
  const colon = name.indexOf(":");
  return colon >= 0 && !name.startsWith("xmlns") ? name.slice(colon + 1) : name;
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, entity: string) => {
    if (entity[0] === "#") return String.fromCodePoint(entity[1] === "x" ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10));
    return { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" }[entity]!;
  });
}
