/**
 * @module bench/scale
 * Growth: trove's full pipeline (ingest + parse + DKIM + forensics + index) on the Enron maildir
 * expanded 1×, 4× and 16× by the deterministic generator (bench/lib/scale.ts), beside
 * `notmuch new` on the same files, with search latency p50/p95 for a fixed query set on both.
 * Targets: cost per message at 16× within 20% of 1×, peak RSS ≤ 512 MB at every size,
 * search p95 ≤ notmuch's and ≤ 100 ms at 16×.
 *
 *   npx node bench/scale.ts [--factors 1,4,16] [--users N] [--pack maildir|zip|mbox|nested]
 *                           [--no-notmuch] [--repeat 5] [--timeout S]
 *   (also run by `npm run bench -- --only scale`; `--quick` there means --factors 1,4 --users 20)
 *
 * How search is timed: the same question to both — the first 20 results, newest first (notmuch's
 * default order). trove in-process (`search()` over the open case, which also counts the exact
 * total), how the API server answers; notmuch through its CLI (`notmuch search --limit=20`, no
 * total; one process start of a few ms is included). trove's relevance order (BM25) is timed
 * too and reported beside. Each query runs once untimed (warm caches), then `--repeat` times.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { spawnSync } from 'node:child_process';
import { scaleCorpus, type Pack, type ScaledCorpus } from './lib/scale.ts';
import { runNotmuch, runTrove, type ToolRun } from './lib/peers.ts';
import { prepare, warm } from './lib/prepare.ts';
import { CaseDb } from '../src/store/sqlite.ts';
import { parseQuery, search } from '../src/search/index.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The same questions in both query languages. */
export const QUERIES: Array<{ trove: string; notmuch: string }> = [
  { trove: 'enron', notmuch: 'enron' },
  { trove: 'gas', notmuch: 'gas' },
  { trove: '"natural gas"', notmuch: '"natural gas"' },
  { trove: 'contract*', notmuch: 'contract*' },
  { trove: 'trans*', notmuch: 'trans*' },
  { trove: 'from:jeff', notmuch: 'from:jeff' },
  { trove: 'subject:meeting', notmuch: 'subject:meeting' },
  { trove: 'date:2001-05-01..2001-05-31', notmuch: 'date:2001-05-01..2001-05-31' },
  { trove: 'power AND california', notmuch: 'power and california' },
  { trove: 'gas -electricity', notmuch: 'gas and not electricity' },
  { trove: '(budget OR forecast) date:2001-01-01..2001-12-31', notmuch: '(budget or forecast) and date:2001-01-01..2001-12-31' },
  { trove: '"please let me know"', notmuch: '"please let me know"' },
  { trove: 'california energy crisis', notmuch: 'california and energy and crisis' },
  { trove: 'has:attachment', notmuch: 'tag:attachment' },
  { trove: 'subject:"gas daily"', notmuch: 'subject:"gas daily"' },
  { trove: 'meeting tomorrow', notmuch: 'meeting and tomorrow' },
  { trove: 'xyzzyplugh', notmuch: 'xyzzyplugh' },
];

export interface Latency {
  p50: number | null;
  p95: number | null;
  max: number | null;
  samples: number;
}

function pct(xs: number[], p: number): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

function latency(xs: number[]): Latency {
  return { p50: pct(xs, 50), p95: pct(xs, 95), max: xs.length ? Math.max(...xs) : null, samples: xs.length };
}

export interface ScaleRow {
  factor: number;
  messages: number;
  bytes: number;
  pack: Pack;
  trove: { seconds: number | null; msgPerSec: number | null; mbPerSec: number | null; usPerMsg: number | null; cpuUsPerMsg: number | null; peakRssMb: number | null; ownRssMb: number | null; error: string | null; phases: { phase: string; seconds: number; peakRssMb: number }[]; search: Latency; searchRelevance: Latency; perQuery: Array<{ q: string; total: number; p50: number | null }> };
  notmuch: { seconds: number | null; msgPerSec: number | null; error: string | null; skipped: string | null; search: Latency } | null;
}

export interface ScaleOptions {
  factors: number[];
  users?: number;
  pack: Pack;
  notmuch: boolean;
  repeat: number;
  timeout: number;
  log: (s: string) => void;
}

function troveLatencies(caseDir: string, repeat: number): { all: number[]; relevance: number[]; perQuery: Array<{ q: string; total: number; p50: number | null }> } {
  const db = new CaseDb(caseDir, { create: false, readOnly: true });
  const all: number[] = [];
  const relevance: number[] = [];
  const perQuery: Array<{ q: string; total: number; p50: number | null }> = [];
  try {
    for (const { trove } of QUERIES) {
      const q = parseQuery(trove);
      const first = search(db, q, { limit: 20, sort: 'date' });
      search(db, q, { limit: 20 });
      const mine: number[] = [];
      for (let i = 0; i < repeat; i++) {
        let t = performance.now();
        search(db, q, { limit: 20, sort: 'date' });
        mine.push(performance.now() - t);
        t = performance.now();
        search(db, q, { limit: 20 });
        relevance.push(performance.now() - t);
      }
      all.push(...mine);
      perQuery.push({ q: trove, total: first.total, p50: pct(mine, 50) });
    }
  } finally {
    db.close();
  }
  return { all, relevance, perQuery };
}

function notmuchLatencies(env: NodeJS.ProcessEnv, repeat: number): number[] {
  const all: number[] = [];
  for (const { notmuch } of QUERIES) {
    const args = ['search', '--limit=20', '--exclude=false', notmuch];
    spawnSync('notmuch', args, { env, stdio: 'ignore' });
    for (let i = 0; i < repeat; i++) {
      const t = performance.now();
      spawnSync('notmuch', args, { env, stdio: 'ignore' });
      all.push(performance.now() - t);
    }
  }
  return all;
}

function rowFrom(r: ToolRun, corpus: ScaledCorpus): Pick<ScaleRow['trove'], 'seconds' | 'msgPerSec' | 'mbPerSec' | 'usPerMsg' | 'cpuUsPerMsg' | 'peakRssMb' | 'ownRssMb' | 'error' | 'phases'> {
  const m = r.measured;
  const ok = m && !r.error;
  const n = r.messages ?? corpus.messages;
  const secs = ok ? m.wallSeconds : null;
  const cpu = m && m.userSeconds !== null && m.systemSeconds !== null ? m.userSeconds + m.systemSeconds : null;
  return {
    seconds: secs,
    msgPerSec: secs ? n / secs : null,
    mbPerSec: secs ? corpus.bytes / 1e6 / secs : null,
    usPerMsg: secs ? (secs * 1e6) / n : null,
    cpuUsPerMsg: ok && cpu !== null ? (cpu * 1e6) / n : null,
    peakRssMb: m ? m.peakRssMb : null,
    ownRssMb: m ? m.gnuTimeMaxRssMb : null,
    error: r.error ?? r.skipped,
    phases: r.toolPhases ?? [],
  };
}

export async function runScaleBench(o: ScaleOptions): Promise<{ rows: ScaleRow[]; report: string }> {
  const ds = prepare({ tarball: defaultTarball(), quick: false, quickUsers: 20, log: o.log });
  const src = ds.folder;
  const rows: ScaleRow[] = [];
  for (const factor of o.factors) {
    const out = join(tmpdir(), 'trove-bench', `scale-${factor}x${o.users ? `-u${o.users}` : ''}`);
    o.log(`scale ${factor}×: generating (untimed, reused later) in ${out}`);
    const corpus = await scaleCorpus({ src, factor, out, packs: [o.pack], users: o.users, log: o.log });
    const input = corpus.paths[o.pack] as string;
    warm(input);
    o.log(`scale ${factor}×: trove ingest ${input} (${corpus.messages} messages)`);
    let tl: { all: number[]; relevance: number[]; perQuery: Array<{ q: string; total: number; p50: number | null }> } = { all: [], relevance: [], perQuery: [] };
    const tr = await runTrove(`trove ${factor}×`, ROOT, input, o.timeout, false, ({ caseDir }) => {
      o.log(`scale ${factor}×: trove search latency`);
      tl = troveLatencies(caseDir as string, o.repeat);
    });
    const row: ScaleRow = { factor, messages: corpus.messages, bytes: corpus.bytes, pack: o.pack, trove: { ...rowFrom(tr, corpus), search: latency(tl.all), searchRelevance: latency(tl.relevance), perQuery: tl.perQuery }, notmuch: null };
    if (o.notmuch) {
      warm(corpus.paths.maildir as string);
      o.log(`scale ${factor}×: notmuch new`);
      let nl: number[] = [];
      const nr = await runNotmuch(corpus.paths.maildir as string, o.timeout, false, ({ env }) => {
        o.log(`scale ${factor}×: notmuch search latency`);
        nl = notmuchLatencies(env as NodeJS.ProcessEnv, o.repeat);
      });
      const secs = nr.measured && !nr.error ? nr.measured.wallSeconds : null;
      row.notmuch = { seconds: secs, msgPerSec: secs && nr.messages ? nr.messages / secs : null, error: nr.error, skipped: nr.skipped, search: latency(nl) };
    }
    rows.push(row);
  }
  return { rows, report: report(rows, o) };
}

const f = (n: number | null | undefined, d = 1): string => (n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(d));
const fi = (n: number | null | undefined): string => (n === null || n === undefined || !Number.isFinite(n) ? '–' : Math.round(n).toLocaleString('en-US'));

function report(rows: ScaleRow[], o: ScaleOptions): string {
  const out: string[] = [];
  out.push(`growth — Enron maildir${o.users ? ` (first ${o.users} users)` : ''} × ${o.factors.join(', ')}, packed as ${o.pack}; search: ${QUERIES.length} queries × ${o.repeat} timed runs`);
  out.push('| scale | messages | MB | trove s | msg/s | MB/s | µs/msg wall | CPU µs/msg | peak RSS MB (tree / own) | search p50 / p95 ms (newest first) | by relevance | notmuch s | notmuch msg/s | notmuch search p50 / p95 ms |');
  out.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const t = r.trove;
    const n = r.notmuch;
    out.push(`| ${r.factor}× | ${fi(r.messages)} | ${f(r.bytes / 1e6, 0)} | ${t.error ? `failed: ${t.error.slice(0, 40)}` : f(t.seconds, 1)} | ${fi(t.msgPerSec)} | ${f(t.mbPerSec)} | ${f(t.usPerMsg, 0)} | ${f(t.cpuUsPerMsg, 0)} | ${fi(t.peakRssMb)} / ${fi(t.ownRssMb)} | ${f(t.search.p50)} / ${f(t.search.p95)} | ${f(t.searchRelevance.p50)} / ${f(t.searchRelevance.p95)} | ${n ? (n.skipped ?? n.error ?? f(n.seconds, 1)) : 'not run'} | ${fi(n?.msgPerSec)} | ${n ? `${f(n.search.p50)} / ${f(n.search.p95)}` : '–'} |`);
  }
  const base = rows[0];
  const checks: string[] = [];
  for (const r of rows) {
    if (r !== base && base.trove.usPerMsg && r.trove.usPerMsg) {
      const g = r.trove.usPerMsg / base.trove.usPerMsg;
      checks.push(`cost per message ${r.factor}× / ${base.factor}×: ${f(g, 2)} (target ≤ 1.20) ${g <= 1.2 ? 'PASS' : 'FAIL'}`);
    }
    if (r.trove.ownRssMb !== null) checks.push(`peak RSS ${r.factor}× (trove's node process): ${fi(r.trove.ownRssMb)} MB (target ≤ 512) ${r.trove.ownRssMb <= 512 ? 'PASS' : 'FAIL'}`);
    if (r.trove.search.p95 !== null && r.notmuch?.search.p95) {
      checks.push(`search p95 ${r.factor}×: trove ${f(r.trove.search.p95)} ms vs notmuch ${f(r.notmuch.search.p95)} ms = ${f(r.trove.search.p95 / r.notmuch.search.p95, 2)}× (target ≤ 1) ${r.trove.search.p95 <= r.notmuch.search.p95 ? 'PASS' : 'FAIL'}`);
    }
    if (r.factor >= 16 && r.trove.search.p95 !== null) checks.push(`search p95 at ${r.factor}×: ${f(r.trove.search.p95)} ms (target ≤ 100) ${r.trove.search.p95 <= 100 ? 'PASS' : 'FAIL'}`);
  }
  if (checks.length) out.push('', ...checks);
  for (const r of rows) {
    if (!r.trove.phases.length) continue;
    out.push(`stages at ${r.factor}× (wall s, µs per message, peak RSS MB when it ended): ${r.trove.phases.map((p) => `${p.phase} ${f(p.seconds, 1)} s, ${f((p.seconds * 1e6) / r.messages, 0)} µs, ${fi(p.peakRssMb)} MB`).join('; ')}`);
  }
  const last = rows[rows.length - 1];
  if (last?.trove.perQuery.length) {
    out.push('', `per query at ${last.factor}× (total hits, trove p50 ms): ${last.trove.perQuery.map((p) => `${p.q} = ${fi(p.total)} (${f(p.p50)})`).join('; ')}`);
  }
  return out.join('\n');
}

function defaultTarball(): string {
  return [process.env.TROVE_BENCH_TARBALL, join(ROOT, '../shared/corpora/enron-maildir.tar.gz'), '/work/shared/corpora/enron-maildir.tar.gz'].find((p): p is string => !!p && existsSync(p)) ?? join(ROOT, '../shared/corpora/enron-maildir.tar.gz');
}

export function parseScaleArgs(argv: string[], quick: boolean): Omit<ScaleOptions, 'log'> {
  const o: Omit<ScaleOptions, 'log'> = { factors: quick ? [1, 4] : [1, 4, 16], users: quick ? 20 : undefined, pack: 'maildir', notmuch: true, repeat: 5, timeout: 3600 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = (): string => argv[++i] ?? '';
    if (k === '--factors') o.factors = v().split(',').map(Number);
    else if (k === '--users') o.users = Number(v());
    else if (k === '--pack') o.pack = v() as Pack;
    else if (k === '--no-notmuch') o.notmuch = false;
    else if (k === '--repeat') o.repeat = Number(v());
    else if (k === '--timeout') o.timeout = Number(v());
    else if (k === '--quick') continue;
    else throw new Error(`unknown option ${k}`);
  }
  if (!o.factors.every((x) => Number.isInteger(x) && x >= 1)) throw new Error('--factors: integers ≥ 1, comma-separated');
  return o;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const o = { ...parseScaleArgs(argv, argv.includes('--quick')), log: (s: string) => process.stderr.write(`[bench] ${s}\n`) };
  runScaleBench(o).then(
    (r) => {
      process.stdout.write(r.report + '\n');
      mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
      writeFileSync(join(ROOT, 'bench', 'results', 'latest-scale.json'), JSON.stringify({ finished: new Date().toISOString(), options: { ...o, log: undefined }, ...r }, null, 2) + '\n');
    },
    (e: unknown) => {
      process.stderr.write(`bench/scale: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
