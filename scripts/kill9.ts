/**
 * Long kill -9 / power-loss run (the CI-sized run is test/hardening/crash.test.ts; both use
 * test/hardening/crash-harness.ts):
 *
 *   npx node scripts/kill9.ts [--runs 60] [--kills 3] [--power 2] [--seed N] [--phases ingest,analyze,index]
 *                             [--inputs PATH,PATH…] [--keep]
 *
 * For each phase: builds the reference (an uninterrupted run), then trials of `--kills` random
 * kills each until `--runs` kills are done, then `--power` power-loss trials (3 frozen copies
 * each, plus the same with a cut WAL). Prints per phase: runs, kills that landed mid-run,
 * integrity failures, lost, doubled, and trials whose resumed export differed; exits 1 if any
 * of those is not 0. Default inputs: the demo dump, enron.pst, two mboxes and the SpamAssassin
 * tarball (6,000+ messages), from ../shared/corpora.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORPORA, REPO } from '../test/helpers/corpora.ts';
import { killTrial, powerLossTrial, reference, type Phase, type Setup } from '../test/hardening/crash-harness.ts';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : dflt;
}

const runs = Number(arg('runs', '60'));
const kills = Number(arg('kills', '3'));
const power = Number(arg('power', '2'));
const seed = Number(arg('seed', String(Date.now() % 100_000)));
const phases = arg('phases', 'ingest,analyze,index').split(',') as Phase[];
const inputs = arg('inputs', [
  join(REPO, 'demo/sample-dump.zip'), join(CORPORA, 'pst/enron.pst'), join(CORPORA, 'mbox/httpd-users-2020-07.mbox'),
  join(CORPORA, 'mbox/asterix-dev-201709-mailarchivesao.mbox'), join(CORPORA, 'spamassassin.tar.gz'),
].join(',')).split(',');
if (![runs, kills, power, seed].every((n) => Number.isSafeInteger(n) && n >= 0) || kills < 1 || phases.some((p) => !['ingest', 'analyze', 'index'].includes(p))) {
  console.error('usage: npx node scripts/kill9.ts [--runs N] [--kills K] [--power P] [--seed S] [--phases ingest,analyze,index] [--inputs A,B]');
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'trove-kill9-'));
const setup: Setup = { work, inputs, keys: join(REPO, 'demo/keys.txt'), ingestArgs: [] };
console.log(`kill9: seed ${seed}, ${runs} kills per phase (${kills} per trial), ${power} power-loss trials per phase, work ${work}`);
let bad = 0;
try {
  for (const phase of phases) {
    const t0 = Date.now();
    const ref = await reference(phase, setup);
    const tally = { runs: 0, midway: 0, integrity: 0, status: 0, lost: 0, doubled: 0, differed: 0, trials: 0 };
    for (let t = 0; tally.runs < runs; t++) {
      const r = await killTrial(phase, setup, ref, seed + t, Math.min(kills, runs - tally.runs));
      tally.trials++;
      tally.runs += r.kills;
      tally.midway += r.midway;
      tally.integrity += r.integrityFailures.length;
      tally.status += r.statusFailures;
      tally.lost += r.lost;
      tally.doubled += r.doubled;
      if (!r.equal) {
        tally.differed++;
        console.log(`  ${phase} seed ${r.seed}: ${r.detail} ${r.integrityFailures.join('; ')}`);
      }
    }
    let snapshots = 0;
    let walCut = 0;
    for (let p = 0; p < power; p++) {
      const r = await powerLossTrial(phase, setup, ref, seed + 1000 + p, 3);
      snapshots += r.snapshots;
      walCut += r.walCut;
      tally.integrity += r.integrityFailures.length;
      tally.status += r.statusFailures;
      tally.lost += r.lost;
      tally.doubled += r.doubled;
      if (!r.equal) {
        tally.differed++;
        console.log(`  ${phase} power seed ${r.seed}: ${r.detail} ${r.integrityFailures.join('; ')}`);
      }
    }
    bad += tally.integrity + tally.status + tally.lost + tally.doubled + tally.differed;
    console.log(`${phase}: ${ref.want.exported.length} messages, uninterrupted ${(ref.ms / 1000).toFixed(1)} s (${(ref.workMs / 1000).toFixed(1)} s writing); ${tally.runs} kills in ${tally.trials} trials (${tally.midway} mid-run), ` +
      `${snapshots} power-loss copies (${walCut} with a cut WAL); integrity failures ${tally.integrity}, status failures ${tally.status}, lost ${tally.lost}, doubled ${tally.doubled}, ` +
      `exports differing ${tally.differed} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
} finally {
  if (!process.argv.includes('--keep')) rmSync(work, { recursive: true, force: true });
}
process.exit(bad ? 1 : 0);
