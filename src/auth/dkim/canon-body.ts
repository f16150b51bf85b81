/**
 * @module auth/dkim/canon-body
 * Body canonicalisation, RFC 6376 §3.4.3–3.4.4, in one pass over the bytes.
 *
 * simple:  remove all empty lines at the end; a body that is empty or does not end in CRLF gets
 *          one CRLF (so the empty body is "\r\n").
 * relaxed: remove SP/HTAB at the end of every line, turn runs of SP/HTAB into one SP, remove
 *          empty lines at the end, end a non-empty body with CRLF (the empty body stays empty,
 *          per the RFC 4871 erratum 1384 consensus carried into RFC 6376).
 *
 * A lone CR is ordinary content (only CRLF ends a line); the message was already converted to
 * CRLF by message.ts.
 */
import type { Canon } from './canon-header.ts';

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const TAB = 0x09;

export function canonBody(body: Buffer, canon: Canon): Buffer {
  let out: Buffer;
  let len: number;
  if (canon === 'simple') {
    out = body;
    len = body.length;
  } else {
    out = Buffer.allocUnsafe(body.length);
    len = 0;
    let pendingWsp = false;
    for (let i = 0; i < body.length; i++) {
      const b = body[i];
      if (b === SP || b === TAB) {
        pendingWsp = true;
      } else if (b === CR && body[i + 1] === LF) {
        pendingWsp = false; // whitespace at end of line is dropped
        out[len++] = CR;
        out[len++] = LF;
        i++;
      } else {
        if (pendingWsp) {
          out[len++] = SP;
          pendingWsp = false;
        }
        out[len++] = b;
      }
    }
    // trailing whitespace on a last line without CRLF is "at the end of the line" too
  }
  // strip every trailing CRLF
  while (len >= 2 && out[len - 2] === CR && out[len - 1] === LF) len -= 2;
  if (len === 0) return canon === 'simple' ? Buffer.from('\r\n', 'latin1') : Buffer.alloc(0);
  const res = Buffer.allocUnsafe(len + 2);
  out.copy(res, 0, 0, len);
  res[len] = CR;
  res[len + 1] = LF;
  return res;
}
