/**
 * @module mime/headers
 * Splits a message or part into its header block and body, and the header block into
 * fields, keeping each field's exact bytes (DKIM canonicalisation and forensics need them).
 */
import type { Limits } from '../core/limits.ts';
import { decodeRawHeaderBytes } from './charset.ts';
import type { Anomaly } from './types.ts';

export interface HeaderField {
  /** Lower-cased field name. */
  key: string;
  /** Field name as written. */
  name: string;
  /** Value unfolded (CRLF/LF before whitespace removed), raw bytes decoded, encoded words NOT decoded. */
  value: string;
  /** Byte offset of the field in the part. */
  start: number;
  /** Byte offset just past the field's final line ending. */
  end: number;
}

export interface HeaderSplit {
  fields: HeaderField[];
  /** Offset of the first body byte (after the blank line), or the end of input. */
  bodyStart: number;
  /** Offset where the header block starts (after any leading blank lines). */
  headerStart: number;
}

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;

function lineEnd(buf: Uint8Array, from: number, limit: number): number {
  const i = buf.indexOf(LF, from);
  return i === -1 || i >= limit ? limit : i + 1;
}

function isBlankLine(buf: Uint8Array, start: number, end: number): boolean {
  return end === start || (end - start === 1 && buf[start] === LF) || (end - start === 2 && buf[start] === CR && buf[start + 1] === LF) || (end - start === 1 && buf[start] === CR);
}

/** A field name is 1+ printable ASCII chars except colon, then optional WSP, then a colon. */
function fieldNameEnd(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end) {
    const c = buf[i];
    if (c === COLON) return i > start ? i : -1;
    if (c === SP || c === HT) {
      // obsolete syntax allows WSP between name and colon
      let j = i;
      while (j < end && (buf[j] === SP || buf[j] === HT)) j++;
      return buf[j] === COLON && i > start ? i : -1;
    }
    if (c < 33 || c > 126) return -1;
    i++;
  }
  return -1;
}

/**
 * Parses the header block of `buf[start, end)`. A line that is neither a field nor a
 * continuation ends the header block (it is the first line of the body, as most MTAs treat
 * it), and is recorded as an anomaly.
 */
export function splitHeaders(buf: Uint8Array, start: number, end: number, limits: Limits, anomalies: Anomaly[]): HeaderSplit {
  let pos = start;
  // Leading blank lines (Enron's allen-p/inbox/8): skip them when real fields follow, so the
  // message keeps its headers; record it.
  let lead = pos;
  while (lead < end) {
    const le = lineEnd(buf, lead, end);
    if (!isBlankLine(buf, lead, le)) break;
    lead = le;
  }
  if (lead > pos && lead < end && fieldNameEnd(buf, lead, lineEnd(buf, lead, end)) > 0) {
    anomalies.push({ code: 'leading-blank-lines', detail: 'The message starts with blank lines before its header fields.' });
    pos = lead;
  }
  const headerStart = pos;
  const fields: HeaderField[] = [];
  let total = 0;
  while (pos < end) {
    const le = lineEnd(buf, pos, end);
    if (isBlankLine(buf, pos, le)) return { fields, bodyStart: le, headerStart };
    const nameEnd = fieldNameEnd(buf, pos, le);
    if (nameEnd < 0) {
      if (fields.length > 0 || pos > headerStart) {
        anomalies.push({ code: 'header-garbage', detail: `A line in the header block is not a header field (byte ${pos}); the body is taken to start there.` });
      }
      return { fields, bodyStart: pos, headerStart };
    }
    // gather continuation lines
    let fe = le;
    while (fe < end && (buf[fe] === SP || buf[fe] === HT)) fe = lineEnd(buf, fe, end);
    const size = fe - pos;
    total += size;
    if (size > limits.maxHeaderLineBytes) {
      anomalies.push({ code: 'header-line-too-long', detail: `Header field ${latin1(buf, pos, nameEnd)} is ${size} bytes long (limit ${limits.maxHeaderLineBytes}); its value was not decoded.` });
      fields.push({ key: latin1(buf, pos, nameEnd).toLowerCase(), name: latin1(buf, pos, nameEnd), value: '', start: pos, end: fe });
    } else {
      let vs = buf.indexOf(COLON, nameEnd) + 1;
      const name = latin1(buf, pos, nameEnd);
      const rawValue = decodeRawHeaderBytes(buf.subarray(vs, fe));
      const value = trimEndBlanks(rawValue.replace(/\r?\n(?=[ \t])/g, '').replace(/\r?\n$/, '').replace(/^[ \t]+/, ''));
      fields.push({ key: name.toLowerCase(), name, value, start: pos, end: fe });
    }
    if (total > limits.maxHeaderBytes) {
      anomalies.push({ code: 'header-too-large', detail: `The header block exceeds ${limits.maxHeaderBytes} bytes; the rest is treated as body.` });
      return { fields, bodyStart: fe, headerStart };
    }
    pos = fe;
  }
  return { fields, bodyStart: end, headerStart };
}

/**
 * Drops trailing SP, HTAB and CR. A loop, not /[ \t\r]+$/: that regex retries from every blank of
 * an inner run, so a 64 KB run of spaces inside a value took seconds (found by test/fuzz).
 */
function trimEndBlanks(v: string): string {
  let e = v.length;
  while (e > 0) {
    const c = v.charCodeAt(e - 1);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) break;
    e--;
  }
  return e === v.length ? v : v.slice(0, e);
}

function latin1(buf: Uint8Array, s: number, e: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString('latin1');
}

/** First value of a header, or null. */
export function getHeader(fields: readonly HeaderField[], key: string): string | null {
  for (const f of fields) if (f.key === key) return f.value;
  return null;
}

export function getHeaders(fields: readonly HeaderField[], key: string): string[] {
  return fields.filter((f) => f.key === key).map((f) => f.value);
}
