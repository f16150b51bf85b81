import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sniffArchive } from './sniff.ts';
import { fixture } from './test-support.ts';

const head = (f: string) => readFileSync(fixture(f)).subarray(0, 1024);

/** A pre-POSIX (v7) tar header: no magic, only a valid checksum. */
function v7Header(name: string, corrupt = false): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 'latin1');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write('00000000005\0', 124);
  h.write('13600000000\0', 136);
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  if (corrupt) h[0] ^= 1;
  return h;
}

describe('sniffArchive', () => {
  it.each([
    ['normal.zip', 'zip'],
    ['zip64.zip', 'zip'],
    ['normal.7z', '7z'],
    ['rar4-folders.rar', 'rar'],
    ['rar5-symlink.rar', 'rar'],
    ['hello.txt.gz', 'gzip'],
    ['multi.bz2', 'bzip2'],
    ['zeros-200m.bz2', 'bzip2'],
    ['normal.tar', 'tar'],
    ['pax.tar', 'tar'],
  ])('%s → %s', (f, kind) => {
    expect(sniffArchive(head(f))).toBe(kind);
  });

  it('recognises an empty zip and a spanned-zip marker', () => {
    expect(sniffArchive(Buffer.from('PK\x05\x06' + '\0'.repeat(18), 'latin1'))).toBe('zip');
    expect(sniffArchive(Buffer.from('PK\x07\x08PK\x03\x04', 'latin1'))).toBe('zip');
  });

  it('recognises an old-style tar by its header checksum, and not a damaged one', () => {
    expect(sniffArchive(v7Header('old.txt'))).toBe('tar');
    expect(sniffArchive(v7Header('old.txt', true))).toBeNull();
  });

  it('rejects near misses', () => {
    expect(sniffArchive(Buffer.from('BZh0'))).toBeNull(); // level 0 does not exist
    expect(sniffArchive(Buffer.from('BZh9 not a block magic'))).toBeNull();
    expect(sniffArchive(Buffer.from('Rar!\x1a\x07\x02\x00', 'latin1'))).toBeNull();
    expect(sniffArchive(Buffer.from([0x1f, 0x8b, 0x07]))).toBeNull(); // gzip magic, not deflate
    expect(sniffArchive(Buffer.from('From: a@example.org\r\n\r\nhi'))).toBeNull();
    expect(sniffArchive(Buffer.alloc(512))).toBeNull(); // a zero block is the end of a tar, not a tar
    expect(sniffArchive(Buffer.alloc(0))).toBeNull();
  });
});
