/**
 * @module search/compile-fields
 * The query language's non-text fields as SQL over the case tables, the same on SQLite and
 * PostgreSQL (the text terms are what differs: FTS5 on one, tsvector on the other). `d` is
 * search_docs, `m` messages.
 */
import type { QueryNode } from './ast.ts';
import { reverseDomain } from './indexer.ts';

function dayAfter(day: string): string {
  const d = new Date(day + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

type FieldNode = Extract<QueryNode, { kind: 'address' | 'date' | 'has' | 'verdict' | 'evidence' | 'thread' }>;

/** SQL for a field node, its parameters appended to `params`. */
export function fieldSql(n: FieldNode, params: (string | number)[]): string {
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
      // ISO UTC strings compare as text; inclusive days: [from 00:00, day after `to` 00:00)
      const conds = ['m.date IS NOT NULL'];
      if (n.from) { conds.push('m.date >= ?'); params.push(n.from); }
      if (n.to) { conds.push('m.date < ?'); params.push(dayAfter(n.to)); }
      return `(${conds.join(' AND ')})`;
    }
    case 'has':
      return "m.id IN (SELECT a.message FROM attachments a WHERE a.filename IS NOT NULL OR lower(a.disposition) = 'attachment')";
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
