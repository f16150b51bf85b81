/**
 * The kill -9 and power-loss harness, shared by test/hardening/crash.test.ts (a CI-sized run)
 * and scripts/kill9.ts (as many runs as asked). Three phases are killed at random points:
 *
 *  - `ingest`  — `trove ingest INPUTS` into an empty case;
 *  - `analyze` — `trove analyze` after `trove keys import` (every verdict is re-derived);
 *  - `index`   — the search index build (`indexPending`, run by `trove search`) on a case whose
 *                index was cleared.
 *
 * Kills land at random points of the part of the run that writes to the case (timed from its
 * first write), not in process start-up. After every kill the case must reopen: `PRAGMA
 * integrity_check` is `ok`, and the case opens as trove opens it (CaseDb: migrations, WAL replay)
 * and gives its accounting (`status`). After the last kill the same command is run to completion,
 * and the case must equal an uninterrupted run's: the same `trove export` (records sorted by id,
 * sources sorted; the one load-dependent evidence, `attachment-text-timeout`, left out), and for
 * the index the same search totals, with exactly one index row per message. Lost = messages or
 * sources of the uninterrupted export missing; doubled = ids or sources present twice, or index
 * rows beyond one per message.
 *
 * Power loss: the child is frozen (SIGSTOP) at random points and the case folder copied as it is
 * on disk at that instant (database, WAL, no shared-memory index: a reboot loses it), once whole
 * and once with the WAL cut at a random byte (the writes a power cut did not let reach the
 * disk). Each copy must open consistent and converge when the command is run again on it.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { search } from '../../src/search/search.ts';
import { status } from '../../src/store/queries.ts';
import { CaseDb } from '../../src/store/sqlite.ts';
import { BIN, NODE_FLAGS, trove, type Run } from '../helpers/cli.ts';
import { rng } from '../helpers/random.ts';

export type Phase = 'ingest' | 'analyze' | 'index';

export interface Setup {
  work: string;
  inputs: string[];
  keys: string;
  /** Extra arguments for `trove ingest` (e.g. `--workers 2`). */
  ingestArgs: string[];
  /** Inputs of the case analyze and index start from (default `inputs`): more messages, a longer window to kill in. */
  baseInputs?: string[];
}


function ok(r: Run, what: string): Run {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}: ${r.stderr.slice(0, 2000)}`);
  return r;
}

const QUERIES = ['the', 'from:apache.org', 'subject:re', 'has:attachment', 'meeting OR budget', 'verdict:verified'];

function phaseArgs(phase: Phase, s: Setup, caseDir: string): string[] {
  if (phase === 'ingest') return ['--case', caseDir, 'ingest', ...s.inputs, ...s.ingestArgs, '--json'];
  if (phase === 'analyze') return ['--case', caseDir, 'analyze', '--json'];
  return ['--case', caseDir, 'search', 'the', '--json', '--limit', '1'];
}

/** A case's canonical state for the phase: export lines (sorted), plus index facts for `index`. */
export function snapshotOf(phase: Phase, caseDir: string): { exported: string[]; index: string[] } {
  const r = ok(trove(['--case', caseDir, 'export']), 'export');
  const exported = r.stdout.trim().split('\n').filter(Boolean).map((l) => {
    const o = JSON.parse(l) as { sources: { locator: string }[]; evidence: { code: string }[] };
    o.sources.sort((a, b) => a.locator.localeCompare(b.locator));
    // a wall-clock limit hit depends on the machine's load, not on the crash: not compared
    o.evidence = o.evidence.filter((e) => e.code !== 'attachment-text-timeout');
    return JSON.stringify(o);
  }).sort();
  const index: string[] = [];
  if (phase === 'index') {
    // in-process (the index is complete by now: `trove search` ran to the end): same code as the CLI
    const db = new CaseDb(caseDir, { create: false, readOnly: true });
    try {
      for (const q of QUERIES) {
        const r = search(db, q, { limit: 3 });
        index.push(`${q}: ${r.total} ${r.hits.map((h) => h.id).join(',')}`);
      }
    } finally {
      db.close();
    }
  }
  return { exported, index };
}

/** Index rows per message: every message exactly once, the text and the FTS index (search.db) in step with the docs. */
export function indexRowsCheck(caseDir: string): { docs: number; messages: number; doubled: number; fts: number; text: number; owed: number } {
  const db = new DatabaseSync(join(caseDir, 'trove.db'), { readOnly: true });
  db.prepare('ATTACH DATABASE ? AS search').run(join(caseDir, 'search.db'));
  try {
    const one = (sql: string) => Number((db.prepare(sql).get() as { n: number }).n);
    return {
      docs: one('SELECT count(*) AS n FROM search_docs'),
      messages: one('SELECT count(*) AS n FROM messages'),
      doubled: one('SELECT count(*) AS n FROM (SELECT message FROM search_docs GROUP BY message HAVING count(*) > 1)'),
      fts: one('SELECT count(*) AS n FROM search.fts_docs f JOIN search_docs d ON d.id = f.doc'),
      text: one('SELECT count(*) AS n FROM search_text t JOIN search_docs d ON d.id = t.doc'),
      owed: one("SELECT count(*) AS n FROM meta WHERE key = 'fts_dirty'"),
    };
  } finally {
    db.close();
  }
}

/** Opens the case as trove does (migrations, WAL replay) and reads its accounting; false if that fails. */
export function reopens(caseDir: string): boolean {
  try {
    const db = new CaseDb(caseDir, { create: false });
    try {
      status(db);
      return true;
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}

/** `PRAGMA integrity_check` on the case as a crash left it (opening it replays the WAL). */
export function integrity(caseDir: string): string {
  const file = join(caseDir, 'trove.db');
  if (!existsSync(file)) return 'ok'; // killed before the case was created: nothing to check
  const db = new DatabaseSync(file);
  try {
    const rows = db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).join('; ');
  } finally {
    db.close();
  }
}

/** Kill and freeze points are drawn in this fraction of the reference's writing window. */
const REACH = 0.7;

export interface Reference {
  /** The case before the phase runs (copied for every trial). */
  before: string;
  /** The state an uninterrupted run of the phase gives. */
  want: { exported: string[]; index: string[] };
  /** Wall-clock of the uninterrupted phase, ms. */
  ms: number;
  /** From the phase's first write to the case to its exit, ms: the window kills are drawn in. */
  workMs: number;
}

/** Size and mtime of the case's database files: a change means the command has started writing. */
function fileState(caseDir: string): string {
  return ['trove.db', 'trove.db-wal'].map((f) => {
    const st = statSync(join(caseDir, f), { throwIfNoEntry: false });
    return st ? `${st.size}:${st.mtimeMs}` : '-';
  }).join('|');
}

interface Watched {
  /** ms from spawn to the first write, or null if it exited first. */
  firstWrite: number | null;
  /** ms from spawn to exit. */
  exit: number;
  code: number | null;
  /** The kill landed while the command still ran. */
  killed: boolean;
}

/**
 * Runs one trove command, watching the case's files every 5 ms. With `killAt(firstWrite)`, the
 * child gets SIGKILL that many ms after its first write to the case (process start and module
 * loading, which take most of a short run, are not where crashes hurt).
 */
export function runWatched(args: string[], caseDir: string, killAt?: () => number): Promise<Watched> {
  return new Promise((resolve) => {
    const initial = fileState(caseDir);
    const t0 = Date.now();
    const child = spawn(process.execPath, [...NODE_FLAGS, BIN, ...args], { stdio: 'ignore' });
    const w: Watched = { firstWrite: null, exit: 0, code: null, killed: false };
    let killTimer: NodeJS.Timeout | undefined;
    const poll = setInterval(() => {
      if (w.firstWrite !== null || fileState(caseDir) === initial) return;
      w.firstWrite = Date.now() - t0;
      if (killAt) {
        killTimer = setTimeout(() => {
          w.killed = child.exitCode === null && child.signalCode === null;
          child.kill('SIGKILL');
        }, killAt());
      }
    }, 5);
    child.on('exit', (code) => {
      clearInterval(poll);
      clearTimeout(killTimer);
      w.exit = Date.now() - t0;
      w.code = code;
      resolve(w);
    });
  });
}

function clearIndex(caseDir: string): void {
  const db = new DatabaseSync(join(caseDir, 'trove.db'));
  try {
    db.prepare('ATTACH DATABASE ? AS search').run(join(caseDir, 'search.db'));
    db.exec("DELETE FROM search_addresses; DELETE FROM search_docs; DELETE FROM search_text; INSERT INTO search.search_fts (search_fts) VALUES ('delete-all'); DELETE FROM search.fts_docs;");
  } finally {
    db.close();
  }
}

/** Builds the "before" case of a phase and the reference result of an uninterrupted run. */
export async function reference(phase: Phase, s: Setup): Promise<Reference> {
  const before = join(s.work, `${phase}-before`);
  const done = join(s.work, `${phase}-done`);
  rmSync(before, { recursive: true, force: true });
  rmSync(done, { recursive: true, force: true });
  if (phase === 'ingest') {
    mkdirSync(before, { recursive: true });
  } else {
    // a case ingested without keys (built once per setup); analyze imports them first, index clears the index
    const base = join(s.work, 'ingested-base');
    if (!existsSync(join(base, 'trove.db'))) ok(trove(['--case', base, 'ingest', ...(s.baseInputs ?? s.inputs), ...s.ingestArgs, '--json']), 'ingest');
    cpSync(base, before, { recursive: true });
    if (phase === 'analyze') ok(trove(['--case', before, 'keys', 'import', s.keys]), 'keys import');
    else clearIndex(before);
  }
  cpSync(before, done, { recursive: true });
  const w = await runWatched(phaseArgs(phase, s, done), done);
  if (w.code !== 0) throw new Error(`uninterrupted ${phase} exited ${w.code}`);
  return { before, want: snapshotOf(phase, done), ms: w.exit, workMs: w.exit - (w.firstWrite ?? 0) };
}

export interface TrialResult {
  phase: Phase;
  seed: number;
  kills: number;
  /** Kills that landed while the command was still running (not after it had finished). */
  midway: number;
  integrityFailures: string[];
  statusFailures: number;
  lost: number;
  doubled: number;
  equal: boolean;
  detail: string;
}

/** Compares export lines: ids and sources missing (lost) or present twice (doubled). */
export function diffExports(want: string[], got: string[]): { lost: number; doubled: number } {
  const parse = (lines: string[]) => lines.map((l) => JSON.parse(l) as { id: string; sources: { locator: string }[] });
  const w = parse(want);
  const g = parse(got);
  const gotIds = new Map<string, { locator: string }[]>();
  let doubled = 0;
  for (const r of g) {
    if (gotIds.has(r.id)) doubled++;
    gotIds.set(r.id, r.sources);
    const locs = r.sources.map((x) => x.locator);
    doubled += locs.length - new Set(locs).size;
  }
  let lost = 0;
  for (const r of w) {
    const have = gotIds.get(r.id);
    if (!have) {
      lost++;
      continue;
    }
    const locs = new Set(have.map((x) => x.locator));
    lost += r.sources.filter((x) => !locs.has(x.locator)).length;
  }
  return { lost, doubled };
}

function finish(phase: Phase, s: Setup, caseDir: string, ref: Reference, r: TrialResult): TrialResult {
  ok(trove(phaseArgs(phase, s, caseDir)), `resume ${phase}`);
  const got = snapshotOf(phase, caseDir);
  const d = diffExports(ref.want.exported, got.exported);
  r.lost += d.lost;
  r.doubled += d.doubled;
  if (phase === 'index') {
    const rows = indexRowsCheck(caseDir);
    r.doubled += rows.doubled + Math.max(0, rows.docs - rows.messages);
    r.lost += Math.max(0, rows.messages - rows.docs);
    if (rows.fts !== rows.docs) r.detail += ` fts rows ${rows.fts} != docs ${rows.docs};`;
    if (rows.text !== rows.docs) r.detail += ` text rows ${rows.text} != docs ${rows.docs};`;
    if (rows.owed !== 0) r.detail += ' the index is still marked as owing documents;';
  }
  r.equal = JSON.stringify(got) === JSON.stringify(ref.want) && !r.detail;
  if (!r.equal && !r.detail) {
    const first = got.exported.findIndex((l, i) => l !== ref.want.exported[i]);
    let keys = '';
    if (first >= 0 && ref.want.exported[first]) {
      const a = JSON.parse(got.exported[first]) as Record<string, unknown>;
      const b = JSON.parse(ref.want.exported[first]) as Record<string, unknown>;
      keys = Object.keys(b).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
        .map((k) => `${k}: got ${JSON.stringify(a[k]).slice(0, 300)} want ${JSON.stringify(b[k]).slice(0, 300)}`).join('; ');
    }
    r.detail = `export differs (${got.exported.length} vs ${ref.want.exported.length} records; first at ${first}: ${keys}); index ${JSON.stringify(got.index)} vs ${JSON.stringify(ref.want.index)}`;
  }
  return r;
}

/**
 * One trial: copy the "before" case, kill the phase `kills` times at random points, checking
 * that the case reopens after each, then run it to completion and compare with the reference.
 */
export async function killTrial(phase: Phase, s: Setup, ref: Reference, seed: number, kills: number): Promise<TrialResult> {
  const random = rng(seed);
  const caseDir = join(s.work, `${phase}-trial-${seed}`);
  rmSync(caseDir, { recursive: true, force: true });
  cpSync(ref.before, caseDir, { recursive: true });
  const r: TrialResult = { phase, seed, kills, midway: 0, integrityFailures: [], statusFailures: 0, lost: 0, doubled: 0, equal: false, detail: '' };
  for (let k = 0; k < kills; k++) {
    // in the first 70% of the writing part of an uninterrupted run: the reference may have been
    // timed on a busier machine, and a resumed run is shorter (a kill after it finished is
    // counted, not as mid-run); the states near the end are reached by the resumed runs
    let ms = Math.round(random() * ref.workMs * REACH);
    for (let attempt = 0; ; attempt++) {
      if ((await runWatched(phaseArgs(phase, s, caseDir), caseDir, () => ms)).killed) {
        r.midway++;
        break;
      }
      // the run finished before the kill; for the first kill of a trial (nothing interrupted yet)
      // start again from the "before" copy with half the delay, so every trial crashes at least once
      if (k > 0 || attempt >= 3) break;
      rmSync(caseDir, { recursive: true, force: true });
      cpSync(ref.before, caseDir, { recursive: true });
      ms = Math.round(ms / 2);
    }
    const ic = integrity(caseDir);
    if (ic !== 'ok') r.integrityFailures.push(`after kill ${k + 1} at ${ms} ms: ${ic}`);
    if (existsSync(join(caseDir, 'trove.db')) && !reopens(caseDir)) r.statusFailures++;
  }
  finish(phase, s, caseDir, ref, r);
  rmSync(caseDir, { recursive: true, force: true });
  return r;
}

/**
 * Power loss: freezes the running phase at `points` random instants, copies the case folder
 * as the disk holds it (without the -shm index, which does not survive a reboot), and for each
 * copy also a variant whose WAL is cut at a random byte. Every copy must pass integrity_check
 * and converge to the reference when the phase is run again on it.
 */
export async function powerLossTrial(phase: Phase, s: Setup, ref: Reference, seed: number, points: number): Promise<TrialResult & { snapshots: number; walCut: number }> {
  const random = rng(seed);
  const live = join(s.work, `${phase}-power-${seed}`);
  rmSync(live, { recursive: true, force: true });
  cpSync(ref.before, live, { recursive: true });
  const at = Array.from({ length: points }, () => Math.round(random() * ref.workMs * REACH)).sort((a, b) => a - b);
  const snaps: string[] = [];
  const initial = fileState(live);
  const child = spawn(process.execPath, [...NODE_FLAGS, BIN, ...phaseArgs(phase, s, live)], { stdio: 'ignore' });
  const exited = new Promise<void>((res) => child.on('exit', () => res()));
  // the freeze points count from the first write, like the kill points
  while (fileState(live) === initial && child.exitCode === null) await new Promise((res) => setTimeout(res, 5));
  const t0 = Date.now();
  for (const ms of at) {
    await new Promise((res) => setTimeout(res, Math.max(0, ms - (Date.now() - t0))));
    if (child.exitCode !== null || child.signalCode !== null) break;
    child.kill('SIGSTOP');
    const snap = join(s.work, `${phase}-power-${seed}-${snaps.length}`);
    rmSync(snap, { recursive: true, force: true });
    cpSync(live, snap, { recursive: true, filter: (src) => !src.endsWith('-shm') });
    child.kill('SIGCONT');
    snaps.push(snap);
  }
  child.kill('SIGKILL');
  await exited;
  rmSync(live, { recursive: true, force: true });
  const r = { phase, seed, kills: 0, midway: snaps.length, integrityFailures: [] as string[], statusFailures: 0, lost: 0, doubled: 0, equal: true, detail: '', snapshots: 0, walCut: 0 };
  for (const snap of snaps) {
    const variants = [snap];
    const wal = join(snap, 'trove.db-wal');
    if (existsSync(wal) && statSync(wal).size > 0) {
      const cut = `${snap}-walcut`;
      cpSync(snap, cut, { recursive: true });
      const size = statSync(wal).size;
      truncateSync(join(cut, 'trove.db-wal'), Math.floor(random() * size));
      variants.push(cut);
      r.walCut++;
    }
    for (const v of variants) {
      r.snapshots++;
      const ic = integrity(v);
      if (ic !== 'ok') r.integrityFailures.push(`${v}: ${ic}`);
      if (existsSync(join(v, 'trove.db')) && !reopens(v)) r.statusFailures++;
      const one: TrialResult = { ...r, lost: 0, doubled: 0, equal: false, detail: '' };
      finish(phase, s, v, ref, one);
      r.lost += one.lost;
      r.doubled += one.doubled;
      if (!one.equal) {
        r.equal = false;
        r.detail += `${v}: ${one.detail}; `;
      }
      rmSync(v, { recursive: true, force: true });
    }
  }
  return r;
}
