/**
 * @module auth/dkim/canon-header
 * Header canonicalisation, RFC 6376 §3.4.1–3.4.2, on the exact field bytes (latin1 strings,
 * one char per byte, so 8-bit header bytes pass through untouched and unaltered).
 *
 * "simple" is the identity. "relaxed" lower-cases the name, unfolds, turns every run of SP/HTAB
 * into one SP, and removes SP/HTAB at the end of the value and around the colon. Only SP and HTAB
 * count as whitespace (not VT/FF, which some libraries' trim() would eat).
 */

export type Canon = 'simple' | 'relaxed';

/** Canonicalises one raw field (as stored in HeaderField.raw, with its final CRLF). Output ends in CRLF. */
export function canonHeader(raw: string, valueStart: number, canon: Canon): string {
  if (canon === 'simple') return raw;
  const name = raw.slice(0, valueStart - 1).replace(/[ \t]+$/, '').toLowerCase();
  let value = raw.slice(valueStart);
  value = value.replace(/\r\n/g, ''); // unfold (and drop the final CRLF)
  value = value.replace(/[ \t]+/g, ' ');
  value = value.replace(/^ /, '').replace(/ $/, '');
  return `${name}:${value}\r\n`;
}

/** The DKIM-Signature (or ARC) field itself is hashed last, without its final CRLF (§3.7). */
export function canonSignatureHeader(raw: string, valueStart: number, canon: Canon): string {
  const c = canonHeader(raw, valueStart, canon);
  return c.endsWith('\r\n') ? c.slice(0, -2) : c;
}
