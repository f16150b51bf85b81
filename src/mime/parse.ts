/**
 * @module mime/parse
 * Parses one message into the MIME record trove stores. Written here rather than taken
 * whole from a parser library because forensics needs what those libraries smooth over:
 * byte offsets of every part, every structural defect recorded as an anomaly (missing end
 * boundary, invalid base64, unknown charset), per-part charsets decoded with iconv-lite when
 * the WHATWG decoder cannot (UTF-7), and hard limits that turn hostile structures into
 * anomalies instead of crashes. The solved pieces come from libraries: header parameter and
 * RFC 2231 parsing (libmime), encoded words and address lists (postal-mime; long address
 * fields are split first, mime/address-list), charsets (TextDecoder, iconv-lite).
 */
import { createHash } from 'node:crypto';
import libmime from 'libmime';
import { decodeWords } from 'postal-mime';
import type { Limits } from '../core/limits.ts';
import { addressList } from './address-list.ts';
import { decodeText } from './charset.ts';
import { parseMailDate } from './date.ts';
import { getHeader, getHeaders, splitHeaders, type HeaderField } from './headers.ts';
import { decodeBase64, decodeQuotedPrintable } from './transfer.ts';
import type { Address, Anomaly, ParsedAttachment, ParsedMessage } from './types.ts';

/** A message found inside another: message/rfc822 part, attached .eml or Outlook .msg. */
export interface EmbeddedMessage {
  part: string;
  filename: string | null;
  format: 'rfc822' | 'msg';
  bytes: Buffer;
}

export interface ParseOutput {
  message: ParsedMessage;
  /** The top header fields as split (message.headers holds their names and values only). */
  headerFields: HeaderField[];
  /** Decoded attachment bytes, aligned with message.attachments. */
  attachmentBytes: Buffer[];
  embedded: EmbeddedMessage[];
}

interface Ctx {
  buf: Buffer;
  limits: Limits;
  anomalies: Anomaly[];
  text: string[];
  html: string[];
  attachments: ParsedAttachment[];
  attachmentBytes: Buffer[];
  embedded: EmbeddedMessage[];
  charsets: Set<string>;
  parts: number;
  stopped: boolean;
}

export function sha256hex(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

export function parseMessage(raw: Uint8Array, limits: Limits): ParseOutput {
  const buf = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const ctx: Ctx = {
    buf, limits, anomalies: [], text: [], html: [], attachments: [], attachmentBytes: [], embedded: [],
    charsets: new Set(), parts: 0, stopped: false,
  };
  const top = splitHeaders(raw, 0, raw.length, limits, ctx.anomalies);
  if (top.fields.length === 0) ctx.anomalies.push({ code: 'no-headers', detail: 'The message has no header fields.' });
  walkBody(ctx, top.fields, top.bodyStart, raw.length, '', 0, 'text/plain');

  const f = top.fields;
  const dateRaw = getHeader(f, 'date');
  const date = parseMailDate(dateRaw);
  if (dateRaw && !date) ctx.anomalies.push({ code: 'date-unparseable', detail: `The Date header "${dateRaw.slice(0, 80)}" cannot be read as a date.` });
  const subjects = getHeaders(f, 'subject');
  const message: ParsedMessage = {
    headers: f.map((h) => ({ name: h.name, value: h.value })),
    messageId: msgId(getHeader(f, 'message-id')),
    date: date?.iso ?? null,
    dateRaw,
    from: addressList('From', getHeaders(f, 'from'), ctx.anomalies),
    sender: addressList('Sender', getHeaders(f, 'sender'), ctx.anomalies),
    replyTo: addressList('Reply-To', getHeaders(f, 'reply-to'), ctx.anomalies),
    to: addressList('To', getHeaders(f, 'to'), ctx.anomalies),
    cc: addressList('Cc', getHeaders(f, 'cc'), ctx.anomalies),
    bcc: addressList('Bcc', getHeaders(f, 'bcc'), ctx.anomalies),
    subject: subjects.length ? words(subjects[0]) : '',
    inReplyTo: ids(getHeader(f, 'in-reply-to')),
    references: ids(getHeader(f, 'references')),
    text: ctx.text.join('\n'),
    html: ctx.html.join('\n'),
    attachments: ctx.attachments,
    charsets: [...ctx.charsets].sort(),
    anomalies: ctx.anomalies,
    parts: ctx.parts,
  };
  return { message, headerFields: f, attachmentBytes: ctx.attachmentBytes, embedded: ctx.embedded };
}

function words(v: string): string {
  try {
    return decodeWords(v);
  } catch {
    return v;
  }
}

function msgId(v: string | null): string | null {
  if (!v) return null;
  const m = /<[^<>]*>/.exec(v);
  return m ? m[0] : v.trim() || null;
}

function ids(v: string | null): string[] {
  if (!v) return [];
  return v.match(/<[^<>]*>/g) ?? [];
}

interface ContentType {
  type: string;
  params: Record<string, string>;
}

function contentType(ctx: Ctx, fields: HeaderField[], part: string, dflt: string): ContentType {
  const v = getHeader(fields, 'content-type');
  if (!v) return { type: dflt, params: {} };
  const parsed = libmime.parseHeaderValue(v);
  let type = String(parsed.value || '').toLowerCase().trim();
  if (!type.includes('/')) {
    ctx.anomalies.push({ code: 'content-type-invalid', detail: `Part ${part || 'body'}: Content-Type "${v.slice(0, 60)}" has no subtype; read as ${type === 'text' || !type ? 'text/plain' : 'application/octet-stream'}.` });
    type = type === 'text' || !type ? 'text/plain' : 'application/octet-stream';
  }
  return { type, params: parsed.params as Record<string, string> };
}

function walkBody(ctx: Ctx, fields: HeaderField[], start: number, end: number, path: string, depth: number, dflt: string): void {
  if (ctx.stopped) return;
  if (++ctx.parts > ctx.limits.maxMimeParts) {
    ctx.anomalies.push({ code: 'mime-too-many-parts', detail: `More than ${ctx.limits.maxMimeParts} MIME parts; the rest were not parsed (the raw message is kept).` });
    ctx.stopped = true;
    return;
  }
  const label = path || '1';
  const ct = contentType(ctx, fields, label, dflt);
  if (ct.type.startsWith('multipart/')) {
    const boundary = ct.params.boundary;
    if (!boundary) {
      ctx.anomalies.push({ code: 'mime-boundary-missing', detail: `Part ${label}: ${ct.type} has no boundary parameter; its body is read as plain text.` });
      leaf(ctx, fields, { type: 'text/plain', params: {} }, start, end, label);
      return;
    }
    if (depth >= ctx.limits.maxMimeDepth) {
      ctx.anomalies.push({ code: 'mime-too-deep', detail: `Part ${label}: MIME nesting deeper than ${ctx.limits.maxMimeDepth}; kept as an opaque attachment.` });
      leaf(ctx, fields, { type: 'application/octet-stream', params: {} }, start, end, label, true);
      return;
    }
    const parts = splitMultipart(ctx, boundary, start, end, label);
    const childDefault = ct.type === 'multipart/digest' ? 'message/rfc822' : 'text/plain';
    parts.forEach(([s, e], i) => {
      const childPath = path ? `${path}.${i + 1}` : String(i + 1);
      const h = splitHeaders(ctx.buf, s, e, ctx.limits, ctx.anomalies);
      walkBody(ctx, h.fields, h.bodyStart, e, childPath, depth + 1, childDefault);
    });
    return;
  }
  leaf(ctx, fields, ct, start, end, label);
}

/** Finds the parts of a multipart body: [start, end) byte ranges, delimiters excluded. */
function splitMultipart(ctx: Ctx, boundary: string, start: number, end: number, label: string): [number, number][] {
  const buf = ctx.buf;
  const delim = Buffer.from('--' + boundary, 'latin1');
  const parts: [number, number][] = [];
  let partStart = -1;
  let pos = start;
  let closed = false;
  while (pos < end) {
    const i = buf.indexOf(delim, pos);
    if (i === -1 || i + delim.length > end) break;
    const atLineStart = i === start || buf[i - 1] === 0x0a;
    let j = i + delim.length;
    const isClose = buf[j] === 0x2d && buf[j + 1] === 0x2d;
    if (isClose) j += 2;
    while (j < end && (buf[j] === 0x20 || buf[j] === 0x09)) j++;
    const atLineEnd = j >= end || buf[j] === 0x0a || (buf[j] === 0x0d && buf[j + 1] === 0x0a);
    if (!atLineStart || !atLineEnd) {
      pos = i + 1;
      continue;
    }
    // the line break before a delimiter belongs to the delimiter (RFC 2046 §5.1.1)
    let before = i;
    if (before > start && buf[before - 1] === 0x0a) before--;
    if (before > start && buf[before - 1] === 0x0d) before--;
    if (partStart >= 0) parts.push([partStart, Math.max(partStart, before)]);
    const lineEnd = j >= end ? end : buf[j] === 0x0d ? j + 2 : j + 1;
    if (isClose) {
      closed = true;
      break;
    }
    partStart = lineEnd;
    pos = lineEnd;
  }
  if (!closed) {
    if (partStart >= 0) parts.push([partStart, end]);
    ctx.anomalies.push({
      code: 'mime-boundary-unterminated',
      detail: parts.length
        ? `Part ${label}: the closing boundary "--${boundary}--" is missing; the last part runs to the end of the message.`
        : `Part ${label}: no part delimited by boundary "${boundary}" was found.`,
    });
  }
  return parts;
}

function decodeTransfer(ctx: Ctx, fields: HeaderField[], start: number, end: number, label: string): Buffer {
  const body = ctx.buf.subarray(start, end);
  const cte = (getHeader(fields, 'content-transfer-encoding') ?? '').toLowerCase().trim();
  if (cte === 'base64') return decodeBase64(body, label, ctx.anomalies);
  if (cte === 'quoted-printable') return decodeQuotedPrintable(body);
  if (cte && !['7bit', '8bit', 'binary', ''].includes(cte)) {
    ctx.anomalies.push({ code: 'transfer-encoding-unknown', detail: `Part ${label}: unknown Content-Transfer-Encoding "${cte.slice(0, 40)}"; kept as is.` });
  }
  return body;
}

function leaf(ctx: Ctx, fields: HeaderField[], ct: ContentType, start: number, end: number, label: string, forceAttachment = false): void {
  const dispValue = getHeader(fields, 'content-disposition');
  const disp = dispValue ? libmime.parseHeaderValue(dispValue) : null;
  const disposition = disp ? String(disp.value || '').toLowerCase().trim() || null : null;
  const rawName = (disp?.params as Record<string, string> | undefined)?.filename ?? ct.params.name ?? null;
  const filename = rawName ? words(String(rawName)) : null;
  const bytes = decodeTransfer(ctx, fields, start, end, label);
  const isBodyText = !forceAttachment && !filename && disposition !== 'attachment' && (ct.type === 'text/plain' || ct.type === 'text/html' || ct.type === 'text/enriched' || ct.type === 'text/richtext');

  if (isBodyText) {
    const d = decodeText(bytes, ct.params.charset);
    if (ct.params.charset) ctx.charsets.add(d.charset);
    if (!d.known) ctx.anomalies.push({ code: 'charset-unknown', detail: `Part ${label}: unknown charset "${String(ct.params.charset).slice(0, 40)}"; decoded as ${d.charset}.` });
    let text = d.text;
    if (ct.type === 'text/plain' && String(ct.params.format ?? '').toLowerCase() === 'flowed') {
      text = libmime.decodeFlowed(text, String(ct.params.delsp ?? '').toLowerCase() === 'yes');
    }
    (ct.type === 'text/html' ? ctx.html : ctx.text).push(text);
    return;
  }

  const embeddedFormat = embeddedKind(ct.type, filename, bytes);
  if (embeddedFormat) ctx.embedded.push({ part: label, filename, format: embeddedFormat, bytes });
  ctx.attachments.push({
    part: label,
    filename,
    contentType: ct.type,
    disposition,
    contentId: getHeader(fields, 'content-id'),
    size: bytes.length,
    sha256: sha256hex(bytes),
  });
  ctx.attachmentBytes.push(bytes);
}

const OLE_MAGIC = Buffer.from('d0cf11e0a1b11ae1', 'hex');

function embeddedKind(type: string, filename: string | null, bytes: Buffer): 'rfc822' | 'msg' | null {
  if (type === 'message/rfc822' || type === 'message/global') return 'rfc822';
  const name = (filename ?? '').toLowerCase();
  if ((name.endsWith('.msg') || type === 'application/vnd.ms-outlook') && bytes.subarray(0, 8).equals(OLE_MAGIC)) return 'msg';
  if (name.endsWith('.eml') && /^[\x21-\x39\x3b-\x7e]+:/.test(bytes.subarray(0, 200).toString('latin1'))) return 'rfc822';
  return null;
}
