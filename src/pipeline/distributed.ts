/**
 * @module pipeline/distributed
 * Server-mode ingest over a job queue (pg-boss, in the same PostgreSQL as the case).
 *
 * `trove ingest --db postgres://…` lists the inputs (files one by one, folders descended, a
 * batch of up to BATCH_FILES loose files or one archive/mailbox file per job), records the
 * jobs in the case (`ingest_jobs`) and enqueues them. `trove worker` processes claim jobs and
 * run the ordinary walker, parse pool and writer on them. Exactly-once effects:
 * - every row a job writes is keyed by its locator (items.locator is UNIQUE) or content hash
 *   (messages, blobs: ON CONFLICT DO NOTHING), and the walker skips what is recorded, so a
 *   retried job resumes where the dead attempt's last committed batch stopped (nothing lost,
 *   nothing doubled, exactly as a resumed single-process ingest);
 * - the job's last batch commits in the same transaction as its `ingest_jobs.state = 'done'`,
 *   so a job is finished in the case or not at all; a retry of a finished job (the worker died
 *   before telling the queue) does nothing;
 * - a killed worker's claim lapses (pg-boss heartbeat, HEARTBEAT_SECONDS) and another worker
 *   retries the job; two attempts racing on one locator make one fail on the unique key and
 *   be retried, never write twice.
 * When the last job of a run is done, a finalize job (one per run: a singleton key) runs the
 * case-level passes (index, threads, lookalikes, forensics) and closes the run.
 */
import { lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { PgBoss } from 'pg-boss';
import { TroveError } from '../core/errors.ts';
import type { Limits } from '../core/limits.ts';
import { VERSION } from '../core/version.ts';
import { runForensics } from '../forensics/index.ts';
import { Walker } from '../ingest/walker.ts';
import { runLookalikes } from '../lookalike/index.ts';
import { indexPending } from '../search/indexer.ts';
import { IngestWriter } from '../store/ingest-writer.ts';
import { loadKeys } from '../store/keys.ts';
import { PgCaseDb } from '../store/postgres.ts';
import { rootName } from './ingest.ts';
import { ParsePool } from './pool.ts';

/** Loose files per job (maildir messages): enough to amortise a job, small enough to spread (TROVE_JOB_FILES). */
export const BATCH_FILES = Number(process.env.TROVE_JOB_FILES) > 0 ? Number(process.env.TROVE_JOB_FILES) : 200;
/** A worker that sends no heartbeat for this long has its job retried elsewhere. */
export const HEARTBEAT_SECONDS = 15;
const RETRY_LIMIT = 8;

export interface JobItem {
  path: string;
  locator: string;
}

export interface IngestJob {
  run: number;
  job: string;
  items: JobItem[];
  limits: Limits;
  analyze: boolean;
}

interface FinalizeJob {
  run: number;
  analyze: boolean;
}

const DDL = `
CREATE TABLE IF NOT EXISTS ingest_jobs (
  id TEXT COLLATE "C" PRIMARY KEY,
  run_id BIGINT NOT NULL,
  items TEXT NOT NULL,
  bytes BIGINT NOT NULL,
  state TEXT NOT NULL,
  worker TEXT,
  attempts BIGINT NOT NULL DEFAULT 0,
  messages BIGINT,
  finished_at TEXT
);
CREATE INDEX IF NOT EXISTS ingest_jobs_run ON ingest_jobs (run_id, state);
CREATE TABLE IF NOT EXISTS ingest_workers (
  id TEXT COLLATE "C" PRIMARY KEY,
  host TEXT NOT NULL,
  pid BIGINT NOT NULL,
  started_at TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  current_job TEXT,
  jobs BIGINT NOT NULL DEFAULT 0,
  messages BIGINT NOT NULL DEFAULT 0,
  bytes BIGINT NOT NULL DEFAULT 0,
  busy_seconds DOUBLE PRECISION NOT NULL DEFAULT 0
);
`;

/** The queue tables of server mode (PostgreSQL only; not part of the SQLite case model). */
export function ensureQueueTables(db: PgCaseDb): void {
  db.db.exec(DDL);
}

export function queueNames(db: PgCaseDb): { ingest: string; finalize: string } {
  return { ingest: `trove-ingest-${db.schema}`, finalize: `trove-finalize-${db.schema}` };
}

/** The connection string for pg-boss: the server URL without trove's ?schema=. */
function bossUrl(url: string): string {
  const u = new URL(url);
  u.searchParams.delete('schema');
  return u.toString();
}

export async function startBoss(url: string, opts: { supervise?: boolean; superviseSeconds?: number } = {}): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: bossUrl(url),
    schema: 'pgboss',
    supervise: opts.supervise ?? true,
    superviseIntervalSeconds: opts.superviseSeconds ?? 5,
    monitorIntervalSeconds: opts.superviseSeconds ?? 5,
    max: 4,
  });
  boss.on('error', (e: unknown) => process.stderr.write(`trove: queue: ${e instanceof Error ? e.message : String(e)}\n`));
  await boss.start();
  return boss;
}

async function ensureQueues(boss: PgBoss, names: { ingest: string; finalize: string }): Promise<void> {
  for (const [name, opts] of [
    [names.ingest, { heartbeatSeconds: HEARTBEAT_SECONDS, expireInSeconds: 24 * 3600, retryLimit: RETRY_LIMIT, retryDelay: 1 }],
    // the case passes are synchronous (no heartbeat can run): bounded by expiry instead
    [names.finalize, { policy: 'singleton', expireInSeconds: 12 * 3600, retryLimit: RETRY_LIMIT, retryDelay: 5 }],
  ] as const) {
    if (await boss.getQueue(name)) continue;
    try {
      await boss.createQueue(name, opts);
    } catch (e) {
      if (!(await boss.getQueue(name))) throw e;
    }
  }
}

/** Splits the inputs into jobs, with the locators a single-process walk would give. */
export async function planJobs(inputs: { path: string; root: string }[]): Promise<{ items: JobItem[]; bytes: number }[]> {
  const jobs: { items: JobItem[]; bytes: number }[] = [];
  let loose: JobItem[] = [];
  let looseBytes = 0;
  const flushLoose = () => {
    if (loose.length) jobs.push({ items: loose, bytes: looseBytes });
    loose = [];
    looseBytes = 0;
  };
  const visit = async (path: string, locator: string): Promise<void> => {
    let st;
    try {
      st = await lstat(path);
    } catch {
      jobs.push({ items: [{ path, locator }], bytes: 0 }); // the walker records the error
      return;
    }
    if (st.isDirectory()) {
      let entries;
      try {
        entries = await readdir(path, { encoding: 'buffer', withFileTypes: true });
      } catch {
        jobs.push({ items: [{ path, locator }], bytes: 0 });
        return;
      }
      // names that are not UTF-8 are the walker's business (it logs them): the whole folder is one job
      if (entries.some((d) => Buffer.from(d.name.toString('utf8')).compare(d.name) !== 0)) {
        flushLoose();
        jobs.push({ items: [{ path, locator }], bytes: 0 });
        return;
      }
      entries.sort((a, b) => Buffer.compare(a.name, b.name));
      for (const d of entries) await visit(join(path, d.name.toString('utf8')), `${locator}/${d.name.toString('utf8')}`);
      return;
    }
    // small loose files (maildir messages) are batched; anything large is a job of its own
    if (st.isFile() && st.size < 1 << 20) {
      loose.push({ path, locator });
      looseBytes += st.size;
      if (loose.length >= BATCH_FILES || looseBytes >= 64 << 20) flushLoose();
    } else jobs.push({ items: [{ path, locator }], bytes: st.isFile() ? st.size : 0 });
  };
  for (const i of inputs) await visit(i.path, i.root);
  flushLoose();
  return jobs;
}

/** `trove ingest` in server mode: opens a run and enqueues its jobs. */
export async function enqueueIngest(db: PgCaseDb, paths: string[], opts: { limits: Limits; analyze: boolean }): Promise<{ run: number; jobs: number; bytes: number }> {
  const abs = paths.map((p) => resolve(p));
  for (const p of abs) {
    try {
      await lstat(p);
    } catch {
      throw new TroveError('input-not-found', `input not found: ${p}`);
    }
  }
  ensureQueueTables(db);
  const inputs = abs.map((p) => ({ path: p, root: rootName(db, p) }));
  const planned = await planJobs(inputs);
  const names = queueNames(db);
  const boss = await startBoss(db.url, { supervise: false });
  try {
    await ensureQueues(boss, names);
    const run = Number(db.tx(() => db.stmt('INSERT INTO runs (command, args, started_at, status, version) VALUES (?,?,?,?,?)').run('ingest', JSON.stringify(abs), new Date().toISOString(), 'queued', VERSION)).lastInsertRowid);
    const jobs: IngestJob[] = planned.map((j, i) => ({ run, job: `${run}:${i + 1}`, items: j.items, limits: opts.limits, analyze: opts.analyze }));
    db.tx(() => {
      for (const [i, j] of jobs.entries()) db.stmt("INSERT INTO ingest_jobs (id, run_id, items, bytes, state) VALUES (?,?,?,?,'queued')").run(j.job, run, JSON.stringify(j.items), planned[i].bytes);
      for (const p of inputs) db.stmt('INSERT INTO log (run_id, ts, level, event, detail) VALUES (?,?,?,?,?)').run(run, new Date().toISOString(), 'info', 'input', JSON.stringify({ path: p.path, root: p.root, queued: true }));
    });
    // the jobs are in the case first: a crash here leaves them recorded, and `ingest` again re-enqueues
    for (let i = 0; i < jobs.length; i += 500) await boss.insert(names.ingest, jobs.slice(i, i + 500).map((data) => ({ data: data as unknown as object, singletonKey: data.job })));
    if (!jobs.length) await boss.send(names.finalize, { run, analyze: opts.analyze }, { singletonKey: `finalize-${run}` });
    return { run, jobs: jobs.length, bytes: planned.reduce((a, j) => a + j.bytes, 0) };
  } finally {
    await boss.stop({ graceful: false, wait: true } as never).catch(() => {});
  }
}

export interface RunProgress {
  run: number;
  status: string;
  jobs: number;
  done: number;
  messages: number;
  bytes: number;
}

export function runProgress(db: PgCaseDb, run: number): RunProgress {
  const j = db.stmt("SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN state = 'done' THEN 1 ELSE 0 END), 0) AS done, COALESCE(SUM(CASE WHEN state = 'done' THEN bytes ELSE 0 END), 0) AS bytes, COALESCE(SUM(messages), 0) AS messages FROM ingest_jobs WHERE run_id = ?").get(run) as Record<string, number>;
  const r = db.stmt('SELECT status FROM runs WHERE id = ?').get(run) as { status: string } | undefined;
  return { run, status: r?.status ?? 'unknown', jobs: Number(j.n), done: Number(j.done), messages: Number(j.messages), bytes: Number(j.bytes) };
}

/** Waits for a run's jobs and its finalize pass (`trove ingest --wait`). */
export async function waitForRun(db: PgCaseDb, run: number, onProgress?: (p: RunProgress) => void, pollMs = 500): Promise<RunProgress> {
  for (;;) {
    const p = runProgress(db, run);
    onProgress?.(p);
    if (p.status === 'done' || p.status === 'failed') return p;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

export interface WorkerOptions {
  concurrency: number;
  /** Parse threads per job. */
  parseWorkers: number;
  /** Stop when no job is left and every run is closed (tests, batch use). */
  exitWhenIdle?: boolean;
  log?: (line: string) => void;
  superviseSeconds?: number;
}

function workerId(): string {
  return `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 6)}`;
}

/** One job, in the case: returns the messages it recorded. */
/**
 * A lane: one connection and one parse pool, kept across jobs (starting a pool's threads costs
 * more than a small job). The pool is rebuilt when what it was built with changes: the key
 * archive (keys imported since), the limits or the analyze flag.
 */
class Lane {
  readonly db: PgCaseDb;
  private pool: ParsePool | null = null;
  private sig = '';
  private readonly parseWorkers: number;
  constructor(url: string, parseWorkers: number) {
    this.db = new PgCaseDb(url, { create: true });
    this.parseWorkers = parseWorkers;
  }
  async poolFor(data: IngestJob): Promise<ParsePool> {
    const k = this.db.stmt('SELECT COUNT(*) AS n, COALESCE(MAX(id), 0) AS m FROM keys').get() as { n: number; m: number };
    const sig = JSON.stringify([data.analyze, data.limits, Number(k.n), Number(k.m)]);
    if (!this.pool || sig !== this.sig) {
      await this.pool?.close();
      this.pool = new ParsePool(this.parseWorkers, data.limits, { keys: data.analyze ? loadKeys(this.db) : null, ftsVectors: true });
      this.sig = sig;
    }
    return this.pool;
  }
  /** After a failed job: parse results still in flight must not reach the next job. */
  async discardPool(): Promise<void> {
    await this.pool?.close();
    this.pool = null;
  }
  async close(): Promise<void> {
    await this.discardPool();
    this.db.close();
  }
}

async function processJob(lane: Lane, wid: string, data: IngestJob): Promise<number> {
  const db = lane.db;
  const tmpRoot = db.dir;
  const state = db.stmt('SELECT state FROM ingest_jobs WHERE id = ?').get(data.job) as { state: string } | undefined;
  if (state?.state === 'done') return 0; // finished before: the queue was not told in time
  db.tx(() => {
    db.stmt("UPDATE ingest_jobs SET attempts = attempts + 1, worker = ?, state = 'running' WHERE id = ? AND state <> 'done'").run(wid, data.job);
    db.stmt('UPDATE ingest_workers SET current_job = ?, last_seen = ? WHERE id = ?').run(data.job, new Date().toISOString(), wid);
    db.stmt("UPDATE runs SET status = 'running' WHERE id = ? AND status = 'queued'").run(data.run);
  });
  const t0 = Date.now();
  const tmpDir = join(tmpRoot, data.job.replace(/[^0-9A-Za-z]/g, '_'));
  await rm(tmpDir, { recursive: true, force: true });
  await mkdir(tmpDir, { recursive: true });
  const writer = new IngestWriter(db, data.run);
  const pool = await lane.poolFor(data);
  try {
    const walker = new Walker(writer, pool, { limits: data.limits, tmpDir, onBytes: () => {} });
    for (const it of data.items) await walker.walkRoot(it.path, it.locator);
    // the last batch and the job's completion: one transaction
    db.begin();
    db.stmt("UPDATE ingest_jobs SET state = 'done', finished_at = ?, messages = ?, worker = ? WHERE id = ?").run(new Date().toISOString(), writer.counts.messages, wid, data.job);
    db.stmt('UPDATE ingest_workers SET jobs = jobs + 1, messages = messages + ?, bytes = bytes + ?, busy_seconds = busy_seconds + ?, current_job = NULL, last_seen = ? WHERE id = ?')
      .run(writer.counts.messages, writer.counts.bytes, (Date.now() - t0) / 1000, new Date().toISOString(), wid);
    db.commit();
    return writer.counts.messages;
  } catch (e) {
    await lane.discardPool();
    db.rollback();
    throw e;
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
}

/**
 * The case-level passes, once no job of any run is left: they read the whole case and write
 * across it, so they never run beside ingest jobs (whose writes they would wait on, and block).
 * Closes every run whose jobs are all done.
 */
function finalize(db: PgCaseDb, data: FinalizeJob): void {
  if (pendingJobs(db)) return; // a later job's completion sends another finalize
  indexPending(db);
  if (data.analyze) {
    runLookalikes(db);
    runForensics(db);
  }
  // a run with a job that ran out of retries is closed as failed (its errors are in the log)
  db.tx(() => db.stmt("UPDATE runs SET finished_at = ?, status = CASE WHEN EXISTS (SELECT 1 FROM ingest_jobs j WHERE j.run_id = runs.id AND j.state = 'failed') THEN 'failed' ELSE 'done' END WHERE status IN ('queued', 'running')").run(new Date().toISOString()));
}

function pendingJobs(db: PgCaseDb): number {
  return Number((db.stmt("SELECT COUNT(*) AS n FROM ingest_jobs WHERE state IN ('queued', 'running')").get() as { n: number }).n);
}

/** `trove worker`: claims and processes jobs until stopped (or idle, with exitWhenIdle). */
export async function runWorker(url: string, opts: WorkerOptions): Promise<{ jobs: number; messages: number }> {
  const log = opts.log ?? (() => {});
  const wid = workerId();
  const admin = new PgCaseDb(url, { create: true });
  ensureQueueTables(admin);
  const now = new Date().toISOString();
  admin.stmt('INSERT INTO ingest_workers (id, host, pid, started_at, last_seen) VALUES (?,?,?,?,?)').run(wid, hostname(), process.pid, now, now);
  const names = queueNames(admin);
  const boss = await startBoss(url, { superviseSeconds: opts.superviseSeconds });
  await ensureQueues(boss, names);
  let jobs = 0;
  let messages = 0;
  let busy = 0;
  const lanes = Array.from({ length: opts.concurrency }, () => new Lane(url, opts.parseWorkers));
  const free = [...lanes];
  log(`worker ${wid}: ${opts.concurrency} lane(s) on ${names.ingest}`);
  await boss.work<IngestJob>(names.ingest, { batchSize: 1, localConcurrency: opts.concurrency, pollingIntervalSeconds: 0.5 }, async ([job]) => {
    const lane = free.pop() ?? new Lane(url, opts.parseWorkers);
    const db = lane.db;
    busy++;
    try {
      const n = await processJob(lane, wid, job.data);
      jobs++;
      messages += n;
      log(`job ${job.data.job}: ${n} messages`);
      if (!pendingJobs(db)) await boss.send(names.finalize, { run: job.data.run, analyze: job.data.analyze }, { singletonKey: `finalize-${job.data.run}` });
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      log(`job ${job.data.job} attempt ${job.retryCount + 1} failed: ${msg}`);
      // the last attempt: the job is failed in the case, and the run can close
      if (job.retryCount >= RETRY_LIMIT) {
        db.tx(() => {
          db.stmt("UPDATE ingest_jobs SET state = 'failed', finished_at = ? WHERE id = ? AND state <> 'done'").run(new Date().toISOString(), job.data.job);
          db.stmt("INSERT INTO log (run_id, ts, level, event, detail) VALUES (?, ?, 'error', 'job-failed', ?)").run(job.data.run, new Date().toISOString(), JSON.stringify({ job: job.data.job, reason: msg }));
        });
        if (!pendingJobs(db)) await boss.send(names.finalize, { run: job.data.run, analyze: job.data.analyze }, { singletonKey: `finalize-${job.data.run}` });
      }
      throw e;
    } finally {
      busy--;
      if (free.length < lanes.length) free.push(lane);
      else await lane.close();
    }
  });
  await boss.work<FinalizeJob>(names.finalize, { batchSize: 1, pollingIntervalSeconds: 1 }, async ([job]) => {
    busy++;
    try {
      log(`finalize run ${job.data.run}`);
      finalize(admin, job.data);
    } finally {
      busy--;
    }
  });
  if (opts.exitWhenIdle) {
    for (;;) {
      await new Promise((r) => setTimeout(r, 1000));
      if (busy) continue;
      const open = Number((admin.stmt("SELECT COUNT(*) AS n FROM runs WHERE status IN ('queued', 'running')").get() as { n: number }).n);
      if (!open) break;
    }
  } else {
    await new Promise<void>((res) => {
      process.once('SIGINT', res);
      process.once('SIGTERM', res);
    });
  }
  await boss.stop({ graceful: true, wait: true, timeout: 30_000 } as never);
  for (const l of lanes) await l.close();
  admin.tx(() => admin.stmt('UPDATE ingest_workers SET last_seen = ?, current_job = NULL WHERE id = ?').run(new Date().toISOString(), wid));
  admin.close();
  return { jobs, messages };
}
