/**
 * @module provenance/file-text
 * The text of a file given to `trove provenance`: a message (.eml, recognised by its header
 * block) gives its subject and body; a PDF its text layer (pdfjs); anything else is read as
 * UTF-8 text. Recognised by content, never by name.
 */
import { DEFAULT_LIMITS } from '../core/limits.ts';
import { parseMessage } from '../mime/parse.ts';
import { bodyText } from '../search/indexer.ts';

function looksLikeMessage(head: string): boolean {
  const lines = head.split(/\r?\n/, 30);
  let headers = 0;
  for (const l of lines) {
    if (l === '') break;
    if (/^[!-9;-~]+:/.test(l)) headers++;
    else if (!/^[ \t]/.test(l) && !/^From /.test(l)) return false;
  }
  return headers >= 2 && /^(from|subject|date|message-id|received|to|return-path):/im.test(head);
}

async function pdfText(bytes: Uint8Array): Promise<string> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const task = pdfjs.getDocument({ data: new Uint8Array(bytes), useSystemFonts: false });
  const doc = await task.promise;
  const pages: string[] = [];
  for (let p = 1; p <= doc.numPages; p++) {
    const content = await (await doc.getPage(p)).getTextContent();
    pages.push(content.items.map((i) => ('str' in i ? i.str + (i.hasEOL ? '\n' : ' ') : '')).join(''));
  }
  await task.destroy();
  return pages.join('\n');
}

export async function fileText(bytes: Uint8Array): Promise<string> {
  const head = Buffer.from(bytes.subarray(0, 4096)).toString('latin1');
  if (head.startsWith('%PDF-')) return pdfText(bytes);
  if (looksLikeMessage(head)) {
    const m = parseMessage(bytes, DEFAULT_LIMITS).message;
    return `${m.subject ?? ''}\n${bodyText(m)}`;
  }
  return new TextDecoder('utf-8').decode(bytes);
}
