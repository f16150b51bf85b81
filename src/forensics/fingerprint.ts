/**
 * @module forensics/fingerprint
 * The mailer fingerprint of one message, read from its own header block: which mailer it
 * claims (X-Mailer or User-Agent, as family + major version), the From domain, and the
 * shapes a mailer leaves without thinking about them — the Message-ID format, the MIME
 * boundary format, the order of the originator's header fields and Outlook's Thread-Index /
 * X-MS-* conventions. `mailer-model.ts` learns these per group and judges a message.
 *
 * A shape replaces variable parts by classes and keeps the constant skeleton:
 * `<12345.1075855687582.JavaMail.evans@thyme>` → `<{digits}.{digits}.JavaMail.{lower}@…>`,
 * `----=_NextPart_000_0007_01C2A9A6.6AD1DA50` → `----=_NextPart_{digits}_{digits}_{HEX8}.{HEX8}`.
 */
import type { HeaderField } from '../mime/headers.ts';

export interface Fingerprint {
  /** Lower-cased From domain, or null. */
  domain: string | null;
  /** `family/major` key (lower case), or null when the message names no mailer. */
  mailer: string | null;
  /** The mailer as written (for sentences). */
  mailerText: string | null;
  /** Message-ID local part and host shape; 'none' when missing. */
  messageId: string;
  /** Message-ID host, lower case ('none' when missing): constant for some mailers (Gmail). */
  messageIdHost: string;
  /** Top-level MIME boundary shape, or null when the message is not multipart. */
  boundary: string | null;
  /** Originator header fields, lower case, in order of first occurrence. */
  order: string[];
  /** Which Outlook convention headers are present, sorted, comma-joined ('' for none). */
  msHeaders: string;
}

/**
 * Header fields the author's program writes. Transport and list software add others
 * (Received, Return-Path, X-Spam-*, List-*, DKIM/ARC…) and may reorder nothing of these in
 * ordinary delivery, so only these count for the order.
 */
export const ORIGINATOR_FIELDS = new Set([
  'from', 'to', 'cc', 'subject', 'date', 'message-id', 'mime-version', 'content-type', 'content-transfer-encoding',
  'x-mailer', 'user-agent', 'in-reply-to', 'references', 'reply-to', 'thread-index', 'thread-topic', 'importance',
  'x-priority', 'x-msmail-priority', 'x-mimeole', 'content-language', 'accept-language', 'x-ms-has-attach',
  'x-ms-tnef-correlator', 'organization',
]);

/** Outlook/Exchange conventions whose presence is a habit of one mailer. */
export const MS_FIELDS = ['thread-index', 'thread-topic', 'x-ms-has-attach', 'x-ms-tnef-correlator', 'x-mimeole', 'x-msmail-priority'] as const;

/** Family and major version of an X-Mailer/User-Agent value. */
export function mailerKey(value: string): { key: string; text: string } | null {
  const text = value.replace(/\s+/g, ' ').trim().slice(0, 200);
  if (!text) return null;
  // Mozilla-based clients name the product after the platform tokens.
  const moz = /\b(Thunderbird|SeaMonkey|Postbox|Icedove|Netscape|Eudora)\/(\d+)/i.exec(text);
  if (moz) return { key: `${moz[1].toLowerCase()}/${moz[2]}`, text };
  const m = /^([^\d([;]*?)[\s/v._-]*\(?\s*(\d+)/i.exec(text);
  const family = (m ? m[1] : text.split(/[([;]/)[0]).replace(/[\s/:,-]+$/, '').trim().toLowerCase().slice(0, 60);
  if (!family) return null;
  return { key: `${family}/${m ? m[2] : ''}`, text };
}

/** A token run that is random base64/base62 text (Gmail's Message-IDs, many boundaries). */
const B64_RUN = /[A-Za-z0-9+/=_-]{16,}/g;

function tokenShape(t: string): string {
  if (/^\d+$/.test(t)) return '{digits}';
  if (t.length >= 8 && /^[0-9a-f]+$/.test(t) && /[a-f]/.test(t) && /\d/.test(t)) return `{hex${t.length}}`;
  if (t.length >= 8 && /^[0-9A-F]+$/.test(t) && /[A-F]/.test(t) && /\d/.test(t)) return `{HEX${t.length}}`;
  if (/^[a-z]+$/.test(t)) return '{lower}';
  if (/^[A-Z]+$/.test(t)) return '{UPPER}';
  // Mixed-case words of 4+ letters are product markers (JavaMail, NextPart, Apple), kept as written.
  if (/^[A-Za-z]+$/.test(t)) return t.length >= 4 ? t : '{Mixed}';
  return '{alnum}';
}

/**
 * Random when one of its alphanumeric segments is 12+ characters mixing lower case, upper
 * case and digits: `CAKx5OeQ7Zb3F+qvE2` is, `----=_NextPart_000_0007_01C2A9A6` is not.
 */
function isRandomRun(r: string): boolean {
  return r.split(/[+/=_-]/).some((t) => t.length >= 12 && /[a-z]/.test(t) && /[A-Z]/.test(t) && /\d/.test(t));
}

/** The shape of a Message-ID local part or a boundary. */
export function shapeOf(s: string): string {
  let out = '';
  let last = 0;
  for (const m of s.matchAll(B64_RUN)) {
    if (!isRandomRun(m[0])) continue;
    out += plainShape(s.slice(last, m.index));
    out += '{base64}';
    last = m.index + m[0].length;
  }
  return out + plainShape(s.slice(last));
}

function plainShape(s: string): string {
  return (s.match(/[A-Za-z0-9]+|[^A-Za-z0-9]+/g) ?? []).map((t) => (/^[A-Za-z0-9]/.test(t) ? tokenShape(t) : t)).join('');
}

/**
 * A token found in place of an expected one that can be the same generator's output: random
 * hex sometimes has no letter (8 hex digits are all decimal 2% of the time), so `{digits}`
 * is compatible with a hex class; random letters-and-digits may by chance be only digits,
 * only letters or only hex, so those are compatible with `{alnum}`. Compared token by token.
 */
export function compatible(found: string, expected: string): boolean {
  if (found === expected) return true;
  const f = found.split(/(\{[A-Za-z0-9]+\})/);
  const e = expected.split(/(\{[A-Za-z0-9]+\})/);
  if (f.length !== e.length) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === e[i]) continue;
    if (f[i] === '{digits}' && /^\{(hex|HEX)\d+\}$/.test(e[i])) continue;
    if (e[i] === '{alnum}' && /^\{(digits|lower|UPPER|Mixed|hex\d+|HEX\d+)\}$/.test(f[i])) continue;
    return false;
  }
  return true;
}

function fromDomain(v: string | null): string | null {
  if (!v) return null;
  const angle = /<([^<>]*)>/.exec(v)?.[1] ?? v;
  const at = angle.lastIndexOf('@');
  if (at < 0) return null;
  const d = /^[A-Za-z0-9.-]+/.exec(angle.slice(at + 1).trim())?.[0]?.toLowerCase().replace(/\.$/, '');
  return d && d.includes('.') ? d : null;
}

export function fingerprintOf(fields: readonly HeaderField[]): Fingerprint {
  const first = new Map<string, string>();
  const order: string[] = [];
  for (const f of fields) {
    if (first.has(f.key)) continue;
    first.set(f.key, f.value);
    if (ORIGINATOR_FIELDS.has(f.key)) order.push(f.key);
  }
  const mailer = mailerKey(first.get('x-mailer') ?? first.get('user-agent') ?? '');
  const mid = /<([^<>@\s]+)@([^<>\s]+)>/.exec(first.get('message-id') ?? '');
  const host = mid ? mid[2].toLowerCase() : 'none';
  const ct = first.get('content-type') ?? '';
  const boundary = /^\s*multipart\//i.test(ct) ? (/boundary\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(ct) ?? []).slice(1).find((x) => x !== undefined) ?? '' : null;
  return {
    domain: fromDomain(first.get('from') ?? null),
    mailer: mailer?.key ?? null,
    mailerText: mailer?.text ?? null,
    // The host is its own feature: a shape that included it would split one mailer's shape by server.
    messageId: mid ? `<${shapeOf(mid[1])}@…>` : 'none',
    messageIdHost: host,
    boundary: boundary === null ? null : shapeOf(boundary),
    order,
    msHeaders: MS_FIELDS.filter((k) => first.has(k)).join(','),
  };
}
