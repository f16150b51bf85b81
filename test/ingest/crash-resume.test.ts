/**
 * kill -9 during ingest, several times, then the same command again: the case must hold
 * exactly what an uninterrupted run holds (same export, same accounting), nothing lost or
 * doubled, and resuming must not re-parse what was committed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { CORPORA, REPO } from '../helpers/corpora.ts';
import { exportSorted, trove, troveJson, troveSpawn, type StatusJson } from '../helpers/cli.ts';

const work = mkdtempSync(join(tmpdir(), 'trove-crash-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const INPUTS = [join(CORPORA, 'spamassassin.tar.gz'), join(CORPORA, 'mbox'), join(REPO, 'demo/sample-dump.zip')];

/** The case's indexes (name and SQL) and whatever a bulk load left deferred. */
function schemaOf(caseDir: string): { indexes: unknown[]; deferred: unknown } {
  const db = new DatabaseSync(join(caseDir, 'trove.db'), { readOnly: true });
  try {
    return {
      indexes: db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name").all(),
      deferred: db.prepare("SELECT value FROM meta WHERE key = 'deferred_indexes'").get() ?? null,
    };
  } finally {
    db.close();
  }
}

function killAfter(caseDir: string, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const child = troveSpawn(['--case', caseDir, 'ingest', ...INPUTS, '--json']);
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe('crash and resume', () => {
  it('gives the same export as an uninterrupted run after repeated kill -9', async () => {
    const clean = join(work, 'clean');
    const r = trove(['--case', clean, 'ingest', ...INPUTS, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const want = exportSorted(clean);
    const wantStatus = troveJson<StatusJson>(['--case', clean, 'status']);
    expect(want.length).toBeGreaterThan(6000);

    const crashed = join(work, 'crashed');
    // deterministic kill points spread over the run (the clean run's duration is ~ first summary)
    const total = (JSON.parse(r.stdout) as { seconds: number }).seconds * 1000;
    const points = [0.15, 0.35, 0.55, 0.8].map((f) => Math.max(200, Math.round(total * f + 400)));
    let partial = 0;
    for (const ms of points) {
      await killAfter(crashed, ms);
      const s = trove(['--case', crashed, 'status', '--json']);
      if (s.status === 0) partial = Math.max(partial, (JSON.parse(s.stdout) as StatusJson).messages);
    }
    // at least one kill landed mid-run, after something was committed
    expect(partial).toBeGreaterThan(0);
    const resumed = trove(['--case', crashed, 'ingest', ...INPUTS, '--json']);
    expect(resumed.status, resumed.stderr).toBe(0);
    const got = exportSorted(crashed);
    expect(got.length).toBe(want.length);
    expect(got).toEqual(want);
    const gotStatus = troveJson<StatusJson>(['--case', crashed, 'status']);
    for (const k of ['messages', 'unique', 'duplicates', 'containers', 'files'] as const) expect(gotStatus[k], k).toBe(wantStatus[k]);
    expect(gotStatus.skipped).toEqual(wantStatus.skipped);
    expect(gotStatus.errors).toEqual(wantStatus.errors);
    expect(gotStatus.incomplete).toEqual([]);
    // the indexes a killed bulk load had dropped are all back (store/bulk.ts)
    const schema = schemaOf(crashed);
    expect(schema.deferred).toBe(null);
    expect(schema).toEqual(schemaOf(clean));
    // the final run parsed only what was missing
    const last = JSON.parse(resumed.stdout) as { messages: number };
    expect(last.messages).toBeLessThan(wantStatus.messages);
  });
});
