/**
 * @module store/sqlite
 * The case store on Node's built-in SQLite (WAL mode). One writer: the ingest main thread.
 * Writes go through an open transaction committed in batches, so a kill -9 loses at most the
 * current batch, and whatever a batch recorded is all there or not at all.
 */
import { mkdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { TroveError } from '../core/errors.ts';
import { MIGRATIONS } from './migrations.ts';
import { runInTransaction, TxOnce, type CaseStore } from './store.ts';
import { checkUnsynced } from './unsynced.ts';

export const DB_FILE = 'trove.db';
/**
 * The full-text index (FTS5, contentless: the text is search_text in trove.db) lives in a file of
 * its own, attached as schema `search`, so that a thread of its own can build it while the main
 * thread writes the case: each file has its own write lock (search/fts-build.ts).
 */
export const SEARCH_FILE = 'search.db';

export interface OpenOptions {
  /** Create the case folder and database when missing. */
  create: boolean;
  readOnly?: boolean;
}

/** Page size of a new case file and index file. */
const PAGE_BYTES = 16_384;

export class SqliteCaseDb implements CaseStore {
  readonly dialect = 'sqlite' as const;
  readonly dir: string;
  readonly db: DatabaseSync;
  private stmts = new Map<string, StatementSync>();
  private inTx = false;
  /** oncePerTx keys done in the open transaction. */
  private readonly txOnce = new TxOnce();
  private readonly readOnly: boolean;

  constructor(dir: string, opts: OpenOptions) {
    this.dir = resolve(dir);
    this.readOnly = opts.readOnly ?? false;
    const file = join(this.dir, DB_FILE);
    if (!existsSync(file)) {
      if (!opts.create) throw new TroveError('case-not-found', `no case at ${this.dir} (run \`trove ingest\` first, or pass --case DIR)`);
      mkdirSync(this.dir, { recursive: true });
    }
    this.db = new DatabaseSync(file, { readOnly: opts.readOnly ?? false, timeout: 10_000 });
    if (!opts.readOnly) {
      // pages of 16 KB, not 4 (for a new file; an existing one keeps its own): a message's blob
      // (Enron: 3.5 KB on average) fits in its leaf instead of an overflow chain, and an Enron
      // ingest makes half the system calls (strace: pwrite64 1.08 M -> 0.55 M, pread64 1.01 M ->
      // 0.41 M). Interleaved runs: 13.6-14.1 s at 4 KB, 12.8-13.6 s at 16 KB; 64 KB was slower
      // (index stage 0.9 -> 1.7 s).
      this.db.exec(`PRAGMA page_size = ${PAGE_BYTES}`);
      this.db.exec('PRAGMA journal_mode = WAL');
      // NORMAL is durable across process crashes in WAL mode (only an OS crash can lose the
      // last commits, never corrupt the file); resume re-does whatever was lost. A first load
      // into an empty case runs without fsync (store/unsynced.ts).
      this.db.exec('PRAGMA synchronous = NORMAL');
    }
    // before anything else reads the case: what a first load cut short by a machine crash left
    checkUnsynced(this.db, this.dir, !this.readOnly);
    if (!opts.readOnly) this.migrate();
    // a read-only open of a case whose index file was never made finds no index (search says so)
    if (!this.readOnly || existsSync(join(this.dir, SEARCH_FILE))) this.attachSearch();
    this.db.exec('PRAGMA foreign_keys = OFF');
    this.db.exec('PRAGMA cache_size = -16384');
    // Checkpoint every ~64 MB of WAL rather than 4 MB: fewer fsyncs during ingest's large writes.
    this.db.exec('PRAGMA wal_autocheckpoint = 16384');
  }

  /** Whether the index file is attached (ingest lets go of it while its builder thread writes it). */
  searchAttached = false;

  /** Attaches the index file (SEARCH_FILE) as schema `search`, making it when missing. */
  attachSearch(): void {
    if (this.searchAttached) return;
    const file = join(this.dir, SEARCH_FILE);
    const made = !existsSync(file);
    this.db.prepare('ATTACH DATABASE ? AS search').run(file);
    this.searchAttached = true;
    this.db.exec('PRAGMA search.cache_size = -16384');
    if (this.readOnly) return;
    this.db.exec(`PRAGMA search.page_size = ${PAGE_BYTES}`);
    this.db.exec('PRAGMA search.journal_mode = WAL');
    this.db.exec('PRAGMA search.synchronous = NORMAL');
    this.db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS search.search_fts USING fts5(subject, body, from_, to_, cc_, filename, attachment,
      content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2');
      CREATE TABLE IF NOT EXISTS search.fts_docs (doc INTEGER PRIMARY KEY);`);
    if (made) {
      // a case whose index file was deleted: every document is owed to the new one
      this.db.exec(`INSERT INTO meta (key, value) SELECT 'fts_dirty', '{"pid":0,"host":""}' WHERE EXISTS (SELECT 1 FROM search_text) ON CONFLICT (key) DO NOTHING`);
    }
  }

  /**
   * Detaches the index file while another connection writes it: a transaction of this
   * connection (BEGIN IMMEDIATE) takes the write lock of every attached file.
   */
  detachSearch(): void {
    if (!this.searchAttached) return;
    this.commit();
    this.db.exec('DETACH DATABASE search');
    this.searchAttached = false;
  }

  private migrate(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    const done = new Set((this.db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      this.db.exec('BEGIN IMMEDIATE');
      try {
        this.db.exec(m.sql + (m.sqlite ?? ''));
        this.db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
        this.db.exec('COMMIT');
      } catch (e) {
        this.db.exec('ROLLBACK');
        throw e;
      }
    }
  }

  /** A cached prepared statement. */
  stmt(sql: string): StatementSync {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  oncePerTx(key: string, fn: () => void): void {
    this.txOnce.run(this.inTx, key, fn);
  }

  forgetOnce(key: string): void {
    this.txOnce.forget(key);
  }

  begin(): void {
    if (!this.inTx) {
      this.txOnce.clear();
      this.db.exec('BEGIN IMMEDIATE');
      this.inTx = true;
    }
  }

  commit(): void {
    if (this.inTx) {
      this.db.exec('COMMIT');
      this.inTx = false;
      this.txOnce.clear();
    }
  }

  rollback(): void {
    if (this.inTx) {
      this.db.exec('ROLLBACK');
      this.inTx = false;
      this.txOnce.clear();
    }
  }

  /** Runs fn in a transaction of its own (or inside the open one). */
  tx<T>(fn: () => T): T {
    return runInTransaction(this, this.inTx, fn);
  }

  close(): void {
    this.commit();
    // keeps the planner's statistics current (cheap: it only analyses what changed a lot)
    if (!this.readOnly) this.db.exec('PRAGMA optimize');
    this.db.close();
  }
}

/** The case store, whichever back-end holds it (kept under its historical name). */
export type CaseDb = CaseStore;
/** Opens a SQLite case folder (`new CaseDb(dir, opts)`). */
export const CaseDb = SqliteCaseDb;

/** Where the case lives: --case, then TROVE_CASE, then ./trove-case. */
export function caseDir(option: string | undefined): string {
  return resolve(option ?? process.env.TROVE_CASE ?? 'trove-case');
}
