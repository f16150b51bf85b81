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
  /** Runs fn in a transaction of its own (or inside the open one). */
  tx<T>(fn: () => T): T;
  close(): void;
}

/** True for a --db / TROVE_DB value naming a PostgreSQL server. */
export function isPostgresUrl(url: string | undefined): boolean {
  return !!url && /^postgres(ql)?:\/\//i.test(url);
}
