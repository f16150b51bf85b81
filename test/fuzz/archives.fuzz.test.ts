/**
 * The short fuzz run of the container readers (zip, tar, gzip, bzip2, 7z, rar, PST, MSG): the
 * properties of test/fuzz/archives.ts with a fixed seed, a few dozen to a few hundred inputs per
 * format. Longer runs: `npx node scripts/fuzz.ts --only containers --seconds N`.
 */
import { describe, it } from 'vitest';
import fc from 'fast-check';
import { containerTargets } from './archives.ts';

const SEED = Number(process.env.TROVE_FUZZ_SEED ?? 20261127);

describe(`container fuzz (seed ${SEED})`, () => {
  for (const t of containerTargets()) {
    it(t.name, async () => {
      await fc.assert(t.property() as fc.IAsyncProperty<unknown>, { seed: SEED, numRuns: t.runs, endOnFailure: false });
    }, 120_000);
  }
});
