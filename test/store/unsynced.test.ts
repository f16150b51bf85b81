/**
 * A first load into an empty case runs without fsync (src/store/unsynced.ts). These tests hold
 * the promise made for it: a finished load leaves the case as durable as any other; one cut short
 * by trove stopping is resumed as after any crash; after the machine stopped (another boot), the
 * case is refused with `case-damaged` and what to do, whether or not it looks whole: what the
 * disk never got cannot be told from what it did.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, openSync, closeSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseDb, DB_FILE, SEARCH_FILE } from '../../src/store/sqlite.ts';
import { beginUnsynced, bootId, caseIsEmpty, endUnsynced } from '../../src/store/unsynced.ts';
import { CORPORA } from '../helpers/corpora.ts';
import { trove, troveJson } from '../helpers/cli.ts';

const MBOX = join(CORPORA, 'mbox', 'httpd-users-2020-07.mbox');
const QUERIES = ['apache', 'proxy*', 'subject:ssl'];

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'trove-unsynced-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

let base: string;
let baseTotals: number[];

const totals = (dir: string): number[] => QUERIES.map((q) => troveJson<{ total: number }>(['--case', dir, 'search', q]).total);

function meta(dir: string, key: string): string | null {
  const db = new DatabaseSync(join(dir, DB_FILE), { readOnly: true });
  try {
    return (db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value ?? null;
  } finally {
    db.close();
  }
}

function copyCase(from: string): string {
  const to = tmp();
  for (const f of [DB_FILE, SEARCH_FILE]) copyFileSync(join(from, f), join(to, f));
  return to;
}

/** The mark an unsynced load leaves while it runs, as if its process were gone (or had the pid `pid`). */
function leaveMark(dir: string, boot: string, pid?: number): void {
  const gone = pid ?? spawnSync(process.execPath, ['-e', '0']).pid;
  const db = new DatabaseSync(join(dir, DB_FILE));
  try {
    db.prepare("INSERT INTO meta (key, value) VALUES ('unsynced_load', ?)").run(JSON.stringify({ pid: gone, host: hostname(), boot }));
  } finally {
    db.close();
  }
}

/** A table of our own in the index file: tells whether the file is still the one we had. */
function markIndexFile(dir: string): void {
  const db = new DatabaseSync(join(dir, SEARCH_FILE));
  db.exec('CREATE TABLE witness (x)');
  db.close();
}

function indexFileMarked(dir: string): boolean {
  const db = new DatabaseSync(join(dir, SEARCH_FILE), { readOnly: true });
  try {
    return db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'witness'").get() !== undefined;
  } finally {
    db.close();
  }
}

beforeAll(() => {
  base = tmp();
  troveJson(['--case', base, 'ingest', MBOX]);
  baseTotals = totals(base);
}, 120_000);

describe('a first load without fsync', () => {
  it('leaves no mark once done, and only an empty case is loaded that way', () => {
    expect(meta(base, 'unsynced_load')).toBeNull();
    expect(baseTotals.every((n) => n > 0)).toBe(true);
    const db = new CaseDb(copyCase(base), { create: false });
    try {
      expect(caseIsEmpty(db.db)).toBe(false);
      expect(beginUnsynced(db.db)).toBe(false);
    } finally {
      db.close();
    }
    const empty = new CaseDb(join(tmp(), 'c'), { create: true });
    try {
      expect(caseIsEmpty(empty.db)).toBe(true);
      expect(beginUnsynced(empty.db)).toBe(true);
      expect((empty.db.prepare('PRAGMA synchronous').get() as { synchronous: number }).synchronous).toBe(0);
      expect(empty.db.prepare("SELECT 1 FROM meta WHERE key = 'unsynced_load'").get()).toBeTruthy();
      endUnsynced(empty.db, empty.dir, [DB_FILE, SEARCH_FILE]);
      expect((empty.db.prepare('PRAGMA synchronous').get() as { synchronous: number }).synchronous).toBe(1);
      expect(empty.db.prepare("SELECT 1 FROM meta WHERE key = 'unsynced_load'").get()).toBeUndefined();
    } finally {
      empty.close();
    }
  });

  it('keeps fsync when a reader on an older snapshot keeps the mark from reaching the database file', () => {
    const dir = join(tmp(), 'c');
    new CaseDb(dir, { create: true }).close();
    const reader = new DatabaseSync(join(dir, DB_FILE), { readOnly: true });
    const writer = new DatabaseSync(join(dir, DB_FILE));
    try {
      reader.exec('BEGIN');
      reader.prepare('SELECT count(*) FROM meta').get();
      expect(beginUnsynced(writer)).toBe(false);
      expect((writer.prepare('PRAGMA synchronous').get() as { synchronous: number }).synchronous).not.toBe(0);
      expect(writer.prepare("SELECT 1 FROM meta WHERE key = 'unsynced_load'").get()).toBeUndefined();
      reader.exec('COMMIT');
      expect(beginUnsynced(writer)).toBe(true);
    } finally {
      reader.close();
      writer.close();
    }
  });

  it('cut short by trove stopping (same boot): the case is used as it is and the mark cleared', () => {
    const dir = copyCase(base);
    leaveMark(dir, bootId());
    markIndexFile(dir);
    expect(totals(dir)).toEqual(baseTotals);
    expect(meta(dir, 'unsynced_load')).toBeNull();
    // the index file was not thrown away
    expect(indexFileMarked(dir)).toBe(true);
  });

  it('a mark left by an earlier process with the pid of this one is not taken for its own', () => {
    const dir = copyCase(base);
    leaveMark(dir, bootId(), process.pid);
    new CaseDb(dir, { create: false }).close();
    expect(meta(dir, 'unsynced_load')).toBeNull();
  });

  it('after a reboot, the case is refused with case-damaged and what to do, even when it looks whole', () => {
    for (const damage of [false, true]) {
      const dir = copyCase(base);
      leaveMark(dir, 'another-boot');
      if (damage) {
        // pages past the schema overwritten, as a write the disk never got can leave them
        const file = join(dir, DB_FILE);
        const pages = Math.floor(statSync(file).size / 4096);
        const fd = openSync(file, 'r+');
        try {
          for (let p = 10; p < pages; p += Math.max(1, Math.floor(pages / 12))) writeSync(fd, Buffer.alloc(4096, 0x55), 0, 4096, p * 4096);
        } finally {
          closeSync(fd);
        }
      }
      for (const args of [['status', '--json'], ['search', 'apache', '--json'], ['ingest', MBOX, '--json']]) {
        const r = trove(['--case', dir, ...args]);
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(/may be damaged: the machine stopped while its first load was being written/);
        expect(r.stderr).toMatch(/delete the case folder and ingest again/);
      }
      // still refused the next time: the mark stays until the case is made again
      expect(meta(dir, 'unsynced_load')).not.toBeNull();
    }
  });
});
