/**
 * @module ingest/archive/gzip-header
 * Parses the fixed part of a gzip member header (RFC 1952) for the original file name.
 */

export type GzipHeader =
  | { ok: true; name: string }
  | { ok: false; code: 'archive-truncated' | 'archive-corrupt'; reason: string };

const FEXTRA = 0x04;
const FNAME = 0x08;

/** `head` is the start of the stream; `atEnd` says no more bytes follow it. */
export function parseGzipHeader(head: Buffer, atEnd: boolean): GzipHeader {
  const short = (what: string): GzipHeader => atEnd
    ? { ok: false, code: 'archive-truncated', reason: `gzip stream ends inside its header (${what})` }
    : { ok: true, name: '' }; // a header longer than we peeked: decode anyway, just without a name
  if (head.length < 10) return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b || head.length < 2 ? short('fixed fields') : notGzip();
  if (head[0] !== 0x1f || head[1] !== 0x8b) return notGzip();
  if (head[2] !== 8) return { ok: false, code: 'archive-corrupt', reason: `gzip compression method ${head[2]} is not deflate` };
  const flags = head[3];
  let p = 10;
  if (flags & FEXTRA) {
    if (head.length < p + 2) return short('extra field length');
    p += 2 + head.readUInt16LE(p);
  }
  if (!(flags & FNAME)) return { ok: true, name: '' };
  const end = head.indexOf(0, p);
  if (end < 0) return short('file name');
  // RFC 1952: the name is ISO 8859-1; many tools write UTF-8 anyway, so accept valid UTF-8.
  const raw = head.subarray(p, end);
  let name: string;
  try {
    name = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    name = raw.toString('latin1');
  }
  return { ok: true, name };
}

function notGzip(): GzipHeader {
  return { ok: false, code: 'archive-corrupt', reason: 'not a gzip stream (no 1f 8b magic)' };
}
