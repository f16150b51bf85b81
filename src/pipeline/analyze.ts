/**
 * @module pipeline/analyze
 * `trove analyze`: re-runs authentication over every message of the case, e.g. after keys
 * were imported. Reads raw blobs, never the originals. Commits in batches, so an interrupted
 * run leaves each message either with its old results or its new ones.
 */
import { resolverFromRecords } from '../auth/keys.ts';
import { writeAuthEvidence } from '../store/ingest-writer.ts';
import { loadKeys } from '../store/keys.ts';
import type { CaseDb } from '../store/sqlite.ts';
import { runForensics } from '../forensics/index.ts';
import { runLookalikes } from '../lookalike/index.ts';
import { authenticateMessage, type Verdict } from './authenticate-message.ts';
import { relieveHeap } from '../core/memory.ts';
import { restoreIndexes } from '../store/bulk.ts';

export interface AnalyzeSummary {
  messages: number;
  seconds: number;
  verdicts: Record<Verdict, number>;
  /** Messages whose verdict changed in this run. */
  changed: number;
}

export function analyzeCase(db: CaseDb, onProgress?: (done: number, total: number) => void): AnalyzeSummary {
  const t0 = Date.now();
  restoreIndexes(db);
  const resolve = resolverFromRecords(loadKeys(db));
  const total = Number((db.stmt('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n);
  const ids = (db.db.prepare('SELECT id, origin, format, verdict FROM messages ORDER BY id').all() as { id: string; origin: string; format: string; verdict: string | null }[]);
  const update = db.stmt('UPDATE messages SET verdict = ?, analysis = ? WHERE id = ?');
  const getBlob = db.stmt('SELECT data FROM blobs WHERE sha256 = ?');
  let done = 0;
  db.begin();
  for (const m of ids) {
    relieveHeap();
    const raw = (getBlob.get(m.id) as { data: Uint8Array } | undefined)?.data;
    if (!raw) continue;
    const a = authenticateMessage(raw, m.origin === 'synthesized' || m.format === 'msg' ? 'synthesized' : 'as-found', resolve);
    update.run(a.verdict, JSON.stringify({ dkim: a.dkim, arc: a.arc }), m.id);
    writeAuthEvidence(db, m.id, a.evidence);
    if (++done % 2000 === 0) {
      db.commit();
      db.begin();
      onProgress?.(done, total);
    }
  }
  db.commit();
  runLookalikes(db);
  runForensics(db);
  onProgress?.(done, total);
  // counted after forensics, which may turn unverifiable messages suspicious
  const before = new Map(ids.map((m) => [m.id, m.verdict]));
  const verdicts: Record<Verdict, number> = { verified: 0, tampered: 0, unverifiable: 0, suspicious: 0 };
  let changed = 0;
  for (const r of db.db.prepare('SELECT id, verdict FROM messages').iterate() as Iterable<{ id: string; verdict: Verdict | null }>) {
    if (r.verdict) verdicts[r.verdict]++;
    if (before.get(r.id) !== r.verdict) changed++;
  }
  return { messages: done, seconds: (Date.now() - t0) / 1000, verdicts, changed };
}
