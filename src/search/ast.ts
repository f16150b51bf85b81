/**
 * @module search/ast
 * The parsed form of a query, independent of any storage back-end: the SQLite compiler
 * (compile-sqlite.ts) turns it into FTS5 MATCH plus SQL predicates; a PostgreSQL compiler can
 * turn the same tree into tsquery plus SQL.
 */

/** Fields whose value is matched as words in one part of the index. */
export type TextField = 'subject' | 'from' | 'to' | 'cc' | 'filename';
export type AddressRole = 'from' | 'to' | 'cc';
export type Verdict = 'verified' | 'tampered' | 'unverifiable' | 'suspicious';
export const VERDICTS: readonly Verdict[] = ['verified', 'tampered', 'unverifiable', 'suspicious'];

export type QueryNode =
  | { kind: 'and'; children: QueryNode[] }
  | { kind: 'or'; children: QueryNode[] }
  | { kind: 'not'; child: QueryNode }
  /** Words (a phrase when several), matched after normalisation; field null = everywhere. */
  | { kind: 'text'; field: TextField | null; value: string; phrase: boolean; prefix: boolean; column: number }
  /** An exact address (`from:a@b.org`), or a domain and its subdomains (`domain:b.org`, `from:@b.org`); role null = any. */
  | { kind: 'address'; role: AddressRole | null; address: string | null; domain: string | null }
  /** Inclusive UTC days, YYYY-MM-DD; null = open end. */
  | { kind: 'date'; from: string | null; to: string | null }
  | { kind: 'has'; what: 'attachment' }
  | { kind: 'verdict'; value: Verdict }
  | { kind: 'evidence'; code: string }
  | { kind: 'thread'; id: string };

/** The query back in the language's syntax (for logs and tests). */
export function printQuery(n: QueryNode): string {
  switch (n.kind) {
    case 'and': return `(${n.children.map(printQuery).join(' AND ')})`;
    case 'or': return `(${n.children.map(printQuery).join(' OR ')})`;
    case 'not': return `NOT ${printQuery(n.child)}`;
    case 'text': {
      const v = n.phrase ? `"${n.value}"` : n.value;
      return `${n.field ? n.field + ':' : ''}${v}${n.prefix ? '*' : ''}`;
    }
    case 'address': return n.address ? `${n.role}:${n.address}` : n.role ? `${n.role}:@${n.domain}` : `domain:${n.domain}`;
    case 'date': return `date:${n.from ?? ''}..${n.to ?? ''}`;
    case 'has': return `has:${n.what}`;
    case 'verdict': return `verdict:${n.value}`;
    case 'evidence': return `evidence:${n.code}`;
    case 'thread': return `thread:${n.id}`;
  }
}
