import { createReadStream, readFileSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { ArchiveItem } from '../types.ts';
import { readBzip2, readGzip } from './compressed.ts';
import { collect, context, fixture, makeTmp } from './test-support.ts';

const tmp = makeTmp();
afterAll(tmp.cleanup);
const ctx = context(tmp.dir);

const bytesOf = (f: string) => Readable.from([readFileSync(fixture(f))]);

describe('readGzip', () => {
  it('yields one entry named from FNAME, with the exact bytes', async () => {
    const { entries, problems } = await collect(readGzip(createReadStream(fixture('hello.txt.gz')), ctx));
    expect(problems).toEqual([]);
    expect(entries).toEqual([{ name: 'hello.txt', type: 'file', size: null, bytes: Buffer.from('hello gzip\n') }]);
  });

  it('decompresses every member of a multi-member gzip; no FNAME gives an empty name', async () => {
    const { entries } = await collect(readGzip(createReadStream(fixture('multi.gz')), ctx));
    expect(entries.map((e) => [e.name, e.bytes?.toString()])).toEqual([['', 'part one\npart two\n']]);
  });

  it('errors the entry stream with archive-truncated when the gzip is cut short', async () => {
    const raw = readFileSync(fixture('hello.txt.gz'));
    const { entries, problems } = await collect(readGzip(Readable.from([raw.subarray(0, raw.length - 6)]), ctx));
    expect(problems).toEqual([]);
    expect(entries.map((e) => [e.name, e.error?.code])).toEqual([['hello.txt', 'archive-truncated']]);
  });

  it('errors with archive-corrupt on damaged deflate data', async () => {
    const raw = Buffer.from(readFileSync(fixture('hello.txt.gz')));
    raw[raw.length - 5] ^= 0xff; // inside the ISIZE/CRC trailer: a check failure
    const { entries } = await collect(readGzip(Readable.from([raw]), ctx));
    expect(entries[0].error?.code).toBe('archive-corrupt');
  });

  it('reports input that is not gzip as a container problem, with no entry', async () => {
    const { entries, problems } = await collect(readGzip(Readable.from([Buffer.from('plain text, not gzip')]), ctx));
    expect(entries).toEqual([]);
    expect(problems.map((p) => [p.name, p.kind, p.code])).toEqual([['', 'error', 'archive-corrupt']]);
  });

  it('leaves the input stream to its owner when the consumer gives up early', async () => {
    const input = zerosGzip(64 * 1024 * 1024);
    for await (const item of readGzip(input, ctx)) {
      if ('problem' in item) throw new Error(item.reason);
      const s = await item.open();
      await new Promise((r) => s.once('data', r));
      s.destroy();
      await new Promise((r) => s.once('close', r));
    }
    expect(input.destroyed).toBe(false);
    input.destroy();
  });

  it('stops a 200 MB gzip bomb with bomb-ratio using little memory', async () => {
    const input = zerosGzip(200 * 1024 * 1024);
    const r = await drainFirst(readGzip(input, context(tmp.dir, { ratioGraceBytes: 1024 * 1024 })));
    expect(r.code).toBe('bomb-ratio');
    expect(r.read).toBeGreaterThanOrEqual(1024 * 1024);
    expect(r.read).toBeLessThan(2 * 1024 * 1024);
    expect(r.peak).toBeLessThan(16 * 1024 * 1024);
    input.destroy();
  });
});

describe('readBzip2', () => {
  it('decompresses concatenated bzip2 streams in full', async () => {
    const { entries, problems } = await collect(readBzip2(createReadStream(fixture('multi.bz2')), ctx));
    expect(problems).toEqual([]);
    expect(entries).toEqual([{ name: '', type: 'file', size: null, bytes: Buffer.from('bzip part one\nbzip part two\n') }]);
  });

  it('errors with archive-truncated when cut short', async () => {
    const raw = readFileSync(fixture('multi.bz2'));
    const { entries } = await collect(readBzip2(Readable.from([raw.subarray(0, 70)]), ctx));
    expect(entries.map((e) => e.error?.code)).toEqual(['archive-truncated']);
  });

  it('errors with archive-truncated when the end-of-stream marker is missing', async () => {
    const raw = readFileSync(fixture('multi.bz2'));
    const first = raw.subarray(0, raw.indexOf(Buffer.from('BZh', 'latin1'), 3));
    const { entries } = await collect(readBzip2(Readable.from([first.subarray(0, first.length - 8)]), ctx));
    expect(entries.map((e) => e.error?.code)).toEqual(['archive-truncated']);
  });

  it('errors with archive-corrupt on damaged data', async () => {
    const raw = Buffer.from(readFileSync(fixture('multi.bz2')));
    raw[20] ^= 0x55;
    const { entries } = await collect(readBzip2(Readable.from([raw]), ctx));
    expect(entries.map((e) => e.error?.code)).toEqual(['archive-corrupt']);
  });

  it('errors with archive-corrupt on input that is not bzip2', async () => {
    const { entries } = await collect(readBzip2(bytesOf('normal.tar'), ctx));
    expect(entries.map((e) => e.error?.code)).toEqual(['archive-corrupt']);
  });

  it('stops a 200 MB bzip2 bomb (177 bytes) with bomb-ratio using little memory', async () => {
    const r = await drainFirst(readBzip2(createReadStream(fixture('zeros-200m.bz2')), context(tmp.dir, { ratioGraceBytes: 1024 * 1024 })));
    expect(r.code).toBe('bomb-ratio');
    expect(r.read).toBeLessThanOrEqual(1024 * 1024 + 64 * 1024);
    expect(r.peak).toBeLessThan(16 * 1024 * 1024);
  });

  it('enforces maxExpandedBytes with bomb-size', async () => {
    const r = await drainFirst(readBzip2(createReadStream(fixture('zeros-200m.bz2')), context(tmp.dir, { maxExpandedBytes: 300_000 })));
    expect(r.code).toBe('bomb-size');
    expect(r.read).toBeLessThanOrEqual(300_000);
  });
});

/** Reads the single entry counting bytes (not keeping them) and sampling memory. */
async function drainFirst(items: AsyncIterable<ArchiveItem>): Promise<{ code: string | undefined; read: number; peak: number }> {
  const base = memory();
  let peak = 0;
  let read = 0;
  let code: string | undefined;
  for await (const item of items) {
    if ('problem' in item) throw new Error(item.reason);
    try {
      for await (const c of await item.open()) {
        read += (c as Buffer).length;
        peak = Math.max(peak, memory() - base);
      }
    } catch (e) {
      code = (e as { code?: string }).code;
    }
  }
  return { code, read, peak };
}

function memory(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** gzip of `size` zeros, compressed lazily as the consumer pulls (never all in memory). */
function zerosGzip(size: number): Readable {
  const chunk = Buffer.alloc(1024 * 1024);
  let left = size;
  const src = new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      left -= chunk.length;
      this.push(chunk);
    },
  });
  const out = new PassThrough();
  src.pipe(createGzip({ level: 1 })).pipe(out);
  out.on('close', () => src.destroy());
  return out;
}
