/**
 * @module server/message-view
 * Everything the API and the UI show about one message: the export record, its header fields
 * in order, the decoded text, the sanitised HTML (with inline cid: images as data: URLs) and
 * how many remote references were blocked.
 */
import type { ExportRecord } from '../store/queries.ts';
import { blob, findMessage, reparse } from '../store/queries.ts';
import type { CaseDb } from '../store/sqlite.ts';
import { sanitizeMessageHtml, SAFE_IMAGE_TYPES, type InlineImage } from './sanitize.ts';

/** Inline images larger than this are not embedded (the attachment stays downloadable). */
export const MAX_INLINE_IMAGE_BYTES = 4 * 1024 * 1024;

export interface MessageView extends ExportRecord {
  headers: { name: string; value: string }[];
  text: string;
  /** Sanitised HTML body (never the original), or null when the message has no HTML part. */
  html: string | null;
  remote_blocked: number;
  remote_hosts: string[];
  links: number;
}

export function messageView(db: CaseDb, id: string): MessageView | null {
  const r = findMessage(db, id);
  if (!r) return null;
  const m = reparse(db, r.id);
  let html: string | null = null;
  let remote = { remoteBlocked: 0, remoteHosts: [] as string[], links: 0 };
  if (m?.html) {
    const images: InlineImage[] = [];
    for (const a of m.attachments) {
      if (!a.contentId) continue;
      const type = a.contentType.toLowerCase().split(';')[0].trim();
      const bytes = SAFE_IMAGE_TYPES.has(type) && a.size <= MAX_INLINE_IMAGE_BYTES ? blob(db, a.sha256) : null;
      images.push({ cid: a.contentId, dataUrl: bytes ? `data:${type};base64,${Buffer.from(bytes).toString('base64')}` : null });
    }
    const s = sanitizeMessageHtml(m.html, images);
    html = s.html;
    remote = s;
  }
  return {
    ...r,
    headers: m?.headers ?? [],
    text: m?.text ?? '',
    html,
    remote_blocked: remote.remoteBlocked,
    remote_hosts: remote.remoteHosts,
    links: remote.links,
  };
}
