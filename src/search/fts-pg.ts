/**
 * @module search/fts-pg
 * Full text on PostgreSQL with SQLite's semantics. PostgreSQL's own parser splits text its own
 * way (`example.com` is one "host" token, hyphenated words give three tokens, …), so its
 * totals would differ from the SQLite case. Instead the tokens are made by SQLite's own
 * `unicode61 remove_diacritics 2` tokenizer (node:sqlite, an in-memory FTS5 table read back
 * through fts5vocab: the very code the SQLite case uses, its Unicode 6.1 tables included), and
 * PostgreSQL gets finished tsvector and tsquery literals (casting a literal involves no parser
 * or dictionary). `tokensWithOffsets`, a JS approximation of the same rules, only places the
 * highlight marks in snippets. test/store/fts-pg.test.ts checks both.
 *
 * tsvector's limits (positions stop at 16,383, 256 positions per word, 1 MB) are met by
 * overlapping chunks for overlong columns (tsvectorChunks, docs/server.md).
 */

import { DatabaseSync, type StatementSync } from 'node:sqlite';

const MAX_POS = 16383;
const MAX_POSITIONS_PER_WORD = 256;
const MAX_WORD_BYTES = 2046;
const MAX_VECTOR_BYTES = 900_000;

// Letters, digits, private use, and the combining diacritics SQLite strips (U+0300–U+036F);
// other marks (Indic vowel signs, viramas…) separate tokens in unicode61, so they do here.
const TOKEN = /[\p{L}\p{N}\p{Co}\u0300-\u036F]+/gu;
const LATIN = /[\u00C0-\u024F\u1E00-\u1EFF]/u;

/** Folds one token as unicode61 remove_diacritics 2 does: lower case, Latin accents off. */
export function foldToken(t: string): string {
  let s = t.toLowerCase();
  if (LATIN.test(s)) s = [...s].map((c) => (LATIN.test(c) ? c.normalize('NFD').replace(/\p{M}/gu, '') : c)).join('');
  // combining diacritics are dropped wherever they stand (x + U+0301 + y → xy), as SQLite does
  return s.replace(/[\u0300-\u036F]/g, '');
}

/** The tokens of (already normalizeText'ed) text, in order, with their character offsets. */
export function tokensWithOffsets(text: string): { token: string; start: number; end: number }[] {
  return [...tokenIter(text)];
}

/** tokensWithOffsets, one at a time. */
export function* tokenIter(text: string): Generator<{ token: string; start: number; end: number }> {
  for (const m of text.matchAll(TOKEN)) {
    const token = foldToken(m[0]);
    if (token) yield { token, start: m.index, end: m.index + m[0].length };
  }
}

/** Column order of the FTS table (search_fts). */
export const FTS_COLUMNS = ['subject', 'body', 'from_', 'to_', 'cc_', 'filename', 'attachment'] as const;

let tok: { ins: StatementSync; read: StatementSync; del: StatementSync } | null = null;
function tokenizer(): NonNullable<typeof tok> {
  if (!tok) {
    const db = new DatabaseSync(':memory:');
    db.exec(`CREATE VIRTUAL TABLE f USING fts5(${FTS_COLUMNS.join(', ')}, tokenize = 'unicode61 remove_diacritics 2');
      CREATE VIRTUAL TABLE v USING fts5vocab(f, 'instance');`);
    tok = {
      ins: db.prepare(`INSERT INTO f (rowid, ${FTS_COLUMNS.join(', ')}) VALUES (1, ?, ?, ?, ?, ?, ?, ?)`),
      read: db.prepare('SELECT term, col, offset FROM v'),
      del: db.prepare('DELETE FROM f'),
    };
  }
  return tok;
}

/** SQLite's tokens of each column's text, in order (one FTS5 round through an in-memory table). */
export function tokenizeColumns(cols: readonly string[]): string[][] {
  const t = tokenizer();
  const out: string[][] = FTS_COLUMNS.map(() => []);
  t.ins.run(...FTS_COLUMNS.map((_, i) => cols[i] ?? ''));
  try {
    for (const r of t.read.iterate() as Iterable<{ term: string; col: string; offset: number }>) out[FTS_COLUMNS.indexOf(r.col as (typeof FTS_COLUMNS)[number])][r.offset] = r.term;
  } finally {
    t.del.run();
  }
  return out.map((a) => a.filter((x) => x !== undefined));
}

export function tokenize(text: string): string[] {
  return tokenizeColumns([text])[0];
}

function quoteLexeme(w: string): string {
  return `'${w.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** A tsvector literal for one column: every token with its positions (1-based). */
export function tsvectorLiteral(text: string): string {
  return tsvectorOf(tokenize(text));
}

/** The tsvector literals of the FTS columns' texts, in FTS_COLUMNS order. */
export function tsvectorLiterals(cols: readonly string[]): string[] {
  return tokenizeColumns(cols).map(tsvectorOf);
}

/** Tokens of one chunk may overlap the previous chunk's by this many: phrases up to this long are found across a cut. */
export const CHUNK_OVERLAP = 64;

/** True when a column's tokens do not fit one tsvector exactly (positions, per-word positions, size). */
function overflows(tokens: readonly string[]): boolean {
  if (tokens.length > MAX_POS) return true;
  const n = new Map<string, number>();
  let bytes = 0;
  for (const t of tokens) {
    const c = (n.get(t) ?? 0) + 1;
    if (c === 1) bytes += Buffer.byteLength(t);
    if (c > MAX_POSITIONS_PER_WORD || bytes > MAX_VECTOR_BYTES) return true;
    n.set(t, c);
  }
  return false;
}

/**
 * A column too long for one tsvector, as overlapping chunks each within every limit (the
 * next chunk starts CHUNK_OVERLAP tokens before the cut), so every phrase of up to
 * CHUNK_OVERLAP words lies whole inside one chunk with its exact relative positions.
 */
export function tsvectorChunks(tokens: readonly string[]): string[] {
  const out: string[] = [];
  let start = 0;
  while (start < tokens.length) {
    const counts = new Map<string, number>();
    let bytes = 0;
    let end = start;
    while (end < tokens.length && end - start < MAX_POS) {
      const t = tokens[end];
      const c = (counts.get(t) ?? 0) + 1;
      const b = c === 1 ? Buffer.byteLength(t) : 0;
      if (c > MAX_POSITIONS_PER_WORD || bytes + b > MAX_VECTOR_BYTES) break;
      counts.set(t, c);
      bytes += b;
      end++;
    }
    out.push(tsvectorOf(tokens.slice(start, end)));
    if (end >= tokens.length) break;
    start = Math.max(end - CHUNK_OVERLAP, start + 1);
  }
  return out;
}

/** A message's index: per-column vectors, and chunks of every column when one overflows. */
export function indexVectors(cols: readonly string[]): { vectors: string[]; chunks: { col: string; n: number; v: string }[] | null } {
  const toks = tokenizeColumns(cols);
  const vectors = toks.map(tsvectorOf);
  if (!toks.some(overflows)) return { vectors, chunks: null };
  const chunks = toks.flatMap((t, i) => tsvectorChunks(t).map((v, n) => ({ col: FTS_COLUMNS[i], n, v })));
  return { vectors, chunks };
}

function tsvectorOf(tokens: readonly string[]): string {
  const pos = new Map<string, number[]>();
  let bytes = 0;
  let i = 0;
  for (const t of tokens) {
    i++;
    const b = Buffer.byteLength(t);
    if (b > MAX_WORD_BYTES) continue;
    let list = pos.get(t);
    if (!list) {
      if (bytes + b > MAX_VECTOR_BYTES) continue;
      bytes += b;
      list = [];
      pos.set(t, list);
    }
    if (list.length < MAX_POSITIONS_PER_WORD) {
      const p = Math.min(i, MAX_POS);
      if (list[list.length - 1] !== p) list.push(p);
    }
  }
  return [...pos].map(([w, ps]) => `${quoteLexeme(w)}:${ps.join(',')}`).join(' ');
}

/**
 * A tsquery for an FTS5 phrase: its tokens joined by `<->` (followed by), the last one a
 * prefix (`:*`) for `word*`. Null when the phrase has no token (it matches nothing).
 */
export function phraseQuery(value: string, prefix: boolean): { phrase: string; all: string } | null {
  const toks = tokenize(value);
  if (!toks.length) return null;
  const parts = toks.map((t, i) => quoteLexeme(t) + (prefix && i === toks.length - 1 ? ':*' : ''));
  return { phrase: parts.join(' <-> '), all: parts.join(' & ') };
}
