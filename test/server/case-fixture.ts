/**
 * A case for the server tests: the demo sample dump plus the hostile messages, ingested and
 * indexed once per test file into a temp folder — or, when TROVE_TEST_BACKEND=postgres (set by
 * the test/server-mode/*-on-pg wrappers), into a fresh schema of the TROVE_TEST_PG server, so
 * the same API and access-control suites run on both back-ends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIMITS } from '../../src/core/limits.ts';
import { ingest } from '../../src/pipeline/ingest.ts';
import { indexPending } from '../../src/search/index.ts';
import { PgCaseDb } from '../../src/store/postgres.ts';
import { CaseDb } from '../../src/store/sqlite.ts';
import { dropTestSchemas, freshPgUrl } from '../store/backend.ts';
import { REPO } from '../helpers/corpora.ts';
import { writeHostileMail } from './hostile-mail.ts';

export interface Fixture {
  db: CaseDb;
  dir: string;
  /** Message id by Message-ID. */
  byMessageId(mid: string): string;
  cleanup(): void;
}

export async function buildCase(extra: string[] = []): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'trove-serve-'));
  const hostile = writeHostileMail(join(dir, 'hostile'));
  const db = process.env.TROVE_TEST_BACKEND === 'postgres' ? new PgCaseDb(freshPgUrl('server'), { create: true }) : new CaseDb(join(dir, 'case'), { create: true });
  await ingest(db, [join(REPO, 'demo/sample-dump.zip'), hostile, ...extra], { limits: DEFAULT_LIMITS, workers: 1 });
  indexPending(db);
  return {
    db,
    dir,
    byMessageId(mid) {
      const r = db.stmt('SELECT id FROM messages WHERE message_id = ?').get(mid) as { id: string } | undefined;
      if (!r) throw new Error(`no message ${mid} in the fixture case`);
      return r.id;
    },
    cleanup() {
      db.close();
      if (process.env.TROVE_TEST_BACKEND === 'postgres') dropTestSchemas();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
