/**
 * @module ingest/stream-util
 * Small stream helpers the walker needs: look at the first bytes of a stream without losing
 * them, read a bounded amount into memory, spool to a temporary file, hash along the way.
 */
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface Peeked {
  head: Buffer;
  /** The whole stream again, head included. */
  stream: Readable;
}

export async function peek(input: Readable, n: number): Promise<Peeked> {
  const it = input[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let size = 0;
  let ended = false;
  while (size < n) {
    const r = await it.next();
    if (r.done) {
      ended = true;
      break;
    }
    const c = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
    chunks.push(c);
    size += c.length;
  }
  const head = Buffer.concat(chunks);
  async function* rest() {
    if (head.length) yield head;
    if (ended) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value as Buffer;
    }
  }
  return { head: head.subarray(0, n), stream: Readable.from(rest(), { objectMode: false }) };
}

/** Reads a stream into one buffer; returns null (and drains the rest) if it exceeds `max` bytes. */
export async function readBounded(input: Readable, max: number, hash?: Hash): Promise<{ bytes: Buffer | null; size: number }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  for await (const c of input) {
    const b = c as Buffer;
    size += b.length;
    hash?.update(b);
    if (over) continue;
    if (size > max) {
      over = true;
      chunks.length = 0;
      continue;
    }
    chunks.push(b);
  }
  return { bytes: over ? null : Buffer.concat(chunks, size), size };
}

/** Copies a stream to a file, hashing it. */
export async function spool(input: Readable, path: string): Promise<{ sha256: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  async function* tap(src: Readable) {
    for await (const c of src) {
      h.update(c as Buffer);
      size += (c as Buffer).length;
      yield c;
    }
  }
  await pipeline(input, tap, createWriteStream(path, { flags: 'wx' }));
  return { sha256: h.digest('hex'), size };
}

/** Passes a stream through while hashing it and counting bytes (for chain of custody and progress). */
export function hashing(input: Readable, onBytes?: (n: number) => void): { stream: Readable; digest: () => string; size: () => number } {
  const h = createHash('sha256');
  let size = 0;
  let digest: string | null = null;
  async function* tap() {
    for await (const c of input) {
      h.update(c as Buffer);
      size += (c as Buffer).length;
      onBytes?.((c as Buffer).length);
      yield c as Buffer;
    }
  }
  return {
    stream: Readable.from(tap(), { objectMode: false }),
    digest: () => (digest ??= h.digest('hex')),
    size: () => size,
  };
}

/** Reads and discards the rest of a stream (sequential archives need each member consumed). */
export async function drain(input: Readable, hash?: Hash): Promise<number> {
  let n = 0;
  for await (const c of input) {
    hash?.update(c as Buffer);
    n += (c as Buffer).length;
  }
  return n;
}

/**
 * Runs `fn` on the file opened read-only and closes it after; null when the file cannot be
 * opened (the after-the-fact checks of the archive readers: a missing file is not their finding).
 */
export async function withOpenFile<T>(path: string, fn: (fh: FileHandle) => Promise<T>): Promise<T | null> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch {
    return null;
  }
  try {
    return await fn(fh);
  } finally {
    await fh.close();
  }
}
