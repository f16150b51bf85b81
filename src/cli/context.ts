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
