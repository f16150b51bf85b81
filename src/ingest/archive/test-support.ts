/**
 * @module ingest/archive/test-support
 * Helpers shared by the archive reader tests: fixture paths, a context with tight limits,
 * and draining an iterator into plain values so tests can assert exact names and bytes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { DEFAULT_LIMITS, type Limits } from '../../core/limits.ts';
import type { ArchiveEntry, ArchiveItem, EntryProblem, ReaderContext } from '../types.ts';

export const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/archive/', import.meta.url));

export function fixture(name: string): string {
  return join(FIXTURES, name);
}

export function makeTmp(prefix = 'trove-archive-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function context(tmpDir: string, limits: Partial<Limits> = {}): ReaderContext {
  return { limits: { ...DEFAULT_LIMITS, ...limits }, tmpDir };
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export interface Collected {
  name: string;
  type: ArchiveEntry['type'];
  size: number | null;
  nameLossy?: boolean;
  /** Bytes for files (read through open()), or the error the stream/open gave. */
  bytes?: Buffer;
  error?: { code: string; message: string };
}

/** Reads every item; files are opened and drained in order, as the walker does. */
export async function collect(items: AsyncIterable<ArchiveItem>, opts: { open?: (e: ArchiveEntry) => boolean } = {}): Promise<{ entries: Collected[]; problems: EntryProblem[] }> {
  const entries: Collected[] = [];
  const problems: EntryProblem[] = [];
  for await (const item of items) {
    if ('problem' in item) {
      problems.push(item);
      continue;
    }
    const c: Collected = { name: item.name, type: item.type, size: item.size };
    if (item.nameLossy) c.nameLossy = true;
    if (item.type === 'file' && (opts.open?.(item) ?? true)) {
      try {
        c.bytes = await readAll(await item.open());
      } catch (e) {
        const err = e as { code?: string; message?: string };
        c.error = { code: String(err.code), message: String(err.message) };
      }
    }
    entries.push(c);
  }
  return { entries, problems };
}
