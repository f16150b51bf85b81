/**
 * Long fuzz run: every property of test/fuzz/properties.ts, round-robin, for a time budget.
 *
 *   npx node scripts/fuzz.ts --seconds 600 [--seed N] [--only mbox] [--slice MS per property turn]
 *   npx node scripts/fuzz.ts --only 'mime: parseMessage on' --replay SEED:PATH
 *   npx node scripts/fuzz.ts --only containers --seconds 600   (archive, PST and MSG readers)
 *
 * Prints per-property executions and the seed; on a failure prints the shrunk counterexample
 * and the seed/path to replay it, and exits 1. Add every failure to test/fuzz/regressions.test.ts.
 */
import fc from 'fast-check';
import { TARGETS } from '../test/fuzz/properties.ts';
import { containerTargets } from '../test/fuzz/archives.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

const seconds = Number(arg('seconds') ?? 60);
const seed = Number(arg('seed') ?? Date.now() % 2 ** 31);
const only = arg('only');
if (!Number.isFinite(seconds) || seconds <= 0 || !Number.isSafeInteger(seed)) {
  console.error('usage: npx node scripts/fuzz.ts --seconds N [--seed S] [--only TEXT]');
  process.exit(1);
}
const targets = [...TARGETS, ...containerTargets()].filter((t) => !only || t.name.includes(only));

/** A counterexample in a readable size: Buffers as latin1 text, runs of one character collapsed. */
function compact(v: unknown): string {
  const text = JSON.stringify(v, (_k, x: unknown) => {
    if (x && typeof x === 'object' && (x as { type?: string }).type === 'Buffer') {
      const b = Buffer.from((x as { data: number[] }).data);
      return `<${b.length} bytes> ` + b.toString('latin1').replace(/(.)\1{39,}/gs, (m, c: string) => `<${JSON.stringify(c)} x${m.length}>`);
    }
    return x;
  });
  return text.length > 4000 ? text.slice(0, 4000) + '…' : text;
}

function report(name: string, seed: number, d: fc.RunDetails<unknown>): void {
  console.log(`\nFAILED: ${name}\n  error: ${String(d.errorInstance).slice(0, 500)}\n  replay: --only '${name.slice(0, 30)}' --replay ${seed}:${d.counterexamplePath}\n  counterexample: ${compact(d.counterexample)}`);
}

const replay = arg('replay');
if (replay) {
  const [rs, path] = replay.split(':');
  if (targets.length !== 1 || !path) {
    console.error('--replay SEED:PATH needs --only matching exactly one property');
    process.exit(1);
  }
  const d = await fc.check(targets[0].property(), { seed: Number(rs), path, numRuns: 1 });
  if (d.failed) report(targets[0].name, Number(rs), d);
  else console.log('passes now');
  process.exit(d.failed ? 1 : 0);
}
const runs = new Map<string, number>(targets.map((t) => [t.name, 0]));
const deadline = Date.now() + seconds * 1000;
const slice = Number(arg('slice') ?? Math.max(1000, Math.floor((seconds * 1000) / targets.length / 10)));
console.log(`fuzz: seed ${seed}, ${seconds} s, ${targets.length} properties`);
let round = 0;
let failed = false;
while (Date.now() < deadline && !failed) {
  for (const t of targets) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    const s = (seed + round * 7919) % 2 ** 31;
    const d = await fc.check(t.property(), { seed: s, numRuns: 1_000_000, interruptAfterTimeLimit: Math.min(slice, left), markInterruptAsFailure: false });
    runs.set(t.name, runs.get(t.name)! + d.numRuns);
    if (d.failed) {
      failed = true;
      report(t.name, s, d);
      break;
    }
  }
  round++;
}
let total = 0;
for (const [name, n] of runs) {
  total += n;
  console.log(`${String(n).padStart(9)}  ${name}`);
}
console.log(`${String(total).padStart(9)}  executions in all, ${failed ? 'FAILED' : '0 failures'}`);
process.exit(failed ? 1 : 0);
