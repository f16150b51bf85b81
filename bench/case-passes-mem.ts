/**
 * @module bench/case-passes-mem
 * Peak memory and time of the two whole-case passes that run after ingest's read phase:
 * thread reconstruction (`rebuildThreads`) and the lookalike scan (`runLookalikes`), on an
 * existing SQLite case (e.g. a copy of a scaled Enron case). Each pass runs in a process of
 * its own so its peak RSS is its own (maxRSS only grows).
 *
 *   npx node --expose-gc bench/case-passes-mem.ts CASE_DIR [--only threads|lookalikes] [--reset]
 *
 * --reset first sets every thread_id back to the message's own id prefix (as ingest leaves it),
 * so the thread pass also writes. Prints one JSON line per pass: seconds, peak RSS (MB), heap
 * and external memory after the pass, and a fingerprint of the result (threads changed and a
 * hash of id → thread_id; lookalike hits and a hash of the evidence rows) to compare runs.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { runLookalikes } from '../src/lookalike/index.ts';
import { rebuildThreads } from '../src/search/threads.ts';
import { CaseDb } from '../src/store/sqlite.ts';

const args = process.argv.slice(2);
const dir = args.find((a) => !a.startsWith('--'));
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
if (!dir) {
  process.stderr.write('usage: npx node --expose-gc bench/case-passes-mem.ts CASE_DIR [--only threads|lookalikes] [--reset]\n');
  process.exit(2);
}

const mb = (n: number): number => Math.round(n / 1048576);

function hashRows(db: CaseDb, sql: string): string {
  const h = createHash('sha256');
  for (const r of db.db.prepare(sql).iterate()) h.update(JSON.stringify(r) + '\n');
  return h.digest('hex').slice(0, 16);
}

if (!only) {
  // one child per pass: each peak is that pass's own
  for (const pass of ['threads', 'lookalikes']) {
    const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), dir, '--only', pass, ...(args.includes('--reset') ? ['--reset'] : [])], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
} else {
  const db = new CaseDb(dir, { create: false });
  if (only === 'threads' && args.includes('--reset')) db.tx(() => db.db.prepare('UPDATE messages SET thread_id = substr(id, 1, 16)').run());
  (globalThis as { gc?: () => void }).gc?.();
  const rssBefore = mb(process.memoryUsage().rss);
  const t0 = performance.now();
  let result: Record<string, unknown>;
  if (only === 'threads') {
    const changed = rebuildThreads(db);
    result = { changed };
  } else {
    const res = runLookalikes(db);
    result = { targets: res.targets, hits: res.hits.length };
  }
  const seconds = +((performance.now() - t0) / 1000).toFixed(2);
  const mem = process.memoryUsage();
  const peakMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const fingerprint = only === 'threads'
    ? hashRows(db, 'SELECT id, thread_id FROM messages ORDER BY id')
    : hashRows(db, "SELECT message, code, severity, detail FROM evidence WHERE stage = 'lookalike' ORDER BY message, detail");
  db.close();
  process.stdout.write(JSON.stringify({ pass: only, seconds, rssBeforeMb: rssBefore, peakRssMb: peakMb, heapUsedMb: mb(mem.heapUsed), externalMb: mb(mem.external), ...result, fingerprint }) + '\n');
}
