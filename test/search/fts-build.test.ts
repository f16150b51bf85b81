/**
 * The SQLite full-text index lives in search.db and is built from search_text after a load, by a
 * thread of its own (src/search/fts-build.ts). These tests hold it to what the index must be: one
 * FTS row per document, nothing owed once a load is done, and the same answers whichever way it
 * was built: by the ingest's builder thread, inline after a builder died, from scratch after
 * search.db was deleted, and after migrating a case whose index was still inside trove.db.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/limits.ts';
import { ingest } from '../../src/pipeline/ingest.ts';
import { indexPending, search } from '../../src/search/index.ts';
import { indexDocs } from '../../src/search/fts-build.ts';
import { CaseDb, DB_FILE, SEARCH_FILE } from '../../src/store/sqlite.ts';
import { CORPORA } from '../helpers/corpora.ts';
import { troveJson } from '../helpers/cli.ts';
import type { Status } from '../../src/store/queries.ts';

const MBOX = join(CORPORA, 'mbox', 'httpd-users-2020-07.mbox');
const QUERIES = ['apache', 'proxy*', '"virtual host"', 'subject:ssl', 'from:apache.org', 'error NOT warning', 'rewrite date:2020-07-01..2020-07-31'];

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function answers(dir: string): string[] {
  const db = new CaseDb(dir, { create: false });
  try {
    indexPending(db);
    return QUERIES.flatMap((q) => [false, true].map((rel) => {
      const r = search(db, q, { limit: 50, sort: rel ? 'relevance' : 'date' });
      return `${q} ${rel ? 'rel' : 'date'}: ${r.total} ${r.hits.map((h) => `${h.id.slice(0, 12)}:${h.snippet}`).join('|')}`;
    }));
  } finally {
    db.close();
  }
}

/** Rows of the index against the documents, and whether the case still owes it any. */
function state(dir: string): { docs: number; text: number; fts: number; owed: number } {
  const db = new DatabaseSync(join(dir, DB_FILE), { readOnly: true });
  try {
    db.prepare('ATTACH DATABASE ? AS search').run(join(dir, SEARCH_FILE));
    const n = (sql: string) => Number((db.prepare(sql).get() as { n: number }).n);
    return {
      docs: n('SELECT count(*) AS n FROM search_docs'),
      text: n('SELECT count(*) AS n FROM search_text t JOIN search_docs d ON d.id = t.doc'),
      fts: n('SELECT count(*) AS n FROM search.fts_docs f JOIN search_docs d ON d.id = f.doc'),
      owed: n("SELECT count(*) AS n FROM meta WHERE key = 'fts_dirty'"),
    };
  } finally {
    db.close();
  }
}

function copyCase(from: string): string {
  const to = mkdtempSync(join(tmpdir(), 'trove-fts-copy-'));
  dirs.push(to);
  for (const f of [DB_FILE, SEARCH_FILE]) copyFileSync(join(from, f), join(to, f));
  return to;
}

describe('full-text index in its own file', () => {
  let dir = '';
  let want: string[] = [];
  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'trove-fts-'));
    dirs.push(root);
    dir = join(root, 'case');
    const db = new CaseDb(dir, { create: true });
    try {
      const s = await ingest(db, [MBOX], { limits: DEFAULT_LIMITS, workers: 2, analyze: false });
      expect(s.unique).toBeGreaterThan(100);
    } finally {
      db.close();
    }
    want = answers(dir);
  }, 120_000);

  it('after a load, every document is in the index and nothing is owed', () => {
    const s = state(dir);
    expect(s.docs).toBeGreaterThan(100);
    expect(s).toEqual({ docs: s.docs, text: s.docs, fts: s.docs, owed: 0 });
    // the queries find something, so the comparisons below compare something
    expect(want.filter((a) => !/: 0 $/.test(a)).length).toBeGreaterThanOrEqual(10);
  });

  it('a builder that died after committing part of the index is finished by the next index run, with the same answers', () => {
    const c = copyCase(dir);
    const db = new DatabaseSync(join(c, DB_FILE));
    db.prepare('ATTACH DATABASE ? AS search').run(join(c, SEARCH_FILE));
    // the index as a builder leaves it when killed after its first batches: the lower half of the
    // documents in, the rest owed, and the mark naming a process that is gone
    const docs = (db.prepare('SELECT id FROM search_docs ORDER BY id').all() as { id: number }[]).map((r) => Number(r.id));
    db.exec("INSERT INTO search.search_fts (search_fts) VALUES ('delete-all'); DELETE FROM search.fts_docs;");
    expect(indexDocs(db, docs.slice(0, docs.length >> 1), 'main', 'search')).toBe(docs.length >> 1);
    db.prepare("INSERT INTO meta (key, value) VALUES ('fts_dirty', ?)").run(JSON.stringify({ pid: spawnSync('true').pid, host: hostname() }));
    db.close();
    expect(state(c).fts).toBe(docs.length >> 1);
    // `trove status` says how many the index owes, then nothing once they are in
    expect(troveJson<Status>(['--case', c, 'status']).index_owed).toBe(docs.length - (docs.length >> 1));
    expect(answers(c)).toEqual(want);
    const s = state(c);
    expect(s.fts).toBe(s.docs);
    expect(s.owed).toBe(0);
    expect(troveJson<Status>(['--case', c, 'status'])).not.toHaveProperty('index_owed');
  });

  it('a mark held by a live process is left alone', () => {
    const c = copyCase(dir);
    const db = new DatabaseSync(join(c, DB_FILE));
    db.prepare('ATTACH DATABASE ? AS search').run(join(c, SEARCH_FILE));
    db.exec("INSERT INTO search.search_fts (search_fts) VALUES ('delete-all'); DELETE FROM search.fts_docs;");
    // this test's own parent: alive, and not the process that opens the case
    db.prepare("INSERT INTO meta (key, value) VALUES ('fts_dirty', ?)").run(JSON.stringify({ pid: process.ppid, host: hostname() }));
    db.close();
    answers(c);
    expect(state(c)).toMatchObject({ fts: 0, owed: 1 });
    expect(troveJson<Status>(['--case', c, 'status']).index_owed).toBe(state(c).docs);
  });

  it('a deleted search.db is rebuilt whole', () => {
    const c = copyCase(dir);
    rmSync(join(c, SEARCH_FILE));
    expect(answers(c)).toEqual(want);
    expect(state(c)).toEqual({ ...state(dir) });
  });

  it('a case whose index was still in trove.db (before migration 8) is migrated with the same answers', () => {
    const c = copyCase(dir);
    rmSync(join(c, SEARCH_FILE));
    const db = new DatabaseSync(join(c, DB_FILE));
    // the layout of migrations 1-7: the FTS5 table, with its text, in trove.db
    db.exec(`CREATE VIRTUAL TABLE search_fts USING fts5(subject, body, from_, to_, cc_, filename, attachment, tokenize = 'unicode61 remove_diacritics 2');
      INSERT INTO search_fts (rowid, subject, body, from_, to_, cc_, filename, attachment) SELECT doc, subject, body, from_, to_, cc_, filename, attachment FROM search_text;
      DROP TABLE search_text; DELETE FROM schema_migrations WHERE version >= 8; DELETE FROM meta WHERE key = 'fts_dirty';`);
    db.close();
    expect(answers(c)).toEqual(want);
    expect(state(c)).toEqual({ ...state(dir) });
  });

  it('a case whose text was keyed by document number (before migration 9) is migrated with the same answers', () => {
    const c = copyCase(dir);
    const layout = () => {
      const db = new DatabaseSync(join(c, DB_FILE), { readOnly: true });
      try {
        return String((db.prepare("SELECT sql FROM sqlite_master WHERE name = 'search_text'").get() as { sql: string }).sql);
      } finally {
        db.close();
      }
    };
    const db = new DatabaseSync(join(c, DB_FILE));
    db.exec(`CREATE TABLE old_text (doc INTEGER PRIMARY KEY, subject TEXT NOT NULL, body TEXT NOT NULL, from_ TEXT NOT NULL, to_ TEXT NOT NULL,
        cc_ TEXT NOT NULL, filename TEXT NOT NULL, attachment TEXT NOT NULL);
      INSERT INTO old_text SELECT doc, subject, body, from_, to_, cc_, filename, attachment FROM search_text ORDER BY doc;
      DROP TABLE search_text; ALTER TABLE old_text RENAME TO search_text; DELETE FROM schema_migrations WHERE version = 9;`);
    db.close();
    expect(layout()).toMatch(/doc INTEGER PRIMARY KEY/);
    expect(answers(c)).toEqual(want);
    expect(layout()).toMatch(/doc INTEGER NOT NULL UNIQUE/);
    expect(state(c)).toEqual({ ...state(dir) });
    // and an index built again from the migrated text gives the same answers
    rmSync(join(c, SEARCH_FILE));
    expect(answers(c)).toEqual(want);
    expect(state(c)).toEqual({ ...state(dir) });
  });
});
