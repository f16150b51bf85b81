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
 */
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
const BARE = /(?<![\p{L}\p{N}@._%+/:=\\-])((?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.){1,8}\p{L}{2,63})(?![\p{L}\p{N}@_-]|\.[\p{L}\p{N}])/gu;

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

/** Scheme-less domain names in `text` (lower-cased, deduplicated, in order of appearance). */
export function bareDomains(text: string): string[] {
  const out = new Set<string>();
  for (const r of text.matchAll(BARE)) {
    const name = r[1];
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
    if (tld.length > 2 && !LEGACY_GTLDS.has(tld) && !h.label.includes('-') && text[(r.index ?? 0) + name.length] !== '/') continue;
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
  for (const body of [m.text, m.html]) {
    if (!body) continue;
    const s = body.length > BODY_SCAN_CHARS ? body.slice(0, BODY_SCAN_CHARS) : body;
    for (const r of s.matchAll(URL_HOST)) add(hostOfAuthority(r[1]), 'link');
    for (const r of s.matchAll(MAILTO)) add(domainOf(r[1]), 'link');
    for (const r of s.matchAll(WWW)) add(r[1].toLowerCase(), 'link');
  }
  // scheme-less names, in the text body (an HTML body's text is its rendering, not its markup)
  if (m.text) {
    const s = m.text.length > BODY_SCAN_CHARS ? m.text.slice(0, BODY_SCAN_CHARS) : m.text;
    for (const d of bareDomains(s)) if (!out.has(d)) add(d, 'text');
  }
  return out;
}
