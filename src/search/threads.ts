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
 *
 * Memory stays flat at any case size (see `rebuildThreads`): typed arrays in JS, the string
 * keys grouped by the database in temp tables.
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

/** A canonical stored date (Date#toISOString, years 0000-9999): its string order is its time order. */
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** The first 16 characters of an id, when they are lowercase hex (sha256 ids always are). */
const HEX16 = /^[0-9a-f]{16}/;
/** Rows per multi-row INSERT into the temp tables. */
const SPOOL_ROWS = 200;
const TEMP_TABLES = ['thread_keys', 'thread_subjects', 'thread_changes'];

/** Rows written to a temp table in multi-row INSERTs (deferred on PostgreSQL: one round trip per batch of them). */
class Spool {
  private readonly db: CaseDb;
  private readonly cols: number;
  private readonly head: string;
  private vals: unknown[] = [];
  constructor(db: CaseDb, table: string, cols: string[]) {
    this.db = db;
    this.cols = cols.length;
    this.head = `INSERT INTO ${table} (${cols.join(', ')}) VALUES `;
  }
  add(...row: unknown[]): void {
    for (const v of row) this.vals.push(v);
    if (this.vals.length >= SPOOL_ROWS * this.cols) this.flush();
  }
  flush(): void {
    if (!this.vals.length) return;
    const rows = this.vals.length / this.cols;
    const one = `(${new Array(this.cols).fill('?').join(', ')})`;
    deferOrRun(this.db, this.head + new Array(rows).fill(one).join(', '), ...this.vals);
    this.vals = [];
  }
}

/** A copy of `a` with room for `cap` entries. */
function grown<T extends Float64Array | Uint32Array>(a: T, cap: number): T {
  const b = new (a.constructor as new (n: number) => T)(cap);
  b.set(a);
  return b;
}

/** References / In-Reply-To as stored (a JSON array of strings); anything else is none. */
function parseIds(s: string | null): string[] {
  if (!s) return [];
  try {
    const v = JSON.parse(s) as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * Recomputes messages.thread_id for the whole case; returns how many changed.
 *
 * Memory is flat at any case size: the messages stream by once and are numbered 0..N-1; JS
 * keeps per message only typed arrays (date, id prefix, stored thread id, row number,
 * union-find parent, earliest member: about 40 bytes). The string-keyed grouping
 * (Message-IDs, Thread-Index keys, normalised subjects) is done by the database: the keys go to
 * temp tables and come back sorted, and consecutive rows with the same key are joined.
 */
export function rebuildThreads(db: CaseDb): number {
  const pg = db.dialect === 'postgres';
  const drop = (): void => {
    for (const t of TEMP_TABLES) db.db.exec(`DROP TABLE IF EXISTS ${pg ? 'pg_temp' : 'temp'}.${t}`);
  };
  drop();
  try {
    if (pg) {
      return db.tx(() => {
        const t = computeThreads(db, true);
        if (t.changed) {
          // the ids to write: the messages again in the same (id) order, matched to the numbers
          // by id prefix, so a message added or removed in between is passed over rather than
          // shifting the numbering (JS and COLLATE "C" order hex ids alike)
          const changes = new Spool(db, 'thread_changes', ['id', 'tid']);
          let i = 0;
          for (const r of db.db.prepare('SELECT id FROM messages ORDER BY id COLLATE "C"').iterate() as Iterable<{ id: string }>) {
            const p = r.id.slice(0, 16);
            while (i < t.count && t.prefix(i) < p) i++;
            if (i >= t.count || t.prefix(i) !== p) continue;
            if (t.changedAt(i)) changes.add(r.id, t.threadOf(i));
            i++;
          }
          changes.flush();
          db.db.prepare('UPDATE messages SET thread_id = thread_changes.tid FROM thread_changes WHERE messages.id = thread_changes.id').run();
        }
        return t.changed;
      });
    }
    // SQLite: the reading in a savepoint (a deferred transaction, or nested in the caller's)
    // that writes only temp tables, so other writers are not held up meanwhile; then the
    // changes by row number, each checked against its id prefix (rowids only move on VACUUM,
    // which trove does not run; ids not in hex, which trove does not make, go unchecked)
    const t = savepoint(db, () => computeThreads(db, false));
    if (t.changed) {
      db.tx(() => {
        for (let i = 0; i < t.count; i++) {
          if (!t.changedAt(i)) continue;
          const p = t.prefix(i);
          if (HEX16.test(p)) deferOrRun(db, 'UPDATE messages SET thread_id = ? WHERE rowid = ? AND substr(id, 1, 16) = ?', t.threadOf(i), t.rowid(i), p);
          else deferOrRun(db, 'UPDATE messages SET thread_id = ? WHERE rowid = ?', t.threadOf(i), t.rowid(i));
        }
      });
    }
    return t.changed;
  } finally {
    drop();
  }
}

function savepoint<T>(db: CaseDb, fn: () => T): T {
  db.db.exec('SAVEPOINT trove_threads');
  try {
    const r = fn();
    db.db.exec('RELEASE trove_threads');
    return r;
  } catch (e) {
    db.db.exec('ROLLBACK TO trove_threads');
    db.db.exec('RELEASE trove_threads');
    throw e;
  }
}

interface Threads {
  /** Messages numbered. */
  count: number;
  /** How many stored thread ids differ from the computed ones. */
  changed: number;
  changedAt(i: number): boolean;
  /** The computed thread id of message i. */
  threadOf(i: number): string;
  /** The first 16 characters of message i's id. */
  prefix(i: number): string;
  /** Message i's rowid (SQLite). */
  rowid(i: number): number;
}

/**
 * The computation. SQLite numbers the messages in table order (a sequential scan) and keeps
 * their rowids to write by; PostgreSQL has no stable row number, so it numbers them in id
 * order and finds the ids to write by a second pass in the same order.
 */
function computeThreads(db: CaseDb, pg: boolean): Threads {
  // byte order on PostgreSQL too (as SQLite's BINARY and JS string comparison): a locale
  // collation could order ids differently from the comparisons below
  const c = pg ? ' COLLATE "C"' : '';
  db.db.exec('CREATE TEMP TABLE thread_keys (n INTEGER NOT NULL, k TEXT NOT NULL)');
  db.db.exec('CREATE TEMP TABLE thread_subjects (n INTEGER NOT NULL, k TEXT NOT NULL, reply INTEGER NOT NULL)');
  if (pg) db.db.exec('CREATE TEMP TABLE thread_changes (id TEXT NOT NULL, tid TEXT NOT NULL)');

  // Pass 1: number the messages, keep dates, ids and stored thread ids as numbers, spool the keys.
  let cap = Number((db.db.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number | string }).n) + 16;
  let date = new Float64Array(cap); // ms; Infinity for none (sorts last, as the original '\uffff')
  let hi = new Uint32Array(cap);
  let lo = new Uint32Array(cap);
  let oldHi = new Uint32Array(cap);
  let oldLo = new Uint32Array(cap);
  let rid = new Float64Array(pg ? 0 : cap);
  // rare oddities kept as strings: dates not in canonical ISO form, ids and stored thread ids
  // not made of lowercase hex digits
  const oddDate = new Map<number, string>();
  const oddId = new Map<number, string>();
  const oddOld = new Map<number, string | null>();
  const keys = new Spool(db, 'thread_keys', ['n', 'k']);
  const subjects = new Spool(db, 'thread_subjects', ['n', 'k', 'reply']);
  let n = 0;
  const rows = db.db.prepare(`SELECT ${pg ? '' : 'm.rowid AS rid, '}m.id, m.date, m.subject, m.message_id, m.thread_id,
      json_extract(m.parsed, '$.references') AS refs, json_extract(m.parsed, '$.inReplyTo') AS irt${pg ? ', d.thread_index' : ''}
    FROM messages m${pg ? ` LEFT JOIN search_docs d ON d.message = m.id ORDER BY m.id${c}` : ' ORDER BY m.rowid'}`).iterate() as Iterable<{
    rid?: number; id: string; date: string | null; thread_id: string | null; subject: string | null; message_id: string | null; refs: string | null; irt: string | null; thread_index?: string | null;
  }>;
  // SQLite: the Thread-Index keys come from a second cursor in the same (rowid) order, joined
  // here, instead of a join looking up every message's index row by its id (random reads). On a
  // 4x Enron case the scan alone took 1.14 s with the join, 0.49 s without; the whole rebuild,
  // 2.66-2.78 s before, 2.43 s after
  const indexKeys = pg ? null : (db.db.prepare(`SELECT m.rowid AS rid, d.thread_index FROM search_docs d JOIN messages m ON m.id = d.message
    WHERE d.thread_index IS NOT NULL ORDER BY m.rowid`).iterate() as Iterable<{ rid: number | bigint; thread_index: string }>)[Symbol.iterator]();
  let indexKey = indexKeys?.next();
  try {
    for (const r of rows) {
      let threadIndex = r.thread_index ?? null;
      if (indexKeys && indexKey) {
        const rid = Number(r.rid);
        while (!indexKey.done && Number(indexKey.value.rid) < rid) indexKey = indexKeys.next();
        if (!indexKey.done && Number(indexKey.value.rid) === rid) threadIndex = indexKey.value.thread_index;
      }
      if (n >= cap) {
        cap *= 2;
        date = grown(date, cap);
        hi = grown(hi, cap);
        lo = grown(lo, cap);
        oldHi = grown(oldHi, cap);
        oldLo = grown(oldLo, cap);
        if (!pg) rid = grown(rid, cap);
      }
      if (!pg) rid[n] = Number(r.rid);
      if (HEX16.test(r.id)) {
        hi[n] = parseInt(r.id.slice(0, 8), 16);
        lo[n] = parseInt(r.id.slice(8, 16), 16);
      } else oddId.set(n, r.id.slice(0, 16));
      if (r.thread_id !== null && r.thread_id.length === 16 && HEX16.test(r.thread_id)) {
        oldHi[n] = parseInt(r.thread_id.slice(0, 8), 16);
        oldLo[n] = parseInt(r.thread_id.slice(8), 16);
      } else oddOld.set(n, r.thread_id);
      if (r.date === null) date[n] = Infinity;
      else {
        const t = ISO.test(r.date) ? Date.parse(r.date) : NaN;
        if (Number.isFinite(t) && new Date(t).toISOString() === r.date) date[n] = t;
        else oddDate.set(n, r.date);
      }
      const refs = [...parseIds(r.refs), ...parseIds(r.irt)];
      if (r.message_id) keys.add(n, 'm:' + r.message_id);
      for (const ref of refs) keys.add(n, 'm:' + ref);
      if (threadIndex) keys.add(n, 't:' + threadIndex);
      // Subjects: only messages without Message-ID links, and (below) only groups holding a reply.
      if (!refs.length && !threadIndex && r.subject) {
        const { base, reply } = normalizeSubject(r.subject);
        if (base.length >= 3) subjects.add(n, base, reply ? 1 : 0);
      }
      n++;
    }
  } finally {
    // a cursor left open would keep the temp tables from being dropped ("table is locked")
    indexKeys?.return?.();
  }
  keys.flush();
  subjects.flush();
  const count = n;

  const parent = new Int32Array(count);
  for (let i = 0; i < count; i++) parent[i] = i;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  const union = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  /** Joins the consecutive rows sharing a key (the rows come sorted by key). */
  const joinRuns = (rows: Iterable<{ n: number | string; k: string }>): void => {
    let prevKey: string | null = null;
    let prevN = -1;
    for (const r of rows) {
      const m = Number(r.n);
      if (r.k === prevKey) union(prevN, m);
      prevKey = r.k;
      prevN = m;
    }
  };
  // Message-ID links (messages naming the same missing parent join too) and Thread-Index keys
  joinRuns(db.db.prepare(`SELECT n, k FROM thread_keys ORDER BY k${c}`).iterate() as Iterable<{ n: number; k: string }>);
  // subject groups holding a reply
  joinRuns(db.db.prepare(`SELECT n, k FROM thread_subjects WHERE k IN (SELECT k FROM thread_subjects WHERE reply = 1) ORDER BY k${c}`).iterate() as Iterable<{ n: number; k: string }>);

  const hex = (h: number, l: number): string => h.toString(16).padStart(8, '0') + l.toString(16).padStart(8, '0');
  const prefix = (i: number): string => oddId.get(i) ?? hex(hi[i], lo[i]);
  // Earliest member per thread: by date (as the stored strings compare), then by id (as strings).
  const dateText = (i: number): string => oddDate.get(i) ?? (date[i] === Infinity ? '\uffff' : new Date(date[i]).toISOString());
  // Ids with the same first 16 characters give the same thread id: no need to look further.
  const idBefore = (a: number, b: number): boolean => {
    if (oddId.has(a) || oddId.has(b)) return prefix(a) < prefix(b);
    return hi[a] < hi[b] || (hi[a] === hi[b] && lo[a] < lo[b]);
  };
  const before = (a: number, b: number): boolean => {
    if (oddDate.size && (oddDate.has(a) || oddDate.has(b))) {
      const da = dateText(a);
      const db_ = dateText(b);
      return da < db_ || (da === db_ && idBefore(a, b));
    }
    return date[a] < date[b] || (date[a] === date[b] && idBefore(a, b));
  };
  const earliest = new Int32Array(count).fill(-1);
  for (let i = 0; i < count; i++) {
    const root = find(i);
    const e = earliest[root];
    if (e < 0 || before(i, e)) earliest[root] = i;
  }
  const changedAt = (i: number): boolean => {
    const e = earliest[find(i)];
    if (oddId.has(e) || oddOld.has(i)) return prefix(e) !== (oddOld.has(i) ? oddOld.get(i) : hex(oldHi[i], oldLo[i]));
    return hi[e] !== oldHi[i] || lo[e] !== oldLo[i];
  };
  let changed = 0;
  for (let i = 0; i < count; i++) if (changedAt(i)) changed++;
  return { count, changed, changedAt, threadOf: (i) => prefix(earliest[find(i)]), prefix, rowid: (i) => rid[i] };
}

/** A thread's messages in time order (undated last). */
export function threadMessages(db: CaseDb, threadId: string): { id: string; date: string | null; subject: string | null; from: string | null; verdict: string | null }[] {
  return db.stmt(`SELECT id, date, subject, from_address AS "from", verdict FROM messages WHERE thread_id = ? ORDER BY date IS NULL, date, id`).all(threadId) as never;
}
