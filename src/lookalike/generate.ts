/**
 * @module lookalike/generate
 * Candidate lookalikes of a domain, for defenders to pre-register or watch: dnstwist's
 * fuzzers (addition, bitsquatting, homoglyph, hyphenation, insertion, omission, plural,
 * repetition, replacement, subdomain, transposition, vowel-swap, tld-swap, various) plus the
 * combosquats it lacks (brand + service word, either side, with or without a hyphen) and
 * the subdomain and dot tricks, and two-typo names for long brands. Each candidate carries the kind that produced it; IDN
 * candidates are given in ASCII (punycode) form.
 */
import { domainToASCII } from 'node:url';
import { homoglyphsOf } from './confusables.ts';
import { makeTarget } from './detect.ts';
import { doubleTypoOf, DOUBLE_TYPO_MIN_LENGTH } from './typo.ts';
import { adjacentKeys, COMMON_TLDS, SERVICE_WORDS, VOWELS } from './words.ts';

export interface Candidate {
  domain: string;
  kind: string;
  target: string;
}

const LABEL_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789-';
const VALID = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Labels one likely slip away from `b`: a letter left out, doubled, swapped, or an adjacent key. */
function likelyTypos(b: string): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < b.length; i++) {
    const ch = b[i];
    if (ch === '-') continue;
    out.add(b.slice(0, i) + b.slice(i + 1));
    out.add(b.slice(0, i) + ch + ch + b.slice(i + 1));
    if (i < b.length - 1 && b[i + 1] !== '-' && b[i + 1] !== ch) out.add(b.slice(0, i) + b[i + 1] + ch + b.slice(i + 2));
    for (const k of adjacentKeys(ch)) if (k !== '-') out.add(b.slice(0, i) + k + b.slice(i + 1));
  }
  out.delete(b);
  return out;
}

/** All candidates for one legitimate domain, without duplicates and without the domain itself. */
export function generate(domain: string): Candidate[] {
  const t = makeTarget(domain);
  if (!t) return [];
  const b = t.brand;
  const tld = t.host.suffix;
  const seen = new Map<string, Candidate>();
  const add = (label: string, kind: string, suffix = tld): void => {
    const name = `${label}.${suffix}`;
    const ascii = domainToASCII(name);
    if (!ascii || name === t.domain || name.endsWith(`.${t.domain}`) || seen.has(ascii)) return;
    const labels = ascii.split('.');
    if (!labels.every((l) => VALID.test(l) || l.startsWith('xn--'))) return;
    seen.set(ascii, { domain: ascii, kind, target: t.domain });
  };
  const n = b.length;
  for (let i = 0; i < n; i++) {
    const ch = b[i];
    add(b.slice(0, i) + b.slice(i + 1), 'omission');
    add(b.slice(0, i) + ch + ch + b.slice(i + 1), 'repetition');
    if (i < n - 1) add(b.slice(0, i) + b[i + 1] + ch + b.slice(i + 2), 'transposition');
    for (const k of adjacentKeys(ch)) add(b.slice(0, i) + k + b.slice(i + 1), 'replacement');
    for (let bit = 0; bit < 8; bit++) {
      const f = String.fromCharCode(ch.charCodeAt(0) ^ (1 << bit));
      if (LABEL_CHARS.includes(f)) add(b.slice(0, i) + f + b.slice(i + 1), 'bitsquatting');
    }
    if (VOWELS.has(ch)) for (const v of VOWELS) if (v !== ch) add(b.slice(0, i) + v + b.slice(i + 1), 'vowel-swap');
    for (const g of homoglyphsOf(ch)) add(b.slice(0, i) + g + b.slice(i + 1), 'homoglyph');
    if (i > 0 && b[i] !== '-' && b[i - 1] !== '-') {
      add(b.slice(0, i) + '-' + b.slice(i), 'hyphenation');
      add(b.slice(0, i) + '.' + b.slice(i), 'dot');
    }
    if (ch === 'm') add(b.slice(0, i) + 'rn' + b.slice(i + 1), 'homoglyph');
    if (ch === 'w') add(b.slice(0, i) + 'vv' + b.slice(i + 1), 'homoglyph');
    if (ch === 'd') add(b.slice(0, i) + 'cl' + b.slice(i + 1), 'homoglyph');
  }
  add(b + 's', 'plural');
  if (b.includes('-')) add(b.replace(/-/g, ''), 'hyphenation');
  for (let i = 0; i <= n; i++) {
    for (const c of LABEL_CHARS) add(b.slice(0, i) + c + b.slice(i), i === n ? 'addition' : 'insertion');
  }
  for (const s of COMMON_TLDS) add(b, 'tld-swap', s);
  const flat = tld.replace(/\./g, '');
  for (const s of ['com', 'net', 'org']) {
    add(`${b}.${tld}`, 'tld-added', s);
    add(`${b}-${flat}`, 'dot', s);
    add(`${b}${flat}`, 'dot', s);
  }
  add(`www${b}`, 'dot');
  add(`www-${b}`, 'dot');
  for (const w of SERVICE_WORDS) {
    if (w.length < 2 || w === flat) continue;
    for (const label of [`${w}-${b}`, `${b}-${w}`, `${w}${b}`, `${b}${w}`]) add(label, 'combosquat');
    add(`${t.domain}.${w}-account`, 'subdomain', 'com');
    add(`${b}.${w}`, 'subdomain', 'com');
  }
  for (const s of ['com', 'net']) for (const x of ['verify-account', 'secure-login', 'account-verify', 'login-secure']) add(`${t.domain}.${x}`, 'subdomain', s);
  // two slips of the finger, on long brands only and under the brand's own TLD: the product of
  // two single typos, limited to the likeliest kinds (a left-out, doubled or swapped letter, or
  // an adjacent key), keeps the list to a few thousand names
  if ([...t.core].length >= DOUBLE_TYPO_MIN_LENGTH) {
    const once = likelyTypos(b);
    // (kept only when the detector reads it back as two likely slips: a swap followed by an
    // adjacent key on a swapped letter is not one)
    for (const x of once) for (const y of likelyTypos(x)) if (!seen.has(`${y}.${tld}`) && doubleTypoOf(b, y)) add(y, 'double-typo');
  }
  return [...seen.values()];
}
