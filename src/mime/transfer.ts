/**
 * @module mime/transfer
 * Content-Transfer-Encoding decoders that report what they had to forgive. Node's base64
 * decoder silently drops invalid characters; forensics wants to know that it happened.
 */
import type { Anomaly } from './types.ts';

const B64 = new Uint8Array(256).fill(0);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=') B64[c.charCodeAt(0)] = 1;
for (const c of ' \t\r\n') B64[c.charCodeAt(0)] = 2;

export function decodeBase64(body: Uint8Array, part: string, anomalies: Anomaly[]): Buffer {
  const src = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  let bad = 0;
  for (let i = 0; i < src.length; i++) if (B64[src[i]] === 0) bad++;
  if (bad > 0) anomalies.push({ code: 'base64-invalid', detail: `Part ${part}: ${bad} characters that are not base64 were ignored while decoding.` });
  return Buffer.from(src.toString('latin1'), 'base64');
}

function hex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** Quoted-printable: soft breaks removed, invalid `=` sequences kept literally (as RFC 2045 advises). */
export function decodeQuotedPrintable(body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(body.length);
  let o = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== 0x3d) {
      out[o++] = c;
      continue;
    }
    // soft line break: "=" followed by optional whitespace then (CR)LF
    let j = i + 1;
    while (j < body.length && (body[j] === 0x20 || body[j] === 0x09)) j++;
    if (j < body.length && body[j] === 0x0a) { i = j; continue; }
    if (j + 1 < body.length && body[j] === 0x0d && body[j + 1] === 0x0a) { i = j + 1; continue; }
    if (j >= body.length) { i = j; continue; }
    const h = hex(body[i + 1] ?? 0);
    const l = hex(body[i + 2] ?? 0);
    if (i + 2 < body.length && h >= 0 && l >= 0) {
      out[o++] = (h << 4) | l;
      i += 2;
    } else {
      out[o++] = c;
    }
  }
  return out.subarray(0, o);
}
