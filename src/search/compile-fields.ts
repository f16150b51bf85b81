/**
 * @module search/compile-fields
 * The query language's non-text fields as SQL over the case tables, the same on SQLite and
 * PostgreSQL (the text terms are what differs: FTS5 on one, tsvector on the other). `d` is
 * search_docs, `m` messages.
 */
import type { QueryNode } from './ast.ts';
import { DATED_MIN, DOC_SLOTS, reverseDomain } from './indexer.ts';

function dayAfter(day: string): string {
  const d = new Date(day + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

type FieldNode = Extract<QueryNode, { kind: 'address' | 'date' | 'has' | 'verdict' | 'evidence' | 'thread' }>;

export interface FieldContext {
  /**
   * The index's document numbers encode every dated message's second (search/indexer.ts
   * docDates): a date range is then a range of document numbers, answered by the primary key
   * (or inside the full-text index) without reading the messages.
   */
  exactDates: boolean;
  /** The column holding the document number in the query (d.id, or the FTS rowid when the query is driven by it). */
  doc: string;
}

/** First document number of the second that starts at `iso` (a day, 00:00 UTC). */
function docAt(iso: string): number {
  return (Date.parse(iso + 'T00:00:00Z') / 1000) * DOC_SLOTS;
}

/** SQL for a field node, its parameters appended to `params`. */
export function fieldSql(n: FieldNode, params: (string | number)[], ctx: FieldContext = { exactDates: false, doc: 'd.id' }): string {
  switch (n.kind) {
    case 'address': {
      const conds: string[] = [];
      if (n.role) { conds.push('s.role = ?'); params.push(n.role); }
      if (n.address) { conds.push('s.address = ?'); params.push(n.address); }
      if (n.domain) {
        // a domain and its subdomains are one range of the reversed form (com.example, com.example.mail)
        const r = reverseDomain(n.domain);
        conds.push('(s.rdomain = ? OR (s.rdomain > ? AND s.rdomain < ?))');
        params.push(r, r + '.', r + '/');
      }
      return `d.id IN (SELECT s.doc FROM search_addresses s WHERE ${conds.join(' AND ')})`;
    }
    case 'date': {
      // inclusive days: [from 00:00, day after `to` 00:00), UTC
      if (ctx.exactDates) {
        const from = n.from ? docAt(n.from) : DATED_MIN;
        params.push(from);
        const conds = [`${ctx.doc} >= ?`];
        if (n.to) { conds.push(`${ctx.doc} < ?`); params.push(docAt(dayAfter(n.to))); }
        return `(${conds.join(' AND ')})`;
      }
      // ISO UTC strings compare as text
      const conds = ['m.date IS NOT NULL'];
      if (n.from) { conds.push('m.date >= ?'); params.push(n.from); }
      if (n.to) { conds.push('m.date < ?'); params.push(dayAfter(n.to)); }
      return `(${conds.join(' AND ')})`;
    }
    case 'has':
      // set at indexing from the same rule as the attachments table's: a file name or Content-Disposition: attachment
      return 'd.has_attachment = 1';
    case 'verdict':
      params.push(n.value);
      return "COALESCE(m.verdict, 'unverifiable') = ?";
    case 'evidence':
      params.push(n.code);
      return 'm.id IN (SELECT e.message FROM evidence e WHERE e.code = ?)';
    case 'thread':
      params.push(n.id);
      return 'm.thread_id = ?';
  }
}
