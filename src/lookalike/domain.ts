/**
 * @module lookalike/domain
 * A host name split the way a reader and a registrar see it: Unicode form (punycode decoded
 * with the platform's IDNA), registered domain, label before the public suffix, suffix and
 * subdomain labels, using the Public Suffix List (tldts, ICANN section only: a private
 * suffix such as fr.com is exactly what an impersonator buys under).
 */
import { domainToASCII, domainToUnicode } from 'node:url';
import { parse } from 'tldts';

export interface Host {
  /** As given, lower-cased, trailing dot removed. */
  input: string;
  /** ASCII (punycode) form. */
  ascii: string;
  /** Unicode form. */
  unicode: string;
  /** Registered domain in Unicode (label.suffix), or null when none (an IP, a bare suffix). */
  registered: string | null;
  /** The registered label, Unicode. */
  label: string;
  /** The public suffix (Unicode). */
  suffix: string;
  /** Subdomain labels, Unicode, left to right. */
  sub: string[];
  /** The suffix is one of the Public Suffix List's ICANN entries (false: an unknown TLD). */
  icann: boolean;
}

/** Labels of letters, digits and inner hyphens (underscores allowed, as in DNS records). */
const PLAIN = /^(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** What an ASCII host name may hold: letters, digits, hyphens, underscores, dots. */
const HOST_CHARS = /^[a-z0-9_.-]+$/;

/**
 * Hosts parsed lately: a dump names the same few thousand hosts over and over, and the Public
 * Suffix List lookup was most of a parse worker's domain extraction (perf: tldts 1.6% of an
 * Enron ingest's CPU). Bounded; emptied when full. The Host objects are shared: read-only.
 */
const PARSED = new Map<string, Readonly<Host> | null>();
const PARSED_MAX = 20_000;

/** Parses a host name; null when it is not a usable domain name. The result is shared: do not change it. */
export function parseHost(name: string): Readonly<Host> | null {
  let h = PARSED.get(name);
  if (h === undefined) {
    if (PARSED.size >= PARSED_MAX) PARSED.clear();
    PARSED.set(name, (h = parseHostNow(name)));
  }
  return h;
}

function parseHostNow(name: string): Host | null {
  const input = name.trim().toLowerCase().replace(/\.$/, '');
  if (!input || input.length > 253 || /^\[|^[\d.]+$/.test(input)) return null;
  // plain ASCII names without punycode are their own ASCII and Unicode forms: skip the IDNA
  // round trips, most of the cost of scoring a feed
  const plain = PLAIN.test(input) && !input.includes('xn--');
  const ascii = plain ? input : domainToASCII(input);
  // WHATWG's IDNA lets through characters no host name can hold ('=', '!', '$'…): text run
  // into a name ("www.enron.com=20") is not a name
  if (!ascii || !HOST_CHARS.test(ascii)) return null;
  const uni = (x: string): string => (plain ? x : domainToUnicode(x) || x);
  const unicode = uni(ascii);
  const p = parse(ascii, { allowPrivateDomains: false, extractHostname: false });
  if (!p.domain || !p.publicSuffix || p.isIp) return null;
  const label = uni(p.domainWithoutSuffix ?? '');
  const suffix = uni(p.publicSuffix);
  const sub = p.subdomain ? p.subdomain.split('.').map(uni) : [];
  return { input, ascii, unicode, registered: `${label}.${suffix}`, label, suffix, sub, icann: p.isIcann === true };
}
