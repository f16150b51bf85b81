/**
 * Distributed ingest: the MIX input queued as many jobs, three `trove worker` processes, one
 * of them killed (SIGKILL) in the middle of a job. The run must finish (the dead worker's job
 * retried elsewhere) with a case identical to a single-process SQLite ingest of the same
 * input: the same export and the same accounting, nothing lost, nothing doubled.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { runProgress, waitForRun } from '../../src/pipeline/distributed.ts';
import { PgCaseDb } from '../../src/store/postgres.ts';
import type { Status } from '../../src/store/queries.ts';
import { BIN, NODE_FLAGS, trove } from '../helpers/cli.ts';
import { REPO } from '../helpers/corpora.ts';
import { dropTestSchemas, freshPgUrl, skipPg } from '../store/backend.ts';
import { MIX } from './inputs.ts';

const skip = skipPg();
const dir = mkdtempSync(join(tmpdir(), 'trove-workers-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
  if (!skip) dropTestSchemas();
});

function ok(args: string[], env: Record<string, string> = {}): string {
  const r = trove(args, { env });
  if (r.status !== 0) throw new Error(`trove ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function worker(url: string): ChildProcess {
  const c = spawn(process.execPath, [...NODE_FLAGS, BIN, '--db', url, 'worker', '--exit-when-idle', '--parse-workers', '1'], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
  c.stderr?.resume();
  children.push(c);
  return c;
}

const TIMEOUT = 'attachment-text-timeout';
function records(jsonl: string): unknown[] {
  return jsonl.trim().split('\n').map((l) => {
    const r = JSON.parse(l) as { evidence: { code: string }[] };
    r.evidence = r.evidence.filter((e) => e.code !== TIMEOUT); // load-dependent (see parity.test.ts)
    return r;
  });
}

describe.skipIf(skip)('trove worker', () => {
  it('three workers, one killed mid-job: the same case as a single-process ingest', async () => {
    const url = freshPgUrl('workers');
    // small jobs, so there are many of them and the kill lands inside one
    const q = JSON.parse(ok(['--db', url, 'ingest', ...MIX, '--json'], { TROVE_JOB_FILES: '8' })) as { run: number; jobs: number };
    expect(q.jobs).toBeGreaterThan(10);
    const db = new PgCaseDb(url, { create: false });
    try {
      const victim = worker(url);
      worker(url);
      worker(url);
      // wait until the victim is inside a job (it has written items of it), then kill it
      let killedIn: string | null = null;
      for (let i = 0; i < 600 && !killedIn; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const w = db.stmt('SELECT current_job, jobs FROM ingest_workers WHERE pid = ?').get(victim.pid) as { current_job: string | null; jobs: number } | undefined;
        if (w?.current_job && w.jobs >= 1) {
          victim.kill('SIGKILL');
          killedIn = w.current_job;
        }
      }
      expect(killedIn, 'the victim never started a second job').not.toBeNull();
      const p = await waitForRun(db, q.run, undefined, 500);
      expect(p.status).toBe('done');
      expect(p.done).toBe(q.jobs);
      // the job the victim died in was taken up again by another worker
      const j = db.stmt('SELECT attempts, worker, state FROM ingest_jobs WHERE id = ?').get(killedIn) as { attempts: number; worker: string; state: string };
      expect(j.state).toBe('done');
      expect(Number(j.attempts)).toBeGreaterThanOrEqual(2);
      expect(j.worker).not.toContain(`:${victim.pid}:`);
      expect(runProgress(db, q.run).messages).toBeGreaterThan(0);
    } finally {
      db.close();
    }
    for (const c of children) if (c.exitCode === null && c.signalCode === null) await new Promise((r) => c.once('exit', r));

    const single = join(dir, 'single');
    ok(['--case', single, 'ingest', ...MIX, '--workers', '2']);
    const a = ok(['--case', single, 'export']);
    const b = ok(['--db', url, 'export']);
    expect(a.trim().split('\n').length).toBeGreaterThan(300);
    expect(records(b)).toEqual(records(a));
    const sa = JSON.parse(ok(['--case', single, 'status', '--json'])) as Status;
    const sb = JSON.parse(ok(['--db', url, 'status', '--json'])) as Status;
    for (const k of ['messages', 'unique', 'duplicates', 'containers', 'files', 'parse_errors', 'bytes'] as const) expect(sb[k], k).toEqual(sa[k]);
    expect(sb.skipped).toEqual(sa.skipped);
    expect(sb.errors).toEqual(sa.errors);
    expect(sb.incomplete).toEqual([]);
  }, 600_000);
});
