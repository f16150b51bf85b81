/**
 * @module pipeline/attachment-text
 * Attachment text for the full-text index, extracted in the parse workers (src/extract:
 * PDF, DOCX/XLSX/PPTX, ODF, RTF, text, HTML; each bounded by its own limits). Messages
 * attached to messages are indexed as messages of their own, not as attachment text.
 */
import { extractText } from '../extract/index.ts';
import { normalizeText } from '../search/normalize.ts';
import type { MessageResult } from './task.ts';

/** Attachment text indexed per message, in characters. */
export const MAX_ATTACHMENT_TEXT_CHARS = 2_000_000;

export async function addAttachmentText(r: MessageResult): Promise<void> {
  for (const c of r.children) await addAttachmentText(c.result);
  if (!r.parsed || !r.index || r.parsed.attachments.length === 0) return;
  const bytes = new Map(r.blobs.map((b) => [b.sha256, b.bytes]));
  const parts: string[] = [];
  let size = 0;
  const done = new Set<string>();
  for (const a of r.parsed.attachments) {
    if (a.contentType.startsWith('message/') || done.has(a.sha256)) continue;
    done.add(a.sha256);
    const b = bytes.get(a.sha256);
    if (!b || b.length === 0) continue;
    const x = await extractText(b, a.contentType, a.filename);
    const name = a.filename ?? a.part;
    // The time budget is the one limit whose hit depends on the machine's load: its own code,
    // so a comparison of two runs can tell it from the deterministic size limits.
    if (x.error && !x.text) {
      if (x.timedOut) r.parsed.anomalies.push({ code: 'attachment-text-timeout', detail: `Attachment ${name}: no text extracted within the time budget (${x.error}).` });
      else if (x.kind !== 'none') r.parsed.anomalies.push({ code: 'attachment-text-unreadable', detail: `Attachment ${name}: no text could be extracted (${x.error}).` });
      continue;
    }
    // a limit hit (size, characters, pages, time) keeps the partial text and says so on the message
    if (x.truncated || x.error) {
      r.parsed.anomalies.push({ code: x.timedOut ? 'attachment-text-timeout' : 'attachment-text-truncated', detail: `Attachment ${name}: only part of its text was indexed (${x.note ?? x.error}).` });
    }
    if (!x.text.trim()) continue;
    parts.push(x.text);
    size += x.text.length;
    if (size >= MAX_ATTACHMENT_TEXT_CHARS) break;
  }
  if (parts.length) r.index.attachment = normalizeText(parts.join('\n').slice(0, MAX_ATTACHMENT_TEXT_CHARS));
}
