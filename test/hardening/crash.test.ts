/**
 * kill -9 at random points during `trove ingest`, `trove analyze` and the search index build,
 * and a power-loss copy of the case files mid-write (with a cut WAL): the case always reopens
 * (`PRAGMA integrity_check` ok, the case opens and gives its accounting) and running the command
 * again gives the export (and search index) of an uninterrupted run: 0 lost, 0 doubled. CI size: 10 kills and
 * 2 frozen copies (plus WAL-cut variants); more with `npx node scripts/kill9.ts --runs N`.
 * The harness is test/hardening/crash-harness.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CORPORA, REPO } from '../helpers/corpora.ts';
import { killTrial, powerLossTrial, reference, type Phase, type Reference, type Setup } from './crash-harness.ts';

const SEED = Number(process.env.TROVE_CRASH_SEED ?? 1127);
const work = mkdtempSync(join(tmpdir(), 'trove-crash-h-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const setup: Setup = {
  work,
  // small but every path: a zip with maildir/mbox/eml inside, two mboxes, Outlook .msg files;
  // enron.pst and the SpamAssassin tarball are in the longer run (scripts/kill9.ts)
  inputs: [join(REPO, 'demo/sample-dump.zip'), join(CORPORA, 'mbox/asterix-dev-201709-mailarchivesao.mbox'), join(CORPORA, 'mbox/maven_duplicates_2017_listsao_1.mbox'), join(CORPORA, 'msg/msgInMsg.msg'), join(CORPORA, 'msg/Simple.msg')],
  // analyze and index take a few ms on 75 messages: give them ~700 to be killed in
  baseInputs: [join(REPO, 'demo/sample-dump.zip'), ...['maven-dev-2017-11-listsao', 'httpd-users-2020-07'].map((f) => join(CORPORA, `mbox/${f}.mbox`))],
  keys: join(REPO, 'demo/keys.txt'),
  ingestArgs: ['--workers', '2'],
};

/** One uninterrupted reference run per phase, shared by the kill and power-loss tests. */
const refs = new Map<Phase, Promise<Reference>>();
const ref = (phase: Phase) => refs.get(phase) ?? refs.set(phase, reference(phase, setup)).get(phase)!;

const PLAN: { phase: Phase; trials: number; kills: number }[] = [
  { phase: 'ingest', trials: 1, kills: 4 },
  { phase: 'analyze', trials: 1, kills: 3 },
  { phase: 'index', trials: 1, kills: 3 },
];

describe(`kill -9 and power loss (seed ${SEED})`, () => {
  for (const { phase, trials, kills } of PLAN) {
    it(`${phase}: ${trials * kills} kills at random points; reopens every time, resumes to the same export`, async () => {
      const r0 = await ref(phase);
      expect(r0.want.exported.length).toBeGreaterThan(50);
      let midway = 0;
      for (let t = 0; t < trials; t++) {
        const r = await killTrial(phase, setup, r0, SEED + t, kills);
        console.log(`${phase} trial seed ${r.seed}: ${r.kills} kills (${r.midway} mid-run; writing window ${r0.workMs} ms), lost ${r.lost}, doubled ${r.doubled}, equal ${r.equal}`);
        expect(r.integrityFailures).toEqual([]);
        expect(r.statusFailures).toBe(0);
        expect({ lost: r.lost, doubled: r.doubled }).toEqual({ lost: 0, doubled: 0 });
        expect(r.equal, r.detail).toBe(true);
        // the kills must land while the command runs, or the test proves nothing
        expect(r.midway).toBeGreaterThanOrEqual(1);
        midway += r.midway;
      }
      console.log(`${phase}: ${midway} of ${trials * kills} kills landed mid-run`);
    }, 240_000);
  }

  it('power loss during ingest: frozen copies of the case files, whole and with a cut WAL, reopen and converge', async () => {
    const r = await powerLossTrial('ingest', setup, await ref('ingest'), SEED, 2);
    console.log(`power loss: ${r.snapshots} copies (${r.walCut} with a cut WAL), lost ${r.lost}, doubled ${r.doubled}, equal ${r.equal}`);
    expect(r.snapshots).toBeGreaterThanOrEqual(2);
    expect(r.walCut).toBeGreaterThanOrEqual(1);
    expect(r.integrityFailures).toEqual([]);
    expect(r.statusFailures).toBe(0);
    expect({ lost: r.lost, doubled: r.doubled }).toEqual({ lost: 0, doubled: 0 });
    expect(r.equal, r.detail).toBe(true);
  }, 240_000);
});
