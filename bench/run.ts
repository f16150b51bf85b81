/**
 * @module bench/run
 * `npm run bench [-- --quick]`: trove's ingest against notmuch and mu on the Enron maildir, all
 * measured in the same run on the same machine, and DKIM verifications/s against dkimpy
 * (bench/dkim.ts; `--only dkim` runs just that), lookalike scoring against dnstwist
 * (bench/lookalikes.ts), and growth at 1×/4×/16× with search latency against notmuch
 * (bench/scale.ts). See docs/bench.md.
 *
 * Options:
 *   --quick            first N users only (default 20, ~1/5 of the corpus) for a run under a minute
 *   --users N          users in the --quick subset
 *   --only a,b         run only these rows: trove-folder, trove-tgz, notmuch, mu, dkim, lookalikes, scale, workers
 *   --factors 1,4,16   scale factors for the growth rows (--quick: 1,4 of the first 20 users)
 *   --tarball PATH     corpus tarball (default ../shared/corpora/enron-maildir.tar.gz, $TROVE_BENCH_TARBALL)
 *   --timeout S        kill a tool after S seconds (default 1800)
 *   --keep             keep the cases/databases made by the runs
 *   --no-install       do not apt-get install missing peers
 *   --no-ceiling       skip the read/gunzip/sha256 ceiling measurements
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDkimBench, type DkimBench } from './dkim.ts';
import { benchLookalikes, type LookalikeBench } from './lookalikes.ts';
import { parseScaleArgs, runScaleBench, type ScaleRow } from './scale.ts';
import { benchWorkers } from './workers.ts';
import { ceiling, ensureTools, machine, versions, type Ceiling } from './lib/machine.ts';
import { runMu, runNotmuch, runTrove, type ToolRun } from './lib/peers.ts';
import { prepare, warm, type Dataset } from './lib/prepare.ts';
import { haveGnuTime, timeShell } from './lib/proc.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The issue's targets; mbPerSec: 9 GB in under 10 minutes on this 2-core machine. */
const TARGETS = { vsNotmuch: 4, vsMu: 2, rssMb: 512, mbPerSec: 15 };
const ROWS = ['trove-folder', 'trove-tgz', 'notmuch', 'mu', 'dkim', 'lookalikes', 'scale', 'workers'] as const;

interface Args {
  quick: boolean;
  users: number;
  only: Set<string>;
  tarball: string;
  timeout: number;
  keep: boolean;
  install: boolean;
  ceiling: boolean;
  factors: string | null;
}

function parseArgs(argv: string[]): Args {
  const def = [process.env.TROVE_BENCH_TARBALL, join(ROOT, '../shared/corpora/enron-maildir.tar.gz'), '/work/shared/corpora/enron-maildir.tar.gz']
    .find((p) => p && existsSync(p)) ?? join(ROOT, '../shared/corpora/enron-maildir.tar.gz');
  const a: Args = { quick: false, users: 20, only: new Set(ROWS), tarball: def, timeout: 1800, keep: false, install: true, ceiling: true, factors: null };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${k} needs a value`);
      return v;
    };
    if (k === '--quick') a.quick = true;
    else if (k === '--users') a.users = Number(next());
    else if (k === '--only') a.only = new Set(next().split(','));
    else if (k === '--tarball') a.tarball = resolve(next());
    else if (k === '--timeout') a.timeout = Number(next());
    else if (k === '--keep') a.keep = true;
    else if (k === '--no-install') a.install = false;
    else if (k === '--no-ceiling') a.ceiling = false;
    else if (k === '--factors') a.factors = next();
    else throw new Error(`unknown option ${k}`);
  }
  for (const o of a.only) if (!(ROWS as readonly string[]).includes(o)) throw new Error(`--only: unknown row ${o} (rows: ${ROWS.join(', ')})`);
  if (!Number.isInteger(a.users) || a.users < 1) throw new Error('--users must be a positive integer');
  return a;
}

const log = (s: string): void => {
  process.stderr.write(`[bench] ${s}\n`);
};

const fmtInt = (n: number | null | undefined): string => (n === null || n === undefined || !Number.isFinite(n) ? '–' : Math.round(n).toLocaleString('en-US'));
const fmt = (n: number | null | undefined, d = 1): string => (n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(d));

interface Row {
  tool: string;
  status: string;
  messages: number | null;
  messagesSource: string;
  expected: number;
  check: string;
  seconds: number | null;
  toolSeconds: number | null;
  msgPerSec: number | null;
  mbPerSec: number | null;
  cpuSeconds: number | null;
  peakRssMb: number | null;
  peakRssDetail: { treeSampledMb: number; largestProcessMb: number | null; toolReportedMb: number | null; maxProcesses: number } | null;
  loadAvgBefore: number;
  counts: Record<string, number | null>;
  notes: string[];
  commands: string[];
}

function toRow(r: ToolRun, ds: Dataset, load: number): Row {
  const m = r.measured;
  const ok = !r.skipped && !r.error && m !== null;
  const secs = ok ? m.wallSeconds : null;
  const diff = r.messages === null ? null : r.messages - ds.files;
  const check = r.skipped ? 'skipped' : diff === null ? 'no count' : diff === 0 ? 'ok' : `${diff > 0 ? '+' : ''}${diff}`;
  return {
    tool: r.tool,
    status: r.skipped ?? (r.error ? `failed: ${r.error}` : 'ok'),
    messages: r.messages,
    messagesSource: r.messagesSource,
    expected: ds.files,
    check,
    seconds: secs,
    toolSeconds: r.toolSeconds,
    msgPerSec: secs && r.messages !== null ? r.messages / secs : null,
    mbPerSec: secs ? ds.bytes / 1e6 / secs : null,
    cpuSeconds: m && m.userSeconds !== null && m.systemSeconds !== null ? m.userSeconds + m.systemSeconds : null,
    peakRssMb: m ? m.peakRssMb : null,
    peakRssDetail: m ? { treeSampledMb: m.peakTreeRssMb, largestProcessMb: m.gnuTimeMaxRssMb, toolReportedMb: r.toolPeakRssMb, maxProcesses: m.maxProcesses } : null,
    loadAvgBefore: load,
    counts: r.counts,
    notes: r.notes,
    commands: r.commands,
  };
}

function table(headers: string[], rows: string[][], right: boolean[]): string {
  const w = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => (right[i] ? c.padStart(w[i]) : c.padEnd(w[i]))).join(' | ')} |`;
  const sep = `|${w.map((n, i) => (right[i] ? `${'-'.repeat(n + 1)}:` : `${'-'.repeat(n + 2)}`)).join('|')}|`;
  return [line(headers), sep, ...rows.map(line)].join('\n');
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  // DKIM section (bench/dkim.ts): needs only the DKIM vectors, so it runs before the corpus check.
  let dkim: DkimBench | null = null;
  if (args.only.has('dkim')) {
    try {
      dkim = await runDkimBench({ log });
      process.stdout.write(`${dkim.report}\n\n`);
    } catch (e) {
      log(`dkim failed: ${String(e)}`);
    }
    if (args.only.size === 1) {
      mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
      writeFileSync(join(ROOT, 'bench', 'results', 'latest-dkim.json'), JSON.stringify({ started: new Date().toISOString(), dkim }, null, 2) + '\n');
      log('wrote bench/results/latest-dkim.json');
      return dkim ? 0 : 3;
    }
  }
  let lookalikes: LookalikeBench | null = null;
  if (args.only.has('lookalikes')) {
    try {
      log('lookalikes: 1,000,000-line feed, reported domains vs dnstwist');
      lookalikes = await benchLookalikes({ quick: args.quick });
      process.stdout.write(`${lookalikes.report}\n\n`);
    } catch (e) {
      log(`lookalikes failed: ${String(e)}`);
    }
  }
  let scale: { rows: ScaleRow[]; report: string } | null = null;
  if (args.only.has('scale')) {
    try {
      const so = parseScaleArgs(args.factors ? ['--factors', args.factors] : [], args.quick);
      scale = await runScaleBench({ ...so, log });
      process.stdout.write(`${scale.report}\n\n`);
    } catch (e) {
      log(`scale failed: ${String(e)}`);
    }
  }
  let workers: object | null = null;
  if (args.only.has('workers')) {
    try {
      log('workers: server-mode ingest on PostgreSQL with 1, 2 and 4 trove worker processes');
      workers = await benchWorkers({ quick: args.quick });
      const rep = (workers as { report?: string }).report;
      process.stdout.write(`${rep ?? JSON.stringify(workers, null, 2)}\n\n`);
    } catch (e) {
      log(`workers failed: ${String(e)}`);
    }
  }
  const side = ['dkim', 'lookalikes', 'scale', 'workers'];
  if ([...args.only].every((o) => side.includes(o))) {
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', 'latest-side.json'), JSON.stringify({ started: new Date().toISOString(), argv: process.argv.slice(2), dkim, lookalikes, scale, workers }, null, 2) + '\n');
    log('wrote bench/results/latest-side.json');
    return 0;
  }
  if (!existsSync(args.tarball)) {
    process.stderr.write(`bench: corpus not found: ${args.tarball} (use --tarball)\n`);
    return 1;
  }
  const started = new Date();
  const installLines = ensureTools(!args.install);
  for (const l of installLines) log(l);
  const ds = prepare({ tarball: args.tarball, quick: args.quick, quickUsers: args.users, log });
  if (ds.manifestCount !== null && ds.files !== ds.manifestCount) log(`warning: ${ds.files} message files extracted, MANIFEST.md says ${ds.manifestCount}`);
  const mach = machine();
  const vers = versions(ROOT);

  let ceil: Ceiling | null = null;
  if (args.ceiling) {
    log('ceiling: warm read of the message files, gunzip of the tarball, openssl speed sha256');
    ceil = ceiling(ds.folder, ds.bytes, ds.tarball, ds.tarballBytes, ds.tarBytes);
  }

  // Untimed warm-up of the tools' own files (node_modules for trove, the binaries for the peers).
  log('warm-up: npx trove --version, notmuch --version, mu --version');
  versions(ROOT);
  const startup = timeShell(`cd "${ROOT}" && npx trove --version > /dev/null`).seconds;

  const runs: Array<{ key: string; r: ToolRun; load: number }> = [];
  const doRun = async (key: string, warmPath: string, fn: () => Promise<ToolRun>): Promise<void> => {
    if (!args.only.has(key)) return;
    warm(warmPath);
    const load = Math.round(loadavg()[0] * 100) / 100;
    log(`run: ${key} (load average ${load})`);
    let r: ToolRun;
    try {
      r = await fn();
    } catch (e) {
      r = { tool: key, commands: [], skipped: null, error: String(e), messages: null, messagesSource: '', counts: {}, notes: [], measured: null, toolSeconds: null, toolPeakRssMb: null };
    }
    if (r.error) log(`${key} failed: ${r.error}`);
    if (r.skipped) log(r.skipped);
    runs.push({ key, r, load });
  };
  await doRun('trove-folder', ds.folder, () => runTrove('trove (folder)', ROOT, ds.folder, args.timeout, args.keep));
  await doRun('trove-tgz', ds.tarball, () => runTrove('trove (tar.gz)', ROOT, ds.tarball, args.timeout, args.keep));
  await doRun('notmuch', ds.maildir, () => runNotmuch(ds.maildir, args.timeout, args.keep));
  await doRun('mu', ds.maildir, () => runMu(ds.maildir, args.timeout, args.keep));

  const rows = runs.map(({ r, load }) => toRow(r, ds, load));
  const byTool = (t: string): Row | undefined => rows.find((r) => r.tool === t && r.status === 'ok');
  const ratio = (a: Row | undefined, b: Row | undefined): number | null => (a?.msgPerSec && b?.msgPerSec ? a.msgPerSec / b.msgPerSec : null);
  const troves = [byTool('trove (folder)'), byTool('trove (tar.gz)')];
  const nm = byTool('notmuch new');
  const mu = byTool('mu index');
  const ratios: Array<{ what: string; value: number | null; target: string; pass: boolean | null }> = [];
  for (const t of troves) {
    if (!t) continue;
    const rn = ratio(t, nm);
    const rm = ratio(t, mu);
    ratios.push({ what: `${t.tool} vs notmuch (msg/s)`, value: rn, target: `≥ ${TARGETS.vsNotmuch}×`, pass: rn === null ? null : rn >= TARGETS.vsNotmuch });
    ratios.push({ what: `${t.tool} vs mu (msg/s)`, value: rm, target: `≥ ${TARGETS.vsMu}×`, pass: rm === null ? null : rm >= TARGETS.vsMu });
    const mbps = t.mbPerSec ?? null;
    ratios.push({ what: `${t.tool} throughput (MB/s)`, value: mbps, target: `≥ ${TARGETS.mbPerSec} MB/s`, pass: mbps === null ? null : mbps >= TARGETS.mbPerSec });
    ratios.push({ what: `${t.tool} peak RSS, process tree (npx included)`, value: t.peakRssMb, target: `≤ ${TARGETS.rssMb} MB`, pass: t.peakRssMb === null ? null : t.peakRssMb <= TARGETS.rssMb });
    const own = t.peakRssDetail?.largestProcessMb ?? null;
    ratios.push({ what: `${t.tool} peak RSS, trove's node process`, value: own, target: `≤ ${TARGETS.rssMb} MB`, pass: own === null ? null : own <= TARGETS.rssMb });
  }

  // ---- the report ----
  const o: string[] = [];
  o.push(`trove ingest benchmark — ${ds.description}: ${fmtInt(ds.files)} message files, ${fmt(ds.bytes / 1e6)} MB (${ds.mode})`);
  o.push(`machine: ${mach.cores} cores (nproc), ${mach.cpuModel}, ${mach.memoryGiB} GiB RAM, Linux ${mach.kernel}; load average at start ${mach.loadAvgAtStart.join(' ')}`);
  o.push(`versions: trove ${vers.trove ?? '?'} on Node ${vers.node ?? '?'}; notmuch ${vers.notmuch ?? 'not installed'}; mu ${vers.mu ?? 'not installed'}; Xapian ${vers.xapian ?? '?'}; ${vers.openssl ?? 'no openssl'}`);
  o.push(`input: folder ${ds.folder}; maildir copy (hard links) ${ds.maildir}; tarball ${ds.tarball} (${fmt(ds.tarballBytes / 1e6)} MB gz, ${fmt(ds.tarBytes / 1e6)} MB tar)`);
  o.push(`method: one run per tool, fresh case/database each; page cache warmed by reading every input file (find | xargs cat > /dev/null) right before each timed run;`);
  o.push(`        seconds = wall time from spawn to exit (trove via npx, start-up included); MB/s = message-file bytes / seconds for every row;`);
  o.push(`        peak RSS = max(sampled sum over the process tree every 100 ms, GNU time's largest process)${haveGnuTime() ? '' : ' — GNU time missing: sampled only'};`);
  o.push(`        largest proc = GNU time's max RSS of the biggest single process (for trove: its node process, without the npx wrapper)`);
  if (startup !== null) o.push(`        trove start-up through npx (npx trove --version, warm): ${fmt(startup, 2)} s, included in trove's seconds`);
  o.push('');
  o.push(
    table(
      ['tool', 'messages', 'vs files', 'seconds', 'msg/s', 'MB/s', 'CPU s', 'peak RSS MB', 'largest proc MB'],
      rows.map((r) =>
        r.status === 'ok'
          ? [r.tool, fmtInt(r.messages), r.check, fmt(r.seconds, 2), fmtInt(r.msgPerSec), fmt(r.mbPerSec), fmt(r.cpuSeconds), fmtInt(r.peakRssMb), fmtInt(r.peakRssDetail?.largestProcessMb)]
          : [r.tool, fmtInt(r.messages), r.check, r.status.slice(0, 60), '–', '–', '–', '–', '–'],
      ),
      [false, true, false, true, true, true, true, true, true],
    ),
  );
  o.push('');
  if (ratios.length) {
    o.push(
      table(
        ['target', 'measured', 'target', 'result'],
        ratios.map((x) => [x.what, x.what.includes('RSS') ? `${fmtInt(x.value)} MB` : x.what.includes('MB/s') && x.value !== null ? `${x.value.toFixed(1)} MB/s` : x.value === null ? '–' : `${x.value.toFixed(2)}×`, x.target, x.pass === null ? 'n/a' : x.pass ? 'PASS' : 'FAIL']),
        [false, true, false, false],
      ),
    );
    o.push('');
  }
  if (ceil) {
    const tf = troves[0];
    const tg = troves[1];
    const share = (a: number | null | undefined, b: number | null | undefined): string => (a && b ? `${((a / b) * 100).toFixed(1)}%` : '–');
    const shaCores = ceil.sha256MBps16k ? ceil.sha256MBps16k * mach.cores : null;
    o.push('ceiling (same machine, warm cache):');
    o.push(`  read every message file (find | xargs cat > /dev/null): ${fmt(ceil.readFilesSeconds, 2)} s, ${fmt(ceil.readFilesMBps)} MB/s, ${fmtInt(ceil.readFilesSeconds ? ds.files / ceil.readFilesSeconds : null)} files/s — trove (folder) reaches ${share(tf?.mbPerSec, ceil.readFilesMBps)}`);
    o.push(`  gunzip the tarball (gzip -dc > /dev/null, 1 core): ${fmt(ceil.gunzipSeconds, 2)} s, ${fmt(ceil.gunzipOutMBps)} MB/s of tar out (${fmt(ceil.gunzipInMBps)} MB/s gz in); message bytes at that rate ${fmt(ceil.gunzipSeconds ? ds.bytes / 1e6 / ceil.gunzipSeconds : null)} MB/s — trove (tar.gz) reaches ${share(tg?.mbPerSec, ceil.gunzipSeconds ? ds.bytes / 1e6 / ceil.gunzipSeconds : null)}`);
    o.push(
      ceil.sha256
        ? `  sha256 (openssl speed -seconds 1 sha256): ${Object.entries(ceil.sha256).map(([k, v]) => `${k} ${fmt(v / 1e6, 0)}`).join(', ')} MB/s per core; 16 KiB blocks × ${mach.cores} cores = ${fmtInt(shaCores)} MB/s — trove (folder) reaches ${share(tf?.mbPerSec, shaCores)}`
        : '  sha256: openssl not installed',
    );
    o.push('');
  }
  o.push('commands:');
  for (const r of rows) for (const c of r.commands) o.push(`  ${r.tool}: ${c}`);
  const notes: string[] = [];
  for (const r of rows) {
    if (r.status !== 'ok') notes.push(`${r.tool}: ${r.status}`);
    if (r.messages !== null) notes.push(`${r.tool}: ${fmtInt(r.messages)} messages from ${r.messagesSource}; ${Object.entries(r.counts).filter(([, v]) => v !== null).map(([k, v]) => `${k} ${fmtInt(v)}`).join(', ')}`);
    if (r.toolSeconds !== null) notes.push(`${r.tool}: trove's own timing ${fmt(r.toolSeconds, 2)} s (${fmtInt(r.messages && r.toolSeconds ? r.messages / r.toolSeconds : null)} msg/s), its own peak RSS ${fmtInt(r.peakRssDetail?.toolReportedMb)} MB`);
    if (r.peakRssDetail) notes.push(`${r.tool}: RSS tree sum ${fmtInt(r.peakRssDetail.treeSampledMb)} MB over ≤ ${r.peakRssDetail.maxProcesses} processes, largest process ${fmtInt(r.peakRssDetail.largestProcessMb)} MB; load average before ${r.loadAvgBefore}`);
    for (const n of r.notes) notes.push(`${r.tool}: ${n}`);
  }
  if (notes.length) {
    o.push('');
    o.push('notes:');
    for (const n of notes) o.push(`  ${n}`);
  }
  process.stdout.write(o.join('\n') + '\n');

  const result = {
    started: started.toISOString(),
    finished: new Date().toISOString(),
    mode: ds.mode,
    argv: process.argv.slice(2),
    dataset: { ...ds },
    machine: mach,
    versions: vers,
    targets: TARGETS,
    rows,
    ratios,
    ceiling: ceil,
    troveStartupSeconds: startup,
    dkim,
    lookalikes,
    scale,
    workers,
    report: [dkim?.report, lookalikes?.report, scale?.report, o.join('\n')].filter(Boolean).join('\n\n'),
  };
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const json = JSON.stringify(result, null, 2) + '\n';
  writeFileSync(join(dir, 'latest.json'), json);
  writeFileSync(join(dir, `latest-${ds.mode}.json`), json);
  log(`wrote bench/results/latest.json and bench/results/latest-${ds.mode}.json`);
  return rows.some((r) => r.tool.startsWith('trove') && r.status.startsWith('failed')) ? 3 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 2;
  },
);
