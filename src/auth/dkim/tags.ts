/**
 * @module auth/dkim/tags
 * The tag=value list of RFC 6376 §3.2, used by DKIM-Signature, DKIM key records and the ARC
 * header fields. Input is hostile: tags go into a Map (never a plain object, so `__proto__=` or
 * `constructor=` are just unknown tags), duplicates invalidate the list (§3.2: "the entire
 * tag-list is invalid"), tag names are case-sensitive, and every tag keeps the offsets of its value
 * so the verifier can blank out exactly the b= value in the original bytes.
 */

export interface Tag {
  name: string;
  /** Value with leading/trailing FWS removed; inner whitespace kept (callers strip it where the RFC says so). */
  value: string;
  /** Offsets in the parsed text: [valueStart, valueEnd) spans everything between "=" and the next ";" (or the end). */
  valueStart: number;
  valueEnd: number;
}

export type TagListResult =
  | { ok: true; tags: Map<string, Tag> }
  | { ok: false; tag: string | null; reason: string };

const TAG_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const FWS_ONLY = /^[ \t\r\n]*$/;

/**
 * Parses a tag-list. `lenient` accepts empty tag-specs in the middle (`a=1;; b=2`), which DNS
 * key records in the wild contain; signatures are parsed strictly.
 */
export function parseTagList(text: string, lenient = false): TagListResult {
  const tags = new Map<string, Tag>();
  let start = 0;
  const n = text.length;
  while (start <= n) {
    let end = text.indexOf(';', start);
    if (end === -1) end = n;
    const spec = text.slice(start, end);
    if (FWS_ONLY.test(spec)) {
      // An empty spec is allowed only as the remainder after a trailing ";" (or an empty list).
      const isLast = end === n;
      if (!isLast && !lenient) return { ok: false, tag: null, reason: 'empty tag (";;")' };
      start = end + 1;
      continue;
    }
    const eq = spec.indexOf('=');
    if (eq === -1) return { ok: false, tag: spec.trim().slice(0, 40), reason: `"${spec.trim().slice(0, 40)}" has no "="` };
    const name = trimFws(spec.slice(0, eq));
    if (!TAG_NAME.test(name)) return { ok: false, tag: name.slice(0, 40), reason: `"${name.slice(0, 40)}" is not a valid tag name` };
    if (tags.has(name)) return { ok: false, tag: name, reason: `tag ${name}= appears twice` };
    const rawValue = spec.slice(eq + 1);
    tags.set(name, {
      name,
      value: trimFws(rawValue),
      valueStart: start + eq + 1,
      valueEnd: end,
    });
    start = end + 1;
  }
  return { ok: true, tags };
}

const isFws = (c: number) => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;

/**
 * Trims FWS from both ends. A loop, not /^[ \t\r\n]+|[ \t\r\n]+$/g: the second alternative
 * retries from every blank of an inner run, so a 64 KB run of spaces in a tag value took seconds
 * (found by test/fuzz).
 */
function trimFws(v: string): string {
  let s = 0;
  let e = v.length;
  while (s < e && isFws(v.charCodeAt(s))) s++;
  while (e > s && isFws(v.charCodeAt(e - 1))) e--;
  return v.slice(s, e);
}

/** Removes all folding whitespace (b=, bh=, p= are base64 that signers fold freely). */
export function stripFws(value: string): string {
  return value.replace(/[ \t\r\n]+/g, '');
}

/**
 * Strict base64 (RFC 4648 alphabet, padding only at the end, length a multiple of 4 once padded
 * correctly). Returns null when invalid, so callers can name the tag in a `signature-malformed`.
 */
export function decodeBase64(value: string): Buffer | null {
  const s = stripFws(value);
  if (s === '') return Buffer.alloc(0);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(s)) return null;
  if (s.length % 4 !== 0) return null;
  return Buffer.from(s, 'base64');
}
