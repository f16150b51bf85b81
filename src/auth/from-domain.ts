/**
 * @module auth/from-domain
 * The domains of a message's From header(s), for DKIM alignment. Deliberately small and
 * conservative: it reads the raw header bytes (no decoding a forger could exploit), ignores
 * display names, quoted strings and comments (where "ceo@bank.example" can be written as
 * decoration), and returns every domain it finds in every From field, top first, so the verdict
 * can refuse to call a message verified when the sender is ambiguous.
 */
import { domainToASCII } from 'node:url';
import { getDomain } from 'tldts';
import { dkimMessage, type DkimMessage } from './dkim/message.ts';

/** Every From domain (lower case, ASCII/punycode), in header order, duplicates removed. */
export function fromDomains(raw: Buffer | DkimMessage): string[] {
  const out: string[] = [];
  for (const f of dkimMessage(raw).fields) {
    if (f.lname !== 'from') continue;
    for (const d of addressDomains(f.raw.slice(f.valueStart))) if (!out.includes(d)) out.push(d);
  }
  return out;
}

/** Domains of the addresses in one address-list value (latin1 string of the raw bytes). */
export function addressDomains(value: string): string[] {
  let v = value.replace(/\r\n/g, '');
  v = v.replace(/"(?:[^"\\]|\\.)*"/g, '""'); // quoted display names / local parts
  // comments can nest: remove innermost first
  for (let i = 0; i < 20 && /\([^()]*\)/.test(v); i++) v = v.replace(/\((?:[^()\\]|\\.)*\)/g, ' ');
  const angle = [...v.matchAll(/<([^<>]*)>/g)].map((m) => m[1]);
  const specs = angle.length ? angle : v.split(/[,;:]/);
  const out: string[] = [];
  for (const s of specs) {
    const at = s.lastIndexOf('@');
    if (at === -1) continue;
    const dom = normaliseDomain(s.slice(at + 1).trim());
    if (dom && !out.includes(dom)) out.push(dom);
  }
  return out;
}

export function normaliseDomain(d: string): string | null {
  const t = d.trim().replace(/\.$/, '');
  if (t === '' || /[\s<>()[\]\\,;:@"]/.test(t)) return null;
  // latin1 bytes of a UTF-8 IDN: re-read as UTF-8 before punycoding
  const unicode = /[\x80-\xff]/.test(t) ? Buffer.from(t, 'latin1').toString('utf8') : t;
  const ascii = domainToASCII(unicode);
  return ascii === '' ? null : ascii.toLowerCase();
}

/** Organisational domain per the Public Suffix List (private section included: stricter). */
export function organisationalDomain(domain: string): string {
  const d = normaliseDomain(domain) ?? domain.toLowerCase();
  return getDomain(d, { allowPrivateDomains: true }) ?? d;
}
