/**
 * A case for the server tests: the demo sample dump plus the hostile messages, ingested and
 * indexed once per test file into a temp folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIMITS } from '../../src/core/limits.ts';
import { ingest } from '../../src/pipeline/ingest.ts';
import { indexPending } from '../../src/search/index.ts';
import { CaseDb } from '../../src/store/sqlite.ts';
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
  const db = new CaseDb(join(dir, 'case'), { create: true });
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
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
