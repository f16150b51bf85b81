/**
 * @module store/unsynced
 * A first load into an empty SQLite case without waiting for the disk.
 *
 * In WAL mode with `synchronous = NORMAL`, every checkpoint fsyncs the WAL and then the database
 * file, and the writer waits for both. On Enron that waiting was ~1.5 s of a 15 s ingest; at 4×
 * it was a third of the run (`trove ingest` of the 4× maildir: 72.5 s, 55.0 s with
 * `synchronous = OFF`; system time 26 s against 17 s). Without fsync, SQLite is still safe
 * against trove itself crashing (kill -9, out of memory): what it wrote is in the OS's cache and
 * reaches the disk. It is not safe against the machine stopping (power loss, kernel crash)
 * before the OS has written it: the database file can then be left inconsistent.
 *
 * So only a case with nothing in it yet is loaded this way, where the worst that can happen is
 * losing that load (the dump itself is never written to), and the case says so:
 * - before the load, meta 'unsynced_load' records the process and the machine's boot, and is
 *   made durable (a checkpoint with fsync) before `synchronous` is turned off;
 * - after the load (read stage and case passes), `synchronous` is restored and a checkpoint
 *   fsyncs everything, and only then is the mark deleted;
 * - whoever opens the case later and finds the mark of a process that is gone:
 *   - same boot: only the process stopped, and what it wrote is intact (it is in the OS's cache
 *     and reaches the disk); the mark is cleared, and the next ingest resumes as after any crash;
 *   - another boot: the machine stopped during the load, and what
 *     reached the disk cannot be trusted. A check would not settle it: a page the disk never got
 *     leaves an older page that is well formed, and rows missing from a well-formed tree pass
 *     `PRAGMA quick_check` and even `integrity_check`. The open fails with `case-damaged`, which
 *     says to delete the case folder and ingest again.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { hostname, uptime } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { TroveError } from '../core/errors.ts';
import { heldElsewhere } from './bulk.ts';

const KEY = 'unsynced_load';

interface Mark {
  pid: number;
  host: string;
  boot: string;
  /** This process's own (a later process may get the same pid). */
  token?: string;
}

const TOKEN = randomUUID();

/**
 * This boot of the machine: Linux's boot id, else the boot time to the minute (a clock step of
 * a minute or more then reads as a reboot, and refuses a case that may be whole: the safe side).
 */
export function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return `t${Math.round((Date.now() / 1000 - uptime()) / 60)}`;
  }
}

function readMark(db: DatabaseSync): Mark | null {
  const r = db.prepare('SELECT value FROM meta WHERE key = ?').get(KEY) as { value: string } | undefined;
  if (!r) return null;
  try {
    return JSON.parse(r.value) as Mark;
  } catch {
    return { pid: 0, host: '', boot: '' };
  }
}

/** Whether `db` holds nothing yet that a machine crash during a load could take with it. */
export function caseIsEmpty(db: DatabaseSync): boolean {
  return !db.prepare('SELECT 1 FROM items LIMIT 1').get() && !db.prepare('SELECT 1 FROM messages LIMIT 1').get();
}

/**
 * Starts an unsynced load: records the mark durably, then turns fsync off. The caller holds no
 * open transaction. Returns false (and changes nothing) when the case is not empty, or when the
 * mark could not be put on disk.
 */
export function beginUnsynced(db: DatabaseSync): boolean {
  if (!caseIsEmpty(db)) return false;
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
    .run(KEY, JSON.stringify({ pid: process.pid, host: hostname(), boot: bootId(), token: TOKEN } satisfies Mark));
  // the mark in the database file, on disk, before anything is written without fsync: a later
  // checkpoint may restart the WAL, and one without fsync could lose a mark kept only there.
  // A reader on an older snapshot (a `trove serve` started on the empty case) can keep the
  // checkpoint from finishing: the load then keeps fsync.
  const ck = db.prepare('PRAGMA wal_checkpoint(FULL)').get() as { busy: number; log: number; checkpointed: number };
  if (ck.busy !== 0 || ck.checkpointed !== ck.log) {
    db.prepare('DELETE FROM meta WHERE key = ?').run(KEY);
    return false;
  }
  db.exec('PRAGMA synchronous = OFF');
  return true;
}

/**
 * Starts flushing the case's files to disk in the background (libuv's thread pool), while the
 * load goes on: endUnsynced's own fsyncs then find less to write. Best effort, never rejects:
 * endUnsynced still makes every file durable.
 */
export async function flushAhead(dir: string, files: readonly string[]): Promise<void> {
  for (const f of files) {
    try {
      const fh = await open(join(dir, f), 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    } catch {
      // a missing file, or one the OS will not flush now: endUnsynced handles both
    }
  }
}

/**
 * Ends an unsynced load: fsync restored, everything checkpointed, the case's files (`files`,
 * those that exist) and folder flushed to disk, and only then the mark deleted. The index file's
 * writer closed without fsync too, and a checkpoint with nothing left to copy flushes nothing:
 * hence the explicit fsyncs.
 */
export function endUnsynced(db: DatabaseSync, dir: string, files: readonly string[]): void {
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('PRAGMA wal_checkpoint(FULL)');
  for (const f of [...files.map((f) => join(dir, f)), dir]) {
    if (!existsSync(f)) continue;
    const fd = openSync(f, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  db.prepare('DELETE FROM meta WHERE key = ?').run(KEY);
  // and that on disk too: a mark lost to a power cut now would only refuse a good case
  db.exec('PRAGMA wal_checkpoint(FULL)');
}

/**
 * On opening a case: what an unsynced load left behind by a process that is gone (module
 * comment). `writable`: the mark can be cleared. Throws `case-damaged` after a reboot.
 */
export function checkUnsynced(db: DatabaseSync, dir: string, writable: boolean): void {
  let mark: Mark | null;
  try {
    mark = readMark(db);
  } catch {
    return; // a case from before the meta table: nothing was loaded this way
  }
  if (!mark || mark.token === TOKEN) return;
  // another machine's boot cannot be told from here (and a WAL case is used from one machine)
  if (mark.host !== hostname()) return;
  if (mark.boot !== bootId()) {
    throw new TroveError('case-damaged',
      `the case at ${dir} may be damaged: the machine stopped while its first load was being written, which trove does without waiting for the disk, so what reached the disk cannot be trusted; delete the case folder and ingest again (the dump itself was never written to)`);
  }
  // a live loader (an earlier process whose pid this one got is not: heldElsewhere)
  if (heldElsewhere(mark)) return;
  if (writable) db.prepare('DELETE FROM meta WHERE key = ?').run(KEY);
}
