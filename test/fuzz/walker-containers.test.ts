/**
 * The container fuzzing end to end: a folder of mutated archives, mailboxes and Outlook files
 * (fixed seed; the inputs of test/fuzz/archives.ts) is ingested by the real `trove ingest` — the
 * walker, the parse workers and the store. Nothing may escape the walker: the command exits 0,
 * every input file has its own item (message, container, file, skipped or error, with a code
 * and a reason for the last two), no container is left unfinished, and every member the walker
 * recorded under a container points back to it.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { trove, troveJson, type StatusJson } from '../helpers/cli.ts';
import { containerSeeds, fixTarChecksums } from './archives.ts';
import { applyMutation, fraction, mutationArb } from './mutate.ts';

const SEED = Number(process.env.TROVE_FUZZ_SEED ?? 20261127);
const work = mkdtempSync(join(tmpdir(), 'trove-walker-fuzz-'));
if (process.env.TROVE_KEEP) console.log(work);
afterAll(() => { if (!process.env.TROVE_KEEP) rmSync(work, { recursive: true, force: true }); });

const EXT: Record<string, string> = { zip: 'zip', tar: 'tar', gzip: 'gz', bzip2: 'bz2', '7z': '7z', rar: 'rar', msg: 'msg', pst: 'pst' };

describe(`walker on mutated containers (seed ${SEED})`, () => {
  it('trove ingest accounts for every mutated input and never fails', () => {
    const dump = join(work, 'dump');
    mkdirSync(dump);
    const flips = fc.array(fc.oneof(mutationArb(4096), fc.record({ op: fc.constant('flip' as const), at: fraction(), byte: fc.integer({ min: 0, max: 255 }) })), { minLength: 1, maxLength: 4 });
    let n = 0;
    containerSeeds().forEach((seed, i) => {
      const per = seed.kind === 'pst' ? 2 : 6;
      fc.sample(flips, { seed: SEED + i, numRuns: per }).forEach((ms, k) => {
        let bytes = ms.reduce((b: Buffer, m) => applyMutation(b, m), seed.bytes);
        if (seed.kind === 'tar' && k % 2 === 0) bytes = fixTarChecksums(bytes);
        writeFileSync(join(dump, `${String(n++).padStart(3, '0')}-${seed.name.replace(/\W+/g, '_')}.${EXT[seed.kind]}`), bytes);
      });
    });
    const caseDir = join(work, 'case');
    const r = trove(['--case', caseDir, 'ingest', dump, '--workers', '2', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const st = troveJson<StatusJson>(['--case', caseDir, 'status']);
    expect(st.incomplete).toEqual([]);
    const db = new DatabaseSync(join(caseDir, 'trove.db'), { readOnly: true });
    try {
      const rows = db.prepare('SELECT locator, kind, code, reason FROM items WHERE parent_id IS NULL').all() as { locator: string; kind: string; code: string | null; reason: string | null }[];
      const byLoc = new Map(rows.map((x) => [x.locator, x]));
      const files = readdirSync(dump);
      expect(files.length).toBe(n);
      for (const f of files) {
        const it = byLoc.get(`dump/${f}`);
        expect(it, f).toBeDefined();
        expect(['message', 'container', 'file', 'skipped', 'error'], f).toContain(it!.kind);
        if (it!.kind === 'skipped' || it!.kind === 'error') expect(it!.code && it!.reason, f).toBeTruthy();
      }
      const orphans = db.prepare('SELECT count(*) AS n FROM items c WHERE c.parent_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM items p WHERE p.id = c.parent_id)').get() as { n: number };
      expect(orphans.n).toBe(0);
      const kinds = db.prepare('SELECT kind, count(*) AS n FROM items GROUP BY kind').all();
      console.log(`walker fuzz: ${n} mutated inputs, items by kind ${JSON.stringify(kinds)}`);
    } finally {
      db.close();
    }
  }, 180_000);
});
