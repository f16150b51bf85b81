/**
 * @module cli/commands/ingest
 * `trove ingest PATH…`
 */
import { Option, type Command } from 'commander';
import cliProgress from 'cli-progress';
import { TroveError } from '../../core/errors.ts';
import { resolveLimits } from '../../core/limits.ts';
import { ingest, type IngestSummary } from '../../pipeline/ingest.ts';
import { PgCaseDb } from '../../store/postgres.ts';
import { globals, openCase, out } from '../context.ts';
import { registerWorker } from './worker.ts';
import { defaultParseWorkers } from '../../pipeline/pool.ts';

export function parseWorkers(v: string | undefined): number {
  if (v === undefined) return defaultParseWorkers();
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1 || n > 256) throw new TroveError('usage', `--workers must be an integer from 1 to 256 (got ${v})`);
  return n;
}

function mb(n: number): string {
  return (n / 1e6).toFixed(1);
}

export function summaryLines(s: IngestSummary): string[] {
  return [
    `ingested in ${s.seconds.toFixed(1)} s: ${s.messages} messages (${s.unique} new unique, ${s.duplicates} duplicates), ${s.containers} containers, ${s.files} other files, ${s.skipped} skipped, ${s.errors} errors`,
    `${mb(s.inputBytes)} MB of input, ${(s.messages / Math.max(s.seconds, 0.001)).toFixed(0)} msg/s, ${mb(s.inputBytes / Math.max(s.seconds, 0.001))} MB/s, peak memory ${s.peakRssMb} MB`,
  ];
}

/** Server mode: enqueue the run's jobs; with --wait, follow them to the end. */
async function queued(db: PgCaseDb, paths: string[], o: { limits: ReturnType<typeof resolveLimits>; analyze: boolean; wait: boolean; json: boolean }): Promise<void> {
  const t0 = Date.now();
  // the queue library is loaded only in server mode
  const { enqueueIngest, waitForRun } = await import('../../pipeline/distributed.ts');
  const q = await enqueueIngest(db, paths, { limits: o.limits, analyze: o.analyze });
  if (!o.wait) {
    if (o.json) out(JSON.stringify({ run: q.run, jobs: q.jobs, bytes: q.bytes, queued: true }));
    else out(`run ${q.run}: ${q.jobs} jobs queued (${mb(q.bytes)} MB); start \`trove worker --db …\` processes to ingest them, follow with \`trove status\``);
    return;
  }
  const tty = process.stderr.isTTY === true;
  const p = await waitForRun(db, q.run, (p) => {
    if (tty) process.stderr.write(`\ringest run ${p.run}: ${p.done}/${p.jobs} jobs, ${p.messages} messages, ${mb(p.bytes / Math.max((Date.now() - t0) / 1000, 0.001))} MB/s  `);
  });
  if (tty) process.stderr.write('\n');
  const seconds = (Date.now() - t0) / 1000;
  if (o.json) out(JSON.stringify({ run: q.run, jobs: q.jobs, status: p.status, messages: p.messages, seconds }));
  else out(`run ${q.run} ${p.status} in ${seconds.toFixed(1)} s: ${p.jobs} jobs, ${p.messages} messages (${(p.messages / Math.max(seconds, 0.001)).toFixed(0)} msg/s)`);
  if (p.status !== 'done') process.exitCode = 2;
}

export function registerIngest(program: Command): void {
  registerWorker(program);
  program
    .command('ingest')
    .description('ingest files, folders, archives and mailboxes (resumable: run it again after a crash)')
    .argument('<path...>', 'files or folders to ingest')
    .addOption(new Option('--workers <n>', 'parse workers (default: one less than the cores, at least 1)').env('TROVE_WORKERS'))
    .option('--no-analyze', 'skip authentication and forensics')
    .option('--max-depth <n>', 'container nesting limit', '32')
    .option('--max-ratio <n>', 'archive expansion ratio limit (zip bombs)')
    .option('--max-expanded-bytes <n>', 'bytes one archive may expand to')
    .option('--max-message-bytes <n>', 'largest message read')
    .option('--wait', 'server mode: wait until the workers have finished the run, with progress')
    .option('--local', 'server mode: ingest in this process instead of queueing jobs for `trove worker`')
    .action(async (paths: string[], o: Record<string, string | undefined> & { analyze?: boolean; wait?: boolean; local?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      const limits = resolveLimits({ maxDepth: o.maxDepth, maxRatio: o.maxRatio, maxExpandedBytes: o.maxExpandedBytes, maxMessageBytes: o.maxMessageBytes });
      const workers = parseWorkers(o.workers);
      const db = openCase(g, true);
      if (db instanceof PgCaseDb && !o.local) {
        try {
          await queued(db, paths, { limits, analyze: o.analyze !== false, wait: o.wait === true, json: g.json === true });
        } finally {
          db.close();
        }
        return;
      }
      const tty = process.stderr.isTTY === true;
      const bar = tty
        ? new cliProgress.SingleBar({
            format: 'ingest [{bar}] {percentage}% | {msgs} msgs | {mbs} MB/s | ETA {eta_formatted}',
            stream: process.stderr,
            hideCursor: true,
          }, cliProgress.Presets.shades_classic)
        : null;
      const t0 = Date.now();
      bar?.start(1, 0, { msgs: 0, mbs: '0.0' });
      try {
        const s = await ingest(db, paths, {
          workers,
          limits,
          analyze: o.analyze !== false,
          onProgress: ({ bytes, total, counts }) => {
            bar?.setTotal(Math.max(total, 1));
            bar?.update(bytes, { msgs: counts.messages, mbs: mb(bytes / Math.max((Date.now() - t0) / 1000, 0.001)) });
          },
        });
        bar?.stop();
        if (g.json) out(JSON.stringify(s));
        else for (const l of summaryLines(s)) out(l);
      } finally {
        bar?.stop();
        db.close();
      }
    });
}
