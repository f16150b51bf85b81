/**
 * Bulk loads without the secondary indexes (src/store/bulk.ts): an ingest into a new case ends
 * with exactly the schema a case created without bulk loading has, and indexes left deferred by a
 * load that died are built again by the next command, but not while the loading process lives.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/limits.ts';
import { ingest } from '../../src/pipeline/ingest.ts';
import { facets, indexPending, matchingIds } from '../../src/search/index.ts';
import { deferIndexes, deferredIndexes, restoreIndexes, shouldDefer } from '../../src/store/bulk.ts';
import { CaseDb } from '../../src/store/sqlite.ts';
import { CORPORA } from '../helpers/corpora.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'trove-bulk-'));
  dirs.push(d);
  return d;
};

const indexes = (db: CaseDb) => db.stmt("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name").all();

describe('bulk loading', () => {
  it('a first ingest defers the secondary indexes and ends with the schema of a fresh case', async () => {
    const fresh = new CaseDb(join(tmp(), 'fresh'), { create: true });
    const want = indexes(fresh);
    fresh.close();
    expect(want.length).toBeGreaterThan(10);

    const db = new CaseDb(join(tmp(), 'case'), { create: true });
    try {
      expect(shouldDefer(db, 1000, 4000)).toBe(true);
      expect(shouldDefer(db, 1000, 4001)).toBe(false);
      const s = await ingest(db, [join(CORPORA, 'mbox')], { limits: DEFAULT_LIMITS, workers: 2 });
      expect(s.unique).toBeGreaterThan(100);
      expect(s.phases.map((p) => p.phase)).toContain('indexes');
      expect(deferredIndexes(db)).toEqual([]);
      expect(indexes(db)).toEqual(want);
    } finally {
      db.close();
    }
  }, 300_000);

  it('indexes deferred by a load that died are built again; not while the loader lives', async () => {
    const db = new CaseDb(join(tmp(), 'case'), { create: true });
    try {
      await ingest(db, [join(CORPORA, 'mbox')], { limits: DEFAULT_LIMITS, workers: 2 });
      const want = indexes(db);
      const ids = matchingIds(db, 'domain:apache.org').sort();
      const f = facets(db, 'apache');
      expect(ids.length).toBeGreaterThan(0);

      const dropped = deferIndexes(db);
      expect(dropped).toBeGreaterThan(8);
      expect(indexes(db).length).toBe(want.length - dropped);
      // queries are slower without them, never different
      expect(matchingIds(db, 'domain:apache.org').sort()).toEqual(ids);
      expect(facets(db, 'apache')).toEqual(f);

      const setPid = (pid: number) => {
        const v = JSON.parse((db.stmt("SELECT value FROM meta WHERE key = 'deferred_indexes'").get() as { value: string }).value);
        db.tx(() => db.stmt("UPDATE meta SET value = ? WHERE key = 'deferred_indexes'").run(JSON.stringify({ ...v, pid })));
      };
      // another live process (here: vitest's parent) is loading: left alone
      setPid(process.ppid);
      expect(restoreIndexes(db)).toBe(0);
      indexPending(db);
      expect(deferredIndexes(db).length).toBe(dropped);
      // the loader is gone (a pid no process has): the next command builds them
      setPid(2 ** 22 + 12345);
      indexPending(db);
      expect(deferredIndexes(db)).toEqual([]);
      expect(indexes(db)).toEqual(want);
    } finally {
      db.close();
    }
  }, 300_000);
});
