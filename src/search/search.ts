/**
 * @module search/search
 * Running a query on the SQLite case: exact totals, ranked and paged hits with highlighted
 * snippets, facets, timeline and correspondents, all over the complete result set.
 */
import { TroveError } from '../core/errors.ts';
import type { CaseDb } from '../store/sqlite.ts';
import type { QueryNode } from './ast.ts';
import { compileSqlite, type CompiledQuery } from './compile-sqlite.ts';
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

/** Accepts a query string or an already parsed tree. */
function compile(q: string | QueryNode): CompiledQuery {
  return compileSqlite(typeof q === 'string' ? parseQuery(q) : q);
}

/** FROM … WHERE … for the whole result set, with its parameters. */
function fromWhere(c: CompiledQuery): { sql: string; params: (string | number)[] } {
  if (c.match) {
    return {
      sql: `FROM search_fts JOIN search_docs d ON d.id = search_fts.rowid JOIN messages m ON m.id = d.message WHERE search_fts MATCH ? AND ${c.where}`,
      params: [c.match, ...c.params],
    };
  }
  return { sql: `FROM search_docs d JOIN messages m ON m.id = d.message WHERE ${c.where}`, params: c.params };
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
  const { sql, params } = fromWhere(compile(q));
  return run(() => Number((db.stmt(`SELECT COUNT(*) AS n ${sql}`).get(...params) as { n: number }).n));
}

// bm25 weights per column: subject, body, from_, to_, cc_, filename, attachment
const RANK = 'bm25(search_fts, 4.0, 1.0, 2.0, 1.0, 1.0, 2.0, 0.5)';

export function search(db: CaseDb, q: string | QueryNode, opts: SearchOptions = {}): SearchResult {
  const limit = opts.limit ?? 20;
  const offset = opts.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 0) throw new TroveError('usage', `--limit must be a whole number ≥ 0 (got ${limit})`);
  if (!Number.isInteger(offset) || offset < 0) throw new TroveError('usage', `--offset must be a whole number ≥ 0 (got ${offset})`);
  const c = compile(q);
  const { sql, params } = fromWhere(c);
  const sort = opts.sort ?? (c.match ? 'relevance' : 'date');
  const byDate = sort === 'date-asc' ? 'm.date IS NULL, m.date ASC, m.id' : 'm.date IS NULL, m.date DESC, m.id';
  const order = sort === 'relevance' && c.match ? `score, ${byDate}` : byDate;
  const snippet = c.match
    ? `snippet(search_fts, -1, '${MARK_OPEN}', '${MARK_CLOSE}', '…', 24)`
    : "(SELECT substr(f.body, 1, 200) FROM search_fts f WHERE f.rowid = d.id)";
  const score = c.match ? RANK : 'NULL';
  return run(() => {
    const total = Number((db.stmt(`SELECT COUNT(*) AS n ${sql}`).get(...params) as { n: number }).n);
    const rows = limit === 0 ? [] : (db.stmt(`SELECT m.id, m.subject, m.from_address, json_extract(m.parsed, '$.from[0].name') AS from_name, m.date, m.verdict, m.thread_id,
        ${snippet} AS snippet, ${score} AS score ${sql} ORDER BY ${order} LIMIT ? OFFSET ?`).all(...params, limit, offset) as Record<string, unknown>[]);
    return {
      total,
      hits: rows.map((r) => ({
        id: String(r.id),
        subject: String(r.subject ?? ''),
        from: String(r.from_address ?? ''),
        from_name: String(r.from_name ?? ''),
        date: (r.date as string | null) ?? null,
        snippet: String(r.snippet ?? '').replace(/\s+/g, ' ').trim(),
        verdict: String(r.verdict ?? 'unverifiable'),
        thread_id: (r.thread_id as string | null) ?? null,
        score: r.score === null ? null : -Number(r.score),
      })),
    };
  });
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
  const { sql, params } = fromWhere(compile(q));
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
  const { sql, params } = fromWhere(compile(q));
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
  const { sql, params } = fromWhere(compile(q));
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
  const { sql, params } = fromWhere(compile(q));
  return run(() => (db.stmt(`WITH hits AS MATERIALIZED (SELECT d.id AS doc ${sql})
      SELECT f.address AS "from", t.address AS "to", COUNT(DISTINCT hits.doc) AS count FROM hits
      JOIN search_addresses f ON f.doc = hits.doc AND f.role = 'from'
      JOIN search_addresses t ON t.doc = hits.doc AND t.role IN ('to', 'cc')
      GROUP BY 1, 2 ORDER BY count DESC, 1, 2 LIMIT ?`).all(...params, limit) as unknown as Edge[]).map((e) => ({ from: e.from, to: e.to, count: Number(e.count) })));
}
