/**
 * @module bench/workers
 * Server-mode ingest throughput: the same Enron maildir subset queued once per row and ingested
 * by 1, 2 and 4 `trove worker` processes (one parse thread each) into a PostgreSQL case, timed
 * from the workers' start to the last ingest job done (the case-level passes that follow are
 * timed apart: they run once per run, not per worker). Per-worker rates come from the case's
 * own accounting (`ingest_workers`, what `trove status` shows), and give the projection for a
 * 100 GB dump on N machines.
 *
 * PostgreSQL: $TROVE_BENCH_PG or $TROVE_TEST_PG, else a throw-away cluster started here from
 * the Debian binaries (/usr/lib/postgresql/<v>/bin) on 127.0.0.1, removed afterwards.
 *
 * Run alone: `npx node bench/workers.ts [--quick]`; bench/run.ts calls `benchWorkers`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, chownSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PgCaseDb, dropSchema } from '../src/store/postgres.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin/trove.js');
const TARBALL = [process.env.TROVE_BENCH_TARBALL, join(ROOT, '../shared/corpora/enron-maildir.tar.gz')].find((p) => p && existsSync(p)) ?? '';

interface Server {
  url: string;
  stop: () => void;
  own: boolean;
}

function startPg(): Server | { error: string } {
  const given = process.env.TROVE_BENCH_PG || process.env.TROVE_TEST_PG;
  if (given) return { url: given, stop: () => {}, own: false };
  const base = '/usr/lib/postgresql';
  const ver = existsSync(base) ? readdirSync(base).sort((a, b) => Number(b) - Number(a))[0] : undefined;
  const bin = ver ? join(base, ver, 'bin') : '';
  if (!bin || !existsSync(join(bin, 'initdb'))) return { error: 'no PostgreSQL: set TROVE_BENCH_PG or apt-get install postgresql' };
  const dir = mkdtempSync(join(tmpdir(), 'trove-bench-pg-'));
  const root = process.getuid?.() === 0;
  const as = (cmd: string, args: string[]) => (root ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8' }) : spawnSync(cmd, args, { encoding: 'utf8' }));
  if (root) {
    const pw = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    chownSync(dir, Number(pw.stdout), Number(gid.stdout));
  }
  const port = 55400 + (process.pid % 90);
  let r = as(join(bin, 'initdb'), ['-D', join(dir, 'data'), '-U', 'trove', '--auth=trust', '-E', 'UTF8', '--locale=C']);
  if (r.status !== 0) return { error: `initdb failed: ${r.stderr}` };
  r = as(join(bin, 'pg_ctl'), ['-D', join(dir, 'data'), '-l', join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`, 'start']);
  if (r.status !== 0) return { error: `pg_ctl start failed: ${r.stderr}` };
  spawnSync(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'trove', 'trove_bench']);
  return {
    url: `postgres://trove@127.0.0.1:${port}/trove_bench`,
    own: true,
    stop: () => {
      as(join(bin, 'pg_ctl'), ['-D', join(dir, 'data'), '-m', 'immediate', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The first Enron users' inboxes (in name order) up to `target` messages, extracted to a temp folder. */
function dataset(target: number): { dir: string; messages: number; bytes: number } | { error: string } {
  if (!TARBALL) return { error: 'enron-maildir.tar.gz not found (../shared/corpora or $TROVE_BENCH_TARBALL)' };
  const dir = mkdtempSync(join(tmpdir(), 'trove-bench-workers-'));
  const list = spawnSync('tar', ['-tzf', TARBALL], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const perUser = new Map<string, number>();
  for (const l of list.stdout.split('\n')) {
    const u = /^maildir\/([^/]+)\/.*[^/]$/.exec(l)?.[1];
    if (u) perUser.set(u, (perUser.get(u) ?? 0) + 1);
  }
  const names: string[] = [];
  let total = 0;
  for (const u of [...perUser.keys()].sort()) {
    if (total >= target) break;
    names.push(u);
    total += perUser.get(u)!;
  }
  spawnSync('tar', ['-xzf', TARBALL, '-C', dir, ...names.map((n) => `maildir/${n}`)]);
  const du = spawnSync('sh', ['-c', `find '${dir}' -type f | wc -l; du -sb '${dir}' | cut -f1`], { encoding: 'utf8' }).stdout.trim().split('\n');
  return { dir: join(dir, 'maildir'), messages: Number(du[0]), bytes: Number(du[1]) };
}

function trove(url: string, args: string[]): string {
  const r = spawnSync(process.execPath, ['--max-semi-space-size=4', '--expose-gc', BIN, '--db', url, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`trove ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

export interface WorkerRow {
  workers: number;
  jobs: number;
  messages: number;
  seconds: number;
  msg_per_s: number;
  mb_per_s: number;
  finalize_seconds: number;
  per_worker: { id: string; jobs: number; messages: number; msg_per_s: number; mb_per_s: number }[];
}

async function row(server: Server, input: string, n: number): Promise<WorkerRow> {
  const url = `${server.url}${server.url.includes('?') ? '&' : '?'}schema=bench_workers_${n}_${process.pid}`;
  dropSchema(url);
  const q = JSON.parse(trove(url, ['ingest', input, '--json'])) as { run: number; jobs: number; bytes: number };
  const db = new PgCaseDb(url, { create: false });
  const t0 = Date.now();
  const kids: ChildProcess[] = Array.from({ length: n }, () =>
    spawn(process.execPath, ['--max-semi-space-size=4', '--expose-gc', BIN, '--db', url, 'worker', '--exit-when-idle', '--parse-workers', '1'], { stdio: 'ignore' }),
  );
  let ingested = 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const left = Number((db.stmt("SELECT COUNT(*) AS n FROM ingest_jobs WHERE run_id = ? AND state <> 'done'").get(q.run) as { n: number }).n);
    if (!ingested && !left) ingested = Date.now();
    const st = (db.stmt('SELECT status FROM runs WHERE id = ?').get(q.run) as { status: string }).status;
    if (st === 'done' || st === 'failed') break;
  }
  const done = Date.now();
  await Promise.all(kids.map((k) => (k.exitCode === null ? new Promise((r) => k.once('exit', r)) : null)));
  const messages = Number((db.stmt("SELECT COUNT(*) AS n FROM items WHERE kind = 'message'").get() as { n: number }).n);
  const per = db.stmt('SELECT id, jobs, messages, bytes, busy_seconds FROM ingest_workers ORDER BY id').all().map((w) => ({
    id: String(w.id),
    jobs: Number(w.jobs),
    messages: Number(w.messages),
    msg_per_s: Math.round(Number(w.messages) / Math.max(Number(w.busy_seconds), 0.001)),
    mb_per_s: Math.round((Number(w.bytes) / 1e6 / Math.max(Number(w.busy_seconds), 0.001)) * 100) / 100,
  }));
  db.close();
  dropSchema(url);
  const seconds = (ingested - t0) / 1000;
  return {
    workers: n, jobs: q.jobs, messages, seconds: Math.round(seconds * 10) / 10,
    msg_per_s: Math.round(messages / seconds), mb_per_s: Math.round((q.bytes / 1e6 / seconds) * 100) / 100,
    finalize_seconds: Math.round((done - ingested) / 100) / 10, per_worker: per,
  };
}

export async function benchWorkers(opts: { quick: boolean }): Promise<object> {
  const server = startPg();
  if ('error' in server) return { skipped: server.error };
  const data = dataset(opts.quick ? 2000 : 12000);
  if ('error' in data) {
    server.stop();
    return { skipped: data.error };
  }
  try {
    const rows: WorkerRow[] = [];
    for (const n of [1, 2, 4]) rows.push(await row(server, data.dir, n));
    // the projection uses the per-worker rate of the 1-worker row (no contention for cores)
    const perWorkerMb = rows[0].mb_per_s;
    const cores = availableParallelism();
    const projection = [1, 4, 16].map((machines) => {
      const workers = machines * cores;
      return { machines, workers, hours_for_100_gb: Math.round((100_000 / (perWorkerMb * workers) / 3600) * 10) / 10 };
    });
    return {
      server: server.own ? 'throw-away PostgreSQL on 127.0.0.1 (fsync=off)' : 'given PostgreSQL',
      cores,
      input: { path: 'enron-maildir (first users)', messages: data.messages, bytes: data.bytes },
      rows,
      projection: { per_worker_mb_per_s: perWorkerMb, assumes: `${cores} workers per machine, each at the 1-worker rate, the database not the bottleneck`, rows: projection },
    };
  } finally {
    rmSync(dirname(data.dir), { recursive: true, force: true });
    server.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await benchWorkers({ quick: process.argv.includes('--quick') });
  process.stdout.write(JSON.stringify(r, null, 2) + '\n');
}
