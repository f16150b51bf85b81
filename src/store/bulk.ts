/**
 * @module store/bulk
 * Bulk loading a SQLite case without its secondary indexes.
 *
 * Every message adds rows to about a dozen B-tree indexes whose keys arrive in random order
 * (SHA-256 ids, Message-IDs, dates, addresses, domains). Once an index is larger than what one
 * transaction touches, each insert dirties a page of its own, and every dirty page is written
 * twice (to the WAL, then to the database): ingesting the Enron maildir wrote 7.6 times the size
 * of the finished case, and 10.5 times at 4× (`/usr/bin/time -v`, "File system outputs"); the
 * disk, not the CPU, set the pace, and the cost per message grew with the case. Building an
 * index once, from sorted keys, after the rows are in, writes each of its pages once.
 *
 * So a large ingest into a case that is small beside it (`shouldDefer`) drops the non-unique
 * indexes first and builds them again when the messages are in. The unique ones stay: they decide
 * duplicates. Their exact SQL is kept in meta 'deferred_indexes' with the loading process's pid,
 * so an ingest killed halfway leaves the case correct (queries are slower, never different) and
 * the next ingest, analysis, or search/serve start when that process is gone (restoreIndexes)
 * builds them again. PostgreSQL is left alone: its server-mode writers run side by side.
 */
import { hostname } from 'node:os';
import type { CaseDb } from './sqlite.ts';

/** Tables whose non-unique indexes a bulk load defers. */
const TABLES = ['messages', 'evidence', 'items', 'attachments', 'search_addresses', 'search_docs'];
const KEY = 'deferred_indexes';

interface Deferred {
  pid: number;
  host: string;
  indexes: { name: string; sql: string }[];
}

function read(db: CaseDb): Deferred | null {
  const r = db.stmt('SELECT value FROM meta WHERE key = ?').get(KEY) as { value: string } | undefined;
  if (!r) return null;
  try {
    return JSON.parse(r.value) as Deferred;
  } catch {
    return null;
  }
}

/**
 * Whether to load `inputBytes` of new input without the secondary indexes: when the input is
 * at least a quarter of the case's database (a case is ~3–4× its input, so the load at least
 * roughly doubles the messages), where one sorted build costs less than the random inserts.
 */
export function shouldDefer(db: CaseDb, inputBytes: number, dbBytes: number): boolean {
  return db.dialect === 'sqlite' && inputBytes * 4 >= dbBytes;
}

/** Drops the deferrable indexes, recording their SQL; returns how many were dropped. */
export function deferIndexes(db: CaseDb): number {
  if (db.dialect !== 'sqlite') return 0;
  const kept = read(db)?.indexes ?? [];
  const rows = db.stmt(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${TABLES.map(() => '?').join(', ')}) ORDER BY name`).all(...TABLES) as { name: string; sql: string }[];
  const indexes = [...kept, ...rows.filter((r) => !kept.some((k) => k.name === r.name)).map((r) => ({ name: r.name, sql: r.sql }))];
  db.tx(() => {
    // recorded in the same transaction as the drops: a crash leaves both or neither
    db.stmt('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(KEY, JSON.stringify({ pid: process.pid, host: hostname(), indexes } satisfies Deferred));
    for (const r of rows) db.db.exec(`DROP INDEX IF EXISTS "${r.name.replace(/"/g, '""')}"`);
  });
  return rows.length;
}

/** True when another live process on this machine is bulk loading the case. */
function loadingElsewhere(d: Deferred): boolean {
  return heldElsewhere(d);
}

/**
 * True when `d` names another process that is alive (on this machine; one on another machine is
 * taken to be). pid 0 names nobody (a mark left by a migration).
 */
export function heldElsewhere(d: { pid: number; host: string }): boolean {
  if (d.pid === process.pid || d.pid === 0) return false;
  if (d.host !== hostname()) return true;
  try {
    process.kill(d.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Builds the indexes a bulk load deferred (ours, or those of a load that is gone); returns how
 * many, or 0 when nothing was deferred or another live process is still loading.
 */
export function restoreIndexes(db: CaseDb, opts: { force?: boolean } = {}): number {
  if (db.dialect !== 'sqlite') return 0;
  const d = read(db);
  if (!d || (!opts.force && loadingElsewhere(d))) return 0;
  // SQLite may sort with a helper thread while it builds them (measured ~10% on a 4x case)
  db.db.exec('PRAGMA threads = 2');
  db.tx(() => {
    for (const ix of d.indexes) db.db.exec(ix.sql.replace(/^CREATE\s+INDEX\s+(?!IF\s+NOT\s+EXISTS)/i, 'CREATE INDEX IF NOT EXISTS '));
    db.stmt('DELETE FROM meta WHERE key = ?').run(KEY);
  });
  return d.indexes.length;
}

/** The names of the indexes a bulk load has deferred and not built yet. */
export function deferredIndexes(db: CaseDb): string[] {
  return read(db)?.indexes.map((i) => i.name) ?? [];
}
