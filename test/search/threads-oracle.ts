/**
 * The thread reconstruction as it was before it was made flat in memory (every row loaded,
 * a Map of every Message-ID, one object union-find): the oracle the streaming version in
 * src/search/threads.ts must match exactly. Computes, without writing, the thread id of every
 * message and how many differ from the stored ones.
 */
import { normalizeSubject } from '../../src/search/threads.ts';
import type { CaseDb } from '../../src/store/sqlite.ts';

class UnionFind {
  private readonly parent: number[] = [];
  add(): number {
    this.parent.push(this.parent.length);
    return this.parent.length - 1;
  }
  find(x: number): number {
    const p = this.parent;
    while (p[x] !== x) {
      p[x] = p[p[x]];
      x = p[x];
    }
    return x;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

interface Row {
  id: string;
  date: string | null;
  subject: string | null;
  message_id: string | null;
  refs: string | null;
  irt: string | null;
  thread_index: string | null;
  thread_id: string | null;
}

/** id → thread id by the original algorithm, and how many stored thread ids differ from it. */
export function oracleThreads(db: CaseDb): { threads: Map<string, string>; changed: number } {
  const rows = db.db.prepare(`SELECT m.id, m.date, m.subject, m.message_id, m.thread_id,
      json_extract(m.parsed, '$.references') AS refs, json_extract(m.parsed, '$.inReplyTo') AS irt, d.thread_index
    FROM messages m LEFT JOIN search_docs d ON d.message = m.id`).all() as unknown as Row[];
  const uf = new UnionFind();
  for (let i = 0; i < rows.length; i++) uf.add();
  const keys = new Map<string, number>();
  const keyNode = (k: string): number => {
    let n = keys.get(k);
    if (n === undefined) {
      n = uf.add();
      keys.set(k, n);
    }
    return n;
  };
  const linked = new Uint8Array(rows.length);
  const parse = (s: string | null): string[] => {
    if (!s) return [];
    try {
      const v = JSON.parse(s) as unknown;
      return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    } catch {
      return [];
    }
  };
  rows.forEach((r, i) => {
    const refs = [...parse(r.refs), ...parse(r.irt)];
    if (r.message_id) uf.union(i, keyNode('m:' + r.message_id));
    for (const ref of refs) uf.union(i, keyNode('m:' + ref));
    if (refs.length) linked[i] = 1;
    if (r.thread_index) {
      uf.union(i, keyNode('t:' + r.thread_index));
      linked[i] = 1;
    }
  });
  const bySubject = new Map<string, { members: number[]; reply: boolean }>();
  rows.forEach((r, i) => {
    if (linked[i] || !r.subject) return;
    const { base, reply } = normalizeSubject(r.subject);
    if (base.length < 3) return;
    const g = bySubject.get(base) ?? { members: [], reply: false };
    g.members.push(i);
    g.reply ||= reply;
    bySubject.set(base, g);
  });
  for (const g of bySubject.values()) if (g.reply) for (const i of g.members.slice(1)) uf.union(g.members[0], i);

  const earliest = new Map<number, number>();
  const before = (a: Row, b: Row) => (a.date ?? '\uffff') < (b.date ?? '\uffff') || ((a.date ?? '\uffff') === (b.date ?? '\uffff') && a.id < b.id);
  rows.forEach((r, i) => {
    const root = uf.find(i);
    const e = earliest.get(root);
    if (e === undefined || before(r, rows[e])) earliest.set(root, i);
  });
  const threads = new Map<string, string>();
  let changed = 0;
  rows.forEach((r, i) => {
    const tid = rows[earliest.get(uf.find(i))!].id.slice(0, 16);
    threads.set(r.id, tid);
    if (tid !== r.thread_id) changed++;
  });
  return { threads, changed };
}
