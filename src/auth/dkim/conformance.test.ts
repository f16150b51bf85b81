/**
 * Conformance: every row of every expected.jsonl in the shared DKIM/ARC vectors, read in place.
 * Per signature the row's verdict word is mapped onto trove's result (see testing/expect.ts); rows
 * with `arc` are checked against verifyArc; generated/ rows also check the message verdict of
 * their label. Prints a per-folder agreement table and the throughput.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { verifyDkim } from './verify.ts';
import { verifyArc } from '../arc/verify.ts';
import { dkimVerdict } from '../verdict.ts';
import { fromDomains } from '../from-domain.ts';
import { folders, loadKeys, loadRows, readMessage, resolverFor, nowFor, vectorsPresent, VECTORS_DIR } from '../testing/vectors.ts';
import { mismatch, LABEL_VERDICT } from '../testing/expect.ts';

/**
 * Rows we knowingly do not match, each with its reason. Keep this tiny; key = `folder/file#row`.
 * (Empty: every row agrees.)
 */
const SKIP: ReadonlyMap<string, string> = new Map<string, string>([]);

interface Tally { rows: number; sigs: number; sigOk: number; arc: number; arcOk: number; verdicts: number; verdictOk: number; skipped: number }
const table = new Map<string, Tally>();
let verifications = 0;
let verifyMs = 0;

const present = vectorsPresent();

// The expectation tables are always asserted: missing vectors are a broken checkout, not a skip.
it('finds the shared DKIM/ARC vectors', () => {
  expect(present, `DKIM vectors not found at ${VECTORS_DIR} (expected /work/shared/dkim-vectors next to the repository, or set TROVE_DKIM_VECTORS)`).toBe(true);
});

describe.skipIf(!present)('DKIM/ARC conformance (shared vectors)', () => {
  for (const folder of present ? folders() : []) {
    it(folder, () => {
      const keys = loadKeys(folder);
      const t: Tally = { rows: 0, sigs: 0, sigOk: 0, arc: 0, arcOk: 0, verdicts: 0, verdictOk: 0, skipped: 0 };
      table.set(folder, t);
      const failures: string[] = [];
      loadRows(folder).forEach((row, n) => {
        const id = `${folder}/${row.file}#${n + 1}`;
        t.rows++;
        if (SKIP.has(id)) {
          t.skipped++;
          return;
        }
        const raw = readMessage(folder, row.file);
        const opts = { resolve: resolverFor(keys, row.keys_override), now: nowFor(row) };
        const t0 = performance.now();
        const results = verifyDkim(raw, opts);
        verifyMs += performance.now() - t0;
        verifications += results.length;
        const verdict = dkimVerdict(results, fromDomains(raw));

        if (results.length !== row.signatures.length) {
          failures.push(`${id}: ${results.length} DKIM results for ${row.signatures.length} expected signatures`);
        }
        row.signatures.forEach((exp, i) => {
          t.sigs++;
          const why = mismatch(exp, results[i], verdict.verdict);
          if (why) failures.push(`${id} sig ${i + 1} (${exp.d}/${exp.s}, ${exp.why ?? ''}): ${why}`);
          else t.sigOk++;
        });
        if (row.arc) {
          t.arc++;
          const arc = verifyArc(raw, opts);
          if (arc.result === row.arc) t.arcOk++;
          else failures.push(`${id}: ARC expected ${row.arc}, got ${arc.result} (${arc.reason})`);
        }
        if (row.label && LABEL_VERDICT[row.label]) {
          t.verdicts++;
          if (verdict.verdict === LABEL_VERDICT[row.label]) t.verdictOk++;
          else failures.push(`${id}: label ${row.label} expects verdict ${LABEL_VERDICT[row.label]}, got ${verdict.verdict} [${verdict.evidence.map((e) => e.code).join(' ')}]`);
        }
      });
      expect(failures).toEqual([]);
    });
  }
});

describe.skipIf(!present)('throughput', () => {
  it('verifies the vectors fast enough for million-message dumps', () => {
    const work: { raw: Buffer; opts: Parameters<typeof verifyDkim>[1] }[] = [];
    for (const folder of folders()) {
      const keys = loadKeys(folder);
      for (const row of loadRows(folder)) {
        if (row.signatures.length === 0) continue;
        work.push({ raw: readMessage(folder, row.file), opts: { resolve: resolverFor(keys, row.keys_override), now: nowFor(row) } });
      }
    }
    let sigs = 0;
    for (const w of work) verifyDkim(w.raw, w.opts); // warm-up (JIT, key import paths)
    const passes = 5;
    const t0 = performance.now();
    for (let i = 0; i < passes; i++) for (const w of work) sigs += verifyDkim(w.raw, w.opts).length;
    const ms = performance.now() - t0;
    const perSec = sigs / (ms / 1000);
    console.log(`throughput (warm, ${passes} passes over ${work.length} vector messages): ${sigs} signatures in ${ms.toFixed(0)} ms = ${perSec.toFixed(0)} signature verifications/s, ${(work.length * passes / (ms / 1000)).toFixed(0)} messages/s on one core`);
    expect(perSec).toBeGreaterThan(100);
  });
});

afterAll(() => {
  if (table.size === 0) return;
  const lines = ['folder                 rows  sigs agree   arc agree  verdict agree  skipped'];
  const tot: Tally = { rows: 0, sigs: 0, sigOk: 0, arc: 0, arcOk: 0, verdicts: 0, verdictOk: 0, skipped: 0 };
  for (const [f, t] of table) {
    for (const k of Object.keys(tot) as (keyof Tally)[]) tot[k] += t[k];
    lines.push(row(f, t));
  }
  lines.push(row('TOTAL', tot));
  const rate = verifications / (verifyMs / 1000);
  lines.push(`first pass (cold): ${verifications} signature verifications in ${verifyMs.toFixed(0)} ms = ${rate.toFixed(0)} verifications/s (single thread, incl. parsing and canonicalisation)`);
  lines.push(`skip list: ${SKIP.size === 0 ? 'empty' : [...SKIP].map(([k, v]) => `${k}: ${v}`).join('; ')}`);
  console.log(lines.join('\n'));
});

function row(name: string, t: Tally): string {
  const frac = (a: number, b: number) => (b === 0 ? '-' : `${a}/${b}`).padStart(9);
  return `${name.padEnd(20)} ${String(t.rows).padStart(5)} ${frac(t.sigOk, t.sigs)} ${frac(t.arcOk, t.arc)} ${frac(t.verdictOk, t.verdicts).padStart(13)} ${String(t.skipped).padStart(8)}`;
}
