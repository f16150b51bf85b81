/**
 * The case store's contract, the same on both back-ends (SQLite always; PostgreSQL when
 * TROVE_TEST_PG is set): transactions, ids of inserted rows, ignored conflicts, binary blobs,
 * numbers, byte-order text comparison, insertion order by rowid, JSON fields, cursors that
 * outlive commits, deferred writes, migrations recorded, and a missing case refused.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { isTroveError } from '../../src/core/errors.ts';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { PgCaseDb } from '../../src/store/postgres.ts';
import { CaseDb } from '../../src/store/sqlite.ts';
import { BACKENDS, dropTestSchemas, freshPgUrl, newCase, PG_URL, skipPg } from './backend.ts';

skipPg();
const opened: CaseDb[] = [];
afterAll(() => {
  for (const d of opened) d.close();
  if (PG_URL) dropTestSchemas();
  for (const d of opened) if (d.dialect === 'sqlite') rmSync(d.dir, { recursive: true, force: true });
});

describe.each(BACKENDS)('case store on %s', (backend) => {
  const open = () => {
    const c = newCase(backend, 'store');
    opened.push(c.db);
    return c.db;
  };

  it('records every migration and commits or rolls back whole transactions', () => {
    const db = open();
    expect((db.stmt('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
    db.tx(() => db.stmt("INSERT INTO meta (key, value) VALUES ('a', '1')").run());
    expect(() => db.tx(() => {
      db.stmt("INSERT INTO meta (key, value) VALUES ('b', '2')").run();
      throw new Error('boom');
    })).toThrow('boom');
    expect(db.stmt("SELECT key FROM meta WHERE key <> 'doc_dates' ORDER BY key").all().map((r) => r.key)).toEqual(['a']);
  });

  it('returns inserted ids, ignored conflicts and numbers as numbers', () => {
    const db = open();
    const ins = db.stmt("INSERT INTO runs (command, args, started_at, status, version) VALUES ('x', '[]', 't', 's', 'v')");
    const a = Number(ins.run().lastInsertRowid);
    const b = Number(ins.run().lastInsertRowid);
    expect(b).toBe(a + 1);
    const blob = db.stmt('INSERT OR IGNORE INTO blobs (sha256, size, data) VALUES (?, ?, ?)');
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(Number(blob.run('k', 256, bytes).changes)).toBe(1);
    expect(Number(blob.run('k', 256, bytes).changes)).toBe(0);
    const got = db.stmt('SELECT data, size FROM blobs WHERE sha256 = ?').get('k') as { data: Uint8Array; size: number };
    expect(got.data).toBeInstanceOf(Uint8Array);
    expect([...got.data]).toEqual([...bytes]);
    const big = 6 * 2 ** 30; // sizes past 32 bits (a 6 GB archive)
    db.stmt("INSERT INTO items (locator, kind, size) VALUES ('big', 'container', ?)").run(big);
    const n = db.stmt("SELECT COUNT(*) AS n, SUM(size) AS s FROM items").get() as { n: unknown; s: unknown };
    expect(n.n).toBe(1);
    expect(Number(n.s)).toBe(big);
    expect(typeof n.n).toBe('number');
  });

  it('compares text by bytes and keeps insertion order by rowid', () => {
    const db = open();
    const locs = ['b', 'B', 'é', 'Z', 'a!x', 'a/x', 'a~2', 'ä', '10', '9'];
    db.tx(() => {
      for (const [i, l] of locs.entries()) {
        db.stmt("INSERT INTO items (locator, kind) VALUES (?, 'file')").run(l);
        db.stmt("INSERT INTO evidence (message, stage, code, severity, detail) VALUES ('m', 's', ?, 'info', '')").run(`c${(i * 7) % 10}`);
      }
    });
    const sorted = [...locs].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect(db.stmt('SELECT locator FROM items ORDER BY locator').all().map((r) => r.locator)).toEqual(sorted);
    expect(db.stmt("SELECT code FROM evidence WHERE message = 'm' ORDER BY rowid").all().map((r) => r.code)).toEqual(locs.map((_, i) => `c${(i * 7) % 10}`));
    expect(db.stmt("SELECT COUNT(*) AS n FROM items WHERE locator >= ? AND locator < ?").get('a', 'a\u007f')).toEqual({ n: 3 });
  });

  it('reads JSON fields with json_extract', () => {
    const db = open();
    db.stmt("INSERT INTO messages (id, size, origin, format, parsed) VALUES ('m1', 1, 'as-found', 'rfc822', ?)").run(JSON.stringify({ from: [{ name: 'Ann', address: 'a@x' }], references: ['<1@x>', '<2@x>'], inReplyTo: null }));
    const r = db.stmt("SELECT json_extract(parsed, '$.from[0].name') AS n, json_extract(parsed, '$.references') AS refs, json_extract(parsed, '$.inReplyTo') AS irt FROM messages").get() as { n: string; refs: string; irt: unknown };
    expect(r.n).toBe('Ann');
    expect(JSON.parse(r.refs)).toEqual(['<1@x>', '<2@x>']);
    expect(r.irt).toBeNull();
  });

  it('iterates past commits and interleaved statements', () => {
    const db = open();
    db.tx(() => {
      for (let i = 0; i < 1234; i++) db.stmt("INSERT INTO log (ts, level, event) VALUES ('t', 'info', ?)").run(`e${i}`);
    });
    let n = 0;
    db.begin();
    for (const r of db.db.prepare('SELECT id, event FROM log ORDER BY id').iterate()) {
      expect(r.event).toBe(`e${n}`);
      if (++n % 300 === 0) {
        db.commit();
        db.begin();
      }
      db.stmt('UPDATE log SET level = ? WHERE id = ?').run('seen', r.id);
    }
    db.commit();
    expect(n).toBe(1234);
    expect(db.stmt("SELECT COUNT(*) AS n FROM log WHERE level = 'seen'").get()).toEqual({ n: 1234 });
  });

  it('refuses to open a case that does not exist', () => {
    let err: unknown;
    try {
      if (backend === 'postgres') new PgCaseDb(freshPgUrl('missing'), { create: false });
      else new CaseDb('/nonexistent/trove-case-xyz', { create: false });
    } catch (e) {
      err = e;
    }
    expect(isTroveError(err) && err.code).toBe('case-not-found');
  });
});

describe.skipIf(!PG_URL)('PostgreSQL store specifics', () => {
  it('sends deferred writes before the next statement, and drops them on rollback', () => {
    const db = new PgCaseDb(freshPgUrl('defer'), { create: true });
    opened.push(db);
    db.begin();
    db.defer("INSERT INTO meta (key, value) VALUES ('d1', '1')");
    expect(db.stmt("SELECT value FROM meta WHERE key = 'd1'").get()).toEqual({ value: '1' });
    db.defer("INSERT INTO meta (key, value) VALUES ('d2', '1')");
    db.rollback();
    expect(db.stmt("SELECT COUNT(*) AS n FROM meta WHERE key LIKE 'd_'").get()).toEqual({ n: 0 });
    db.begin();
    db.defer("INSERT INTO meta (key, value) VALUES ('d3', '1')");
    db.commit();
    expect(db.stmt("SELECT key FROM meta WHERE key LIKE 'd_'").all()).toEqual([{ key: 'd3' }]);
  });
});

describe.each(BACKENDS)('text the mail may hold, on %s', (backend) => {
  it('keeps NUL characters and U+FFFF in text columns, lossless', () => {
    const c = newCase(backend, 'nul');
    opened.push(c.db);
    const s = 'a\u0000b\uffff0c\uffff\uffff\u0000';
    c.db.stmt("INSERT INTO meta (key, value) VALUES (?, ?)").run('k\u0000', s);
    expect(c.db.stmt('SELECT key, value FROM meta WHERE key = ?').get('k\u0000')).toEqual({ key: 'k\u0000', value: s });
  });
});
