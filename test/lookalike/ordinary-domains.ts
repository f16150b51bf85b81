/**
 * A large list of ordinary domain names, built deterministically for the lookalike tests and
 * the benchmark: common words crossed with real public suffixes, alone and in pairs (with and
 * without a hyphen), the way small businesses, blogs and associations name themselves.
 *
 * Words: French ones from words-fr.txt (written for trove), English ones derived from the
 * Enron corpus (the most common lower-case words of its message bodies, by number of messages
 * using them). Suffixes: a fixed list, each checked to be an ICANN entry of the Public Suffix
 * List (tldts). Nothing is random but a seeded generator, so every run builds the same list.
 */
import { openSync, readSync, closeSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'tldts';
import { extracted } from '../helpers/corpora.ts';
import { rng } from '../helpers/random.ts';

/** Suffixes ordinary French and English-language sites use. */
const SUFFIXES = ['com', 'fr', 'net', 'org', 'eu', 'de', 'info', 'co.uk', 'be', 'ch', 'ca', 'biz', 'io', 'paris', 'online', 'shop', 'com.au', 'us'];

export function suffixes(): string[] {
  return SUFFIXES.filter((s) => parse(`example.${s}`, { allowPrivateDomains: false }).isIcann === true && parse(`example.${s}`).publicSuffix === s);
}

export function frenchWords(): string[] {
  const file = fileURLToPath(new URL('./words-fr.txt', import.meta.url));
  return readFileSync(file, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
}

function* files(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (e.isFile() && !e.name.startsWith('.')) yield p;
  }
}

/** The `n` most common lower-case words (3–12 letters) of the Enron bodies, by messages using them. */
export function englishWords(n = 3000): string[] {
  const df = new Map<string, number>();
  const buf = Buffer.alloc(6000);
  for (const f of files(extracted('enron-maildir'))) {
    const fd = openSync(f, 'r');
    const len = readSync(fd, buf, 0, buf.length, 0);
    closeSync(fd);
    const s = buf.subarray(0, len).toString('latin1');
    const body = s.indexOf('\n\n');
    if (body < 0) continue;
    const seen = new Set(s.slice(body).match(/(?<![\w@./-])[a-z]{3,12}(?![\w@-])/g) ?? []);
    for (const w of seen) df.set(w, (df.get(w) ?? 0) + 1);
  }
  return [...df].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n).map(([w]) => w);
}


/**
 * Every word under every suffix, plus `pairs` two-word names (word+word or word-word) under a
 * random suffix. `exclude`: words left out (the targets' own brands: `office.fr` is the brand
 * under another TLD by construction, not an ordinary name).
 */
export function ordinaryDomains(words: readonly string[], opts: { pairs: number; seed: number; exclude?: ReadonlySet<string> }): string[] {
  const ws = [...new Set(words)].filter((w) => !opts.exclude?.has(w));
  const sfx = suffixes();
  const out = new Set<string>();
  for (const w of ws) for (const s of sfx) out.add(`${w}.${s}`);
  const r = rng(opts.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  for (let i = 0; i < opts.pairs; i++) {
    const a = pick(ws);
    const b = pick(ws);
    if (a === b) continue;
    out.add(`${a}${r() < 0.5 ? '-' : ''}${b}.${pick(sfx)}`);
  }
  return [...out];
}
