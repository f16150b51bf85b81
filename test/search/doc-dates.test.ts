/**
 * Date ranges answered as document-number ranges (src/search/indexer.ts docDates): exact while
 * every document number holds its message's second, and still exact when a second holds more
 * messages than it has slots (4096), because the case then says 'inexact' and date ranges are
 * read from messages.date. Every count is checked against the messages' own dates, by a scan in
 * the test.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/limits.ts';
import { ingest } from '../../src/pipeline/ingest.ts';
import { count, indexPending, matchingIds, search } from '../../src/search/index.ts';
import { DATED_MIN, DOC_SLOTS, docDates, docHoldsDate } from '../../src/search/indexer.ts';
import { CaseDb } from '../../src/store/sqlite.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** An mbox of `n` messages at each given Date header (null: no Date header). */
function mbox(groups: [string | null, number][]): string {
  let out = '';
  let k = 0;
  for (const [date, n] of groups) {
    for (let i = 0; i < n; i++, k++) {
      out += `From sender@example.org Mon Jan  1 00:00:00 2001\nFrom: sender${k % 7}@example.org\nTo: desk@example.org\nSubject: item ${k}\nMessage-ID: <m${k}@example.org>\n${date ? `Date: ${date}\n` : ''}\nbody of item ${k} budget\n\n`;
    }
  }
  return out;
}

async function caseOf(groups: [string | null, number][]): Promise<CaseDb> {
  const dir = mkdtempSync(join(tmpdir(), 'trove-docdates-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'in.mbox'), mbox(groups));
  const db = new CaseDb(join(dir, 'case'), { create: true });
  await ingest(db, [join(dir, 'in.mbox')], { limits: DEFAULT_LIMITS, workers: 2, analyze: false });
  return db;
}

/** Messages whose date falls in [from, to] (days, UTC, inclusive), by a scan of messages.date. */
function scan(db: CaseDb, from: string | null, to: string | null): string[] {
  const rows = db.stmt('SELECT id, date FROM messages').all() as { id: string; date: string | null }[];
  return rows.filter((r) => r.date !== null && (!from || r.date.slice(0, 10) >= from) && (!to || r.date.slice(0, 10) <= to)).map((r) => r.id).sort();
}

const RANGES: [string, string | null, string | null][] = [
  ['date:2001-05-01', '2001-05-01', '2001-05-01'],
  ['date:2001-05-02', '2001-05-02', '2001-05-02'],
  ['date:..2001-05-01', null, '2001-05-01'],
  ['date:2001-05-02..', '2001-05-02', null],
  ['date:2001-04-30..2001-05-02', '2001-04-30', '2001-05-02'],
  ['date:1969', '1969-01-01', '1969-12-31'],
  ['date:..1969-12-31', null, '1969-12-31'],
];

function checkRanges(db: CaseDb): void {
  for (const [q, from, to] of RANGES) {
    const want = scan(db, from, to);
    expect(matchingIds(db, q).sort(), q).toEqual(want);
    expect(count(db, q), q).toBe(want.length);
    // with text: the range is put on the FTS rowid
    expect(count(db, `budget ${q}`), q).toBe(want.length);
    // newest first: the page is the newest of the range, in date order
    const page = search(db, q, { limit: 30, sort: 'date' }).hits;
    const dates = page.map((h) => h.date!);
    expect(dates, q).toEqual([...dates].sort().reverse());
    if (want.length) expect(dates[0], q).toBe((db.stmt(`SELECT max(date) AS d FROM messages WHERE id IN (${want.map(() => '?').join(',')})`).get(...want) as { d: string }).d);
  }
}

describe('date ranges over document numbers', () => {
  it('a case whose seconds hold at most 4096 messages: exact, and the same answers as from messages.date', async () => {
    // the last second of a day, the first of the next, one before 1970, and undated mail
    const db = await caseOf([['Tue, 01 May 2001 23:59:59 +0000', 3000], ['Wed, 02 May 2001 02:00:00 +0200', 40], ['Wed, 31 Dec 1969 23:59:59 +0000', 5], [null, 6]]);
    try {
      expect(docDates(db)).toBe('exact');
      // 3000 messages in one second: slots collide and wrap round inside the second
      for (const r of db.stmt('SELECT d.id AS doc, m.date AS date FROM search_docs d JOIN messages m ON m.id = d.message').all() as { doc: number; date: string | null }[]) {
        expect(docHoldsDate(Number(r.doc), r.date)).toBe(true);
      }
      checkRanges(db);
      // the same queries answered from messages.date agree
      db.tx(() => db.stmt("UPDATE meta SET value = 'inexact' WHERE key = 'doc_dates'").run());
      checkRanges(db);
      // an index built before the mark was kept is checked once, by indexPending
      db.tx(() => db.stmt("DELETE FROM meta WHERE key = 'doc_dates'").run());
      expect(docDates(db)).toBe('unknown');
      indexPending(db);
      expect(docDates(db)).toBe('exact');
      expect(count(db, 'date:..2001-05-01')).toBe(3005);
    } finally {
      db.close();
    }
  }, 120_000);

  it('a second with more than 4096 messages: the case says inexact and date ranges stay exact', async () => {
    const db = await caseOf([['Tue, 01 May 2001 23:59:59 +0000', DOC_SLOTS + 20], ['Wed, 02 May 2001 00:00:00 +0000', 30], [null, 3]]);
    try {
      expect(docDates(db)).toBe('inexact');
      // the 20 beyond the second's slots are numbered in the next one, still above every undated message
      const spilled = (db.stmt('SELECT d.id AS doc, m.date AS date FROM search_docs d JOIN messages m ON m.id = d.message').all() as { doc: number; date: string | null }[]).filter((r) => !docHoldsDate(Number(r.doc), r.date));
      expect(spilled.length).toBe(20);
      expect(spilled.every((r) => Number(r.doc) > DATED_MIN)).toBe(true);
      checkRanges(db);
      expect(count(db, 'date:2001-05-01')).toBe(DOC_SLOTS + 20);
      expect(count(db, 'date:2001-05-02')).toBe(30);
      // the check of an old index finds the same
      db.tx(() => db.stmt("DELETE FROM meta WHERE key = 'doc_dates'").run());
      indexPending(db);
      expect(docDates(db)).toBe('inexact');
    } finally {
      db.close();
    }
  }, 180_000);
});
