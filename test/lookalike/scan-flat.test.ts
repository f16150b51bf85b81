/**
 * The case scan in bounded memory (issue 11): ids read a page at a time, seen_in kept as a
 * set, the verdict cache bounded, usage figures streamed, must give exactly what the original
 * scan gave (test/lookalike/scan-oracle.ts): the same hits (domains, scores, seen_in in order,
 * places, owned sentences) and the same evidence rows in the same order, on a real Enron slice
 * larger than a page, with the case's own domain guessed and given.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/limits.ts';
import { runLookalikes, scanCase } from '../../src/lookalike/index.ts';
import { ingest } from '../../src/pipeline/ingest.ts';
import { CaseDb } from '../../src/store/sqlite.ts';
import { extracted } from '../helpers/corpora.ts';
import { oracleRunLookalikes, oracleScanCase } from './scan-oracle.ts';

/** Whole Enron user folders in name order, about `want` messages. */
function enronSlice(want: number): string[] {
  const root = join(extracted('enron-maildir'), 'maildir');
  const out: string[] = [];
  let n = 0;
  for (const u of readdirSync(root).sort()) {
    if (n >= want) break;
    out.push(join(root, u));
    n += execFileSync('find', [join(root, u), '-type', 'f'], { encoding: 'utf8' }).split('\n').filter(Boolean).length;
  }
  return out;
}

const evidence = (db: CaseDb) => db.db.prepare("SELECT message, stage, code, severity, detail FROM evidence WHERE stage = 'lookalike' ORDER BY rowid").all();

describe('the paged case scan against the original', () => {
  let dir: string;
  let db: CaseDb;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trove-lookalike-flat-'));
    db = new CaseDb(dir, { create: true });
    await ingest(db, enronSlice(5000), { limits: DEFAULT_LIMITS, workers: 2 });
  }, 600_000);
  afterAll(() => {
    db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the same hits, over more than one page of ids', () => {
    const want = oracleScanCase(db);
    expect(want.messages).toBeGreaterThan(4000);
    expect(want.targets).toEqual(['enron.com']);
    expect(want.hits.length).toBeGreaterThan(2);
    expect(want.hits.some((h) => h.seen_in.length > 1)).toBe(true);
    const got = scanCase(db);
    expect(got.messages).toBe(want.messages);
    expect(JSON.stringify(got)).toBe(JSON.stringify(want));
    // a second target: the usage figures (owned or not) over other groups
    expect(JSON.stringify(scanCase(db, ['enron.com', 'ect.enron.com'], 50))).toBe(JSON.stringify(oracleScanCase(db, ['enron.com', 'ect.enron.com'], 50)));
  });

  it('the same evidence rows, in the same order', () => {
    oracleRunLookalikes(db);
    const want = evidence(db);
    expect(want.length).toBeGreaterThan(2);
    runLookalikes(db);
    expect(evidence(db)).toEqual(want);
  });
});
