/**
 * @module search/fts-build
 * Builds the SQLite full-text index (search.db's contentless FTS5 table) from the text the case
 * keeps in search_text. The index is derived data: writeIndex records each document's text and
 * marks the case 'fts_dirty'; the documents the index does not have yet (search_text rows
 * without an fts_docs row) are added here, a page at a time in the order the text was stored,
 * each page sorted by document number (FTS5 starts a new segment whenever a rowid goes down).
 *
 * After a load this runs on a thread of its own (fts-worker.ts), on its own connection to
 * search.db, while the main thread runs the case passes on trove.db: on Enron the index cost the
 * read phase 5 of its 14.5 s, and the case passes left one core idle. Anywhere else (an index
 * run at search or serve start, after a crash) it runs inline, on the case's connection.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { heldElsewhere } from '../store/bulk.ts';
import type { RawDb } from '../store/store.ts';
import { DB_FILE, SEARCH_FILE, type CaseDb, type SqliteCaseDb } from '../store/sqlite.ts';
import { deferOrRun } from './indexer.ts';

const DIRTY = 'fts_dirty';
/**
 * Documents per page and transaction. Each transaction ends in a segment of its own (FTS5 writes
 * its pending terms at commit). A 4x Enron case's index, standalone, two runs each: 10.03-10.25 s
 * with 5,000 (peak 207-214 MB), 9.07-9.28 s with 10,000 (227 MB), 9.27-9.63 s with 20,000
 * (289-312 MB).
 */
const BATCH = 10_000;
/**
 * FTS5's in-memory buffer of pending terms ('hashsize', 1 MB by default): each time it fills, a
 * new segment is written and the automatic merges rewrite it later. At 32 MB, Enron's index was
 * built in 2.45 s instead of 3.34 s (the same 44,715 documents, standalone).
 */
const FTS_HASH_BYTES = 32 * 1024 * 1024;

/** Marks the index as owing documents, by this process (inside the caller's transaction). */
export function markFtsDirty(db: CaseDb): void {
  db.oncePerTx(DIRTY, () => deferOrRun(db, 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING', DIRTY, JSON.stringify({ pid: process.pid, host: hostname() })));
}

function dirtyMark(db: CaseDb): { pid: number; host: string } | null {
  const r = db.stmt('SELECT value FROM meta WHERE key = ?').get(DIRTY) as { value: string } | undefined;
  if (!r) return null;
  try {
    return JSON.parse(r.value) as { pid: number; host: string };
  } catch {
    return { pid: 0, host: '' };
  }
}

/** Whether the index owes documents that this process may add now (nobody else alive is loading them). */
export function ftsOwed(db: CaseDb): boolean {
  const m = dirtyMark(db);
  return m !== null && !heldElsewhere(m);
}

/** A document (`d`, a search_docs row) that the index in schema `s` does not have. */
const owed = (s: string): string => `NOT EXISTS (SELECT 1 FROM ${s}.fts_docs f WHERE f.doc = d.id)`;

/**
 * How many documents the index owes, for `trove status`: 0 when it owes none (no mark), or when
 * the index file is not attached (a read-only open of a case without one).
 */
export function ftsOwedCount(db: CaseDb): number {
  if (db.dialect !== 'sqlite' || !(db as SqliteCaseDb).searchAttached || !dirtyMark(db)) return 0;
  return Number((db.stmt(`SELECT COUNT(*) AS n FROM search_docs d WHERE ${owed('search')}`).get() as { n: number | bigint }).n);
}

/**
 * Adds every document of the case (schema `c`) the index (schema `s`) lacks, a page of BATCH at a
 * time (memory stays flat whatever the case's size), each page in ascending order. The pages
 * follow the order the text was stored in (search_text's rowid), so the text is read
 * sequentially, not a row here and there: a case larger than the machine's memory reads it
 * from the disk once. (The pages overlap in document numbers, so FTS5 merges a little more: a 4x
 * Enron case's index took 9.97-10.15 s so, against 9.12-9.56 s read by document number, while
 * the whole case was in the OS's cache.) The schemas are `main`/`search` on the case's
 * connection, `c`/`main` on the builder's. Returns how many.
 */
export function indexOwedDocs(conn: RawDb, c: string, s: string): number {
  const page = conn.prepare(`SELECT t.rowid AS r, t.doc AS doc FROM ${c}.search_text t
    WHERE t.rowid > ? AND NOT EXISTS (SELECT 1 FROM ${s}.fts_docs f WHERE f.doc = t.doc) ORDER BY t.rowid LIMIT ${BATCH}`);
  // below every rowid (a case made before search_text had rowids of its own keys it by document
  // number: undated ones start at -2^51, indexer.ts)
  let after = -(2 ** 52);
  let n = 0;
  for (;;) {
    const rows = page.all(after) as { r: number | bigint; doc: number | bigint }[];
    if (!rows.length) return n;
    after = Number(rows[rows.length - 1].r);
    n += indexDocs(conn, rows.map((r) => Number(r.doc)).sort((a, b) => a - b), c, s);
  }
}

/** Adds `docs` (ascending) to the index, a transaction per BATCH. Returns how many were added. */
export function indexDocs(conn: RawDb, docs: readonly number[], c: string, s: string): number {
  const text = conn.prepare(`SELECT subject, body, from_, to_, cc_, filename, attachment FROM ${c}.search_text WHERE doc = ?`);
  const fts = conn.prepare(`INSERT INTO ${s}.search_fts (rowid, subject, body, from_, to_, cc_, filename, attachment) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  const done = conn.prepare(`INSERT INTO ${s}.fts_docs (doc) VALUES (?)`);
  // a persistent setting of the table; writing it again is harmless
  conn.exec(`INSERT INTO ${s}.search_fts (search_fts, rank) VALUES ('hashsize', ${FTS_HASH_BYTES})`);
  let n = 0;
  for (let i = 0; i < docs.length; i += BATCH) {
    // deferred, not IMMEDIATE: it writes only the index file, and reads the case
    conn.exec('BEGIN');
    try {
      for (const doc of docs.slice(i, i + BATCH)) {
        const t = text.get(doc) as Record<string, string> | undefined;
        if (!t) continue;
        fts.run(doc, t.subject, t.body, t.from_, t.to_, t.cc_, t.filename, t.attachment);
        done.run(doc);
        n++;
      }
      conn.exec('COMMIT');
    } catch (e) {
      conn.exec('ROLLBACK');
      throw e;
    }
  }
  return n;
}

/** Clears the mark once nothing is owed (whoever set it). */
export function clearFtsDirty(db: CaseDb): void {
  db.tx(() => {
    db.stmt('DELETE FROM meta WHERE key = ?').run(DIRTY);
    db.forgetOnce(DIRTY);
  });
}

/**
 * Adds what the index owes, on the case's own connection. Does nothing while the index file is
 * let go of (a load's builder thread is writing it) or another live process owes the documents.
 * Returns how many were added.
 */
export function finishFts(db: CaseDb): number {
  if (db.dialect !== 'sqlite') return 0;
  const sdb = db as SqliteCaseDb;
  if (!sdb.searchAttached || !ftsOwed(db)) return 0;
  sdb.commit();
  const n = indexOwedDocs(sdb.db, 'main', 'search');
  clearFtsDirty(db);
  return n;
}

/**
 * Starts the builder thread for a SQLite case whose connection has let go of the index file
 * (detachSearch). Resolves with how many documents it added; rejects if it failed (what it did
 * not add stays owed, for finishFts).
 */
export function buildFtsInThread(dir: string, opts: { unsynced?: boolean } = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./fts-worker.ts', import.meta.url), { workerData: { caseFile: join(dir, DB_FILE), searchFile: join(dir, SEARCH_FILE), unsynced: opts.unsynced === true } });
    let added: number | null = null;
    w.on('message', (m: { added: number }) => (added = m.added));
    w.on('error', reject);
    w.on('exit', (code) => (added !== null ? resolve(added) : reject(new Error(`index builder exited with code ${code}`))));
  });
}
