/**
 * @module cli/context
 * Global options every command shares, and the case they point at.
 */
import type { Command } from 'commander';
import { CaseDb, caseDir } from '../store/sqlite.ts';
import { requireSqlite } from './main.ts';

export interface GlobalOptions {
  case?: string;
  db?: string;
  json?: boolean;
}

export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions;
}

export function openCase(g: GlobalOptions, create: boolean): CaseDb {
  requireSqlite(g.db);
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
