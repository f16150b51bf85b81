/**
 * @module lookalike/extract
 * Every domain a message uses, with where: From, Sender, Reply-To, Return-Path, Received
 * hosts, Message-ID, links (URLs, mailto:, bare www. names) in its text and HTML bodies, and
 * domain names written without a scheme in the text ("go to onedrive-en-marche.fr/login").
 *
 * Scheme-less names are the noisy case (file names, dotted identifiers, sentences run
 * together), so `bareDomains` keeps a name only when its suffix is an ICANN entry of the
 * Public Suffix List, it is not part of an e-mail address, a URL or a longer dotted token,
 * its last label is not a file extension that happens to be a TLD (report.zip, setup.py), it
 * is not a sentence joined without a space ("the end.Today"), and, under the newer generic
 * TLDs that are ordinary words (.click, .watch, .map), it has a hyphen or is followed by a
 * path ("instantly.click here" is prose; "secure-login.click" and "login.click/x" are not).
 *
 * Two kinds of damaged text are repaired or skipped before extraction, both common in old
 * dumps (the Enron corpus): a body that is still quoted-printable (a forwarded or pasted
 * message whose `=20`, `=3D` and soft line breaks were never decoded: "http://www.enron.com=20")
 * is decoded first; and a name at the start of a line that continues an address or a URL cut
 * by line wrapping ("David.Portz@e" / "nron.com" in a Lotus Notes column, "email=info%4" /
 * "0enron.com") is not a name of its own.
 */
import { decodeQuotedPrintable } from '../mime/transfer.ts';
import type { Address, ParsedMessage } from '../mime/types.ts';
import { parseHost } from './domain.ts';

export type Place = 'from' | 'sender' | 'reply-to' | 'return-path' | 'received' | 'message-id' | 'link' | 'text';

/** Bytes of each body scanned for links: a limit against a huge body of URLs. */
const BODY_SCAN_CHARS = 2 * 1024 * 1024;

const URL_HOST = /\b(?:https?|ftp):\/\/([^\s/?#"'<>\\]+)/giu;
const MAILTO = /\bmailto:([^\s?"'<>]+)/giu;
const WWW = /(?:^|[\s"'(<>])(www\.[\p{L}\p{N}.-]+\.[\p{L}]{2,})/giu;
const RECEIVED_HOST = /\b(?:from|by)\s+([\p{L}\p{N}.-]+\.[\p{L}]{2,})|\(([\p{L}\p{N}.-]+\.[\p{L}]{2,})\s*\[/giu;

/**
 * A dotted name standing alone: not preceded by a name character, '@', '.', '/', ':' or '='
 * (e-mail addresses, URLs, paths, key=value), not followed by a name character, '@', '_' or
 * '.' plus more name (first.last@, a.b.c.d).
 */
export const BARE = /(?<![\p{L}\p{N}@._%+/:=\\-])((?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.){1,8}\p{L}{2,63})(?![\p{L}\p{N}@_-]|\.[\p{L}\p{N}])/gu;
/** BARE tried at one position only. */
const BARE_AT = new RegExp(BARE.source, 'uy');
const NAME_CHAR = /[\p{L}\p{N}]/u;

/** Whether the code point is a letter or digit (BARE's name characters, '.' and '-' aside). */
function nameCode(cp: number): boolean {
  if (cp < 0x80) return (cp >= 0x61 && cp <= 0x7a) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x30 && cp <= 0x39);
  return NAME_CHAR.test(String.fromCodePoint(cp));
}

/** The code point ending just before `i`, and its length in UTF-16 units (0 at the start). */
function codeBefore(text: string, i: number): [number, number] {
  if (i <= 0) return [-1, 0];
  const lo = text.charCodeAt(i - 1);
  if (lo >= 0xdc00 && lo <= 0xdfff && i >= 2) {
    const hi = text.charCodeAt(i - 2);
    if (hi >= 0xd800 && hi <= 0xdbff) return [((hi - 0xd800) << 10) + (lo - 0xdc00) + 0x10000, 2];
  }
  return [lo, 1];
}

function runCode(cp: number): boolean {
  return cp === 0x2e || cp === 0x2d || nameCode(cp);
}

/**
 * What `text.matchAll(BARE)` finds, found faster: BARE was the costliest expression of an
 * ingest (a unicode lookbehind tried at every position of every body; perf: 2.6% of an Enron
 * ingest's CPU). A name can only start a run of name characters, dots and hyphens (inside a
 * run, the character before it is one of them, which the lookbehind refuses), so there is at
 * most one match per run, at its start. The runs worth trying hold a dot between two name
 * characters: found with indexOf, and BARE is tried once at each such run's start.
 */
export function* bareMatches(text: string): Generator<{ name: string; index: number }> {
  for (let pos = 0; ;) {
    const dot = text.indexOf('.', pos);
    if (dot < 0) return;
    pos = dot + 1;
    if (dot === 0 || !nameCode(text.codePointAt(dot + 1) ?? -1) || !nameCode(codeBefore(text, dot)[0])) continue;
    let start = dot;
    for (;;) {
      const [cp, n] = codeBefore(text, start);
      if (n === 0 || !runCode(cp)) break;
      start -= n;
    }
    let end = dot + 1;
    while (end < text.length) {
      const cp = text.codePointAt(end)!;
      if (!runCode(cp)) break;
      end += cp > 0xffff ? 2 : 1;
    }
    pos = end;
    // (the expression's own lookbehind checks the character before the run)
    BARE_AT.lastIndex = start;
    const m = BARE_AT.exec(text);
    if (m) yield { name: m[1], index: start };
  }
}

/**
 * Public suffixes that are also common file extensions: a bare `name.zip` is a file. ccTLDs in
 * wide use for domains (.pl, .in, .ai, .pt, .cc, .ml…) are left out: a Perl script named in a
 * mail is less likely than a Polish domain.
 */
const FILE_EXTENSIONS: ReadonlySet<string> = new Set([
  'zip', 'mov', 'py', 'sh', 'pm', 'md', 'rs', 'ps', 'so', 'am', 'ac', 'mk', 'tf', 'bz', 'gs', 'rar', 'cab', 'log', 'bat', 'jar', 'csv', 'tar', 'gz',
]);

/** Abbreviations that end in a country code: "et al.", "Tel.no" (Norwegian .no). */
const ABBREVIATIONS: ReadonlySet<string> = new Set(['et.al', 'tel.no', 'fax.no', 'ref.no', 'acct.no', 'inv.no', 'tlf.no', 'op.cit', 'vol.no']);

/** Generic TLDs older than the 2013 expansion: a name under them reads as a domain. */
const LEGACY_GTLDS: ReadonlySet<string> = new Set(['com', 'net', 'org', 'info', 'biz', 'edu', 'gov', 'mil', 'int', 'name', 'pro', 'mobi', 'asia', 'aero', 'coop', 'museum', 'jobs', 'travel', 'tel', 'cat', 'arpa']);

/** A soft line break and an encoded octet: the text is still quoted-printable. */
export const QP_SOFT_BREAK = /=[ \t]*\r?\n/;

/** QP_SOFT_BREAK.test(text), by indexOf: the expression was tried at every position of every body (2.5x slower on Enron). */
export function hasSoftBreak(t: string): boolean {
  for (let i = t.indexOf('='); i !== -1; i = t.indexOf('=', i + 1)) {
    let j = i + 1;
    while (t.charCodeAt(j) === 0x20 || t.charCodeAt(j) === 0x09) j++;
    const c = t.charCodeAt(j);
    if (c === 0x0a || (c === 0x0d && t.charCodeAt(j + 1) === 0x0a)) return true;
  }
  return false;
}
const QP_OCTET = /=(?:[0-9A-F]{2})/;

/**
 * The text as its writer meant it when it is still quoted-printable (both a soft line break
 * and an `=XX` octet present: prose has neither, and a URL query `a=b` lacks the first), else
 * unchanged. Decoded as UTF-8 (invalid sequences become U+FFFD, which no name contains).
 */
export function undoQuotedPrintable(text: string): string {
  if (!hasSoftBreak(text) || !QP_OCTET.test(text)) return text;
  return decodeQuotedPrintable(Buffer.from(text, 'utf8')).toString('utf8');
}

/**
 * When `index` starts a line's text (after blanks and '>' quote markers), the tokens of the
 * line before that a name there may continue: its last token (a wrapped line), and the one
 * starting at the same column, '<' allowed before it (a Lotus Notes header column, where
 * "<Eric.Saibi@e        To: …" continues as "nron.com>" under it). A blank line between is
 * skipped once (bodies converted with doubled line breaks).
 */
function tokensAbove(text: string, index: number): string[] {
  let i = index - 1;
  while (i >= 0 && (text[i] === ' ' || text[i] === '\t' || text[i] === '>')) i--;
  if (i < 0 || text[i] !== '\n') return [];
  const col = index - (i + 1);
  // the line above, or the one before it when it is blank (text converted with doubled breaks)
  let above = '';
  for (let n = 0, end = i; n < 2 && end >= 0 && !above.trim(); n++) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    above = text.slice(start, end).replace(/\r$/, '');
    end = start - 1;
  }
  const out: string[] = [];
  const last = /\S+$/.exec(above);
  if (last) out.push(last[0]);
  const at = /^\S+/.exec(above.slice(col));
  if (at && (col === 0 || /\s/.test(above[col - 1]) || (above[col - 1] === '<' && (col === 1 || /\s/.test(above[col - 2]))))) out.push(at[0]);
  return out;
}

/**
 * True when a token above ends with an address whose domain is cut short ("Portz@e",
 * "x@ect.enr") or with a percent escape cut in the middle ("info%4", "info%"): the name
 * starting this line is the rest of it ("nron.com", "0enron.com").
 */
function continuesWrapped(text: string, index: number): boolean {
  return tokensAbove(text, index).some((tail) => {
    if (/%[0-9a-f]?$/i.test(tail)) return true;
    const at = tail.lastIndexOf('@');
    if (at < 0) return false;
    const rest = tail.slice(at + 1);
    return /^[\p{L}\p{N}.-]*$/u.test(rest) && !parseHost(rest)?.icann;
  });
}

/** Scheme-less domain names in `text` (lower-cased, deduplicated, in order of appearance). */
export function bareDomains(text: string): string[] {
  const out = new Set<string>();
  for (const r of bareMatches(text)) {
    const name = r.name;
    if (continuesWrapped(text, r.index)) continue;
    const labels = name.split('.');
    // "the end.Today": a capitalised last label after a lower-case one is a sentence run
    // together (Golux.Com, www.DeepEddy.Com are names written in title case)
    if (/^\p{Lu}\p{Ll}/u.test(labels[labels.length - 1]) && /^\p{Ll}/u.test(labels[labels.length - 2])) continue;
    const lower = name.toLowerCase();
    if (ABBREVIATIONS.has(lower)) continue;
    if (FILE_EXTENSIONS.has(lower.slice(lower.lastIndexOf('.') + 1))) continue;
    const h = parseHost(lower);
    if (!h?.registered || !h.icann || /^\d+$/.test(h.label)) continue;
    const tld = h.suffix.slice(h.suffix.lastIndexOf('.') + 1);
    if (tld.length > 2 && !LEGACY_GTLDS.has(tld) && !h.label.includes('-') && text[r.index + name.length] !== '/') continue;
    out.add(lower);
  }
  return [...out];
}

function domainOf(address: string): string | null {
  const at = address.lastIndexOf('@');
  const d = at >= 0 ? address.slice(at + 1) : '';
  return d.replace(/[>\]\s.]+$/, '').toLowerCase() || null;
}

function hostOfAuthority(authority: string): string {
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  return host.replace(/:\d*$/, '').replace(/[.,;)]+$/, '').toLowerCase();
}

/** domain → the places it appears in the message. */
export function domainsOf(m: ParsedMessage): Map<string, Set<Place>> {
  const out = new Map<string, Set<Place>>();
  const add = (d: string | null, p: Place): void => {
    if (!d || !d.includes('.')) return;
    const s = out.get(d) ?? new Set<Place>();
    s.add(p);
    out.set(d, s);
  };
  const addrs = (list: Address[], p: Place): void => { for (const a of list) add(domainOf(a.address), p); };
  addrs(m.from, 'from');
  addrs(m.sender, 'sender');
  addrs(m.replyTo, 'reply-to');
  if (m.messageId) add(domainOf(m.messageId.replace(/^<|>$/g, '')), 'message-id');
  for (const h of m.headers) {
    const name = h.name.toLowerCase();
    if (name === 'return-path') add(domainOf(h.value.replace(/[<>\s]/g, '')), 'return-path');
    else if (name === 'received') for (const r of h.value.matchAll(RECEIVED_HOST)) add((r[1] ?? r[2]).toLowerCase(), 'received');
  }
  const text = m.text ? undoQuotedPrintable(m.text.length > BODY_SCAN_CHARS ? m.text.slice(0, BODY_SCAN_CHARS) : m.text) : null;
  const html = m.html ? undoQuotedPrintable(m.html.length > BODY_SCAN_CHARS ? m.html.slice(0, BODY_SCAN_CHARS) : m.html) : null;
  for (const s of [text, html]) {
    if (!s) continue;
    for (const r of s.matchAll(URL_HOST)) add(hostOfAuthority(r[1]), 'link');
    for (const r of s.matchAll(MAILTO)) add(domainOf(r[1]), 'link');
    for (const r of s.matchAll(WWW)) add(r[1].toLowerCase(), 'link');
  }
  // scheme-less names, in the text body (an HTML body's text is its rendering, not its markup)
  if (text) for (const d of bareDomains(text)) if (!out.has(d)) add(d, 'text');
  return out;
}

/**
 * domainsOf's result as stored with the message at ingest (messages.domains, JSON: domain →
 * places), so the case scan reads it instead of parsing every message again.
 */
export function encodeDomains(d: Map<string, Set<Place>>): string {
  const o: Record<string, Place[]> = {};
  for (const [k, v] of d) o[k] = [...v];
  return JSON.stringify(o);
}

export function decodeDomains(json: string): Map<string, Set<Place>> {
  const out = new Map<string, Set<Place>>();
  for (const [k, v] of Object.entries(JSON.parse(json) as Record<string, Place[]>)) out.set(k, new Set(v));
  return out;
}
