/**
 * @module search/search
 * Running a query on the SQLite case: exact totals, ranked and paged hits with highlighted
 * snippets, facets, timeline and correspondents, all over the complete result set.
 */
import { TroveError } from '../core/errors.ts';
import type { CaseDb } from '../store/sqlite.ts';
import type { QueryNode } from './ast.ts';
import { compilePg, highlightTerms, type HighlightTerm } from './compile-pg.ts';
import { compileSqlite, type CompiledQuery } from './compile-sqlite.ts';
import { tokenIter, tokensWithOffsets } from './fts-pg.ts';
import { DATED_MIN, docDates } from './indexer.ts';
import { normalizeText } from './normalize.ts';
import { parseQuery } from './parse.ts';

export type SortOrder = 'relevance' | 'date' | 'date-asc';
export const SORT_ORDERS: readonly SortOrder[] = ['relevance', 'date', 'date-asc'];

/** Highlight markers inside snippets: U+0002 … U+0003, turned into <mark> or terminal styling by callers. */
export const MARK_OPEN = '\u0002';
export const MARK_CLOSE = '\u0003';

export interface Hit {
  id: string;
  subject: string;
  /** Sender address. */
  from: string;
  from_name: string;
  date: string | null;
  /** Passage with the matches marked by MARK_OPEN/MARK_CLOSE (see snippetHtml). */
  snippet: string;
  verdict: string;
  thread_id: string | null;
  score: number | null;
}

export interface SearchOptions {
  limit?: number;
  offset?: number;
  sort?: SortOrder;
}

export interface SearchResult {
  total: number;
  hits: Hit[];
}

/** A query compiled for the case's back-end; `pg` set on PostgreSQL. */
type Compiled = CompiledQuery & { pg?: ReturnType<typeof compilePg>; tree: QueryNode };

/** Accepts a query string or an already parsed tree. */
function compile(q: string | QueryNode, db: CaseDb): Compiled {
  const tree = typeof q === 'string' ? parseQuery(q) : q;
  const exactDates = docDates(db) === 'exact';
  if (db.dialect === 'postgres') {
    const pg = compilePg(tree, { exactDates });
    return { match: pg.rank, where: pg.where, params: pg.params, pg, tree };
  }
  return { ...compileSqlite(tree, { exactDates }), tree };
}

interface From {
  /** FROM … WHERE …, with its parameters. */
  sql: string;
  params: (string | number)[];
  /** The expression of the document number (search_docs.id = the FTS rowid) in `sql`. */
  doc: string;
}

/**
 * FROM … WHERE … for the whole result set. On SQLite only the tables the query reads are
 * joined: a count or a page of text and date ranges is answered by the full-text index alone,
 * `has:attachment` by search_docs alone. `need`: 'messages' when the caller selects from m and d.
 */
function fromWhere(c: Compiled, need: 'none' | 'messages' = 'messages'): From {
  if (c.pg) return { sql: `FROM search_docs d JOIN search_fts f ON f.rowid = d.id JOIN messages m ON m.id = d.message WHERE ${c.where}`, params: c.params, doc: 'd.id' };
  const m = need === 'messages' || /\bm\./.test(c.where);
  const d = m || /\bd\./.test(c.where);
  const messages = m ? ' JOIN messages m ON m.id = d.message' : '';
  if (c.match) {
    return {
      sql: `FROM search_fts${d ? ' JOIN search_docs d ON d.id = search_fts.rowid' : ''}${messages} WHERE search_fts MATCH ? AND ${c.where}`,
      params: [c.match, ...c.params],
      doc: 'search_fts.rowid',
    };
  }
  return { sql: `FROM search_docs d${messages} WHERE ${c.where}`, params: c.params, doc: 'd.id' };
}

/** Turns FTS5 syntax errors (which cannot normally happen: terms are quoted) into user errors. */
function run<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof Error && /fts5|MATCH/i.test(e.message)) throw new TroveError('usage', `query could not be run: ${e.message}`, { cause: e });
    throw e;
  }
}

export function count(db: CaseDb, q: string | QueryNode): number {
  const { sql, params } = fromWhere(compile(q, db), 'none');
  return run(() => Number((db.stmt(`SELECT COUNT(*) AS n ${sql}`).get(...params) as { n: number }).n));
}

// bm25 weights per column: subject, body, from_, to_, cc_, filename, attachment
const RANK = 'bm25(search_fts, 4.0, 1.0, 2.0, 1.0, 1.0, 2.0, 0.5)';

export function search(db: CaseDb, q: string | QueryNode, opts: SearchOptions = {}): SearchResult {
  const limit = opts.limit ?? 20;
  const offset = opts.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 0) throw new TroveError('usage', `--limit must be a whole number ≥ 0 (got ${limit})`);
  if (!Number.isInteger(offset) || offset < 0) throw new TroveError('usage', `--offset must be a whole number ≥ 0 (got ${offset})`);
  const c = compile(q, db);
  if (c.pg) return searchPg(db, c, limit, offset, opts.sort);
  const { sql, params, doc } = fromWhere(c, 'none');
  const sort = opts.sort ?? (c.match ? 'relevance' : 'date');
  const score = c.match && sort === 'relevance' ? RANK : 'NULL';
  return run(() => {
    // The count and the page read only the tables the query needs (fromWhere): a query of text
    // and dates is answered from the full-text index alone, newest first being its own rowid
    // order (see indexer.ts docIdBase), so the first page does not wait for every match to be sorted.
    const total = Number((db.stmt(`SELECT COUNT(*) AS n ${sql}`).get(...params) as { n: number }).n);
    if (limit === 0 || offset >= total) return { total, hits: [] };
    const page = db.stmt(`SELECT ${doc} AS doc, ${score} AS score ${sql} ORDER BY ${orderBy(sort, !!c.match, doc)} LIMIT ? OFFSET ?`).all(...params, limit, offset) as { doc: number; score: number | null }[];
    // then the columns and the snippet of the page's few messages only, read by rowid: running
    // the MATCH again per message (for FTS5's snippet()) costs a whole prefix expansion each time
    const one = db.stmt(`SELECT m.id, m.subject, m.from_address, json_extract(m.parsed, '$.from[0].name') AS from_name, m.date, m.verdict, m.thread_id, ${SNIPPET_COLUMNS('f')}
      FROM search_text f JOIN search_docs d ON d.id = f.doc JOIN messages m ON m.id = d.message WHERE f.doc = ?`);
    const terms = c.match ? highlightTerms(c.tree) : [];
    const hits: Hit[] = [];
    for (const p of page) {
      const r = one.get(p.doc) as Record<string, unknown> | undefined;
      if (r) hits.push(hitOf(r, terms, p.score));
    }
    return { total, hits };
  });
}

/** The text columns a snippet is cut from, in the order they are tried (bodies capped: a snippet needs the first match only). */
const SNIPPET_COLUMNS = (f: string) => `substr(${f}.body, 1, 200000) AS t_body, ${f}.subject AS t_subject, substr(${f}.attachment, 1, 200000) AS t_attachment, ${f}.filename AS t_filename, ${f}.from_ AS t_from, ${f}.to_ AS t_to, ${f}.cc_ AS t_cc`;

/**
 * A result row as a hit. The snippet is cut in JS on both back-ends alike: about 24 words around
 * the first whole match of a term (a phrase's words in a row) in the body, else in the subject,
 * attachment text, file names or addresses; failing that around any one of the words; else the
 * start of the body.
 */
function hitOf(r: Record<string, unknown>, terms: HighlightTerm[][], score: number | null | undefined): Hit {
  const body = String(r.t_body ?? '');
  let snippet: string | null = null;
  const tries = terms.length ? [terms, terms.flat().map((w) => [w])] : [];
  search: for (const t of tries) {
    for (const k of ['t_body', 't_subject', 't_attachment', 't_filename', 't_from', 't_to', 't_cc']) if ((snippet = markedSnippet(String(r[k] ?? ''), t)) !== null) break search;
  }
  return {
    id: String(r.id),
    subject: String(r.subject ?? ''),
    from: String(r.from_address ?? ''),
    from_name: String(r.from_name ?? ''),
    date: (r.date as string | null) ?? null,
    snippet: (snippet ?? body.slice(0, 200)).replace(/\s+/g, ' ').trim(),
    verdict: String(r.verdict ?? 'unverifiable'),
    thread_id: (r.thread_id as string | null) ?? null,
    score: score === null || score === undefined ? null : -Number(score),
  };
}

/**
 * ORDER BY of a page. Date order is the full-text rowid's (messages are numbered by date,
 * indexer.ts docIdBase: newest first is `d.id DESC`, undated last either way); relevance
 * ties fall back to it. The same on both back-ends, so both list the same page.
 */
function orderBy(sort: SortOrder, ranked: boolean, doc: string): string {
  // undated messages are numbered below DATED_MIN: last in both date orders
  const byDate = sort === 'date-asc' ? `(${doc} < ${DATED_MIN}), ${doc} ASC` : `${doc} DESC`;
  return sort === 'relevance' && ranked ? `score, ${byDate}` : byDate;
}

/**
 * PostgreSQL: ranked by ts_rank_cd over the weighted vector (cover density: how close
 * together the matched words stand, weighted by column; unlike BM25 it does not discount
 * words common in the case), negated like bm25 so a lower score ranks first on both.
 * Snippets are cut here, around the first matched word of the body (or the subject).
 */
function searchPg(db: CaseDb, c: Compiled, limit: number, offset: number, sortOpt: SortOrder | undefined): SearchResult {
  const { sql, params } = fromWhere(c);
  const rank = c.pg!.rank;
  const sort = sortOpt ?? (rank ? 'relevance' : 'date');
  const order = orderBy(sort, !!rank, 'd.id');
  const score = rank ? "-ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', f.v_all, ?::tsquery)" : 'NULL';
  const total = Number((db.stmt(`SELECT COUNT(*) AS n ${sql}`).get(...params) as { n: number }).n);
  const rows = limit === 0 ? [] : (db.stmt(`SELECT m.id, m.subject, m.from_address, json_extract(m.parsed, '$.from[0].name') AS from_name, m.date, m.verdict, m.thread_id,
      ${SNIPPET_COLUMNS('f')}, ${score} AS score ${sql} ORDER BY ${order} LIMIT ? OFFSET ?`).all(...(rank ? [rank] : []), ...params, limit, offset) as Record<string, unknown>[]);
  const terms = rank ? c.pg!.terms : [];
  return { total, hits: rows.map((r) => hitOf(r, terms, r.score as number | null)) };
}

/**
 * About 24 words around the first occurrence of a term (its words in a row), every word of
 * the query in that window marked; null when no term occurs. Tokens are read lazily, up to the
 * match and 16 words past it: bodies run to 200,000 characters and most matches are near the
 * top. Pure ASCII text without any of the words (case folded) is passed over untokenized.
 */
function markedSnippet(text: string, terms: HighlightTerm[][]): string | null {
  if (!text) return null;
  const words = terms.flat();
  if (!NON_ASCII.test(text)) {
    const lower = text.toLowerCase();
    if (!words.some((w) => lower.includes(w.word))) return null;
  }
  const is = (w: HighlightTerm, t: string) => (w.prefix ? t.startsWith(w.word) : t === w.word);
  const hit = (t: string) => words.some((w) => is(w, t));
  const longest = Math.max(...terms.map((p) => p.length));
  const toks: { token: string; start: number; end: number }[] = [];
  let first = -1;
  for (const t of tokenIter(text)) {
    toks.push(t);
    if (first < 0) {
      for (const p of terms) {
        const s = toks.length - p.length;
        if (s >= 0 && p.every((w, j) => is(w, toks[s + j].token))) {
          first = s;
          break;
        }
      }
      if (first < 0 && toks.length > longest + 8) toks.shift();
    } else if (toks.length >= first + 17) break;
  }
  if (first < 0) return null;
  const from = Math.max(0, first - 8);
  const to = Math.min(toks.length, from + 24);
  let out = toks[from].start > 0 ? '…' : '';
  let at = toks[from].start;
  for (let i = from; i < to; i++) {
    const t = toks[i];
    out += text.slice(at, t.start);
    out += hit(t.token) ? MARK_OPEN + text.slice(t.start, t.end) + MARK_CLOSE : text.slice(t.start, t.end);
    at = t.end;
  }
  return out + (to < toks.length || toks[toks.length - 1].end < text.trimEnd().length ? '…' : '');
}

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Back-end-neutral ranked lookup: ids of the `limit` messages best matching any of `words`
 * in the given columns (BM25 on SQLite, ts_rank_cd on PostgreSQL). For callers outside
 * search (provenance) that must not write FTS5 syntax.
 */
export function rankedByWords(db: CaseDb, words: readonly string[], columns: readonly ('subject' | 'body' | 'attachment')[], limit: number): string[] {
  const ws = words.map((w) => normalizeText(w)).filter((w) => /[\p{L}\p{N}]/u.test(w));
  if (!ws.length || !columns.length) return [];
  if (db.dialect === 'postgres') {
    const terms = ws.flatMap((w) => tokensWithOffsets(w).map((t) => `'${t.token.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`));
    if (!terms.length) return [];
    const q = terms.join(' | ');
    const cols = columns.map((c) => `setweight(f.v_${c}, 'A')`).join(' || ');
    return (db.stmt(`SELECT d.message AS id FROM search_fts f JOIN search_docs d ON d.id = f.rowid
        WHERE f.v_all @@ ?::tsquery AND (${columns.map((c) => `f.v_${c} @@ ?::tsquery`).join(' OR ')})
        ORDER BY ts_rank_cd(${cols}, ?::tsquery) DESC, d.message LIMIT ?`).all(q, ...columns.map(() => q), q, limit) as { id: string }[]).map((r) => r.id);
  }
  const match = `{${columns.join(' ')}} : (${ws.map((w) => `"${w.replace(/"/g, '""')}"`).join(' OR ')})`;
  return run(() => (db.stmt('SELECT d.message AS id FROM search_fts f JOIN search_docs d ON d.id = f.rowid WHERE search_fts MATCH ? ORDER BY bm25(search_fts) LIMIT ?').all(match, limit) as { id: string }[]).map((r) => r.id));
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** The snippet as HTML: text escaped, matches in <mark>. Safe to insert as markup. */
export function snippetHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c).replaceAll(MARK_OPEN, '<mark>').replaceAll(MARK_CLOSE, '</mark>');
}

/** The snippet as plain text with the matches between the given markers. */
export function snippetText(s: string, open = '[', close = ']'): string {
  return s.replaceAll(MARK_OPEN, open).replaceAll(MARK_CLOSE, close);
}

/** The ids of every matching message (for exports and tests), unordered. */
export function matchingIds(db: CaseDb, q: string | QueryNode): string[] {
  const { sql, params } = fromWhere(compile(q, db));
  return run(() => (db.stmt(`SELECT m.id AS id ${sql}`).all(...params) as { id: string }[]).map((r) => r.id));
}

export interface FacetValue {
  value: string;
  count: number;
}

export interface Facets {
  senders: FacetValue[];
  domains: FacetValue[];
  years: FacetValue[];
  months: FacetValue[];
  verdicts: FacetValue[];
  evidence: FacetValue[];
  attachment_types: FacetValue[];
}

/** Counts of matching messages per value, over the whole result set; `size` values per facet, most frequent first. */
export function facets(db: CaseDb, q: string | QueryNode, size = 10): Facets {
  const { sql, params } = fromWhere(compile(q, db));
  const hits = `WITH hits AS MATERIALIZED (SELECT d.id AS doc, m.id AS id, m.date AS date, m.from_address AS sender, COALESCE(m.verdict, 'unverifiable') AS verdict ${sql})`;
  const facet = (select: string, all = false): FacetValue[] =>
    (db.stmt(`${hits} ${select} ORDER BY count DESC, value${all ? '' : ' LIMIT ?'}`).all(...params, ...(all ? [] : [size])) as { value: string; count: number }[]).map((r) => ({ value: String(r.value), count: Number(r.count) }));
  return run(() => ({
    senders: facet('SELECT sender AS value, COUNT(*) AS count FROM hits WHERE sender IS NOT NULL GROUP BY sender'),
    domains: facet(`SELECT s.rdomain AS value, COUNT(DISTINCT s.doc) AS count FROM hits JOIN search_addresses s ON s.doc = hits.doc WHERE s.rdomain != '' GROUP BY s.rdomain`).map((f) => ({ value: f.value.split('.').reverse().join('.'), count: f.count })),
    years: facet('SELECT substr(date, 1, 4) AS value, COUNT(*) AS count FROM hits WHERE date IS NOT NULL GROUP BY 1', true).sort((a, b) => a.value.localeCompare(b.value)),
    months: facet('SELECT substr(date, 1, 7) AS value, COUNT(*) AS count FROM hits WHERE date IS NOT NULL GROUP BY 1', true).sort((a, b) => a.value.localeCompare(b.value)),
    verdicts: facet('SELECT verdict AS value, COUNT(*) AS count FROM hits GROUP BY verdict', true),
    evidence: facet('SELECT e.code AS value, COUNT(DISTINCT e.message) AS count FROM hits JOIN evidence e ON e.message = hits.id GROUP BY e.code', true),
    attachment_types: facet("SELECT lower(a.content_type) AS value, COUNT(DISTINCT a.message) AS count FROM hits JOIN attachments a ON a.message = hits.id WHERE a.filename IS NOT NULL OR lower(a.disposition) = 'attachment' GROUP BY 1"),
  }));
}

/** Matching messages per UTC day, in day order (undated messages are left out). */
export function timeline(db: CaseDb, q: string | QueryNode): { day: string; count: number }[] {
  const { sql, params } = fromWhere(compile(q, db));
  return run(() => (db.stmt(`SELECT substr(m.date, 1, 10) AS day, COUNT(*) AS count ${sql} AND m.date IS NOT NULL GROUP BY 1 ORDER BY 1`).all(...params) as { day: string; count: number }[]).map((r) => ({ day: r.day, count: Number(r.count) })));
}

export interface Edge {
  from: string;
  to: string;
  /** Matching messages sent by `from` with `to` among To/Cc. */
  count: number;
}

/** Who wrote to whom among the matching messages, heaviest first (`limit` edges). */
export function correspondents(db: CaseDb, q: string | QueryNode, limit = 100): Edge[] {
  const { sql, params } = fromWhere(compile(q, db));
  return run(() => (db.stmt(`WITH hits AS MATERIALIZED (SELECT d.id AS doc ${sql})
      SELECT f.address AS "from", t.address AS "to", COUNT(DISTINCT hits.doc) AS count FROM hits
      JOIN search_addresses f ON f.doc = hits.doc AND f.role = 'from'
      JOIN search_addresses t ON t.doc = hits.doc AND t.role IN ('to', 'cc')
      GROUP BY 1, 2 ORDER BY count DESC, 1, 2 LIMIT ?`).all(...params, limit) as unknown as Edge[]).map((e) => ({ from: e.from, to: e.to, count: Number(e.count) })));
}
