/**
 * `trove provenance` as a user runs it, on the demo dump: the --json shape of the contract,
 * a doctored quote found with its changed figure, a fabricated one not found, and a raw
 * message file matched by hash.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyText } from '../../src/search/indexer.ts';
import { blob, reparse } from '../../src/store/queries.ts';
import { CaseDb } from '../../src/store/sqlite.ts';
import { REPO } from '../helpers/corpora.ts';
import { trove, troveJson } from '../helpers/cli.ts';

interface Result { threshold: number; found: boolean; matches: { id: string; message_id: string | null; locator: string | null; similarity: number; match: boolean; passage: string; diff: { op: string; kind?: string; quote?: string; source?: string }[] }[] }

let dir: string;
let source: { id: string; words: string[] };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'trove-provenance-cli-'));
  const r = trove(['--case', dir, 'ingest', join(REPO, 'demo/sample-dump.zip')]);
  expect(r.status).toBe(0);
  const db = new CaseDb(dir, { create: false });
  try {
    const ids = (db.db.prepare('SELECT id FROM messages ORDER BY id').all() as { id: string }[]).map((x) => x.id);
    for (const id of ids) {
      const words = bodyText(reparse(db, id)!).split(/\s+/).filter((w) => /^[A-Za-z]{2,}[,.]?$/.test(w));
      if (words.length >= 14) { source = { id, words: words.slice(0, 16) }; break; }
    }
    writeFileSync(join(dir, 'claimed.eml'), blob(db, source.id)!);
  } finally {
    db.close();
  }
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('trove provenance', () => {
  it('finds a doctored quote, with the contract shape and the changed figure called out', () => {
    const w = [...source.words];
    w.splice(10, 0, '4,500');
    w.splice(3, 1);
    const r = troveJson<Result>(['--case', dir, 'provenance', w.join(' ')]);
    expect(Object.keys(r).slice(0, 3)).toEqual(['threshold', 'found', 'matches']);
    expect(r.found).toBe(true);
    const top = r.matches[0];
    for (const k of ['id', 'message_id', 'locator', 'similarity', 'match', 'passage', 'diff']) expect(top).toHaveProperty(k);
    expect(top.match).toBe(true);
    expect(top.similarity).toBeGreaterThanOrEqual(r.threshold);
    expect(top.diff.some((o) => o.op === 'inserted' && o.kind === 'number' && o.quote === '4,500')).toBe(true);
    expect(top.diff.some((o) => o.op === 'deleted')).toBe(true);
  });

  it('a fabricated quote is not found', () => {
    const r = troveJson<Result>(['--case', dir, 'provenance', 'We have moved the remaining twelve million into the Cayman account so the auditors will not see it before the quarter closes.']);
    expect(r.found).toBe(false);
    expect(r.matches.every((m) => !m.match)).toBe(true);
  });

  it('a file with the bytes of a stored message matches it exactly', () => {
    const r = troveJson<Result & { matches: { exact?: string }[] }>(['--case', dir, 'provenance', join(dir, 'claimed.eml')]);
    expect(r.found).toBe(true);
    expect(r.matches[0].id).toBe(source.id);
    expect(r.matches[0].exact).toBe('message');
  });

  it('prints a readable verdict without --json', () => {
    const r = trove(['--case', dir, 'provenance', source.words.join(' ')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^FOUND/);
  });
});
