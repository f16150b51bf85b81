/**
 * @module search/compile-sqlite
 * QueryNode → SQLite: text parts become one FTS5 MATCH expression where the tree allows (it
 * drives the query and gives BM25 ranks and snippets), everything else SQL predicates over
 * `d` (search_docs) and `m` (messages). Text nested under OR/NOT with field predicates becomes
 * `d.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?)`.
 */
import type { QueryNode, TextField } from './ast.ts';
import { fieldSql, type FieldContext } from './compile-fields.ts';
import { normalizeText } from './normalize.ts';

export interface CompiledQuery {
  /** FTS5 expression for the top-level MATCH, or null when the query has no top-level text. */
  match: string | null;
  /** SQL boolean over d and m ("1" when there is nothing but the MATCH). */
  where: string;
  params: (string | number)[];
}

const COLUMN: Record<TextField, string> = { subject: 'subject', from: 'from_', to: 'to_', cc: 'cc_', filename: 'filename' };

function ftsString(s: string): string {
  return `"${normalizeText(s).replace(/"/g, '""')}"`;
}

/** The node as an FTS5 expression, or null if FTS5 cannot express it on its own. */
function toFts(n: QueryNode): string | null {
  switch (n.kind) {
    case 'text': {
      const term = ftsString(n.value) + (n.prefix ? ' *' : '');
      return n.field ? `{${COLUMN[n.field]}} : ${term}` : term;
    }
    case 'or': {
      const parts = n.children.map(toFts);
      return parts.every((p) => p !== null) ? `(${parts.join(' OR ')})` : null;
    }
    case 'and': {
      const pos: string[] = [];
      const neg: string[] = [];
      for (const c of n.children) {
        if (c.kind === 'not') {
          const f = toFts(c.child);
          if (f === null) return null;
          neg.push(f);
        } else {
          const f = toFts(c);
          if (f === null) return null;
          pos.push(f);
        }
      }
      if (!pos.length) return null;
      return `(${pos.join(' AND ')}${neg.map((x) => ` NOT ${x}`).join('')})`;
    }
    default:
      return null;
  }
}

function toSql(n: QueryNode, params: (string | number)[], ctx: FieldContext): string {
  switch (n.kind) {
    case 'and': return `(${n.children.map((c) => toSql(c, params, ctx)).join(' AND ')})`;
    case 'or': return `(${n.children.map((c) => toSql(c, params, ctx)).join(' OR ')})`;
    case 'not': return `NOT ${toSql(n.child, params, ctx)}`;
    case 'text': {
      params.push(toFts(n)!);
      return 'd.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?)';
    }
    default:
      return fieldSql(n, params, ctx);
  }
}

export interface CompileOptions {
  /** Date ranges as document-number ranges (search/indexer.ts docDates is 'exact'). */
  exactDates?: boolean;
}

/**
 * Splits the top-level conjunction: FTS-expressible conjuncts (and negated ones, when a
 * positive one exists) form the MATCH; the rest become SQL. With a MATCH, date ranges are put on
 * the FTS rowid, which FTS5 uses to bound its walk.
 */
export function compileSqlite(root: QueryNode, opts: CompileOptions = {}): CompiledQuery {
  const conjuncts = root.kind === 'and' ? root.children : [root];
  const pos: string[] = [];
  const neg: string[] = [];
  const rest: QueryNode[] = [];
  for (const c of conjuncts) {
    const f = c.kind === 'not' ? toFts(c.child) : toFts(c);
    if (f === null) rest.push(c);
    else if (c.kind === 'not') neg.push(f);
    else pos.push(f);
  }
  let match: string | null = null;
  if (pos.length) match = pos.join(' AND ') + neg.map((x) => ` NOT ${x}`).join('');
  else for (const c of conjuncts) if (c.kind === 'not' && toFts(c.child) !== null) rest.push(c);
  const params: (string | number)[] = [];
  const ctx: FieldContext = { exactDates: opts.exactDates === true, doc: match !== null ? 'search_fts.rowid' : 'd.id' };
  const where = rest.length ? rest.map((c) => toSql(c, params, ctx)).join(' AND ') : '1';
  return { match, where, params };
}
