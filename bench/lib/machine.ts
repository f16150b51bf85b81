/**
 * @module bench/lib/machine
 * What the bench ran on (cores, CPU model, memory, load), tool versions, installing the peers
 * when possible, and the physical ceiling: warm read throughput, gunzip throughput, SHA-256 speed.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { capture, haveCommand, haveGnuTime, timeShell } from './proc.ts';

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  loadAvgAtStart: number[];
}

export function machine(): Machine {
  const n = capture('nproc', []);
  let model = cpus()[0]?.model ?? '?';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) model = m[1].trim();
  } catch {
    // not Linux
  }
  return {
    cores: n.ok ? Number(n.stdout) : cpus().length,
    cpuModel: model,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: capture('uname', ['-r']).stdout,
    loadAvgAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

function firstLine(s: string): string {
  return s.split('\n')[0]?.trim() ?? '';
}

function dpkgVersion(pkg: string): string | null {
  const r = capture('dpkg-query', ['-W', '-f=${Version}', pkg]);
  return r.ok && r.stdout ? r.stdout : null;
}

export function versions(root: string): Record<string, string | null> {
  const trove = capture('npx', ['trove', '--version'], undefined, root);
  const node = capture('npx', ['node', '--version'], undefined, root);
  const nm = haveCommand('notmuch') ? capture('notmuch', ['--version']) : null;
  const mu = haveCommand('mu') ? capture('mu', ['--version']) : null;
  const ossl = haveCommand('openssl') ? capture('openssl', ['version']) : null;
  return {
    trove: trove.ok ? firstLine(trove.stdout) : null,
    node: node.ok ? firstLine(node.stdout) : null,
    notmuch: nm?.ok ? firstLine(nm.stdout).replace(/^notmuch\s+/, '') : null,
    mu: mu?.ok ? (/version\s+(\S+)/.exec(mu.stdout)?.[1] ?? firstLine(mu.stdout)) : null,
    xapian: dpkgVersion('libxapian30'),
    openssl: ossl?.ok ? firstLine(ossl.stdout) : null,
    gzip: firstLine(capture('gzip', ['--version']).stdout),
  };
}

/**
 * Makes notmuch, mu and GNU time available if they are missing: with apt-get as root, installs
 * them; otherwise says they will be skipped. Returns lines to print.
 */
export function ensureTools(noInstall: boolean): string[] {
  const lines: string[] = [];
  const want: Array<{ pkg: string; ok: () => boolean; what: string }> = [
    { pkg: 'notmuch', ok: () => haveCommand('notmuch'), what: 'notmuch' },
    { pkg: 'maildir-utils', ok: () => haveCommand('mu'), what: 'mu' },
    { pkg: 'time', ok: haveGnuTime, what: 'GNU time (/usr/bin/time)' },
  ];
  const missing = want.filter((w) => !w.ok());
  if (missing.length === 0) return lines;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!noInstall && root && haveCommand('apt-get')) {
    const pkgs = missing.map((m) => m.pkg);
    lines.push(`install: apt-get install -y ${pkgs.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
    const r = spawnSync('apt-get', ['install', '-y', '-qq', ...pkgs], { stdio: 'ignore', env });
    if (r.status !== 0) lines.push(`install: apt-get failed (exit ${r.status})`);
  }
  for (const m of missing) {
    if (!m.ok()) {
      lines.push(m.pkg === 'time' ? 'note: GNU time not installed; peak RSS from /proc polling only, no CPU times' : `skipped: ${m.what} not installed`);
    }
  }
  return lines;
}

export interface Ceiling {
  /** Warm-cache read of every message file (find | xargs cat > /dev/null). */
  readFilesSeconds: number | null;
  readFilesMBps: number | null;
  /** gzip -dc of the tarball to /dev/null. */
  gunzipSeconds: number | null;
  gunzipOutMBps: number | null;
  gunzipInMBps: number | null;
  /** openssl speed -seconds 1 sha256, one core, bytes/s per block size. */
  sha256: Record<string, number> | null;
  sha256MBps16k: number | null;
}

export function ceiling(folder: string, bytes: number, tarball: string, tarballBytes: number, tarBytes: number): Ceiling {
  // Untimed first pass warms the page cache, the second is the measurement.
  const readCmd = `find "${folder}" -type f -print0 | xargs -0 cat > /dev/null`;
  timeShell(readCmd);
  const read = timeShell(readCmd);
  timeShell(`cat "${tarball}" > /dev/null`);
  const gz = timeShell(`gzip -dc "${tarball}" > /dev/null`);
  let sha: Record<string, number> | null = null;
  if (haveCommand('openssl')) {
    const r = capture('openssl', ['speed', '-seconds', '1', 'sha256']);
    // "type  16 bytes  64 bytes ... 16384 bytes" then "sha256  123.45k  ..." (in 1000s of bytes/s)
    const head = /^type\s+(.+)$/m.exec(r.stdout);
    const row = /^sha256\s+(.+)$/m.exec(r.stdout);
    if (head && row) {
      const sizes = head[1].trim().split(/\s+bytes\s*/).filter(Boolean);
      const vals = row[1].trim().split(/\s+/).map((v) => Number(v.replace(/k$/, '')) * 1000);
      sha = {};
      sizes.forEach((s, i) => {
        if (vals[i] !== undefined && Number.isFinite(vals[i])) sha![`${s}B`] = vals[i];
      });
    }
  }
  return {
    readFilesSeconds: read.seconds,
    readFilesMBps: read.seconds ? bytes / 1e6 / read.seconds : null,
    gunzipSeconds: gz.seconds,
    gunzipOutMBps: gz.seconds ? tarBytes / 1e6 / gz.seconds : null,
    gunzipInMBps: gz.seconds ? tarballBytes / 1e6 / gz.seconds : null,
    sha256: sha,
    sha256MBps16k: sha?.['16384B'] ? sha['16384B'] / 1e6 : null,
  };
}
