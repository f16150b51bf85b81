/**
 * @module store/store
 * The one synchronous query layer every feature uses, whatever the back-end: a SQLite case
 * folder (store/sqlite.ts) or a PostgreSQL schema (store/postgres.ts, server mode). Statements
 * are written in the SQL subset both accept (SQLite spelling: `?` parameters, `INSERT OR
 * IGNORE`, `json_extract`); the PostgreSQL side translates them (store/sql-translate.ts).
 */

export type Row = Record<string, unknown>;

export interface RunResult {
  changes: number | bigint;
  lastInsertRowid: number | bigint;
}

/** A prepared statement, the shape of node:sqlite's StatementSync that trove uses. */
export interface Stmt {
  get(...params: unknown[]): Row | undefined;
  all(...params: unknown[]): Row[];
  run(...params: unknown[]): RunResult;
  iterate(...params: unknown[]): Iterable<Row>;
}

/** Direct access kept for code written against node:sqlite's DatabaseSync. */
export interface RawDb {
  prepare(sql: string): Stmt;
  exec(sql: string): void;
}

export type Dialect = 'sqlite' | 'postgres';

export interface CaseStore {
  /** A local folder for scratch files (the case folder itself on SQLite). */
  readonly dir: string;
  readonly dialect: Dialect;
  readonly db: RawDb;
  /** A cached prepared statement. */
  stmt(sql: string): Stmt;
  begin(): void;
  commit(): void;
  rollback(): void;
  /**
   * Runs `fn` once per transaction under `key` (every time outside one): for marks such as
   * "threads are dirty" that every message sets and one row holds.
   */
  oncePerTx(key: string, fn: () => void): void;
  /** Lets `key` run again in the open transaction (its mark was deleted there). */
  forgetOnce(key: string): void;
  /** Runs fn in a transaction of its own (or inside the open one). */
  tx<T>(fn: () => T): T;
  close(): void;
}

/** What CaseStore.oncePerTx ran in the open transaction, for both back-ends. */
export class TxOnce {
  private done = new Set<string>();

  run(inTx: boolean, key: string, fn: () => void): void {
    if (inTx && this.done.has(key)) return;
    fn();
    if (inTx) this.done.add(key);
  }

  forget(key: string): void {
    this.done.delete(key);
  }

  /** At every transaction's start and end. */
  clear(): void {
    this.done.clear();
  }
}

/**
 * CaseStore.tx for both back-ends: `fn` inside the open transaction when there is one (`open`),
 * else in one of its own, committed when fn returns and rolled back when it throws.
 */
export function runInTransaction<T>(store: Pick<CaseStore, 'begin' | 'commit' | 'rollback'>, open: boolean, fn: () => T): T {
  if (open) return fn();
  store.begin();
  try {
    const r = fn();
    store.commit();
    return r;
  } catch (e) {
    store.rollback();
    throw e;
  }
}

/** True for a --db / TROVE_DB value naming a PostgreSQL server. */
export function isPostgresUrl(url: string | undefined): boolean {
  return !!url && /^postgres(ql)?:\/\//i.test(url);
}
