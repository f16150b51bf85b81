/**
 * @module auth/dkim/message
 * Splits raw message bytes into header fields and body for DKIM, keeping the exact bytes of every
 * header field (folding included), because "simple" canonicalisation signs them byte for byte.
 * We do not reuse a MIME parser here: parsers normalise (unfold, decode, trim), and any
 * normalisation before canonicalisation would make a tampered message verify, or a genuine one
 * fail.
 *
 * DKIM is defined on the SMTP wire form, CRLF line endings. Mailbox formats (mbox, maildir) store
 * bare LF, so bare LF is turned into CRLF first, as a receiving MTA does; the caller is told so it
 * can say so in the evidence. A lone CR is left alone (it is content, not a line ending).
 */

export interface HeaderField {
  /** Field name as written (trailing whitespace before the colon removed). */
  name: string;
  /** Lower-cased name, for matching against h=. */
  lname: string;
  /** The exact field bytes as a latin1 string (1 char = 1 byte), including its final CRLF. */
  raw: string;
  /** Offset in `raw` just after the colon: where the field value starts. */
  valueStart: number;
  /** Position among the header fields, 0 = top. */
  index: number;
}

export interface DkimMessage {
  fields: HeaderField[];
  /** Lower-case name -> positions in `fields`, top first. Lets h= selection stay linear on hostile headers. */
  byName: Map<string, number[]>;
  /** Body bytes after the blank line (CRLF form). Empty when there is no blank line. */
  body: Buffer;
  /** True when bare LF line endings were converted to CRLF. */
  lfConverted: boolean;
}

const LF = 0x0a;
const CR = 0x0d;

/** Trailing spaces and tabs removed by a loop: `/[ \t]+$/` is quadratic on hostile runs of blanks. */
function trimEndBlanks(s: string): string {
  let e = s.length;
  while (e > 0 && (s.charCodeAt(e - 1) === 0x20 || s.charCodeAt(e - 1) === 0x09)) e--;
  return s.slice(0, e);
}

/** Turns every bare LF into CRLF. Returns the input itself when there is none (the common case for .eml from SMTP). */
export function toCrlf(raw: Buffer): { bytes: Buffer; converted: boolean } {
  let bare = 0;
  for (let i = raw.indexOf(LF); i !== -1; i = raw.indexOf(LF, i + 1)) {
    if (i === 0 || raw[i - 1] !== CR) bare++;
  }
  if (bare === 0) return { bytes: raw, converted: false };
  const out = Buffer.allocUnsafe(raw.length + bare);
  let o = 0;
  let from = 0;
  for (let i = raw.indexOf(LF); i !== -1; i = raw.indexOf(LF, i + 1)) {
    if (i === 0 || raw[i - 1] !== CR) {
      o += raw.copy(out, o, from, i);
      out[o++] = CR;
      out[o++] = LF;
      from = i + 1;
    }
  }
  o += raw.copy(out, o, from);
  return { bytes: out.subarray(0, o), converted: true };
}

/**
 * Where the header block ends in the bytes as found: just after its empty line ("\n" or
 * "\r\n" on a line of its own), or -1 when there is none. The CRLF form of the header block
 * is then the CRLF form of this prefix, because turning bare LF into CRLF looks at one byte
 * back only, and the prefix ends with LF.
 */
function headerEnd(b: Buffer): number {
  for (let pos = 0; pos < b.length; ) {
    const nl = b.indexOf(LF, pos);
    if (nl === -1) return -1;
    if (nl === pos || (nl === pos + 1 && b[pos] === CR)) return nl + 1;
    pos = nl + 1;
  }
  return -1;
}

/**
 * Parses the header block. A line starting with SP/HTAB continues the previous field; a line
 * without a colon is kept as a field with an empty name (it can never match h=, and dropping it
 * would hide junk an attacker inserted). A continuation line before any field is glued to a
 * nameless field for the same reason.
 *
 * The body's CRLF form is made only when something reads it (a signature to check): most mail
 * in a dump is unsigned, and converting every body cost more than parsing its headers.
 */
export function parseDkimMessage(input: Buffer): DkimMessage {
  const end = headerEnd(input);
  const { bytes, converted } = toCrlf(end === -1 ? input : input.subarray(0, end));
  const fields: HeaderField[] = [];
  let pos = 0;
  let bodyStart = bytes.length;
  let current: { start: number; end: number } | null = null;

  const flush = () => {
    if (!current) return;
    let raw = bytes.toString('latin1', current.start, current.end);
    if (!raw.endsWith('\r\n')) raw += '\r\n'; // last header line at EOF without a line ending
    const colon = raw.indexOf(':');
    const name = colon === -1 ? '' : trimEndBlanks(raw.slice(0, colon));
    // A "name" containing a line break or whitespace is not a field name (a colon further down a
    // folded junk line); treat it as nameless.
    const valid = colon > 0 && /^[\x21-\x39\x3b-\x7e]+$/.test(name);
    fields.push({
      name: valid ? name : '',
      lname: valid ? name.toLowerCase() : '',
      raw,
      valueStart: valid ? colon + 1 : raw.length - 2,
      index: fields.length,
    });
    current = null;
  };

  while (pos < bytes.length) {
    const nl = bytes.indexOf(LF, pos);
    const lineEnd = nl === -1 ? bytes.length : nl + 1; // exclusive, includes CRLF
    const contentEnd = nl === -1 ? bytes.length : nl - 1; // before CR
    if (contentEnd === pos && nl !== -1) {
      // empty line: end of header block
      flush();
      bodyStart = lineEnd;
      break;
    }
    const first = bytes[pos];
    if ((first === 0x20 || first === 0x09) && current) {
      (current as { start: number; end: number }).end = lineEnd;
    } else {
      flush();
      current = { start: pos, end: lineEnd };
    }
    pos = lineEnd;
  }
  if (pos >= bytes.length) flush();
  const byName = new Map<string, number[]>();
  for (const f of fields) {
    const list = byName.get(f.lname);
    if (list) list.push(f.index);
    else byName.set(f.lname, [f.index]);
  }
  if (end === -1) return { fields, byName, body: bodyStart < bytes.length ? bytes.subarray(bodyStart) : Buffer.alloc(0), lfConverted: converted };
  let body: { bytes: Buffer; converted: boolean } | null = null;
  const crlfBody = () => (body ??= toCrlf(input.subarray(end)));
  return {
    fields,
    byName,
    get body() {
      return crlfBody().bytes;
    },
    get lfConverted() {
      return converted || crlfBody().converted;
    },
  };
}

/** A message already split by parseDkimMessage is used as it is; raw bytes are split. */
export function dkimMessage(m: Buffer | DkimMessage): DkimMessage {
  return Buffer.isBuffer(m) ? parseDkimMessage(m) : m;
}
