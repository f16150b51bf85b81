/**
 * The parse pool's bookkeeping, against a stand-in worker (test/helpers/fake-parse-worker.ts):
 * every task is answered once, a dead worker's tasks are retried alone so that only the task
 * that kills it is reported, bytes that went with a dead worker are never retried as empty
 * messages, and each worker holds its next batch while it works on one.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/limits.ts';
import { ParsePool } from '../../src/pipeline/pool.ts';
import { FILE_READ_MAX, type FileRead } from '../../src/pipeline/task.ts';

const FAKE = new URL('../helpers/fake-parse-worker.ts', import.meta.url);

interface Seen { what: string; thread: number; batch: number; prefetched?: boolean }
const seen = (r: FileRead): Seen => JSON.parse((r as { error: string }).error) as Seen;

async function withPool<T>(fn: (pool: ParsePool) => Promise<T>): Promise<T> {
  const pool = new ParsePool(2, DEFAULT_LIMITS, { workerUrl: FAKE });
  try {
    return await fn(pool);
  } finally {
    await pool.close();
  }
}

describe('parse pool', () => {
  it('answers every task once, and each worker has its next batch in hand while it works', async () => {
    await withPool(async (pool) => {
      const reads: Promise<FileRead>[] = [];
      for (let i = 0; i < 64; i++) {
        await pool.room(FILE_READ_MAX);
        reads.push(pool.readFile(`file-${i}`));
      }
      const out = (await Promise.all(reads)).map(seen);
      expect(out.map((o) => o.what)).toEqual(Array.from({ length: 64 }, (_, i) => `file-${i}`));
      expect(new Set(out.map((o) => o.thread)).size).toBe(2);
      const first = out.filter((o) => o.batch === 1);
      expect(first).toHaveLength(16);
      // while each worker was busy with its first batch, the next was already posted to it
      expect(first.every((o) => o.prefetched === true)).toBe(true);
    });
  });

  it("retries a dead worker's tasks one by one: only the task that killed it fails", async () => {
    await withPool(async (pool) => {
      const names = Array.from({ length: 40 }, (_, i) => (i === 13 ? 'file-13-crash' : `file-${i}`));
      const settled = await Promise.allSettled(names.map(async (n) => {
        await pool.room(FILE_READ_MAX);
        return pool.readFile(n);
      }));
      settled.forEach((s, i) => {
        if (i === 13) {
          expect(s.status).toBe('rejected');
          expect(String((s as PromiseRejectedResult).reason)).toMatch(/exited with code 3/);
        } else {
          expect(s.status).toBe('fulfilled');
          expect(seen((s as PromiseFulfilledResult<FileRead>).value).what).toBe(names[i]);
        }
      });
    });
  });

  it('does not retry a message whose bytes went with the dead worker, and goes on', async () => {
    await withPool(async (pool) => {
      const a = pool.parse(Buffer.from('a message'), 'rfc822', 'as-found');
      const b = pool.parse(Buffer.from('a crash'), 'rfc822', 'as-found');
      const [ra, rb] = await Promise.allSettled([a, b]);
      for (const r of [ra, rb]) {
        expect(r.status).toBe('rejected');
        expect(String((r as PromiseRejectedResult).reason)).toMatch(/its bytes went with the worker, so it was not retried/);
      }
      // the dead worker was replaced
      expect(seen(await pool.readFile('after')).what).toBe('after');
    });
  });
});
