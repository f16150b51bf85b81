/**
 * @module pipeline/ingest
 * `trove ingest`: opens a run, walks every path, waits for the parse pool to drain, commits,
 * and closes the run. Calling it again with the same paths resumes: what is recorded is not
 * read again.
 */
import { lstatSync, readdirSync } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { TroveError } from '../core/errors.ts';
import type { Limits } from '../core/limits.ts';
import { Walker } from '../ingest/walker.ts';
import { IngestWriter, type RunCounts } from '../store/ingest-writer.ts';
import { DB_FILE, SEARCH_FILE, SqliteCaseDb, type CaseDb } from '../store/sqlite.ts';
import { beginUnsynced, endUnsynced, flushAhead } from '../store/unsynced.ts';
import { buildFtsInThread, finishFts, ftsOwed } from '../search/fts-build.ts';
import { defaultParseWorkers, ParsePool } from './pool.ts';
import { loadKeys } from '../store/keys.ts';
import { resolverFromRecords } from '../auth/keys.ts';
import { VERSION } from '../core/version.ts';
import { indexPending } from '../search/indexer.ts';
import { runForensics } from '../forensics/index.ts';
import { runLookalikes } from '../lookalike/index.ts';
import { deferIndexes, restoreIndexes, shouldDefer } from '../store/bulk.ts';

export interface IngestOptions {
  workers?: number;
  limits: Limits;
  /** Authenticate each message as it is parsed (default true). */
  analyze?: boolean;
  /** Called often with bytes of input read so far and the total. */
  onProgress?: (p: { bytes: number; total: number; counts: RunCounts }) => void;
}

export interface IngestSummary extends RunCounts {
  run: number;
  seconds: number;
  inputBytes: number;
  /** Peak resident memory of the process (worker threads included), in MB. */
  peakRssMb: number;
  /** Each stage's wall time, and the process's peak resident memory when it ended (MB). */
  phases: PhaseTiming[];
}

export interface PhaseTiming {
  /** fts: waiting for the full-text index builder after the case passes (it runs beside them). */
  phase: 'read' | 'indexes' | 'index' | 'lookalikes' | 'forensics' | 'fts';
  seconds: number;
  peakRssMb: number;
}

/** Picks the root name (first locator part) for a path, unique within the case. */
export function rootName(db: CaseDb, abs: string): string {
  const known = db.stmt('SELECT name FROM roots WHERE path = ?').get(abs) as { name: string } | undefined;
  if (known) return known.name;
  const base = basename(abs) || 'input';
  let name = base;
  for (let i = 2; db.stmt('SELECT 1 FROM roots WHERE name = ?').get(name); i++) name = `${base}~${i}`;
  db.tx(() => db.stmt('INSERT INTO roots (name, path, added_at) VALUES (?,?,?)').run(name, abs, new Date().toISOString()));
  return name;
}

/**
 * The input's size, for progress and the summary. Synchronous on purpose: it runs before
 * anything else, and on Enron's 44,755 files the promise-based walk took 1.2 s, this one 0.17 s.
 * What cannot be read counts 0 here; the walk itself records it.
 */
function totalBytes(path: string): number {
  try {
    const st = lstatSync(path, { throwIfNoEntry: false });
    if (!st?.isDirectory()) return st?.isFile() ? st.size : 0;
    let n = 0;
    for (const e of readdirSync(path)) n += totalBytes(join(path, e));
    return n;
  } catch {
    return 0;
  }
}

/**
 * Between case-level passes, hand the previous pass's garbage back before the next one grows:
 * keeps the peak RSS of a whole ingest down (bin/trove.js starts Node with --expose-gc; without
 * it this is a no-op).
 */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

export async function ingest(db: CaseDb, paths: string[], opts: IngestOptions): Promise<IngestSummary> {
  const abs = paths.map((p) => resolve(p));
  for (const p of abs) {
    try {
      await stat(p);
    } catch {
      throw new TroveError('input-not-found', `input not found: ${p}`);
    }
  }
  const started = Date.now();
  const run = Number(
    db.tx(() => db.stmt('INSERT INTO runs (command, args, started_at, status, version) VALUES (?,?,?,?,?)').run('ingest', JSON.stringify(abs), new Date().toISOString(), 'running', VERSION)).lastInsertRowid,
  );
  const tmpDir = join(db.dir, 'tmp');
  await rm(tmpDir, { recursive: true, force: true });
  await mkdir(tmpDir, { recursive: true });

  const total = abs.map(totalBytes).reduce((a, b) => a + b, 0);
  // a load large beside the case goes in without the secondary indexes, built once at the end (store/bulk.ts)
  const dbBytes = db.dialect === 'sqlite' ? await stat(join(db.dir, DB_FILE)).then((s) => s.size, () => 0) : 0;
  // a first load into an empty case runs without fsync (store/unsynced.ts)
  const unsynced = db instanceof SqliteCaseDb && beginUnsynced(db.db);
  const bulk = shouldDefer(db, total, dbBytes);
  if (bulk) deferIndexes(db);
  else restoreIndexes(db);
  // DKIM/ARC of the files a worker reads itself (a folder walk) run on this thread, as each
  // result is written; of the bytes this thread reads for the workers (archives, mailboxes), in
  // the worker (parse-worker.ts). Whichever thread has less to do: with one worker (2 cores),
  // Enron as a folder 9.5-10.5 -> 9.0-9.3 s with DKIM here; as a tar.gz, this thread was 90-95%
  // busy and the worker 31-47%. The export of the DKIM vectors and the mbox corpus, with their
  // keys, is byte for byte the same either way.
  const keys = opts.analyze === false ? null : loadKeys(db);
  const writer = new IngestWriter(db, run, { resolve: keys ? resolverFromRecords(keys) : null });
  const pool = new ParsePool(opts.workers ?? defaultParseWorkers(), opts.limits, { keys, ftsVectors: db.dialect === 'postgres', filesAuthenticatedByCaller: keys !== null });
  let fts: Promise<number> | null = null;
  const finishFtsBuilder = async (): Promise<void> => {
    if (!fts) return;
    const f = fts;
    fts = null;
    try {
      await f;
    } catch (e) {
      // what it did not add, finishFts adds below
      writer.log('warning', 'index-builder-failed', { reason: e instanceof Error ? e.message : String(e) });
    }
    (db as SqliteCaseDb).attachSearch();
    finishFts(db);
  };
  let bytes = 0;
  let lastReport = 0;
  const report = () => opts.onProgress?.({ bytes, total, counts: writer.counts });
  const phases: PhaseTiming[] = [];
  let phaseStart = Date.now();
  const phaseDone = (phase: PhaseTiming['phase']) => {
    const now = Date.now();
    phases.push({ phase, seconds: (now - phaseStart) / 1000, peakRssMb: peakRssMb() });
    phaseStart = now;
  };
  const walker = new Walker(writer, pool, {
    limits: opts.limits,
    tmpDir,
    onBytes: (n) => {
      bytes += n;
      const now = Date.now();
      if (now - lastReport > 200) {
        lastReport = now;
        report();
      }
    },
  });
  try {
    for (const p of abs) {
      const root = rootName(db, p);
      writer.log('info', 'input', { path: p, root });
      await walker.walkRoot(p, root);
    }
    report();
    writer.log('info', 'done', writer.counts);
    writer.flush();
    // case-level passes need every message: run them after the parse workers are gone (memory)
    await pool.close();
    phaseDone('read');
    // what the read stage wrote goes to disk while the passes run (store/unsynced.ts): Enron's
    // final flush (endUnsynced) took 381-395 ms without it, 217-267 ms with it. (The index file,
    // flushed ahead when its builder was done, only moved the wait: the builder ends late.)
    const flushing = unsynced ? flushAhead(db.dir, [DB_FILE]) : null;
    // the full-text index is built by a thread of its own meanwhile (search/fts-build.ts). It
    // starts before the index builds (it reads by primary keys only): started after them, it was
    // still running when the passes below were done (Enron, five runs each: the stages after
    // the read took 2.90-3.19 s, against 3.16-3.42 s and one of 4.22 s)
    fts = startFtsBuilder(db, unsynced);
    // threads before the deferred indexes: the thread ids they rewrite (a third of Enron's
    // messages) then update no index (messages_thread is built after, once). On a 4x Enron case
    // (60,421 thread ids rewritten) the rebuild took 3.22 s with the index, 2.66-2.78 s without
    indexPending(db, { keepDeferred: true });
    phaseDone('index');
    if (restoreIndexes(db) > 0) phaseDone('indexes');
    collectGarbage();
    if (opts.analyze !== false) {
      runLookalikes(db);
      phaseDone('lookalikes');
      collectGarbage();
      runForensics(db);
      phaseDone('forensics');
    }
    await finishFtsBuilder();
    phaseDone('fts');
    db.tx(() => db.stmt('UPDATE runs SET finished_at = ?, status = ? WHERE id = ?').run(new Date().toISOString(), 'done', run));
    if (unsynced) {
      await flushing;
      endUnsynced((db as SqliteCaseDb).db, db.dir, [DB_FILE, SEARCH_FILE]);
    }
  } catch (e) {
    writer.flush();
    await finishFtsBuilder().catch(() => undefined);
    restoreIndexes(db);
    db.tx(() => db.stmt('UPDATE runs SET finished_at = ?, status = ? WHERE id = ?').run(new Date().toISOString(), 'failed', run));
    // left set if this fails too: the next open clears it, or checks the case after a reboot
    if (unsynced) {
      try {
        endUnsynced((db as SqliteCaseDb).db, db.dir, [DB_FILE, SEARCH_FILE]);
      } catch {
        // the error above is the one to report
      }
    }
    throw e;
  } finally {
    await pool.close();
    await rm(tmpDir, { recursive: true, force: true });
  }
  return { ...writer.counts, run, seconds: (Date.now() - started) / 1000, inputBytes: total, peakRssMb: peakRssMb(), phases };
}

/**
 * SQLite: starts the index builder thread when the index owes documents, after letting go of the
 * index file (its transactions would otherwise lock it). Null when there is nothing to build.
 */
function startFtsBuilder(db: CaseDb, unsynced: boolean): Promise<number> | null {
  if (!(db instanceof SqliteCaseDb) || !db.searchAttached || !ftsOwed(db)) return null;
  db.detachSearch();
  return buildFtsInThread(db.dir, { unsynced });
}

function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
