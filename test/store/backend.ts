/**
 * Test helpers for the two back-ends: the PostgreSQL server named by TROVE_TEST_PG (set by
 * .ci/run), fresh schemas per test case, and opening a case on either back-end, so a suite
 * can run the same checks on SQLite and PostgreSQL.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropSchema, PgCaseDb } from '../../src/store/postgres.ts';
import { CaseDb } from '../../src/store/sqlite.ts';

export const PG_URL = process.env.TROVE_TEST_PG ?? '';
export type Backend = 'sqlite' | 'postgres';
/** The back-ends available here: PostgreSQL only when TROVE_TEST_PG is set. */
export const BACKENDS: Backend[] = PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];

let warned = false;
/** True (after printing why, once) when the PostgreSQL tests cannot run. */
export function skipPg(): boolean {
  if (PG_URL) return false;
  if (!warned) {
    warned = true;
    process.stderr.write('skipping PostgreSQL back-end tests: TROVE_TEST_PG is not set (.ci/run starts a throw-away server and sets it)\n');
  }
  return true;
}

const made: string[] = [];
/** A URL for a new, empty schema on the test server (dropped by dropTestSchemas). */
export function freshPgUrl(tag: string): string {
  const u = new URL(PG_URL);
  const schema = `t_${tag}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  u.searchParams.set('schema', schema);
  made.push(u.toString());
  return u.toString();
}

export function dropTestSchemas(): void {
  for (const u of made.splice(0)) dropSchema(u);
}

/** A new empty case on the given back-end; `where` is what to pass as --case DIR or --db URL. */
export function newCase(backend: Backend, tag: string): { db: CaseDb; args: string[] } {
  if (backend === 'postgres') {
    const url = freshPgUrl(tag);
    return { db: new PgCaseDb(url, { create: true }), args: ['--db', url] };
  }
  const dir = mkdtempSync(join(tmpdir(), `trove-${tag}-`));
  return { db: new CaseDb(dir, { create: true }), args: ['--case', dir] };
}
