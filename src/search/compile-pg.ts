/**
 * @module search/compile-pg
 * QueryNode → PostgreSQL, with the semantics of compile-sqlite.ts: a text term matches a
 * phrase inside one column (any column, or the field's), words are tokenized as SQLite's
 * unicode61 tokenizer does (search/fts-pg.ts), `word*` is a prefix, AND/OR/NOT are boolean
 * over the message. Every predicate is plain SQL over `d` (search_docs), `f` (search_fts) and
 * `m` (messages); the GIN index on f.v_all answers the word lookups, and phrases are
 * re-checked per column (the concatenated vector would let a phrase run across two columns).
 */
import type { QueryNode, TextField } from './ast.ts';
import { phraseQuery } from './fts-pg.ts';
import { fieldSql, type FieldContext } from './compile-fields.ts';
import { normalizeText } from './normalize.ts';

export interface CompiledPg {
  /** SQL boolean over d, f and m. */
  where: string;
  params: (string | number)[];
  /** tsquery of the positive text terms, for ranking (ts_rank_cd), or null when there are none. */
  rank: string | null;
  /** The positive terms (each a phrase of normalised words), for highlighting snippets. */
  terms: HighlightTerm[][];
}

/** A word of a query term as the index holds it; `prefix` for `word*`. */
export interface HighlightTerm {
  word: string;
  prefix: boolean;
}

const COLUMN: Record<TextField, string> = { subject: 'f.v_subject', from: 'f.v_from', to: 'f.v_to', cc: 'f.v_cc', filename: 'f.v_filename' };
const ALL_COLUMNS = ['f.v_subject', 'f.v_body', 'f.v_from', 'f.v_to', 'f.v_cc', 'f.v_filename', 'f.v_attachment'];

const CHUNK_COL: Record<TextField, string> = { subject: 'subject', from: 'from_', to: 'to_', cc: 'cc_', filename: 'filename' };

function textSql(n: Extract<QueryNode, { kind: 'text' }>, params: (string | number)[]): string {
  const q = phraseQuery(normalizeText(n.value), n.prefix);
  if (!q) return 'FALSE';
  const single = !q.phrase.includes('<->');
  let main: string;
  if (n.field) {
    params.push(q.phrase);
    main = `${COLUMN[n.field]} @@ ?::tsquery`;
  } else if (single) {
    params.push(q.all);
    main = 'f.v_all @@ ?::tsquery';
  } else {
    // the words anywhere (GIN index), then the phrase inside one column
    params.push(q.all);
    const per = ALL_COLUMNS.map((c) => {
      params.push(q.phrase);
      return `${c} @@ ?::tsquery`;
    });
    main = `(f.v_all @@ ?::tsquery AND (${per.join(' OR ')}))`;
  }
  // messages with an overlong column are decided by their exact chunks
  params.push(q.phrase);
  if (n.field) params.push(CHUNK_COL[n.field]);
  return `((${main} AND NOT f.chunked) OR d.id IN (SELECT k.doc FROM search_chunks k WHERE k.v @@ ?::tsquery${n.field ? ' AND k.col = ?' : ''}))`;
}

function toSql(n: QueryNode, params: (string | number)[], ctx: FieldContext): string {
  switch (n.kind) {
    // an empty AND is the query that matches everything (browse all in the API and UI)
    case 'and': return n.children.length ? `(${n.children.map((c) => toSql(c, params, ctx)).join(' AND ')})` : 'TRUE';
    case 'or': return n.children.length ? `(${n.children.map((c) => toSql(c, params, ctx)).join(' OR ')})` : 'FALSE';
    case 'not': return `NOT ${toSql(n.child, params, ctx)}`;
    case 'text': return textSql(n, params);
    default:
      return fieldSql(n, params, ctx);
  }
}

/** The positive text terms, each a phrase of words tokenized as the index does, for highlighting snippets on either back-end. */
export function highlightTerms(root: QueryNode): HighlightTerm[][] {
  const pos: { q: string; words: HighlightTerm[] }[] = [];
  positives(root, pos);
  return pos.map((p) => p.words);
}

/** Positive text terms (not under NOT) for ranking and highlighting. */
function positives(n: QueryNode, out: { q: string; words: { word: string; prefix: boolean }[] }[]): void {
  if (n.kind === 'and' || n.kind === 'or') for (const c of n.children) positives(c, out);
  else if (n.kind === 'text') {
    const q = phraseQuery(normalizeText(n.value), n.prefix);
    if (q) out.push({ q: q.phrase, words: q.all.split(' & ').map((w) => ({ word: w.replace(/:\*$/, '').slice(1, -1).replace(/''/g, "'").replace(/\\\\/g, '\\'), prefix: w.endsWith(':*') })) });
  }
}

export function compilePg(root: QueryNode, opts: { exactDates?: boolean } = {}): CompiledPg {
  const params: (string | number)[] = [];
  const where = toSql(root, params, { exactDates: opts.exactDates === true, doc: 'd.id' });
  const pos: { q: string; words: { word: string; prefix: boolean }[] }[] = [];
  positives(root, pos);
  return {
    where,
    params,
    rank: pos.length ? pos.map((p) => `(${p.q})`).join(' | ') : null,
    terms: pos.map((p) => p.words),
  };
}
