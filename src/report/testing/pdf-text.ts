/**
 * Reads back the text a PDF draws, page by page, for tests: pdf-lib writes standard-font text as
 * hex strings shown with `Tj` inside Flate-compressed content streams.
 */
import { decodePDFRawStream, PDFArray, PDFDocument, PDFRawStream } from "pdf-lib";

export async function pdfPagesText(bytes: Uint8Array): Promise<string[]> {
  const doc = await PDFDocument.load(bytes);
  return doc.getPages().map((page) => {
    const contents = page.node.Contents();
    const streams = contents instanceof PDFArray ? contents.asArray().map((ref) => doc.context.lookup(ref)) : [contents];
    let ops = "";
    for (const stream of streams) {
      if (stream instanceof PDFRawStream) ops += String.fromCharCode(...decodePDFRawStream(stream).decode());
    }
    return [...ops.matchAll(/<([0-9A-Fa-f]*)>\s*Tj/g)].map((m) => hexToText(m[1]!)).join("\n");
  });
}

/** WinAnsi's 0x80–0x9F (Node's "windows-1252" decoder reads them as Latin-1 control codes). */
const WIN_ANSI_HIGH = "€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ";

function hexToText(hex: string): string {
  let out = "";
  for (let i = 0; i < hex.length; i += 2) {
    const code = parseInt(hex.slice(i, i + 2), 16);
    out += code >= 0x80 && code <= 0x9f ? WIN_ANSI_HIGH[code - 0x80] : String.fromCharCode(code);
  }
  return out;
}
