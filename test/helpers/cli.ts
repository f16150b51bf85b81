/**
 * Runs the trove CLI as a user would (`npx trove …` = node bin/trove.js with Node 24),
 * in a child process, and parses its JSON output.
 */
import { spawnSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Status } from '../../src/store/queries.ts';
import { REPO } from './corpora.ts';

export const BIN = join(REPO, 'bin/trove.js');
/** Preloaded into every CLI run of the tests: any DNS lookup or outgoing connection fails. */
export const DENY_NETWORK = join(REPO, 'test/helpers/deny-network.ts');
/** The flags of bin/trove.js's shebang (so tests run trove as `npx trove` does), plus the network guard. */
export const NODE_FLAGS = ['--max-semi-space-size=4', '--expose-gc', `--import=${DENY_NETWORK}`];

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function trove(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Run {
  const r = spawnSync(process.execPath, [...NODE_FLAGS, BIN, ...args], {
    cwd: opts.cwd ?? REPO,
    env: { ...process.env, ...opts.env },
    maxBuffer: 1024 * 1024 * 1024,
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function troveJson<T = unknown>(args: string[], opts: { cwd?: string } = {}): T {
  const r = trove([...args, '--json'], opts);
  if (r.status !== 0) throw new Error(`trove ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

export function troveSpawn(args: string[]): ChildProcess {
  return spawn(process.execPath, [...NODE_FLAGS, BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** What `trove status --json` prints. */
export type StatusJson = Status;

/** Export records, sorted by id, each with sorted sources: a canonical form to compare runs. */
export function exportSorted(caseDir: string): string[] {
  const r = trove(['--case', caseDir, 'export']);
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => {
    const o = JSON.parse(l) as { sources: { locator: string }[] };
    o.sources.sort((a, b) => a.locator.localeCompare(b.locator));
    return JSON.stringify(o);
  }).sort();
}
