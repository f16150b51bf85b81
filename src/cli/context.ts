/**
 * @module cli/context
 * Global options every command shares, and the case they point at.
 */
import { basename } from 'node:path';
import type { Command } from 'commander';
import { TroveError } from '../core/errors.ts';
import { PgCaseDb } from '../store/postgres.ts';
import { CaseDb, caseDir } from '../store/sqlite.ts';
import { isPostgresUrl } from '../store/store.ts';

export interface GlobalOptions {
  case?: string;
  db?: string;
  json?: boolean;
}

export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions;
}

/**
 * The PostgreSQL URL of the case: `?schema=` when given, else the --case name (its last path
 * part, folded to a plain SQL name), else the default schema `trove`.
 */
export function caseUrl(g: GlobalOptions): string {
  const u = new URL(g.db!);
  if (!u.searchParams.get('schema') && g.case) {
    const name = basename(g.case).toLowerCase().replace(/[^a-z0-9_]/g, '_').replace(/^([^a-z_])/, '_$1').slice(0, 63);
    if (name) u.searchParams.set('schema', name);
  }
  return u.toString();
}

/** The case: a PostgreSQL schema when --db / TROVE_DB is a postgres:// URL, else the SQLite case folder. */
export function openCase(g: GlobalOptions, create: boolean): CaseDb {
  if (g.db && isPostgresUrl(g.db)) return new PgCaseDb(caseUrl(g), { create });
  if (g.db && !/^sqlite:/.test(g.db)) throw new TroveError('usage', `--db must be a postgres://… URL (server mode) or sqlite: (the case folder), got ${g.db.split(':')[0]}:…`);
  return new CaseDb(caseDir(g.case), { create });
}

export function out(s: string): void {
  process.stdout.write(s.endsWith('\n') ? s : s + '\n');
}

/** Runs a command body against the case of the command's global options, closing it after. */
export async function withCase<T>(cmd: Command, create: boolean, fn: (db: CaseDb, g: GlobalOptions) => T | Promise<T>): Promise<T> {
  const g = globals(cmd);
  const db = openCase(g, create);
  try {
    return await fn(db, g);
  } finally {
    db.close();
  }
}
