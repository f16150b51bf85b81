/**
 * Builds the web client (`npx vite build` → dist/web) when dist/web is missing or older than
 * any file under web/ or vite.config.ts. Called before the browser tests; a lock directory
 * keeps test files running in parallel from building at the same time.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../helpers/corpora.ts';

export const DIST = join(REPO, 'dist/web');

function newest(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let n = st.mtimeMs;
  for (const e of readdirSync(path)) n = Math.max(n, newest(join(path, e)));
  return n;
}

function stale(): boolean {
  const index = join(DIST, 'index.html');
  if (!existsSync(index)) return true;
  return statSync(index).mtimeMs < Math.max(newest(join(REPO, 'web')), statSync(join(REPO, 'vite.config.ts')).mtimeMs);
}

export async function ensureClientBuilt(): Promise<void> {
  if (!stale()) return;
  const lock = join(REPO, 'dist/.build-lock');
  mkdirSync(join(REPO, 'dist'), { recursive: true });
  for (let i = 0; ; i++) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // another test file is building: wait for it (a lock older than 2 minutes is stale)
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })!.mtimeMs > 120_000) rmdirSync(lock);
      await new Promise((r) => setTimeout(r, 250));
      if (!stale()) return;
    }
  }
  try {
    if (stale()) execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: REPO, stdio: 'inherit' });
  } finally {
    rmdirSync(lock);
  }
}
