import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPORA, extracted } from '../../test/helpers/corpora.ts';
import { rng } from '../../test/helpers/random.ts';
import { BARE, QP_SOFT_BREAK, bareMatches, hasSoftBreak } from './extract.ts';

/** The oracle: the expression run over the whole text, as bareDomains did before. */
const byRegex = (text: string) => [...text.matchAll(BARE)].map((m) => ({ name: m[1], index: m.index }));
const byRuns = (text: string) => [...bareMatches(text)];

describe('bare names found by runs', () => {
  it('match the expression over every file of the mbox and SpamAssassin corpora (and so does the soft line break check)', () => {
    const files = readdirSync(join(CORPORA, 'mbox')).map((f) => join(CORPORA, 'mbox', f));
    const sa = extracted('spamassassin');
    for (const e of readdirSync(sa, { recursive: true, withFileTypes: true })) if (e.isFile()) files.push(join(e.parentPath, e.name));
    let found = 0;
    let soft = 0;
    for (const f of files) {
      const buf = readFileSync(f);
      for (const text of [buf.toString('utf8'), buf.toString('latin1')]) {
        const want = byRegex(text);
        expect(byRuns(text), f).toEqual(want);
        expect(hasSoftBreak(text), f).toBe(QP_SOFT_BREAK.test(text));
        if (hasSoftBreak(text)) soft++;
        found += want.length;
      }
    }
    expect(found).toBeGreaterThan(10_000);
    expect(soft).toBeGreaterThan(100);
  });

  it('match the expression on random strings of the characters that matter', () => {
    // letters (ASCII, accented, Cyrillic, an astral one), digits, and every character the
    // expression's look-arounds name
    const alphabet = ['a', 'b', 'Z', 'é', 'ж', '𝒜', '1', '.', '.', '.', '-', '@', '_', '%', '+', '/', ':', '=', '\\', ' ', '\n', 'co', 'com', 'fr'];
    const next = rng(12345);
    const rand = (n: number) => Math.floor(next() * n);
    let found = 0;
    for (let i = 0; i < 20_000; i++) {
      let s = '';
      for (let n = rand(40); n > 0; n--) s += alphabet[rand(alphabet.length)];
      const want = byRegex(s);
      expect(byRuns(s), JSON.stringify(s)).toEqual(want);
      const t = s.replace(/co/g, '=\r\n').replace(/fr/g, '= \t');
      expect(hasSoftBreak(t), JSON.stringify(t)).toBe(QP_SOFT_BREAK.test(t));
      found += want.length;
    }
    expect(found).toBeGreaterThan(300);
  });

  it('a lone surrogate or a dot at either end is no trouble', () => {
    for (const s of ['.', 'a.', '.a', '\ud835.com', 'x\udc9c.com', 'ab.cd\ud835', '..ab.cd']) expect(byRuns(s)).toEqual(byRegex(s));
  });
});
