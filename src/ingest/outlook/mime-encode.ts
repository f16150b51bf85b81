/**
 * @module ingest/outlook/mime-encode
 * The small encoders to-mime.ts needs: RFC 2047 encoded words, RFC 2231 parameters, quoted-printable,
 * base64 lines, RFC 5322 dates and address formatting. Written out here (rather than taken from
 * libmime, which ships no types) so their output is fixed by this file: the synthesized bytes must not
 * change when a dependency is upgraded, or re-ingesting a PST would yield different message hashes.
 */

const CRLF = '\r\n';

/** True when `s` can go into a header as is: printable ASCII and tabs only. */
export function isPlainAscii(s: string): boolean {
  return /^[\x20-\x7e\t]*$/.test(s);
}

/**
 * RFC 2047 B-encoding in UTF-8, split into words of at most 75 characters, never splitting a
 * character (a split UTF-8 sequence would decode to U+FFFD in every word).
 */
export function encodeWords(s: string): string {
  const words: string[] = [];
  let chunk: string[] = [];
  let bytes = 0;
  // 75 - "=?UTF-8?B?" - "?=" = 63 base64 characters = 45 bytes of UTF-8 at most (multiple of 3).
  const maxBytes = 45;
  for (const ch of s) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > maxBytes && chunk.length > 0) {
      words.push(chunk.join(''));
      chunk = [];
      bytes = 0;
    }
    chunk.push(ch);
    bytes += n;
  }
  if (chunk.length > 0) words.push(chunk.join(''));
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join(`${CRLF} `);
}

/** Removes CR and LF (header injection, and Outlook subjects sometimes carry them). */
export function oneLine(s: string): string {
  return s.replace(/\r\n|\r|\n/g, ' ');
}

/** Unstructured header text (Subject, X- fields): as is when plain ASCII, else encoded words. */
export function headerText(s: string): string {
  const v = oneLine(s);
  return isPlainAscii(v) ? v : encodeWords(v);
}

/** Folds one `Name: value` field at whitespace to stay under 78 characters where it can. */
export function foldHeader(name: string, value: string): string {
  const line = `${name}: ${value}`;
  if (line.length <= 78 || value.includes(CRLF)) return line;
  const out: string[] = [];
  let rest = line;
  while (rest.length > 78) {
    let cut = rest.lastIndexOf(' ', 78);
    if (cut <= name.length + 1) cut = rest.indexOf(' ', 78);
    if (cut <= 0) break;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut); // the space stays at the start of the continuation line
  }
  out.push(rest);
  return out.join(CRLF);
}

/** A display name as an RFC 5322 phrase: atom text, quoted string, or encoded words. */
export function phrase(name: string): string {
  const n = oneLine(name).trim();
  if (!isPlainAscii(n)) return encodeWords(n);
  if (/^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+$/.test(n)) return n;
  return `"${n.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * One mailbox. An address without '@' (an Exchange DN, an X.400 string, '') is not an RFC 5322
 * address, and inventing one would be worse than losing it, so such a person is written as an
 * empty group named after them (`Name: ;`): valid syntax, and the name stays searchable.
 * Returns '' when there is neither a name nor an address.
 */
export function mailbox(name: string, address: string): string {
  const addr = oneLine(address).trim();
  const nm = oneLine(name).trim();
  if (addr.includes('@') && !/[\s<>]/.test(addr)) {
    if (nm === '' || nm === addr) return `<${addr}>`;
    return `${phrase(nm)} <${addr}>`;
  }
  const label = nm !== '' ? nm : addr;
  if (label === '') return '';
  return `${phrase(label)}: ;`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 date in UTC. Outlook stores UTC FILETIMEs; the sender's zone is not kept. */
export function rfc5322Date(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${p(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} `
    + `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** Base64 in 76-character lines, CRLF-terminated. */
export function base64Lines(data: Buffer): string {
  const b64 = data.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return lines.length === 0 ? '' : lines.join(CRLF) + CRLF;
}

/**
 * Quoted-printable (RFC 2045 6.7) of text bytes: line breaks (CRLF, LF or CR in the input) become
 * CRLF hard breaks, everything else that is not safe is =XX, lines are soft-broken at 76.
 * Decoding gives back the input exactly, up to line-break normalisation to CRLF.
 */
export function quotedPrintable(data: Buffer): string {
  const out: string[] = [];
  let line = '';
  const flush = (soft: boolean) => {
    out.push(soft ? `${line}=` : line);
    line = '';
  };
  const push = (tok: string) => {
    if (line.length + tok.length > 75) flush(true);
    line += tok;
  };
  for (let i = 0; i < data.length; i++) {
    const b = data[i];
    if (b === 0x0d || b === 0x0a) {
      if (b === 0x0d && data[i + 1] === 0x0a) i++;
      // Trailing white space before a hard break must be encoded or transports may strip it.
      const last = line.charCodeAt(line.length - 1);
      if (line.length > 0 && (last === 0x20 || last === 0x09)) {
        line = line.slice(0, -1);
        push(`=${last.toString(16).toUpperCase().padStart(2, '0')}`);
      }
      flush(false);
      continue;
    }
    const safe = (b >= 33 && b <= 126 && b !== 61) || b === 0x20 || b === 0x09;
    // A line starting with "." or "From " survives SMTP and mbox better when its first char is encoded.
    const atStart = line.length === 0 && (b === 0x2e || (b === 0x46 && data.subarray(i, i + 5).toString('latin1') === 'From '));
    push(safe && !atStart ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`);
  }
  const last = line.charCodeAt(line.length - 1);
  if (line.length > 0 && (last === 0x20 || last === 0x09)) {
    line = line.slice(0, -1);
    push(`=${last.toString(16).toUpperCase().padStart(2, '0')}`);
  }
  // No CRLF is added after the last line: the CRLF before a boundary belongs to the boundary, so an
  // added one would become part of the text. Text that ends with a line break ends with '' here.
  out.push(line);
  return out.join(CRLF);
}

/**
 * A `; name="value"` parameter. Plain ASCII values are quoted; others get the RFC 2231 form
 * (`name*=utf-8''…`) for conforming parsers, preceded by an RFC 2047 quoted form that many
 * real-world parsers (and Outlook itself) read instead.
 */
export function param(name: string, value: string): string {
  const v = oneLine(value);
  if (isPlainAscii(v)) return `;${CRLF} ${name}="${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  const pct = encodeURIComponent(v).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  // Encoded words folded inside the quoted string (FWS is allowed there), and the 2231 value in
  // numbered sections of at most ~60 characters, never splitting a %XX triplet, so no line nears 998.
  const sections: string[] = [];
  let i = 0;
  while (i < pct.length) {
    let end = Math.min(pct.length, i + 60);
    const pctAt = pct.lastIndexOf('%', end - 1);
    if (pctAt > end - 3 && pctAt >= i && end < pct.length) end = pctAt;
    sections.push(pct.slice(i, end));
    i = end;
  }
  const rfc2231 = sections.length === 1
    ? `;${CRLF} ${name}*=utf-8''${sections[0]}`
    : sections.map((s, n) => `;${CRLF} ${name}*${n}*=${n === 0 ? "utf-8''" : ''}${s}`).join('');
  return `;${CRLF} ${name}="${encodeWords(v)}"${rfc2231}`;
}
