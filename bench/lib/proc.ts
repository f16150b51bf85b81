/**
 * @module bench/lib/proc
 * Running a command and measuring it: wall time (from spawn to exit), CPU time and the largest
 * single-process peak RSS from `/usr/bin/time -v` (GNU time, when installed), and the peak RSS
 * of the whole process tree (the command and all its descendants, summed) by polling /proc.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const GNU_TIME = '/usr/bin/time';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Kill the tree after this many seconds (default 3600). */
  timeoutSeconds?: number;
  /** Poll interval for the /proc RSS sampler, in ms (default 100). */
  pollMs?: number;
  /** Use GNU time -v when present (default true). */
  useGnuTime?: boolean;
}

export interface Measured {
  command: string[];
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** Spawn to exit, measured by the bench (includes process start-up). */
  wallSeconds: number;
  stdout: string;
  stderr: string;
  /** Peak of the summed RSS of the command's process tree, sampled from /proc every pollMs (default 100). */
  peakTreeRssMb: number;
  /** Largest number of processes seen at once in the tree (threads are not processes). */
  maxProcesses: number;
  /** Names of the processes seen in the tree. */
  processNames: string[];
  /** Largest single-process max RSS reported by GNU time (ru_maxrss over the tree), or null. */
  gnuTimeMaxRssMb: number | null;
  userSeconds: number | null;
  systemSeconds: number | null;
  /** max(peakTreeRssMb, gnuTimeMaxRssMb): the figure reported in the table. */
  peakRssMb: number;
}

const PAGE_SIZE = (() => {
  const r = spawnSync('getconf', ['PAGESIZE'], { encoding: 'utf8' });
  const n = Number(r.stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : 4096;
})();

export function haveCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

export function haveGnuTime(): boolean {
  const r = spawnSync(GNU_TIME, ['-v', 'true'], { encoding: 'utf8' });
  return r.status === 0 && /Maximum resident set size/.test(r.stderr ?? '');
}

/** Parent pid and name of every process, read from /proc/<pid>/stat. */
function processTable(): Map<number, { ppid: number; name: string }> {
  const m = new Map<number, { ppid: number; name: string }>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return m;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const s = readFileSync(`/proc/${e}/stat`, 'utf8');
      const open = s.indexOf('(');
      const close = s.lastIndexOf(')');
      const rest = s.slice(close + 2).split(' ');
      m.set(Number(e), { ppid: Number(rest[1]), name: s.slice(open + 1, close) });
    } catch {
      // process ended while reading
    }
  }
  return m;
}

function rssBytes(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ');
    return Number(f[1]) * PAGE_SIZE;
  } catch {
    return 0;
  }
}

/** Descendants of root (root itself included unless excludeRoot). */
function tree(root: number, excludeRoot: boolean): Array<{ pid: number; name: string }> {
  const table = processTable();
  const children = new Map<number, number[]>();
  for (const [pid, { ppid }] of table) {
    const l = children.get(ppid);
    if (l) l.push(pid);
    else children.set(ppid, [pid]);
  }
  const out: Array<{ pid: number; name: string }> = [];
  const stack = [root];
  while (stack.length) {
    const p = stack.pop()!;
    if (!(excludeRoot && p === root)) out.push({ pid: p, name: table.get(p)?.name ?? '?' });
    for (const c of children.get(p) ?? []) stack.push(c);
  }
  return out;
}

function parseGnuTime(text: string): { maxRssKb: number | null; user: number | null; sys: number | null } {
  const num = (re: RegExp): number | null => {
    const m = re.exec(text);
    return m ? Number(m[1]) : null;
  };
  return {
    maxRssKb: num(/Maximum resident set size \(kbytes\): (\d+)/),
    user: num(/User time \(seconds\): ([\d.]+)/),
    sys: num(/System time \(seconds\): ([\d.]+)/),
  };
}

/** Runs `cmd args…` to completion and measures it. Never throws for a failing command. */
export async function runMeasured(cmd: string, args: string[], o: RunOptions = {}): Promise<Measured> {
  const useTime = (o.useGnuTime ?? true) && haveGnuTime();
  const tdir = mkdtempSync(join(tmpdir(), 'trove-bench-time-'));
  const tfile = join(tdir, 'time.txt');
  const argv = useTime ? [GNU_TIME, '-v', '-o', tfile, cmd, ...args] : [cmd, ...args];
  const t0 = process.hrtime.bigint();
  const child = spawn(argv[0], argv.slice(1), { cwd: o.cwd, env: o.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  let peak = 0;
  let maxProcs = 0;
  const names = new Set<string>();
  const sample = (): void => {
    if (child.pid === undefined) return;
    const procs = tree(child.pid, useTime);
    let sum = 0;
    for (const p of procs) {
      sum += rssBytes(p.pid);
      names.add(p.name);
    }
    if (sum > peak) peak = sum;
    if (procs.length > maxProcs) maxProcs = procs.length;
  };
  const timer = setInterval(sample, o.pollMs ?? 100);
  let timedOut = false;
  const killer = setTimeout(() => {
    timedOut = true;
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }, (o.timeoutSeconds ?? 3600) * 1000);
  const { code, signal } = await new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.on('error', (e) => {
      err.push(Buffer.from(String(e)));
      resolve({ code: null, signal: null });
    });
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  clearInterval(timer);
  clearTimeout(killer);
  let gt = { maxRssKb: null as number | null, user: null as number | null, sys: null as number | null };
  let stderr = Buffer.concat(err).toString('utf8');
  if (useTime) {
    try {
      const text = readFileSync(tfile, 'utf8');
      gt = parseGnuTime(text);
      // GNU time writes "Command exited with non-zero status N" first when the command fails.
    } catch {
      // time did not write its report
    }
  }
  rmSync(tdir, { recursive: true, force: true });
  const peakTreeRssMb = peak / 1e6;
  const gnuTimeMaxRssMb = gt.maxRssKb === null ? null : (gt.maxRssKb * 1024) / 1e6;
  if (timedOut) stderr += `\n[bench] killed after ${o.timeoutSeconds ?? 3600} s`;
  return {
    command: [cmd, ...args],
    exitCode: code,
    signal,
    timedOut,
    wallSeconds: wall,
    stdout: Buffer.concat(out).toString('utf8'),
    stderr,
    peakTreeRssMb,
    maxProcesses: maxProcs,
    processNames: [...names],
    gnuTimeMaxRssMb,
    userSeconds: gt.user,
    systemSeconds: gt.sys,
    peakRssMb: Math.max(peakTreeRssMb, gnuTimeMaxRssMb ?? 0),
  };
}

/** Runs a shell command, returns wall seconds, or null when it failed. */
export function timeShell(script: string): { seconds: number | null; stderr: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('sh', ['-c', script], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return { seconds: r.status === 0 ? s : null, stderr: r.stderr ?? '' };
}

/** Runs a command quickly (versions, counts); returns trimmed stdout or null. */
export function capture(cmd: string, args: string[], env?: NodeJS.ProcessEnv, cwd?: string): { ok: boolean; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: env ?? process.env, cwd, maxBuffer: 256 << 20 });
  return { ok: r.status === 0, stdout: (r.stdout ?? '').trim(), stderr: (r.stderr ?? '').trim() + (r.error ? String(r.error) : '') };
}
