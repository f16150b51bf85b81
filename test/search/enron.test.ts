/**
 * Search correctness on the Enron maildir: a phrase that wraps across body lines and UTC day
 * ranges at time-zone edges, compared exactly with Python's reading of the raw files. Also
 * threads rebuilt from subjects (Enron mail has no References) and the library functions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/limits.ts';
import { ingest } from '../../src/pipeline/ingest.ts';
import { correspondents, count, facets, matchingIds, search, threadMessages, timeline } from '../../src/search/index.ts';
import { CaseDb } from '../../src/store/sqlite.ts';
import { CORPORA, extracted } from '../helpers/corpora.ts';
import { hasPhrase, idsByPath, pyScan, words, type Scan } from './oracle.ts';

let db: CaseDb;
let dir: string;
let scan: Map<string, Scan>;
let ids: Map<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trove-search-enron-'));
  db = new CaseDb(dir, { create: true });
  await ingest(db, [join(CORPORA, 'enron-maildir.tar.gz')], { limits: DEFAULT_LIMITS, workers: 2 });
  scan = pyScan(extracted('enron-maildir'));
  ids = idsByPath(db, 'enron-maildir.tar.gz');
}, 600_000);
afterAll(() => {
  db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function compare(q: string, defined: (s: Scan) => boolean, pred: (s: Scan) => boolean): Set<string> {
  const universe = new Set<string>();
  const want = new Set<string>();
  const wantFiles: Scan[] = [];
  for (const [path, s] of scan) {
    const id = ids.get(path);
    if (!id || !defined(s)) continue;
    universe.add(id);
    if (pred(s)) {
      want.add(id);
      wantFiles.push(s);
    }
  }
  const got = new Set(matchingIds(db, q).filter((id) => universe.has(id)));
  expect(want.size).toBeGreaterThan(0);
  expect([...got].sort()).toEqual([...want].sort());
  return want;
}

describe('Enron', () => {
  it('a phrase matches across a line break in the body', () => {
    const phrase = ['conference', 'call'];
    compare('"Conference CALL"', (s) => s.subject !== null && s.body !== null, (s) => hasPhrase(words(s.subject!), phrase) || hasPhrase(words(s.body!), phrase));
    const wrapped = [...scan.values()].filter((s) => s.body && /conference[ \t]*\r?\n[ \t>]*call/i.test(s.body));
    expect(wrapped.length).toBeGreaterThan(0);
    const hits = new Set(matchingIds(db, '"conference call"'));
    for (const s of wrapped) if (ids.has(s.file.split('enron-maildir/')[1] ?? '')) expect(hits.has(ids.get(s.file.split('enron-maildir/')[1])!)).toBe(true);
  });

  it('a single UTC day includes mail sent the evening before in US time zones', () => {
    const want = compare('date:2001-05-01', (s) => s.utc_day !== null, (s) => s.utc_day === '2001-05-01');
    const edge = [...scan.values()].filter((s) => s.utc_day === '2001-05-01' && s.local_day === '2001-04-30');
    expect(edge.length).toBeGreaterThan(0);
    expect(want.size).toBe(count(db, 'date:2001-05-01'));
  });

  it('an inclusive range and open ranges', () => {
    compare('date:2001-04-30..2001-05-02', (s) => s.utc_day !== null, (s) => s.utc_day! >= '2001-04-30' && s.utc_day! <= '2001-05-02');
    compare('date:..2000-01-31', (s) => s.utc_day !== null, (s) => s.utc_day! <= '2000-01-31');
  });

  it('threads, timeline, correspondents and facets over the whole result set', () => {
    const r = search(db, 'subject:"california power"', { limit: 5 });
    expect(r.total).toBeGreaterThan(0);
    const threaded = db.db.prepare('SELECT thread_id, COUNT(*) AS n FROM messages GROUP BY thread_id HAVING n > 1 ORDER BY n DESC LIMIT 1').get() as { thread_id: string; n: number };
    expect(threaded.n).toBeGreaterThan(1);
    expect(count(db, `thread:${threaded.thread_id}`)).toBe(threaded.n);
    const msgs = threadMessages(db, threaded.thread_id);
    expect(msgs.map((m) => m.date ?? '~')).toEqual(msgs.map((m) => m.date ?? '~').sort());
    const total = count(db, 'budget');
    expect(timeline(db, 'budget').reduce((a, t) => a + t.count, 0)).toBe(total - count(db, 'budget AND NOT date:1900..2100'));
    const f = facets(db, 'budget');
    expect(f.verdicts.reduce((a, v) => a + v.count, 0)).toBe(total);
    expect(f.years.reduce((a, v) => a + v.count, 0)).toBeLessThanOrEqual(total);
    const edges = correspondents(db, 'budget', 10);
    expect(edges.length).toBe(10);
    expect(edges[0].count).toBeGreaterThanOrEqual(edges[9].count);
  });
});
