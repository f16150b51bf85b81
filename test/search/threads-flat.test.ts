/**
 * Thread reconstruction in flat memory (issue 11): the streaming `rebuildThreads` (typed
 * arrays in JS, the string-keyed grouping done by the database in temp tables) gives exactly
 * the thread ids of the original all-rows-in-memory algorithm (test/search/threads-oracle.ts)
 * on real corpora with References/In-Reply-To (mailing-list mboxes, SpamAssassin), Outlook
 * Thread-Index (PST, .msg) and subject-only threads (an Enron slice), and reports the same
 * number of changed messages; also with odd stored dates (none, non-canonical, ties), and on
 * PostgreSQL when TROVE_TEST_PG is set.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/limits.ts';
import { ingest } from '../../src/pipeline/ingest.ts';
import { rebuildThreads } from '../../src/search/threads.ts';
import { CaseDb } from '../../src/store/sqlite.ts';
import { PgCaseDb } from '../../src/store/postgres.ts';
import { CORPORA, extracted } from '../helpers/corpora.ts';
import { dropTestSchemas, freshPgUrl, skipPg } from '../store/backend.ts';
import { oracleThreads } from './threads-oracle.ts';

/** About 3,000 Enron messages: whole user folders in name order. */
function enronSlice(): string[] {
  const root = join(extracted('enron-maildir'), 'maildir');
  const out: string[] = [];
  let n = 0;
  for (const u of readdirSync(root).sort()) {
    if (n >= 3000) break;
    out.push(join(root, u));
    n += Number(execFileSync('find', [join(root, u), '-type', 'f'], { encoding: 'utf8' }).split('\n').filter(Boolean).length);
  }
  return out;
}

const LINKED = [join(CORPORA, 'mbox'), join(CORPORA, 'pst'), join(CORPORA, 'msg'), join(CORPORA, 'mimekit')];

function stored(db: CaseDb): Map<string, string> {
  return new Map((db.db.prepare('SELECT id, thread_id FROM messages').all() as { id: string; thread_id: string }[]).map((r) => [r.id, r.thread_id]));
}

function sorted(m: Map<string, string>): [string, string][] {
  return [...m].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** Every thread id reset to the message's own prefix (as ingest leaves it): the rebuild must write. */
function resetThreads(db: CaseDb): void {
  db.tx(() => db.db.prepare('UPDATE messages SET thread_id = substr(id, 1, 16)').run());
}

describe('rebuildThreads, flat memory, against the original algorithm', () => {
  let dir: string;
  let db: CaseDb;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trove-threads-flat-'));
    db = new CaseDb(dir, { create: true });
    await ingest(db, [...LINKED, join(extracted('spamassassin'), 'spamassassin', 'easy_ham'), ...enronSlice()], { limits: DEFAULT_LIMITS, workers: 2 });
  }, 600_000);
  afterAll(() => {
    db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ingest left exactly the oracle thread ids, with threads of every kind', () => {
    const { threads, changed } = oracleThreads(db);
    expect(changed).toBe(0);
    expect(sorted(stored(db))).toEqual(sorted(threads));
    expect(threads.size).toBeGreaterThan(5000);
    // threads joined by each mechanism exist, else the comparison proves little
    const multi = (where: string) => Number((db.db.prepare(`SELECT COUNT(*) AS n FROM messages m WHERE ${where} AND thread_id <> substr(id, 1, 16)`).get() as { n: number }).n);
    expect(multi("json_array_length(json_extract(parsed, '$.references')) > 0")).toBeGreaterThan(100);
    expect(multi("json_array_length(json_extract(parsed, '$.references')) = 0 AND json_array_length(json_extract(parsed, '$.inReplyTo')) = 0 AND subject LIKE 're:%'")).toBeGreaterThan(100);
    expect(Number((db.db.prepare('SELECT COUNT(*) AS n FROM search_docs WHERE thread_index IS NOT NULL').get() as { n: number }).n)).toBeGreaterThan(10);
  });

  it('from scratch: the same ids and the same count of changed messages', () => {
    resetThreads(db);
    const want = oracleThreads(db);
    expect(want.changed).toBeGreaterThan(1000);
    expect(rebuildThreads(db)).toBe(want.changed);
    expect(sorted(stored(db))).toEqual(sorted(want.threads));
    // a second run changes nothing
    expect(rebuildThreads(db)).toBe(0);
  });

  it('odd dates: missing, not in ISO form, beyond year 9999, and ties, decide the earliest as the original does', () => {
    // the members of the largest threads get odd dates: which one is earliest then depends on
    // string order ('+010000…' < '1999…', '' < everything, null after everything) and on id ties
    const big = db.db.prepare('SELECT thread_id FROM messages GROUP BY thread_id HAVING COUNT(*) >= 3 ORDER BY COUNT(*) DESC LIMIT 40').all() as { thread_id: string }[];
    expect(big.length).toBeGreaterThan(10);
    const odd = ['', '+010000-01-01T00:00:00.000Z', '2001-05-14 10:00', '2001-05-14T10:00:00Z', 'Mon, 14 May 2001', '\uffff', '\uffffz', '1999-13-45T10:00:00.000Z'];
    const set = db.db.prepare('UPDATE messages SET date = ? WHERE id = ?');
    db.tx(() => {
      big.forEach(({ thread_id }, i) => {
        const ids = (db.db.prepare('SELECT id FROM messages WHERE thread_id = ? ORDER BY id').all(thread_id) as { id: string }[]).map((r) => r.id);
        const last = ids[ids.length - 1];
        const pick = odd[Math.floor(i / 5) % odd.length];
        switch (i % 5) {
          case 0: set.run(pick, last); break; // one odd date among ordinary ones
          case 1: for (const id of ids) set.run('2001-05-14T10:00:00.000Z', id); break; // all tied: the smallest id
          case 2: for (const id of ids) if (id !== last) set.run(null, id); break; // only the last dated
          case 3: for (const id of ids) set.run(null, id); break; // none dated
          default: set.run(pick, ids[0]); set.run(odd[(Math.floor(i / 5) + 3) % odd.length], last); // two odd ones
        }
      });
    });
    resetThreads(db);
    const want = oracleThreads(db);
    expect(rebuildThreads(db)).toBe(want.changed);
    expect(sorted(stored(db))).toEqual(sorted(want.threads));
  });
});

/**
 * Rows no corpus has, written directly: ids sharing their first 16 characters (the thread id)
 * with equal dates, ids and stored thread ids that are not lowercase hex, references stored
 * as a string or with non-strings, a shared Thread-Index, subject groups with and without a
 * reply, subjects too short to group. Row order is the reverse of id order.
 */
function craft(db: CaseDb): void {
  const msg = (id: string, o: { date?: string | null; subject?: string | null; mid?: string | null; refs?: unknown; irt?: unknown; tid?: string | null; tindex?: string }) => {
    db.db.prepare('INSERT INTO messages (id, size, origin, format, message_id, date, subject, thread_id, parsed) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?)').run(
      id, 'as-found', 'rfc822', o.mid ?? null, o.date === undefined ? '2001-01-01T00:00:00.000Z' : o.date, o.subject ?? null, o.tid === undefined ? id.slice(0, 16) : o.tid,
      JSON.stringify({ references: o.refs ?? [], inReplyTo: o.irt ?? [] }),
    );
    if (o.tindex) db.db.prepare("INSERT INTO search_docs (message, thread_index, indexed_at) VALUES (?, ?, '2026-01-01')").run(id, o.tindex);
  };
  const rows: [string, Parameters<typeof msg>[1]][] = [
    // same 16 first characters, same date: the smaller full id is the earliest
    ['aaaaaaaaaaaaaaaa9', { mid: '<p@x>', date: '2001-01-01T00:00:00.000Z' }],
    ['aaaaaaaaaaaaaaaa1', { refs: ['<p@x>'], date: '2001-01-01T00:00:00.000Z' }],
    ['aaaaaaaaaaaaaaaa5', { irt: ['<p@x>'], date: null }],
    // not lowercase hex; odd stored thread ids
    ['ZZ-not-hex-id-0001', { mid: '<q@x>', date: '2000-06-01T00:00:00.000Z', tid: null }],
    ['Aa0', { refs: ['<q@x>', 7, null], date: '2000-06-01T00:00:00.000Z', tid: 'SHORT' }],
    ['8888888888888888aa', { refs: ['<q@x>'], date: '2002-06-01T00:00:00.000Z' }],
    ['ABCDEF0123456789ff', { refs: '<q@x>', subject: 'Re: quarterly numbers', date: '2000-05-01T00:00:00.000Z', tid: 'ABCDEF0123456789' }],
    // references naming the same missing parent; an empty reference
    ['bbbbbbbbbbbbbbbb00', { refs: ['<gone@x>'], date: '2002-01-01T00:00:00.000Z' }],
    ['cccccccccccccccc00', { refs: ['<gone@x>', ''], date: '2001-12-31T23:59:59.999Z' }],
    ['dddddddddddddddd00', { refs: [''], date: '2003-01-01T00:00:00.000Z' }],
    // a shared Thread-Index
    ['eeeeeeeeeeeeeeee00', { tindex: '01c0ffee', date: '2001-03-01T00:00:00.000Z', subject: 'Re: quarterly numbers' }],
    ['ffffffffffffffff00', { tindex: '01c0ffee', date: '2001-02-01T00:00:00.000Z' }],
    // and on the last row stored (SQLite reads Thread-Index keys with a second cursor, which
    // stops there unfinished: it must still let the temp tables go)
    ['0000000000000000aa', { tindex: '01c0ffee', date: '2001-02-02T00:00:00.000Z' }],
    // subjects: a group with a reply joins, one without does not, short ones never
    ['1111111111111111aa', { subject: 'Quarterly  NUMBERS', date: '2001-04-01T00:00:00.000Z' }],
    ['2222222222222222aa', { subject: 'AW: [list] quarterly numbers', date: '2001-04-02T00:00:00.000Z' }],
    ['3333333333333333aa', { subject: 'Hello there', date: '2001-04-03T00:00:00.000Z' }],
    ['4444444444444444aa', { subject: '[list] hello there', date: '2001-04-04T00:00:00.000Z' }],
    ['5555555555555555aa', { subject: 'Re: ab', date: '2001-04-05T00:00:00.000Z' }],
    ['6666666666666666aa', { subject: 'ab', date: '2001-04-06T00:00:00.000Z' }],
    ['7777777777777777aa', { subject: 'Re: quarterly numbers', mid: '<r@x>', date: 'Sun, 1 Apr 2001' }],
  ];
  db.tx(() => {
    for (const [id, o] of [...rows].sort((x, y) => (x[0] < y[0] ? 1 : -1))) msg(id, o);
  });
}

describe('rebuildThreads on crafted rows', () => {
  it('matches the original algorithm on ties, odd ids and odd stored values', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trove-threads-craft-'));
    const db = new CaseDb(dir, { create: true });
    try {
      craft(db);
      const want = oracleThreads(db);
      expect(new Set(want.threads.values()).size).toBeLessThan(want.threads.size - 5);
      expect(want.threads.get('aaaaaaaaaaaaaaaa9')).toBe('aaaaaaaaaaaaaaaa');
      expect(rebuildThreads(db)).toBe(want.changed);
      expect(sorted(stored(db))).toEqual(sorted(want.threads));
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(skipPg())('and on PostgreSQL', () => {
    const pg = new PgCaseDb(freshPgUrl('threadcraft'), { create: true });
    try {
      craft(pg);
      const want = oracleThreads(pg);
      expect(rebuildThreads(pg)).toBe(want.changed);
      expect(sorted(stored(pg))).toEqual(sorted(want.threads));
    } finally {
      pg.close();
      dropTestSchemas();
    }
  });
});

describe.skipIf(skipPg())('rebuildThreads on PostgreSQL', () => {
  let dir: string;
  let lite: CaseDb;
  let pg: PgCaseDb;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trove-threads-flat-pg-'));
    lite = new CaseDb(dir, { create: true });
    pg = new PgCaseDb(freshPgUrl('threads'), { create: true });
    const inputs = [join(CORPORA, 'mbox'), join(CORPORA, 'pst'), join(CORPORA, 'msg')];
    await ingest(lite, inputs, { limits: DEFAULT_LIMITS, workers: 1 });
    await ingest(pg, inputs, { limits: DEFAULT_LIMITS, workers: 1 });
  }, 600_000);
  afterAll(() => {
    lite?.close();
    pg?.close();
    dropTestSchemas();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the same thread ids as the original algorithm and as SQLite', () => {
    expect(oracleThreads(pg).changed).toBe(0);
    resetThreads(pg);
    const want = oracleThreads(pg);
    expect(want.changed).toBeGreaterThan(100);
    expect(rebuildThreads(pg)).toBe(want.changed);
    const got = sorted(stored(pg));
    expect(got).toEqual(sorted(want.threads));
    expect(got).toEqual(sorted(stored(lite)));
    expect(rebuildThreads(pg)).toBe(0);
  });
});
