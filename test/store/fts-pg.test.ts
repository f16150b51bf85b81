/**
 * src/search/fts-pg.ts: the tokens PostgreSQL indexes come from SQLite's own tokenizer, column
 * by column, with their positions; the JS approximation that places snippet highlights agrees
 * with it on real mail text in many scripts; the tsvector/tsquery literals are well formed.
 * Needs no server (the end-to-end comparison is test/server-mode/parity.test.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHUNK_OVERLAP, indexVectors, phraseQuery, tokenizeColumns, tokensWithOffsets, tsvectorChunks, tsvectorLiteral, tsvectorLiterals } from '../../src/search/fts-pg.ts';
import { normalizeText } from '../../src/search/normalize.ts';
import { CORPORA } from '../helpers/corpora.ts';

const db = new DatabaseSync(':memory:');
db.exec("CREATE VIRTUAL TABLE f USING fts5(a, tokenize = 'unicode61 remove_diacritics 2'); CREATE VIRTUAL TABLE v USING fts5vocab(f, 'instance');");
const ins = db.prepare('INSERT INTO f (rowid, a) VALUES (1, ?)');
const terms = db.prepare('SELECT term FROM v ORDER BY offset');

function sqliteTokens(text: string): string[] {
  db.exec('DELETE FROM f');
  ins.run(text);
  return (terms.all() as { term: string }[]).map((r) => r.term);
}

/** Some lines of every mimekit message: many charsets and scripts, decoded as latin1 and UTF-8. */
function corpusLines(): string[] {
  const dir = join(CORPORA, 'mimekit');
  const out: string[] = [];
  for (const f of readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort()) {
    const b = readFileSync(f);
    // text lines only (binary parts decode to noise made of characters newer than SQLite's tables)
    for (const s of [b.toString('utf8'), b.toString('latin1')]) out.push(...s.split('\n').filter((l) => l.trim() && !/[\u0000-\u0008\u000e-\u001f\u007f-\u009f\ufffd]/.test(l)).slice(0, 200));
  }
  return out;
}

const jsTokens = (t: string) => tokensWithOffsets(t).map((x) => x.token);

describe('tokens', () => {
  it('are SQLite FTS5 tokens, per column, in order', () => {
    const cols = ['Re: Élysée', 'the body, the END', '', 'a@b.example', '', 'x.pdf', 'ÜBER'];
    expect(tokenizeColumns(cols)).toEqual(cols.map((c) => sqliteTokens(c)));
    expect(tokenizeColumns(cols)[1]).toEqual(['the', 'body', 'the', 'end']);
    expect(tsvectorLiterals(cols)[1]).toBe("'the':1,3 'body':2 'end':4");
  });

  it('the snippet highlighter splits real mail text as SQLite does', () => {
    const lines = corpusLines();
    expect(lines.length).toBeGreaterThan(1000);
    const bad: string[] = [];
    for (const l of lines) {
      const t = normalizeText(l);
      if (JSON.stringify(jsTokens(t)) !== JSON.stringify(sqliteTokens(t))) bad.push(t);
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('the snippet highlighter on hand-picked scripts and marks', () => {
    for (const s of ['日本語の件名', 'Chéilí ÜBER straße Œuvre', 'Доходы й ё Ё', "e-mail foo_bar 3.14 l'été", 'हिन्दी', 'x\u0301y', 'ไทยภาษา', 'ﬁ ǅ', 'Ωμέγα', 'مرحبا', 'שָׁלוֹם', '①②', 'ÆØÅ æøå ß']) {
      const t = normalizeText(s);
      expect(jsTokens(t), s).toEqual(sqliteTokens(t));
    }
  });

  it('indexes exactly what SQLite indexes, on random strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => {
        const t = normalizeText(s);
        expect(tokenizeColumns([t])[0]).toEqual(sqliteTokens(t));
      }),
      { numRuns: 500, seed: 42 },
    );
  });
});

describe('tsvector and tsquery literals', () => {
  it('positions, quoting and prefixes', () => {
    expect(tsvectorLiteral("It's it, it")).toBe("'it':1,3,4 's':2");
    expect(tsvectorLiteral("o'brien back\\slash")).toBe("'o':1 'brien':2 'back':3 'slash':4");
    expect(phraseQuery('Apache Maven', true)).toEqual({ phrase: "'apache' <-> 'maven':*", all: "'apache' & 'maven':*" });
    expect(phraseQuery('!!!', false)).toBeNull();
  });
});

/** 'w':1,2 'x':3 → Map w → [1, 2], x → [3]. */
function parseVector(v: string): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (const x of v.matchAll(/'((?:[^']|'')*)':([0-9,]+)/g)) m.set(x[1].replace(/''/g, "'"), x[2].split(',').map(Number));
  return m;
}

describe('columns past the limits of one tsvector', () => {
  it('are cut into overlapping chunks where every short phrase keeps its positions', () => {
    // 40,000 tokens, a frequent word (300× "the") and a phrase far past position 16,383
    const words = Array.from({ length: 40_000 }, (_, i) => (i % 100 === 0 ? 'the' : `w${i % 5000}`));
    words.splice(30_000, 2, 'click', 'here');
    const chunks = tsvectorChunks(words).map(parseVector);
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks) {
      expect(Math.max(...[...c.values()].flat())).toBeLessThanOrEqual(16383);
      for (const ps of c.values()) expect(ps.length).toBeLessThanOrEqual(256);
    }
    const hit = chunks.some((c) => (c.get('click') ?? []).some((p) => (c.get('here') ?? []).includes(p + 1)));
    expect(hit).toBe(true);
    // a phrase of CHUNK_OVERLAP words straddling any cut is whole in one chunk
    const seq = Array.from({ length: 20_000 }, (_, i) => `t${i}`);
    const cs = tsvectorChunks(seq).map(parseVector);
    for (let s = 0; s + CHUNK_OVERLAP <= seq.length; s += 997) {
      const whole = cs.some((c) => seq.slice(s, s + CHUNK_OVERLAP).every((w, k, a) => c.has(w) && (k === 0 || c.get(w)![0] === c.get(a[k - 1])![0] + 1)));
      expect(whole, `phrase at ${s}`).toBe(true);
    }
  });

  it('are only chunked when a column overflows', () => {
    expect(indexVectors(['a', 'b c', '', '', '', '', '']).chunks).toBeNull();
    const long = Array.from({ length: 17_000 }, (_, i) => `w${i}`).join(' ');
    const ix = indexVectors(['subj', long, '', '', '', '', '']);
    expect(ix.chunks!.filter((c) => c.col === 'body').length).toBe(2);
    expect(ix.chunks!.filter((c) => c.col === 'subject').length).toBe(1);
  });
});
