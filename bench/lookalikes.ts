/**
 * @module bench/lookalikes
 * Lookalike domains: how fast trove scores a feed of newly registered domains, and how many of
 * the publicly reported phishing domains (test/lookalike/reported.ts, with their sources) it
 * finds, against Debian's dnstwist in the same run.
 *
 * - Speed: a deterministic synthetic feed of 1,000,000 lines (100,000 with `quick`) — ordinary
 *   names made of words and pseudo-words under real public suffixes, 1% lookalikes generated
 *   for the targets, comments and blank lines — scored against the 20 organisations of the
 *   reported campaigns, read line by line as `trove lookalikes --feed` does. Also the same file
 *   through the CLI itself (`npx trove lookalikes … --feed FILE --json`, start-up included).
 * - Coverage: a reported domain is covered by trove when `detect` names its real target, and by
 *   a generator when the domain is among the candidates it lists for that target: trove's
 *   `generate`, `dnstwist --format list TARGET` (all default fuzzers, no DNS), and dnstwist with
 *   its own English dictionary and TLD list (`--dictionary english.dict --tld common_tlds.dict`).
 *   dnstwist is skipped, and said so, when not installed (`apt-get install dnstwist`).
 *
 * Run alone: `npx node bench/lookalikes.ts [--quick]`; bench/run.ts calls `benchLookalikes`.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { detect, generate, makeTarget, parseHost, type Target } from '../src/lookalike/index.ts';
import { rng } from '../test/helpers/random.ts';
import { frenchWords, suffixes } from '../test/lookalike/ordinary-domains.ts';
import { CAMPAIGN_TARGETS, REPORTED } from '../test/lookalike/reported.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DICT_DIR = '/usr/share/dnstwist/dictionaries';

interface Coverage { covered: number; of: number; share: number; missed: string[] }

export interface LookalikeBench {
  feed: { lines: number; domains: number; targets: number; flagged: number; injected: number; injectedFound: number; flaggedOrdinary: string[] };
  trove: { domainsPerSec: number; seconds: number };
  troveCli: { domainsPerSec: number; seconds: number; flagged: number } | { skipped: string };
  coverage: {
    reported: number;
    troveDetect: Coverage;
    troveGenerate: Coverage & { candidates: number };
    dnstwist: (Coverage & { candidates: number; version: string }) | { skipped: string };
    dnstwistDictionary: (Coverage & { candidates: number }) | { skipped: string };
  };
  /** trove detect coverage / dnstwist coverage (null when dnstwist was skipped or found none). */
  ratioVsDnstwist: number | null;
  report: string;
}

/** Pseudo-words from syllables, so the feed is not only dictionary words. */
function pseudoWord(r: () => number): string {
  const C = 'bcdfghjklmnprstvz';
  const V = 'aeiou';
  let w = '';
  const n = 2 + Math.floor(r() * 3);
  for (let i = 0; i < n; i++) w += C[Math.floor(r() * C.length)] + V[Math.floor(r() * V.length)] + (r() < 0.2 ? C[Math.floor(r() * C.length)] : '');
  return w;
}

/** The synthetic feed: `lines` lines, the same on every run. Returns the injected lookalikes too. */
export function syntheticFeed(lines: number, targets: readonly string[], seed = 2017): { text: string; injected: Set<string> } {
  const r = rng(seed);
  const words = frenchWords();
  const sfx = suffixes();
  const lookalikes = targets.flatMap((t) => generate(t).map((c) => c.domain));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const out: string[] = [];
  const injected = new Set<string>();
  for (let i = 0; i < lines; i++) {
    const x = r();
    if (x < 0.01) {
      const d = pick(lookalikes);
      injected.add(d);
      out.push(d);
    } else if (x < 0.012) out.push(i % 2 ? '# comment' : '');
    else {
      const a = r() < 0.6 ? pick(words) : pseudoWord(r);
      const y = r();
      const label = y < 0.4 ? a : y < 0.7 ? `${a}${pick(words)}` : y < 0.9 ? `${a}-${pick(words)}` : `${a}${Math.floor(r() * 1000)}`;
      out.push(`${r() < 0.1 ? 'www.' : ''}${label}.${pick(sfx)}`);
    }
  }
  return { text: out.join('\n') + '\n', injected };
}

function dnstwistList(domain: string, extra: string[] = []): string[] | null {
  const r = spawnSync('dnstwist', ['--format', 'list', ...extra, domain], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 600_000 });
  if (r.error || r.status !== 0) return null;
  return r.stdout.split('\n').map((l) => l.trim().toLowerCase()).filter(Boolean);
}

function dnstwistVersion(): string | null {
  const r = spawnSync('dnstwist', ['--help'], { encoding: 'utf8' });
  if (r.error) return null;
  return /dnstwist (\S+)/.exec(r.stdout + r.stderr)?.[1] ?? 'unknown';
}

function coverage(hit: (domain: string, target: string) => boolean): Coverage {
  const missed = REPORTED.filter(([d, t]) => !hit(d, t)).map(([d]) => d);
  const covered = REPORTED.length - missed.length;
  return { covered, of: REPORTED.length, share: covered / REPORTED.length, missed };
}

/** `${domain} ${target}` pairs a generator lists, as a lookup. */
function generatorCoverage(lists: Map<string, string[]>): Coverage & { candidates: number } {
  const sets = new Map([...lists].map(([t, l]) => [t, new Set(l)]));
  const ascii = (d: string): string => parseHost(d)?.ascii ?? d;
  const c = coverage((d, t) => sets.get(t)?.has(ascii(d)) === true);
  return { ...c, candidates: [...lists.values()].reduce((s, l) => s + l.length, 0) };
}

async function scoreFile(file: string, ts: Target[]): Promise<{ lines: number; domains: number; flagged: number; found: Set<string> }> {
  const rl = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lines = 0;
  let domains = 0;
  const found = new Set<string>();
  for await (const raw of rl) {
    lines++;
    const d = raw.trim().split(/[\s,]/)[0];
    if (!d || d.startsWith('#')) continue;
    domains++;
    const m = detect(d, ts);
    if (m) found.add(m.domain);
  }
  return { lines, domains, flagged: found.size, found };
}

export async function benchLookalikes(opts: { quick: boolean }): Promise<LookalikeBench> {
  const lines = opts.quick ? 100_000 : 1_000_000;
  const ts = CAMPAIGN_TARGETS.map((d) => makeTarget(d)!);
  const dir = mkdtempSync(join(tmpdir(), 'trove-bench-lookalikes-'));
  try {
    const { text, injected } = syntheticFeed(lines, ['en-marche.fr', 'office.com', 'google.com', 'senate.gov', 'wada-ama.org']);
    const file = join(dir, 'feed.txt');
    writeFileSync(file, text);

    // in process, as the CLI reads a feed
    const t0 = performance.now();
    const res = await scoreFile(file, ts);
    const seconds = (performance.now() - t0) / 1000;
    // (a generated name under another target's own domain, office.microsoft.com, is that
    // organisation's name, not a lookalike: left out of the count)
    const own = new Set(ts.map((t) => t.host.registered));
    const eligible = [...injected].filter((d) => !own.has(parseHost(d)?.registered ?? ''));
    const injectedFound = eligible.filter((d) => res.found.has(d)).length;
    const others = [...res.found].filter((d) => !injected.has(d));

    // the CLI, start-up included
    let troveCli: LookalikeBench['troveCli'];
    const bin = join(ROOT, 'bin', 'trove.js');
    if (existsSync(bin)) {
      const c0 = performance.now();
      const r = spawnSync(process.execPath, [bin, 'lookalikes', ...CAMPAIGN_TARGETS, '--feed', file, '--json'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
      const s = (performance.now() - c0) / 1000;
      troveCli = r.status === 0 ? { domainsPerSec: Math.round(res.domains / s), seconds: s, flagged: (JSON.parse(r.stdout) as unknown[]).length } : { skipped: `trove exited ${r.status}: ${r.stderr.trim().split('\n')[0]}` };
    } else troveCli = { skipped: 'bin/trove.js not found' };

    // coverage of the reported domains
    const targets = [...new Set(REPORTED.map(([, t]) => t))];
    const troveDetect = coverage((d, t) => detect(d, ts)?.target === makeTarget(t)!.domain);
    const troveGenerate = generatorCoverage(new Map(targets.map((t) => [t, generate(t).map((c) => c.domain)])));
    const version = dnstwistVersion();
    let dnstwist: LookalikeBench['coverage']['dnstwist'];
    let dnstwistDictionary: LookalikeBench['coverage']['dnstwistDictionary'];
    if (!version) {
      dnstwist = { skipped: 'dnstwist not installed (apt-get install dnstwist)' };
      dnstwistDictionary = { skipped: 'dnstwist not installed' };
    } else {
      const plain = new Map(targets.map((t) => [t, dnstwistList(t) ?? []]));
      dnstwist = { ...generatorCoverage(plain), version };
      const dict = join(DICT_DIR, 'english.dict');
      const tlds = join(DICT_DIR, 'common_tlds.dict');
      dnstwistDictionary = existsSync(dict) && existsSync(tlds)
        ? generatorCoverage(new Map(targets.map((t) => [t, dnstwistList(t, ['--dictionary', dict, '--tld', tlds]) ?? []])))
        : { skipped: `${DICT_DIR} not found` };
    }
    const dnCovered = 'covered' in dnstwist ? Math.max(dnstwist.covered, 'covered' in dnstwistDictionary ? dnstwistDictionary.covered : 0) : 0;
    const ratioVsDnstwist = 'covered' in dnstwist && dnCovered > 0 ? troveDetect.covered / dnCovered : null;

    const out: LookalikeBench = {
      feed: { lines: res.lines, domains: res.domains, targets: ts.length, flagged: res.flagged, injected: eligible.length, injectedFound, flaggedOrdinary: others },
      trove: { domainsPerSec: Math.round(res.domains / seconds), seconds },
      troveCli,
      coverage: { reported: REPORTED.length, troveDetect, troveGenerate, dnstwist, dnstwistDictionary },
      ratioVsDnstwist,
      report: '',
    };
    const cov = (c: Coverage | { skipped: string }): string => ('skipped' in c ? `skipped: ${c.skipped}` : `${c.covered}/${c.of} (${(c.share * 100).toFixed(0)}%)${'candidates' in c ? `, ${c.candidates} candidates` : ''}`);
    out.report = [
      `## Lookalike domains`,
      `feed: ${res.lines} lines, ${res.domains} domains, scored against ${ts.length} targets: ${out.trove.domainsPerSec} domains/s in process (${seconds.toFixed(1)} s)`,
      'skipped' in troveCli ? `trove CLI: skipped: ${troveCli.skipped}` : `trove CLI (node bin/trove.js, start-up included): ${troveCli.domainsPerSec} domains/s (${troveCli.seconds.toFixed(1)} s, ${troveCli.flagged} flagged)`,
      `flagged ${res.flagged} distinct domains; injected lookalikes found: ${injectedFound}/${eligible.length}; ordinary names flagged: ${others.length}${others.length ? ` (${others.slice(0, 10).join(', ')})` : ''}`,
      `reported phishing domains (${REPORTED.length}):`,
      `  trove detect:      ${cov(troveDetect)}${troveDetect.missed.length ? `; missed ${troveDetect.missed.join(', ')}` : ''}`,
      `  trove --generate:  ${cov(troveGenerate)}`,
      `  dnstwist${version ? ` ${version}` : ''}:   ${cov(dnstwist)}`,
      `  dnstwist + dict:   ${cov(dnstwistDictionary)}`,
      `  ratio trove detect / best dnstwist: ${ratioVsDnstwist === null ? 'n/a' : ratioVsDnstwist.toFixed(2)}`,
    ].join('\n');
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const r = await benchLookalikes({ quick: process.argv.includes('--quick') });
  process.stderr.write(r.report + '\n');
  process.stdout.write(JSON.stringify({ ...r, report: undefined }, null, 2) + '\n');
}
