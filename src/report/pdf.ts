/**
 * The postmortem as a PDF, drawn with pdf-lib in the 14 standard fonts (no font files, no network):
 * a title band with the key facts, numbered sections, wrapped paragraphs, lists with hanging
 * indents, tables whose header repeats after a page break, a running header and "Page i of n"
 * footers. Deterministic: the document dates come from the postmortem's `generated_at`.
 */
import { type Color, PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts } from "pdf-lib";
import { type Block, type Column, postmortemDocument, type ReportDocument, type Rich, type RunStyle } from "./document.ts";
import type { Postmortem } from "./postmortem-schema.ts";

// US Letter, in points.
const PAGE = { width: 612, height: 792 } as const;
const MARGIN = { left: 50, right: 50, top: 54, bottom: 58 } as const;
const CONTENT_WIDTH = PAGE.width - MARGIN.left - MARGIN.right;

const BODY = { size: 9.5, leading: 13.5 } as const;
const TABLE = { size: 8.5, leading: 11, padX: 5, padY: 3.5 } as const;

const INK = rgb(0.13, 0.15, 0.19);
const MUTED = rgb(0.42, 0.45, 0.5);
const RULE = rgb(0.83, 0.86, 0.9);
const HEADER_FILL = rgb(0.9, 0.92, 0.95);
const ZEBRA = rgb(0.97, 0.975, 0.985);
const BAND = rgb(0.12, 0.16, 0.24);
const ACCENT = rgb(0.24, 0.42, 0.75);
const QUOTE_FILL = rgb(0.94, 0.96, 0.99);
const SEVERITY_COLORS: Record<ReportDocument["severity"], Color> = {
  LOW: rgb(0.2, 0.55, 0.35),
  MEDIUM: rgb(0.85, 0.6, 0.1),
  HIGH: rgb(0.88, 0.4, 0.12),
  CRITICAL: rgb(0.78, 0.15, 0.17),
};

/** Characters the standard fonts' WinAnsi encoding lacks, written the way a reader expects. */
const REPLACEMENTS: Record<string, string> = {
  "→": "->",
  "←": "<-",
  "≥": ">=",
  "≤": "<=",
  "−": "-",
  "≈": "~",
  "σ": "sigma",
  "Σ": "Sum ",
  "Δ": "delta ",
  "∞": "inf",
  "\u00a0": " ",
  "\t": " ",
};
/** The 27 characters WinAnsi places in 0x80–0x9F (beyond Latin-1). */
const WIN_ANSI_EXTRA = new Set("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ");

/**
 * Text the standard fonts can draw: known symbols replaced (→ becomes ->), anything else outside
 * WinAnsi becomes "?", so a name in another script can never make the export fail.
 * @example winAnsi("a → b ≥ 3") // "a -> b >= 3"
 */
export function winAnsi(text: string): string {
  let out = "";
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if ((code >= 0x20 && code <= 0x7e) || (code >= 0xa1 && code <= 0xff) || WIN_ANSI_EXTRA.has(ch)) out += ch;
    else out += REPLACEMENTS[ch] ?? (ch === "\n" || ch === "\r" ? " " : "?");
  }
  return out;
}

interface Fonts {
  regular: PDFFont;
  bold: PDFFont;
  italic: PDFFont;
  mono: PDFFont;
}

interface Piece {
  text: string;
  font: PDFFont;
  size: number;
  width: number;
  color: Color;
}
interface Line {
  pieces: Piece[];
  width: number;
}

class Layout {
  readonly pages: PDFPage[] = [];
  page!: PDFPage;
  y = 0;

  constructor(
    private readonly pdf: PDFDocument,
    readonly fonts: Fonts,
    private readonly runningTitle: string,
  ) {}

  newPage(): void {
    this.page = this.pdf.addPage([PAGE.width, PAGE.height]);
    this.pages.push(this.page);
    this.y = PAGE.height - MARGIN.top;
    if (this.pages.length > 1) {
      const size = 8;
      const title = fit(winAnsi(this.runningTitle), this.fonts.bold, size, CONTENT_WIDTH);
      this.page.drawText(title, { x: MARGIN.left, y: PAGE.height - 34, size, font: this.fonts.bold, color: MUTED });
      this.page.drawLine({ start: { x: MARGIN.left, y: PAGE.height - 40 }, end: { x: PAGE.width - MARGIN.right, y: PAGE.height - 40 }, thickness: 0.5, color: RULE });
    }
  }

  /** Room left on the page above the bottom margin. */
  get room(): number {
    return this.y - MARGIN.bottom;
  }

  /** Starts a new page unless `height` still fits. */
  ensure(height: number): void {
    if (height > this.room) this.newPage();
  }

  fontFor(style: RunStyle): PDFFont {
    return style === "bold" ? this.fonts.bold : style === "italic" ? this.fonts.italic : style === "code" ? this.fonts.mono : this.fonts.regular;
  }

  /** Greedy word wrap of styled runs into lines no wider than `width`; over-long words are broken. */
  wrap(runs: Rich, width: number, size: number, color: Color = INK): Line[] {
    const lines: Line[] = [];
    let line: Line = { pieces: [], width: 0 };
    const push = () => {
      // A trailing space does not count toward the line's width.
      const last = line.pieces[line.pieces.length - 1];
      if (last && /\s$/.test(last.text)) {
        const trimmed = last.text.replace(/\s+$/, "");
        line.width -= last.width - last.font.widthOfTextAtSize(trimmed, last.size);
        last.width = last.font.widthOfTextAtSize(trimmed, last.size);
        last.text = trimmed;
      }
      lines.push(line);
      line = { pieces: [], width: 0 };
    };
    const add = (text: string, font: PDFFont, pieceSize: number) => {
      const w = font.widthOfTextAtSize(text, pieceSize);
      const prev = line.pieces[line.pieces.length - 1];
      if (prev && prev.font === font && prev.size === pieceSize) {
        prev.text += text;
        prev.width += w;
      } else {
        line.pieces.push({ text, font, size: pieceSize, width: w, color });
      }
      line.width += w;
    };
    for (const run of runs) {
      const font = this.fontFor(run.style);
      const pieceSize = run.style === "code" ? size * 0.95 : size;
      for (const token of winAnsi(run.text).match(/\s+|\S+/g) ?? []) {
        if (/^\s+$/.test(token)) {
          if (line.pieces.length > 0) add(" ", font, pieceSize);
          continue;
        }
        let word = token;
        let w = font.widthOfTextAtSize(word, pieceSize);
        if (line.width + w > width && line.pieces.length > 0) push();
        while (w > width) {
          // Break an unbreakable token (an id, a URL) after its last separator that fits, or else
          // at the last character that fits.
          let cut = word.length - 1;
          while (cut > 1 && font.widthOfTextAtSize(word.slice(0, cut), pieceSize) > width - line.width) cut--;
          const separator = Math.max(...[":", "-", "_", "/", "."].map((c) => word.lastIndexOf(c, cut - 1)));
          if (separator >= cut / 2) cut = separator + 1;
          add(word.slice(0, cut), font, pieceSize);
          push();
          word = word.slice(cut);
          w = font.widthOfTextAtSize(word, pieceSize);
        }
        add(word, font, pieceSize);
      }
    }
    if (line.pieces.length > 0 || lines.length === 0) push();
    return lines;
  }

  drawLine(line: Line, x: number, baseline: number, width: number, align: "left" | "right" = "left"): void {
    let cursor = align === "right" ? x + width - line.width : x;
    for (const piece of line.pieces) {
      if (piece.text !== "") this.page.drawText(piece.text, { x: cursor, y: baseline, size: piece.size, font: piece.font, color: piece.color });
      cursor += piece.width;
    }
  }

  /** Lines at `x`, breaking pages between lines as needed. */
  flow(lines: Line[], x: number, width: number, size: number, leading: number): void {
    for (const line of lines) {
      this.ensure(leading);
      this.drawLine(line, x, this.y - size, width);
      this.y -= leading;
    }
  }
}

/** The longest prefix of `text` (with an ellipsis) that fits `width`. */
function fit(text: string, font: PDFFont, size: number, width: number): string {
  if (font.widthOfTextAtSize(text, size) <= width) return text;
  let end = text.length;
  while (end > 0 && font.widthOfTextAtSize(`${text.slice(0, end)}…`, size) > width) end--;
  return `${text.slice(0, end)}…`;
}

function drawTitleBand(layout: Layout, doc: ReportDocument): void {
  const { fonts } = layout;
  const page = layout.page;
  const titleSize = 18;
  const titleLines = layout.wrap([{ text: doc.title, style: "bold" }], CONTENT_WIDTH - 90, titleSize, rgb(1, 1, 1));
  const factsLines = layout.wrap(
    doc.facts.flatMap(([label, value], i) => [...(i > 0 ? [{ text: "  ·  ", style: "plain" as const }] : []), { text: `${label} `, style: "bold" as const }, { text: value, style: "plain" as const }]),
    CONTENT_WIDTH,
    9,
    rgb(0.85, 0.88, 0.93),
  );
  const height = 30 + titleLines.length * 22 + factsLines.length * 13 + 14;
  const top = PAGE.height;
  page.drawRectangle({ x: 0, y: top - height, width: PAGE.width, height, color: BAND });
  page.drawText("POSTMORTEM", { x: MARGIN.left, y: top - 24, size: 8, font: fonts.bold, color: rgb(0.65, 0.72, 0.85) });
  // Severity badge, top right.
  const badge = doc.severity;
  const badgeWidth = fonts.bold.widthOfTextAtSize(badge, 9) + 16;
  page.drawRectangle({ x: PAGE.width - MARGIN.right - badgeWidth, y: top - 32, width: badgeWidth, height: 17, color: SEVERITY_COLORS[doc.severity] });
  page.drawText(badge, { x: PAGE.width - MARGIN.right - badgeWidth + 8, y: top - 27, size: 9, font: fonts.bold, color: rgb(1, 1, 1) });
  let y = top - 30;
  for (const line of titleLines) {
    y -= 22;
    layout.drawLine(line, MARGIN.left, y + 4, CONTENT_WIDTH);
  }
  y -= 6;
  for (const line of factsLines) {
    y -= 13;
    layout.drawLine(line, MARGIN.left, y + 2, CONTENT_WIDTH);
  }
  layout.y = top - height - 18;
}

function drawHeading(layout: Layout, text: string): void {
  // Keep a heading with at least a few lines of what follows it.
  layout.ensure(16 + 18 + 4 * BODY.leading);
  layout.y -= 16;
  layout.page.drawText(winAnsi(text), { x: MARGIN.left, y: layout.y - 12, size: 12.5, font: layout.fonts.bold, color: INK });
  layout.y -= 18;
  layout.page.drawLine({ start: { x: MARGIN.left, y: layout.y }, end: { x: PAGE.width - MARGIN.right, y: layout.y }, thickness: 0.75, color: ACCENT });
  layout.y -= 8;
}

function drawParagraph(layout: Layout, runs: Rich): void {
  layout.flow(layout.wrap(runs, CONTENT_WIDTH, BODY.size), MARGIN.left, CONTENT_WIDTH, BODY.size, BODY.leading);
  layout.y -= 6;
}

function drawQuote(layout: Layout, runs: Rich): void {
  const pad = 8;
  const lines = layout.wrap(runs, CONTENT_WIDTH - 2 * pad - 4, 10.5);
  const leading = 14.5;
  const height = lines.length * leading + 2 * pad;
  layout.ensure(Math.min(height, 200));
  const top = layout.y;
  const fitsHere = height <= layout.room;
  if (fitsHere) {
    layout.page.drawRectangle({ x: MARGIN.left, y: top - height, width: CONTENT_WIDTH, height, color: QUOTE_FILL });
    layout.page.drawRectangle({ x: MARGIN.left, y: top - height, width: 3, height, color: ACCENT });
  }
  layout.y -= pad;
  layout.flow(lines, MARGIN.left + pad + 4, CONTENT_WIDTH - 2 * pad - 4, 10.5, leading);
  layout.y -= pad + 8;
}

function drawList(layout: Layout, ordered: boolean, items: Rich[]): void {
  const indent = ordered ? 18 : 14;
  items.forEach((runs, i) => {
    const lines = layout.wrap(runs, CONTENT_WIDTH - indent, BODY.size);
    layout.ensure(BODY.leading);
    const marker = ordered ? `${i + 1}.` : "•";
    const markerWidth = layout.fonts.regular.widthOfTextAtSize(marker, BODY.size);
    layout.page.drawText(marker, { x: MARGIN.left + indent - 6 - markerWidth, y: layout.y - BODY.size, size: BODY.size, font: layout.fonts.regular, color: ordered ? INK : ACCENT });
    layout.flow(lines, MARGIN.left + indent, CONTENT_WIDTH - indent, BODY.size, BODY.leading);
    layout.y -= 3;
  });
  layout.y -= 5;
}

function drawTable(layout: Layout, columns: Column[], rows: Rich[][]): void {
  const total = columns.reduce((s, c) => s + c.weight, 0);
  const widths = columns.map((c) => (c.weight / total) * CONTENT_WIDTH);
  const xs = widths.map((_, i) => MARGIN.left + widths.slice(0, i).reduce((s, w) => s + w, 0));
  const inner = (i: number) => widths[i]! - 2 * TABLE.padX;
  const header = columns.map((c, i) => layout.wrap([{ text: c.header, style: "bold" }], inner(i), TABLE.size));
  const headerHeight = Math.max(...header.map((l) => l.length)) * TABLE.leading + 2 * TABLE.padY;

  const drawHeader = () => {
    const top = layout.y;
    layout.page.drawRectangle({ x: MARGIN.left, y: top - headerHeight, width: CONTENT_WIDTH, height: headerHeight, color: HEADER_FILL });
    header.forEach((lines, i) => {
      lines.forEach((line, k) => layout.drawLine(line, xs[i]! + TABLE.padX, top - TABLE.padY - TABLE.size - k * TABLE.leading + 1, inner(i), columns[i]!.align));
    });
    layout.y -= headerHeight;
  };

  const body = rows.map((row) => row.map((runs, i) => layout.wrap(runs, inner(i), TABLE.size)));
  // Header plus the first row (or a few lines of it) must fit, or the table starts on a new page.
  const firstRows = body[0] ? Math.min(Math.max(...body[0].map((c) => c.length)), 4) : 1;
  layout.ensure(headerHeight + firstRows * TABLE.leading + 2 * TABLE.padY);
  drawHeader();

  body.forEach((cells, r) => {
    let offset = 0;
    const rowLines = Math.max(...cells.map((c) => c.length));
    while (offset < rowLines) {
      let fits = Math.floor((layout.room - 2 * TABLE.padY) / TABLE.leading);
      if (fits < Math.min(2, rowLines - offset)) {
        // Not even two lines fit: continue the table on a new page with its header.
        layout.newPage();
        drawHeader();
        fits = Math.floor((layout.room - 2 * TABLE.padY) / TABLE.leading);
      }
      const take = Math.min(fits, rowLines - offset);
      const height = take * TABLE.leading + 2 * TABLE.padY;
      const top = layout.y;
      if (r % 2 === 1) layout.page.drawRectangle({ x: MARGIN.left, y: top - height, width: CONTENT_WIDTH, height, color: ZEBRA });
      cells.forEach((lines, i) => {
        lines.slice(offset, offset + take).forEach((line, k) => layout.drawLine(line, xs[i]! + TABLE.padX, top - TABLE.padY - TABLE.size - k * TABLE.leading + 1, inner(i), columns[i]!.align));
      });
      layout.y -= height;
      layout.page.drawLine({ start: { x: MARGIN.left, y: layout.y }, end: { x: PAGE.width - MARGIN.right, y: layout.y }, thickness: 0.5, color: RULE });
      offset += take;
      if (offset < rowLines) {
        layout.newPage();
        drawHeader();
      }
    }
  });
  layout.y -= 10;
}

const HEADING_HEIGHT = 16 + 18 + 8;
/** A section up to this tall is kept on one page; a longer one keeps its heading with its first block. */
const KEEP_SECTION = 300;
const KEEP_FIRST_BLOCK = 150;

/** The height a block will take (before page breaks). */
function measure(layout: Layout, block: Block): number {
  switch (block.type) {
    case "heading":
      return HEADING_HEIGHT;
    case "paragraph":
      return layout.wrap(block.runs, CONTENT_WIDTH, BODY.size).length * BODY.leading + 6;
    case "quote":
      return layout.wrap(block.runs, CONTENT_WIDTH - 20, 10.5).length * 14.5 + 24;
    case "list": {
      const indent = block.ordered ? 18 : 14;
      return block.items.reduce((h, runs) => h + layout.wrap(runs, CONTENT_WIDTH - indent, BODY.size).length * BODY.leading + 3, 5);
    }
    case "table": {
      const total = block.columns.reduce((s, c) => s + c.weight, 0);
      const inner = block.columns.map((c) => (c.weight / total) * CONTENT_WIDTH - 2 * TABLE.padX);
      const rowHeight = (cells: Rich[]) => Math.max(...cells.map((runs, i) => layout.wrap(runs, inner[i]!, TABLE.size).length)) * TABLE.leading + 2 * TABLE.padY;
      const header = rowHeight(block.columns.map((c) => [{ text: c.header, style: "bold" as const }]));
      return block.rows.reduce((h, row) => h + rowHeight(row), header) + 10;
    }
  }
}

/** Before a heading: keep a short section whole, or the heading with its first block. */
function keepSectionTogether(layout: Layout, blocks: readonly Block[], at: number): void {
  let end = at + 1;
  while (end < blocks.length && blocks[end]!.type !== "heading") end++;
  const parts = blocks.slice(at + 1, end).map((b) => measure(layout, b));
  const section = HEADING_HEIGHT + parts.reduce((a, b) => a + b, 0);
  layout.ensure(section <= KEEP_SECTION ? section : HEADING_HEIGHT + Math.min(parts[0] ?? 0, KEEP_FIRST_BLOCK));
}

function drawBlock(layout: Layout, block: Block): void {
  switch (block.type) {
    case "heading":
      return drawHeading(layout, block.text);
    case "paragraph":
      return drawParagraph(layout, block.runs);
    case "quote":
      return drawQuote(layout, block.runs);
    case "list":
      return drawList(layout, block.ordered, block.items);
    case "table":
      return drawTable(layout, block.columns, block.rows);
  }
}

export interface PdfMetadata {
  /** ISO 8601; becomes the document's creation and modification dates. */
  generatedAt: string;
  subject: string;
  keywords: string[];
}

/** Any report document as PDF bytes. */
export async function renderReportPdf(doc: ReportDocument, meta: PdfMetadata): Promise<Uint8Array> {
  const when = new Date(meta.generatedAt);
  if (Number.isNaN(when.getTime())) throw new Error(`renderReportPdf: generatedAt must be an ISO 8601 time, got ${JSON.stringify(meta.generatedAt)}`);
  const pdf = await PDFDocument.create({ updateMetadata: false });
  pdf.setTitle(winAnsi(doc.title));
  pdf.setAuthor("Business Reliability Engine");
  pdf.setSubject(winAnsi(meta.subject));
  pdf.setKeywords(meta.keywords.map(winAnsi));
  pdf.setCreator("bre postmortem");
  pdf.setProducer("pdf-lib");
  pdf.setLanguage("en-US");
  pdf.setCreationDate(when);
  pdf.setModificationDate(when);
  const fonts: Fonts = {
    regular: await pdf.embedFont(StandardFonts.Helvetica),
    bold: await pdf.embedFont(StandardFonts.HelveticaBold),
    italic: await pdf.embedFont(StandardFonts.HelveticaOblique),
    mono: await pdf.embedFont(StandardFonts.Courier),
  };
  const layout = new Layout(pdf, fonts, doc.title);
  layout.newPage();
  drawTitleBand(layout, doc);
  doc.blocks.forEach((block, i) => {
    if (block.type === "heading") keepSectionTogether(layout, doc.blocks, i);
    drawBlock(layout, block);
  });

  const count = layout.pages.length;
  layout.pages.forEach((page, i) => {
    const y = 30;
    page.drawLine({ start: { x: MARGIN.left, y: y + 12 }, end: { x: PAGE.width - MARGIN.right, y: y + 12 }, thickness: 0.5, color: RULE });
    const label = `Page ${i + 1} of ${count}`;
    const labelWidth = fonts.regular.widthOfTextAtSize(label, 8);
    page.drawText(fit(winAnsi(doc.footer), fonts.regular, 8, CONTENT_WIDTH - labelWidth - 20), { x: MARGIN.left, y, size: 8, font: fonts.regular, color: MUTED });
    page.drawText(label, { x: PAGE.width - MARGIN.right - labelWidth, y, size: 8, font: fonts.regular, color: MUTED });
  });
  return pdf.save();
}

/** The postmortem as PDF bytes. */
export function renderPostmortemPdf(pm: Postmortem): Promise<Uint8Array> {
  return renderReportPdf(postmortemDocument(pm), { generatedAt: pm.generated_at, subject: pm.one_line_summary, keywords: [pm.incident_type, pm.severity, pm.incident_id] });
}
