/**
 * @module search/threads
 * Conversation reconstruction over the whole case, in three passes of one union-find:
 * 1. Message-ID links: a message joins every message it names in References/In-Reply-To, and
 *    messages naming the same missing parent join each other;
 * 2. Outlook Thread-Index: same conversation key (its first 22 bytes);
 * 3. for mail that lost those headers: a reply-prefixed subject ("Re:", "AW:", "Fwd:"…) joins
 *    the messages with the same normalised subject that carry no Message-ID links.
 * A thread's id is the first 16 hex digits of its earliest message's id (date, then id), so a
 * message alone in its thread keeps the id ingest gave it.
 */
import type { CaseDb } from '../store/sqlite.ts';
import { deferOrRun } from './indexer.ts';

const REPLY_PREFIX = /^\s*(?:(?:re|fw|fwd|aw|wg|tr|sv|vs|rif|antw|odp|ynt|res|ответ|отв)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*|\[[^\]]{0,40}\]\s*)/iu;

/** The subject without reply/forward prefixes and list tags, case- and space-folded. */
export function normalizeSubject(s: string): { base: string; reply: boolean } {
  let base = s;
  let reply = false;
  for (let i = 0; i < 20; i++) {
    const m = REPLY_PREFIX.exec(base);
    if (!m || !m[0]) break;
    if (!m[0].trim().startsWith('[')) reply = true;
    base = base.slice(m[0].length);
  }
  return { base: base.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim(), reply };
}

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

/** Recomputes messages.thread_id for the whole case; returns how many changed. */
export function rebuildThreads(db: CaseDb): number {
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
  // Subjects: only messages without Message-ID links, and only groups holding a reply.
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
  let changed = 0;
  db.tx(() => {
    rows.forEach((r, i) => {
      const tid = rows[earliest.get(uf.find(i))!].id.slice(0, 16);
      if (tid !== r.thread_id) {
        deferOrRun(db, 'UPDATE messages SET thread_id = ? WHERE id = ?', tid, r.id);
        changed++;
      }
    });
  });
  return changed;
}

/** A thread's messages in time order (undated last). */
export function threadMessages(db: CaseDb, threadId: string): { id: string; date: string | null; subject: string | null; from: string | null; verdict: string | null }[] {
  return db.stmt(`SELECT id, date, subject, from_address AS "from", verdict FROM messages WHERE thread_id = ? ORDER BY date IS NULL, date, id`).all(threadId) as never;
}
