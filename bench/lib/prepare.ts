/**
 * @module bench/lib/prepare
 * Untimed preparation: the Enron tarball is extracted once into a cache folder under the OS
 * temp dir (reused by later runs), and a maildir-shaped copy is made for notmuch and mu with hard
 * links (same inodes, so the same bytes and the same page cache): `maildir/<user>/<dir…>/N` becomes
 * `md/<user>/<dir…>/cur/N`, with empty `new/` and `tmp/` beside it. `--quick` makes the same for a
 * subset (the first N users by name) plus a tar.gz of that subset for trove's tar.gz row.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

export interface Dataset {
  /** 'full' or 'quick'. */
  mode: string;
  description: string;
  /** Folder trove ingests (the extracted `maildir/` folder, or the subset's). */
  folder: string;
  /** Maildir-shaped copy (cur/new/tmp) for notmuch and mu. */
  maildir: string;
  /** The tar.gz trove ingests for its second row. */
  tarball: string;
  tarballBytes: number;
  /** Size of the uncompressed tar stream. */
  tarBytes: number;
  /** Message files and their total size (the input bytes for MB/s). */
  files: number;
  bytes: number;
  users: string[];
  /** Known message count from MANIFEST.md, when the full corpus is used. */
  manifestCount: number | null;
  cacheDir: string;
}

export interface FileEntry {
  rel: string;
  size: number;
}

export const ENRON_MESSAGES = 44_755;

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.error}`);
}

/** Every regular file under root, relative paths sorted by name. */
export function listFiles(root: string): FileEntry[] {
  const out: FileEntry[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push({ rel: relative(root, p), size: statSync(p).size });
    }
  };
  walk(root);
  return out;
}

/** Hard-links every file of srcMaildir (`<user>/<dir…>/N`) into dst as `<user>/<dir…>/cur/N`. */
function buildMaildirCopy(srcMaildir: string, dst: string): void {
  const partial = `${dst}.partial`;
  rmSync(partial, { recursive: true, force: true });
  const made = new Set<string>();
  for (const f of listFiles(srcMaildir)) {
    const dir = join(partial, dirname(f.rel));
    if (!made.has(dir)) {
      for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(dir, sub), { recursive: true });
      made.add(dir);
    }
    const target = join(dir, 'cur', f.rel.slice(dirname(f.rel).length + 1));
    try {
      linkSync(join(srcMaildir, f.rel), target);
    } catch {
      // another file system: copy instead
      writeFileSync(target, readFileSync(join(srcMaildir, f.rel)));
    }
  }
  renameSync(partial, dst);
}

function gunzippedSize(tarball: string): number {
  const r = spawnSync('sh', ['-c', 'gzip -dc "$1" | wc -c', 'sh', tarball], { encoding: 'utf8' });
  return Number(r.stdout.trim());
}

export interface PrepareOptions {
  tarball: string;
  quick: boolean;
  quickUsers: number;
  log: (s: string) => void;
}

export function prepare(o: PrepareOptions): Dataset {
  const st = statSync(o.tarball);
  const cache = join(tmpdir(), 'trove-bench', `enron-${st.size}`);
  mkdirSync(cache, { recursive: true });
  const src = join(cache, 'src');
  if (!existsSync(src)) {
    o.log(`prepare: extracting ${o.tarball} into ${src} (once; reused later)`);
    const partial = `${src}.partial`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    sh('tar', ['-xzf', o.tarball, '-C', partial]);
    renameSync(partial, src);
  }
  const fullFolder = join(src, 'maildir');
  const fullMd = join(cache, 'md');
  if (!existsSync(fullMd)) {
    o.log(`prepare: building the maildir copy (hard links) in ${fullMd}`);
    buildMaildirCopy(fullFolder, fullMd);
  }
  const sizeFile = join(cache, 'tar-size');
  if (!existsSync(sizeFile)) writeFileSync(sizeFile, String(gunzippedSize(o.tarball)));

  if (!o.quick) {
    const files = listFiles(fullFolder);
    return {
      mode: 'full',
      description: `Enron maildir, all ${readdirSync(fullFolder).length} users`,
      folder: fullFolder,
      maildir: fullMd,
      tarball: o.tarball,
      tarballBytes: st.size,
      tarBytes: Number(readFileSync(sizeFile, 'utf8')),
      files: files.length,
      bytes: files.reduce((a, f) => a + f.size, 0),
      users: readdirSync(fullFolder).sort(),
      manifestCount: ENRON_MESSAGES,
      cacheDir: cache,
    };
  }

  const users = readdirSync(fullFolder).sort().slice(0, o.quickUsers);
  const q = join(cache, `quick-${o.quickUsers}`);
  const qFolder = join(q, 'src', 'maildir');
  const qMd = join(q, 'md');
  const qTar = join(q, `enron-first-${o.quickUsers}-users.tar.gz`);
  if (!existsSync(join(q, 'done'))) {
    o.log(`prepare: building the --quick subset (first ${o.quickUsers} users) in ${q}`);
    rmSync(q, { recursive: true, force: true });
    mkdirSync(qFolder, { recursive: true });
    for (const u of users) sh('cp', ['-al', join(fullFolder, u), join(qFolder, u)]);
    buildMaildirCopy(qFolder, qMd);
    sh('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@1000000000', '-czf', qTar, '-C', join(q, 'src'), 'maildir']);
    writeFileSync(join(q, 'tar-size'), String(gunzippedSize(qTar)));
    writeFileSync(join(q, 'done'), '');
  }
  const files = listFiles(qFolder);
  return {
    mode: 'quick',
    description: `Enron maildir, first ${users.length} users (${users[0]} … ${users[users.length - 1]})`,
    folder: qFolder,
    maildir: qMd,
    tarball: qTar,
    tarballBytes: statSync(qTar).size,
    tarBytes: Number(readFileSync(join(q, 'tar-size'), 'utf8')),
    files: files.length,
    bytes: files.reduce((a, f) => a + f.size, 0),
    users,
    manifestCount: null,
    cacheDir: q,
  };
}

/** Reads every file under dir once (page cache warm-up): `find -type f | xargs cat > /dev/null`. */
export function warm(path: string): void {
  spawnSync('sh', ['-c', 'find "$1" -type f -print0 | xargs -0 cat > /dev/null', 'sh', path], { stdio: 'ignore' });
}
