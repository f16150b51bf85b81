/**
 * @module cli/commands/worker
 * `trove worker --db postgres://…`: claims ingest jobs from the case's queue and processes
 * them (server mode; any number of workers, on any machine that can read the input paths).
 */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { TroveError } from '../../core/errors.ts';
import { isPostgresUrl } from '../../store/store.ts';
import { caseUrl, globals, out } from '../context.ts';

function positive(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1 || n > 256) throw new TroveError('usage', `${name} must be an integer from 1 to 256 (got ${v})`);
  return n;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('server mode: process queued ingest jobs (run as many as you like, on any machine that reads the inputs)')
    .option('--concurrency <n>', 'jobs processed at once by this worker (default 1)')
    .option('--parse-workers <n>', 'parse threads per job (default: number of cores)')
    .option('--exit-when-idle', 'stop once no run is queued or running')
    .action(async (o: { concurrency?: string; parseWorkers?: string; exitWhenIdle?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      if (!g.db || !isPostgresUrl(g.db)) throw new TroveError('usage', 'trove worker needs --db postgres://… (or TROVE_DB): workers share a PostgreSQL case');
      const { runWorker } = await import('../../pipeline/distributed.ts');
      const r = await runWorker(caseUrl(g), {
        concurrency: positive('--concurrency', o.concurrency, 1),
        parseWorkers: positive('--parse-workers', o.parseWorkers, availableParallelism()),
        exitWhenIdle: o.exitWhenIdle === true,
        log: (l) => process.stderr.write(`trove worker: ${l}\n`),
      });
      if (g.json) out(JSON.stringify(r));
      else out(`worker stopped: ${r.jobs} jobs, ${r.messages} messages`);
    });
}
