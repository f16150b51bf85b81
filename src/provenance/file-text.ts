/**
 * @module provenance/file-text
 * What a file given to `trove provenance` says: a message (.eml, recognised by its header
 * block) is parsed, and its subject and body are its text; any other file goes through the
 * attachment extractors (src/extract: PDF, DOCX/XLSX/PPTX, ODT/ODS/ODP, RTF, HTML, text),
 * and its document metadata is read (src/forensics/metadata) for comparison with the nearest
 * attachment. Recognised by content first; the file name only breaks ties, as for attachments.
 */
import { DEFAULT_LIMITS } from '../core/limits.ts';
import { extractText, type ExtractKind } from '../extract/index.ts';
import { extractMetadata, type DocMetadata } from '../forensics/metadata/index.ts';
import { parseMessage } from '../mime/parse.ts';
import type { ParsedMessage } from '../mime/types.ts';
import { bodyText } from '../search/indexer.ts';

export interface InputFile {
  /** 'message' for an .eml, else the extractor's kind ('none': no text could be read). */
  format: 'message' | ExtractKind;
  text: string;
  /** The parsed message, for an .eml. */
  message: ParsedMessage | null;
  /** Document metadata (PDF, Office, images), an error record, or null when the format has none trove reads. */
  metadata: DocMetadata | { error: string } | null;
  /** Why no (or only part of the) text could be read. */
  note: string | null;
}

export function looksLikeMessage(head: string): boolean {
  const lines = head.split(/\r?\n/, 30);
  let headers = 0;
  for (const l of lines) {
    if (l === '') break;
    if (/^[!-9;-~]+:/.test(l)) headers++;
    else if (!/^[ \t]/.test(l) && !/^From /.test(l)) return false;
  }
  return headers >= 2 && /^(from|subject|date|message-id|received|to|return-path):/im.test(head);
}

export async function readInput(bytes: Uint8Array, name: string | null = null): Promise<InputFile> {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 4096)).toString('latin1');
  if (!head.startsWith('%PDF-') && looksLikeMessage(head)) {
    const m = parseMessage(bytes, DEFAULT_LIMITS).message;
    return { format: 'message', text: `${m.subject ?? ''}\n${bodyText(m)}`, message: m, metadata: null, note: null };
  }
  const x = await extractText(bytes, '', name);
  const empty = x.kind === 'none'
    ? 'no text could be read from this file (not a document or text format trove extracts)'
    : `no text found in this ${x.kind} file (a scan without a text layer needs OCR first)`;
  const note = x.error ?? (x.truncated ? x.note : null) ?? (x.text.trim() ? null : empty);
  return { format: x.kind, text: x.text, message: null, metadata: extractMetadata(bytes), note };
}

/** The text of a file (kept for callers that only need the text). */
export async function fileText(bytes: Uint8Array, name: string | null = null): Promise<string> {
  return (await readInput(bytes, name)).text;
}
