import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { TroveError } from '../../core/errors.ts';
import { ByteCounter, createGuardStream, ExpansionGuard } from './guard.ts';

const limits = { maxRatio: 10, ratioGraceBytes: 100 };

describe('ExpansionGuard', () => {
  it('allows exactly maxBytes and refuses one more with bomb-size', () => {
    const g = new ExpansionGuard({ name: 'm', limits, maxBytes: 50 });
    g.add(50);
    expect(() => g.add(1)).toThrowError(expect.objectContaining({ code: 'bomb-size' }));
  });

  it('checks the ratio only past the grace bytes', () => {
    const g = new ExpansionGuard({ name: 'm', limits, maxBytes: 1e9, compressedBytes: 1 });
    g.add(100); // 100:1, but within grace
    expect(() => g.add(1)).toThrowError(expect.objectContaining({ code: 'bomb-ratio' }));
  });

  it('reads a live compressed-byte counter at each check', () => {
    let compressed = 20;
    const g = new ExpansionGuard({ name: 'm', limits, maxBytes: 1e9, compressedBytes: () => compressed });
    g.add(150); // 7.5:1
    compressed = 30;
    g.add(150); // 10:1 exactly: allowed
    expect(() => g.add(1)).toThrowError(TroveError);
  });

  it('never checks a ratio for stored data (compressedBytes null)', () => {
    const g = new ExpansionGuard({ name: 'm', limits, maxBytes: 1e9, compressedBytes: null });
    g.add(1e6);
    expect(g.expanded).toBe(1e6);
  });

  it('reports accepted bytes through onBytes, and not the refused chunk', () => {
    const seen: number[] = [];
    const g = new ExpansionGuard({ name: 'm', limits, maxBytes: 10, onBytes: (n) => seen.push(n) });
    g.add(4);
    g.add(6);
    expect(() => g.add(1)).toThrow();
    expect(seen).toEqual([4, 6]);
  });
});

describe('createGuardStream', () => {
  it('passes bytes through unchanged and errors with a TroveError at the limit', async () => {
    const got: Buffer[] = [];
    const sink = new Writable({ write(c, _e, cb) { got.push(c); cb(); } });
    const err = await pipeline(Readable.from([Buffer.from('abc'), Buffer.from('defg'), Buffer.from('h')]), createGuardStream({ name: 'x', limits, maxBytes: 7 }), sink).catch((e) => e);
    expect(err).toBeInstanceOf(TroveError);
    expect((err as TroveError).code).toBe('bomb-size');
    expect(Buffer.concat(got).toString()).toBe('abcdefg');
  });

  it('ByteCounter counts what passes', async () => {
    const c = new ByteCounter();
    await pipeline(Readable.from([Buffer.alloc(3), Buffer.alloc(5)]), c, new Writable({ write(_c, _e, cb) { cb(); } }));
    expect(c.bytes).toBe(8);
  });
});
