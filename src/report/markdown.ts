/**
 * The postmortem as Markdown: the report document turned into an mdast tree and serialized by
 * mdast-util-to-markdown. GFM tables are written by a small handler here (the GFM table extension
 * is not among the project's dependencies): cells are escaped by the library's own phrasing
 * serializer, then pipes and line breaks are escaped for the table syntax.
 */
import type { BlockContent, Heading, List, ListItem, Paragraph, PhrasingContent, Root, RootContent, Table, TableCell, TableRow } from "mdast";
import { type Handle, toMarkdown } from "mdast-util-to-markdown";
import { postmortemDocument, type Block, type Rich } from "./document.ts";
import type { Postmortem } from "./postmortem-schema.ts";

function phrasing(runs: Rich): PhrasingContent[] {
  return runs.map((run): PhrasingContent => {
    switch (run.style) {
      case "bold":
        return { type: "strong", children: [{ type: "text", value: run.text }] };
      case "italic":
        return { type: "emphasis", children: [{ type: "text", value: run.text }] };
      case "code":
        return { type: "inlineCode", value: run.text };
      case "plain":
        return { type: "text", value: run.text };
    }
  });
}

function paragraph(runs: Rich): Paragraph {
  return { type: "paragraph", children: phrasing(runs) };
}

function blockNode(block: Block): RootContent {
  switch (block.type) {
    case "heading":
      return { type: "heading", depth: 2, children: [{ type: "text", value: block.text }] } satisfies Heading;
    case "paragraph":
      return paragraph(block.runs);
    case "quote":
      return { type: "blockquote", children: [paragraph(block.runs)] };
    case "list":
      return {
        type: "list",
        ordered: block.ordered,
        start: block.ordered ? 1 : null,
        spread: false,
        children: block.items.map((runs): ListItem => ({ type: "listItem", spread: false, children: [paragraph(runs) as BlockContent] })),
      } satisfies List;
    case "table":
      return {
        type: "table",
        align: block.columns.map((c) => (c.align === "right" ? "right" : "left")),
        children: [
          { type: "tableRow", children: block.columns.map((c): TableCell => ({ type: "tableCell", children: [{ type: "text", value: c.header }] })) },
          ...block.rows.map((row): TableRow => ({ type: "tableRow", children: row.map((runs): TableCell => ({ type: "tableCell", children: phrasing(runs) })) })),
        ],
      } satisfies Table;
  }
}

/** The mdast tree of a postmortem: the title, its key facts, then the eight sections. */
export function postmortemMdast(pm: Postmortem): Root {
  const doc = postmortemDocument(pm);
  const facts: PhrasingContent[] = [];
  doc.facts.forEach(([label, value], i) => {
    if (i > 0) facts.push({ type: "text", value: " · " });
    facts.push({ type: "strong", children: [{ type: "text", value: label }] }, { type: "text", value: ` ${value}` });
  });
  return {
    type: "root",
    children: [{ type: "heading", depth: 1, children: [{ type: "text", value: doc.title }] }, { type: "paragraph", children: facts }, ...doc.blocks.map(blockNode)],
  };
}

/** GFM pipe table: header, delimiter row with alignment, body rows. */
const table: Handle = (node: Table, _parent, state, info) => {
  const rows = node.children.map((row) =>
    row.children.map((c) =>
      state
        .containerPhrasing(c, { ...info, before: "|", after: "|" })
        .replace(/\r?\n/g, " ")
        .replace(/(?<!\\)\|/g, "\\|"),
    ),
  );
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  const delimiter = (node.align ?? []).map((a) => (a === "right" ? "---:" : a === "center" ? ":---:" : "---"));
  return [line(rows[0] ?? []), line(delimiter), ...rows.slice(1).map(line)].join("\n");
};

/** The postmortem as Markdown text (ends with a newline). */
export function renderPostmortemMarkdown(pm: Postmortem): string {
  return toMarkdown(postmortemMdast(pm), { bullet: "-", emphasis: "_", rule: "-", handlers: { table } });
}
