import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readRar } from './rar.ts';
import { collect, context, fixture, makeTmp } from './test-support.ts';

const tmp = makeTmp();
afterAll(tmp.cleanup);
const ctx = context(tmp.dir);

describe('readRar', () => {
  it('reads RAR4 with nested folders and Unicode names; bytes match the stored CRCs', async () => {
    const { entries, problems } = await collect(readRar(fixture('rar4-folders.rar'), ctx));
    expect(problems).toEqual([]);
    expect(entries.map((e) => [e.name, e.type, e.size])).toEqual([
      ['Folder1/Folder Space/long.txt', 'file', 1049076],
      ['Folder1/Folder 中文/2中文.txt', 'file', 15],
      ['Folder1/Folder Space', 'directory', 0],
      ['Folder1/Folder 中文', 'directory', 0],
      ['Folder1', 'directory', 0],
    ]);
    const long = entries[0].bytes!;
    expect(long.length).toBe(1049076);
    expect(crc32(long)).toBe(0xf6a81a6e);
    expect(entries[1].bytes).toEqual(Buffer.from('\uFEFF中文中文'));
    expect(readdirSync(tmp.dir)).toEqual([]);
  });

  it('reports RAR5 symlinks as symlinks, with their target as content', async () => {
    const { entries, problems } = await collect(readRar(fixture('rar5-symlink.rar'), ctx));
    expect(problems).toEqual([]);
    expect(entries.map((e) => [e.name, e.type, e.size, e.bytes?.toString()])).toEqual([
      ['file.txt', 'file', 5, '1234\n'],
      ['symlink.txt', 'symlink', 8, undefined],
      ['dirlink', 'symlink', 3, undefined],
      ['dir', 'directory', 0, undefined],
    ]);
  });

  it('skips encrypted members (RAR5 and RAR4) and reads the others', async () => {
    const r5 = await collect(readRar(fixture('rar5-encrypted-members.rar'), ctx));
    expect(r5.entries.map((e) => [e.name, e.bytes?.toString()])).toEqual([['a.txt', 'This is from a.txt'], ['c.txt', 'This is from c.txt']]);
    expect(r5.problems.map((p) => [p.name, p.kind, p.code])).toEqual([['b.txt', 'skip', 'encrypted-member'], ['d.txt', 'skip', 'encrypted-member']]);
    const r4 = await collect(readRar(fixture('rar4-encrypted-members.rar'), ctx));
    expect(r4.entries.map((e) => [e.name, e.bytes?.toString()])).toEqual([['1File.txt', '1File']]);
    expect(r4.problems.map((p) => [p.name, p.code])).toEqual([['2中文.txt', 'encrypted-member'], ['3Sec.txt', 'encrypted-member']]);
  });

  it('skips header-encrypted archives as a whole (RAR5 and RAR4)', async () => {
    for (const f of ['rar5-encrypted-headers.rar', 'rar4-encrypted-headers.rar']) {
      const { entries, problems } = await collect(readRar(fixture(f), ctx));
      expect(entries).toEqual([]);
      expect(problems.map((p) => [p.name, p.kind, p.code])).toEqual([['', 'skip', 'encrypted-member']]);
    }
  });

  it('reports a truncated rar: the cut member as an error, the archive as truncated', async () => {
    const raw = readFileSync(fixture('rar4-folders.rar'));
    const cut = join(tmp.dir, 'cut.rar');
    writeFileSync(cut, raw.subarray(0, raw.length >> 1));
    const { entries, problems } = await collect(readRar(cut, ctx));
    expect(entries.filter((e) => e.bytes)).toEqual([]);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.some((p) => p.kind === 'error' && p.code === 'archive-truncated')).toBe(true);
    expect(readdirSync(tmp.dir).filter((n) => n.startsWith('rar-'))).toEqual([]);
  });

  it('reports garbage after a rar signature as archive-corrupt', async () => {
    const junk = join(tmp.dir, 'junk.rar');
    writeFileSync(junk, Buffer.concat([Buffer.from('Rar!\x1a\x07\x01\x00', 'latin1'), Buffer.alloc(200, 0x41)]));
    const { entries, problems } = await collect(readRar(junk, ctx));
    expect(entries).toEqual([]);
    expect(problems.map((p) => [p.name, p.kind, p.code])).toEqual([['', 'error', 'archive-corrupt']]);
  });
});
