/**
 * @module extract/doc
 * Text of legacy Word 97–2003 documents (.doc, .dot): the body, then headers and footers,
 * footnotes, endnotes, comments and text boxes, read by the maintained `word-extractor` package
 * (piece tables, 8-bit and UTF-16 pieces, field codes). A .doc is recognised by its content: an
 * OLE compound file holding a `WordDocument` stream (read with `cfb`), whatever its name says.
 * Excel and PowerPoint binaries are OLE files too and are not read here.
 */
import CFB from 'cfb';
import WordExtractor from 'word-extractor';
import type { Sink } from './limits.ts';

/** True when the OLE compound file holds a Word document stream. */
export function isWordDoc(bytes: Uint8Array): boolean {
  try {
    const c = CFB.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), { type: 'buffer' });
    return c.FullPaths.some((p) => /^[^/]*\/WordDocument$/i.test(p));
  } catch {
    return false;
  }
}

/** Pushes the document's text into `out`; returns an error sentence, or null. */
export async function docText(bytes: Uint8Array, out: Sink): Promise<string | null> {
  const doc = await new WordExtractor().extract(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
  out.check();
  const parts = [doc.getBody(), doc.getHeaders({ includeFooters: true }), doc.getFootnotes(), doc.getEndnotes(), doc.getAnnotations(), doc.getTextboxes({ includeHeadersAndFooters: true, includeBody: true })];
  for (const p of parts) {
    // Word ends paragraphs with \r and cells with \x07 (word-extractor maps most of these)
    const text = p.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b\u000e-\u001f]/g, ' ').trim();
    if (text && !out.push(`${text}\n`)) break;
  }
  return null;
}
