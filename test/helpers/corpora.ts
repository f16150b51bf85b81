/**
 * Paths to the shared corpora (../shared beside the repository, as CI lays it out) and a
 * cached extraction of the tarballs into the OS temp folder.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const SHARED = join(REPO, '..', 'shared');
export const CORPORA = join(SHARED, 'corpora');

/** Extracts corpora/NAME.tar.gz once per machine into a temp folder and returns it. */
export function extracted(name: string): string {
  const dir = join(tmpdir(), `trove-corpus-${name}`);
  const marker = join(dir, '.complete');
  if (!existsSync(marker)) {
    mkdirSync(dir, { recursive: true });
    execFileSync('tar', ['-xzf', join(CORPORA, `${name}.tar.gz`), '-C', dir]);
    execFileSync('touch', [marker]);
  }
  return dir;
}
