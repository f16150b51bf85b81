/**
 * The short fuzz run of the suite: every property of test/fuzz/properties.ts with a fixed seed
 * (printed), a few hundred inputs each, ≤ 20 s in all on a busy 2-core machine. Longer runs:
 * `npx node scripts/fuzz.ts --seconds N [--seed S]`. A failure prints the seed and the shrunk
 * counterexample; add it to test/fuzz/regressions.test.ts.
 */
import { describe, it } from 'vitest';
import fc from 'fast-check';
import { TARGETS } from './properties.ts';

const SEED = Number(process.env.TROVE_FUZZ_SEED ?? 20261127);

describe(`fuzz (seed ${SEED})`, () => {
  console.log(`fuzz seed ${SEED} (set TROVE_FUZZ_SEED to change)`);
  for (const t of TARGETS) {
    it(t.name, () => {
      fc.assert(t.property(), { seed: SEED, numRuns: t.runs, endOnFailure: false });
    });
  }
});
