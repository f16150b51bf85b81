/**
 * @module ingest/outlook/to-mime
 * Builds RFC 5322 bytes from an Outlook item (see outlook-item.ts), the same way for PST and MSG.
 *
 * Headers: `X-Trove-Synthesized: outlook-<pst|msg>` first, so nobody takes the bytes for the wire
 * format. Then, when the item kept its transport headers (PR_TRANSPORT_MESSAGE_HEADERS), those
 * fields verbatim except Content-Type, Content-Transfer-Encoding and MIME-Version (the body is
 * rebuilt, so those are regenerated) and the other fields describing the original body entity
 * (Content-Disposition, Content-ID…), which are kept renamed `X-Trove-Original-<name>`; lines that are not header fields (Exchange's "Microsoft Mail
 * Internet Headers Version 2.0" banner, blank lines) are dropped because a parser would take them for
 * the start of the body. When From/Subject/Date/Message-ID are missing from them, they are added from
 * the item's properties. Without transport headers, From/Sender/To/Cc/Bcc/Subject/Date/Message-ID/
 * In-Reply-To/References are synthesized from properties, RFC 2047-encoded where not ASCII.
 *
 * Body: text/plain (PR_BODY) and text/html (PR_HTML bytes in their code page, or PR_BODY_HTML),
 * as multipart/alternative when both. Compressed RTF is decompressed: `\fromhtml` RTF yields the
 * HTML part when the item has no HTML; `\fromtext` RTF yields the text when the item has no PR_BODY;
 * native RTF is kept as a `text/rtf` part named body.rtf only when it is the sole body (otherwise
 * PR_BODY is Outlook's own text rendering of it).
 *
 * Attachments: base64 parts with their file name; embedded Outlook messages and attached .eml
 * files become message/rfc822 parts, so trove's MIME stage turns them into child messages.
 *
 * Determinism: the output depends on the item only. Boundaries are derived from a SHA-256 of the
 * parts they separate (which also makes a collision with the content infeasible), dates are the
 * item's, and nothing reads the clock or a random source.
 */
import { createHash } from 'node:crypto';
import type { FileAttachment, OutlookAttachment, OutlookItem, StoredBody } from './outlook-item.ts';
import {
  base64Lines, foldHeader, headerText, mailbox, oneLine, param, quotedPrintable, rfc5322Date,
} from './mime-encode.ts';
import { decompressRtf } from './rtf-decompress.ts';
import { htmlFromRtf, rtfInfo } from './rtf-html.ts';

const CRLF = '\r\n';

export interface ToMimeOptions {
  source: 'pst' | 'msg';
  /** limits.maxEmbeddedDepth: embedded messages deeper than this are left out with a note header. */
  maxEmbeddedDepth: number;
  /** Cap on decompressed RTF (limits.maxMessageBytes). */
  maxBytes: number;
}

/** One MIME entity: header fields (already folded, no trailing CRLF) and the encoded body. */
interface Part {
  headers: string[];
  body: Buffer;
}

function serialize(p: Part): Buffer {
  return Buffer.concat([Buffer.from(p.headers.join(CRLF) + CRLF + CRLF, 'utf8'), p.body]);
}

function multipart(subtype: string, parts: Part[]): Part {
  const bodies = parts.map(serialize);
  const h = createHash('sha256');
  h.update(subtype);
  for (const b of bodies) {
    h.update(String(b.length));
    h.update(b);
  }
  const boundary = `=_trove_${h.digest('hex').slice(0, 40)}`;
  const chunks: Buffer[] = [];
  for (const b of bodies) {
    chunks.push(Buffer.from(`--${boundary}${CRLF}`), b, Buffer.from(CRLF));
  }
  chunks.push(Buffer.from(`--${boundary}--${CRLF}`));
  return { headers: [`Content-Type: multipart/${subtype};${CRLF} boundary="${boundary}"`], body: Buffer.concat(chunks) };
}

function textPart(subtype: string, body: StoredBody): Part {
  const bytes = 'text' in body ? Buffer.from(body.text, 'utf8') : body.bytes;
  const charset = 'text' in body ? 'utf-8' : body.charset;
  return {
    headers: [`Content-Type: text/${subtype}; charset="${charset}"`, 'Content-Transfer-Encoding: quoted-printable'],
    body: Buffer.from(quotedPrintable(bytes), 'ascii'),
  };
}

/** 7bit / 8bit / binary for bytes that go into a message/rfc822 part unencoded (RFC 2046 5.2.1). */
function identityEncoding(data: Buffer): string {
  let eight = false;
  let lineLen = 0;
  for (let i = 0; i < data.length; i++) {
    const b = data[i];
    if (b === 0) return 'binary';
    if (b === 0x0a) { lineLen = 0; continue; }
    if (++lineLen > 998) return 'binary';
    if (b >= 0x80) eight = true;
  }
  return eight ? '8bit' : '7bit';
}

function rfc822Part(data: Buffer, filename: string): Part {
  const disp = filename === '' ? 'Content-Disposition: attachment' : `Content-Disposition: attachment${param('filename', filename)}`;
  return {
    headers: ['Content-Type: message/rfc822', `Content-Transfer-Encoding: ${identityEncoding(data)}`, disp],
    body: data,
  };
}

const EXT_TYPES: Record<string, string> = {
  pdf: 'application/pdf', txt: 'text/plain', htm: 'text/html', html: 'text/html', png: 'image/png',
  jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', tif: 'image/tiff', tiff: 'image/tiff',
  bmp: 'image/bmp', zip: 'application/zip', doc: 'application/msword', xls: 'application/vnd.ms-excel',
  ppt: 'application/vnd.ms-powerpoint', rtf: 'application/rtf', msg: 'application/vnd.ms-outlook',
  ics: 'text/calendar', vcf: 'text/vcard', csv: 'text/csv', xml: 'application/xml',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

function contentTypeFor(a: FileAttachment): string {
  const declared = a.mimeType.trim().toLowerCase();
  if (/^[a-z0-9][\w.+-]*\/[a-z0-9][\w.+-]*$/.test(declared)) return declared;
  const ext = /\.([a-z0-9]{1,8})$/i.exec(a.filename)?.[1]?.toLowerCase();
  return (ext && EXT_TYPES[ext]) || 'application/octet-stream';
}

/** An attached file that is itself a message (an .eml, or tagged message/rfc822). */
function isAttachedMessage(a: FileAttachment): boolean {
  const named = /\.eml$/i.test(a.filename) || a.mimeType.trim().toLowerCase() === 'message/rfc822';
  // It must at least start like a header block, or message/rfc822 would mislabel garbage.
  return named && /^[!-9;-~]{1,76}:/.test(a.data.subarray(0, 80).toString('latin1'));
}

function filePart(a: FileAttachment): Part {
  if (isAttachedMessage(a)) return rfc822Part(a.data, a.filename);
  const type = contentTypeFor(a);
  const headers = [
    `Content-Type: ${type}${a.filename === '' ? '' : param('name', a.filename)}`,
    'Content-Transfer-Encoding: base64',
    `Content-Disposition: ${a.inline ? 'inline' : 'attachment'}${a.filename === '' ? '' : param('filename', a.filename)}`,
  ];
  if (a.contentId !== '') headers.push(`Content-ID: <${oneLine(a.contentId).replace(/^<|>$/g, '')}>`);
  return { headers, body: Buffer.from(base64Lines(a.data), 'ascii') };
}

/**
 * Fields that describe the original top-level entity (its body), which is not what follows them
 * any more: kept under an `X-Trove-Original-` name so nothing is lost (a TNEF message's
 * `Content-Disposition: attachment; filename="winmail.dat"` would otherwise turn the rebuilt
 * message itself into an attachment).
 */
const ENTITY_FIELDS = new Set([
  'content-type', 'content-transfer-encoding', 'mime-version', 'content-disposition', 'content-id',
  'content-length', 'content-md5', 'content-description',
]);

/** Header fields of the transport header block; entity fields renamed (see ENTITY_FIELDS). */
function transportFields(raw: string): string[] {
  const lines = raw.replace(/\r\n|\r|\n/g, '\n').split('\n');
  const fields: string[][] = [];
  for (const line of lines) {
    if (line.trim() === '') continue;
    if (/^[ \t]/.test(line)) {
      if (fields.length > 0) fields[fields.length - 1].push(line);
      continue;
    }
    if (/^[!-9;-~]+:/.test(line)) fields.push([line]);
    // else: not a header field (e.g. "Microsoft Mail Internet Headers Version 2.0"): dropped.
  }
  return fields.map((f) => {
    const joined = f.join(CRLF);
    return ENTITY_FIELDS.has(fieldName(joined)) ? `X-Trove-Original-${joined.trimStart()}` : joined;
  });
}

function fieldName(f: string): string {
  return f.slice(0, f.indexOf(':')).trim().toLowerCase();
}

function angle(id: string): string {
  const v = oneLine(id).trim();
  if (v === '') return '';
  return v.startsWith('<') ? v : `<${v}>`;
}

function addressList(name: string, list: string[]): string | null {
  const parts = list.filter((x) => x !== '');
  if (parts.length === 0) return null;
  return `${name}: ${parts.join(`,${CRLF} `)}`;
}

/** From/To/Subject/Date/… from properties, in a fixed order. */
function synthesizedFields(item: OutlookItem): Map<string, string> {
  const out = new Map<string, string>();
  const from = item.from ? mailbox(item.from.name, item.from.address) : '';
  if (from !== '') out.set('from', `From: ${from}`);
  if (item.sender) {
    const s = mailbox(item.sender.name, item.sender.address);
    if (s !== '' && s !== from) out.set('sender', `Sender: ${s}`);
  }
  for (const [kind, display, header] of [['to', item.displayTo, 'To'], ['cc', item.displayCc, 'Cc'], ['bcc', item.displayBcc, 'Bcc']] as const) {
    const rs = item.recipients.filter((r) => r.kind === kind).map((r) => mailbox(r.name, r.address));
    // Without a recipient table, PR_DISPLAY_* still has the names, separated by ';'.
    const list = rs.length > 0 ? rs : display.split(';').map((n) => mailbox(n, ''));
    const f = addressList(header, list);
    if (f) out.set(kind, f);
  }
  if (item.subject !== '') out.set('subject', foldHeader('Subject', headerText(item.subject)));
  if (item.date && !Number.isNaN(item.date.getTime())) out.set('date', `Date: ${rfc5322Date(item.date)}`);
  if (item.messageId.trim() !== '') out.set('message-id', `Message-ID: ${angle(item.messageId)}`);
  if (item.inReplyTo.trim() !== '') out.set('in-reply-to', foldHeader('In-Reply-To', oneLine(item.inReplyTo).trim()));
  if (item.references.trim() !== '') out.set('references', foldHeader('References', oneLine(item.references).trim()));
  return out;
}

function bodyParts(item: OutlookItem, opts: ToMimeOptions, notes: string[]): { body: Part; rtfPart: Part | null } {
  let text: string | null = item.body !== null && item.body !== '' ? item.body : null;
  let html: StoredBody | null = item.html;
  let rtfPart: Part | null = null;
  if (item.rtfCompressed && item.rtfCompressed.length > 0 && (html === null || text === null)) {
    try {
      const rtf = decompressRtf(item.rtfCompressed, opts.maxBytes);
      const info = rtfInfo(rtf);
      if (info.kind === 'html' && html === null) html = { text: htmlFromRtf(rtf) };
      else if (info.kind === 'text' && text === null) text = htmlFromRtf(rtf);
      else if (info.kind === 'rtf' && text === null && html === null) {
        rtfPart = {
          headers: ['Content-Type: text/rtf', 'Content-Transfer-Encoding: base64', `Content-Disposition: attachment${param('filename', 'body.rtf')}`],
          body: Buffer.from(base64Lines(rtf), 'ascii'),
        };
      }
    } catch (e) {
      notes.push(`X-Trove-Note: ${headerText(`RTF body not decompressed: ${e instanceof Error ? e.message : String(e)}`)}`);
      if (text === null && html === null) {
        rtfPart = {
          headers: ['Content-Type: application/octet-stream', 'Content-Transfer-Encoding: base64',
            `Content-Disposition: attachment${param('filename', 'body-compressed-rtf.bin')}`],
          body: Buffer.from(base64Lines(item.rtfCompressed), 'ascii'),
        };
      }
    }
  }
  const alts: Part[] = [];
  if (text !== null || html === null) alts.push(textPart('plain', { text: text ?? '' }));
  if (html !== null) alts.push(textPart('html', html));
  return { body: alts.length === 1 ? alts[0] : multipart('alternative', alts), rtfPart };
}

function attachmentPart(a: OutlookAttachment, opts: ToMimeOptions, depth: number, notes: string[]): Part | null {
  if (a.kind === 'file') return filePart(a);
  if (a.kind === 'missing') {
    notes.push(foldHeader('X-Trove-Missing-Attachment', headerText(`${a.filename}: ${a.reason}`)));
    return null;
  }
  if (depth + 1 > opts.maxEmbeddedDepth) {
    notes.push(foldHeader('X-Trove-Missing-Attachment', headerText(`${a.filename}: embedded message nested deeper than ${opts.maxEmbeddedDepth}`)));
    return null;
  }
  return rfc822Part(buildMessage(a.item, opts, depth + 1), a.filename);
}

function buildMessage(item: OutlookItem, opts: ToMimeOptions, depth: number): Buffer {
  const notes: string[] = [];
  const { body, rtfPart } = bodyParts(item, opts, notes);
  const attached = item.attachments.map((a) => attachmentPart(a, opts, depth, notes)).filter((p): p is Part => p !== null);
  if (rtfPart) attached.unshift(rtfPart);
  const root = attached.length === 0 ? body : multipart('mixed', [body, ...attached]);

  const headers: string[] = [`X-Trove-Synthesized: outlook-${opts.source}`];
  if (item.messageClass !== '') headers.push(foldHeader('X-Trove-Message-Class', headerText(item.messageClass)));
  const synth = synthesizedFields(item);
  if (item.transportHeaders.trim() !== '') {
    const fields = transportFields(item.transportHeaders);
    const present = new Set(fields.map(fieldName));
    for (const key of ['from', 'subject', 'date', 'message-id']) {
      const f = synth.get(key);
      if (f && !present.has(key)) headers.push(f);
    }
    headers.push(...fields);
  } else {
    headers.push(...synth.values());
  }
  headers.push(...notes, 'MIME-Version: 1.0', ...root.headers);
  return Buffer.concat([Buffer.from(headers.join(CRLF) + CRLF + CRLF, 'utf8'), root.body]);
}

/** The RFC 5322 bytes for one item. Deterministic: same item, same bytes. */
export function toMime(item: OutlookItem, opts: ToMimeOptions): Buffer {
  return buildMessage(item, opts, 0);
}
