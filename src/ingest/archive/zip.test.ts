import { readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32, createDeflateRaw } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readZip } from './zip.ts';
import { collect, context, fixture, makeTmp } from './test-support.ts';

const tmp = makeTmp();
afterAll(tmp.cleanup);
const ctx = context(tmp.dir);

describe('readZip', () => {
  it('lists nested folders with exact names, types, sizes and bytes', async () => {
    const { entries, problems } = await collect(readZip(fixture('normal.zip'), ctx));
    expect(problems).toEqual([]);
    expect(entries.map((e) => [e.name, e.type, e.size])).toEqual([
      ['mail/', 'directory', 0],
      ['mail/inbox/', 'directory', 0],
      ['mail/inbox/1.eml', 'file', 49],
      ['mail/inbox/2.eml', 'file', 757],
      ['mail/sent/', 'directory', 0],
      ['mail/sent/3.eml', 'file', 52],
      ['readme.txt', 'file', 18],
    ]);
    const byName = new Map(entries.map((e) => [e.name, e.bytes?.toString('latin1')]));
    expect(byName.get('mail/inbox/1.eml')).toBe('From: a@example.org\r\nSubject: one\r\n\r\nfirst body\r\n');
    expect(byName.get('mail/inbox/2.eml')).toBe('From: b@example.org\r\nSubject: two\r\n\r\n' + 'second body line\r\n'.repeat(40));
    expect(byName.get('mail/sent/3.eml')).toBe('From: c@example.org\r\nSubject: three\r\n\r\nstored body\r\n');
    expect(byName.get('readme.txt')).toBe('trove zip fixture\n');
  });

  it('reads zip64 (zip64 end record, 0xFFFFFFFF sizes in the central directory)', async () => {
    const raw = readFileSync(fixture('zip64.zip'));
    expect(raw.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06]))).toBe(true); // the fixture really is zip64
    const { entries, problems } = await collect(readZip(fixture('zip64.zip'), ctx));
    expect(problems).toEqual([]);
    expect(entries.map((e) => [e.name, e.type, e.size, e.bytes?.toString()])).toEqual([
      ['deep/', 'directory', 0, undefined],
      ['deep/one.txt', 'file', 10, 'zip64 one\n'],
      ['deep/er/', 'directory', 0, undefined],
      ['deep/er/two.txt', 'file', 10, 'zip64 two\n'],
    ]);
  });

  it('decodes CP437, unflagged and flagged UTF-8, and marks only broken flagged UTF-8 as lossy', async () => {
    const { entries } = await collect(readZip(fixture('names.zip'), ctx));
    expect(entries.map((e) => [e.name, e.nameLossy ?? false, e.bytes?.toString()])).toEqual([
      ['café/rösti.txt', false, 'cp437\n'],
      ['naïve/日本.txt', false, 'utf8 unflagged\n'],
      ['flagged/Ünïcödé.txt', false, 'utf8 flagged\n'],
      ['bad-\uFFFD\uFFFD.txt', true, 'bad\n'],
    ]);
  });

  it('skips ZipCrypto members without reading them, and still reads the plain ones', async () => {
    const { entries, problems } = await collect(readZip(fixture('encrypted.zip'), ctx));
    expect(entries.map((e) => [e.name, e.bytes?.toString()])).toEqual([['plain.txt', 'plain text\n']]);
    expect(problems).toEqual([{ problem: true, name: 'secret.txt', kind: 'skip', code: 'encrypted-member', reason: expect.any(String) }]);
  });

  it('reports zip-slip and absolute names exactly as stored, and symlinks as symlinks', async () => {
    const { entries, problems } = await collect(readZip(fixture('unsafe.zip'), ctx));
    expect(problems).toEqual([]);
    expect(entries.map((e) => [e.name, e.type, e.bytes?.toString()])).toEqual([
      ['../evil.txt', 'file', 'evil\n'],
      ['/abs/root.txt', 'file', 'abs\n'],
      ['a/../../z.txt', 'file', 'z\n'],
      ['link-to-passwd', 'symlink', undefined],
    ]);
  });

  it('reports a zip cut in half as archive-truncated and ends cleanly', async () => {
    const raw = readFileSync(fixture('normal.zip'));
    const cut = join(tmp.dir, 'cut.zip');
    writeFileSync(cut, raw.subarray(0, raw.length >> 1));
    const { entries, problems } = await collect(readZip(cut, ctx));
    expect(entries).toEqual([]);
    expect(problems).toEqual([{ problem: true, name: '', kind: 'error', code: 'archive-truncated', reason: expect.stringContaining('central directory') }]);
  });

  it('reports a file that is not a zip as archive-corrupt', async () => {
    const junk = join(tmp.dir, 'junk.zip');
    writeFileSync(junk, Buffer.alloc(300, 0x41));
    const { problems } = await collect(readZip(junk, ctx));
    expect(problems.map((p) => [p.name, p.kind, p.code])).toEqual([['', 'error', 'archive-corrupt']]);
  });

  it('fails the member stream on a CRC mismatch', async () => {
    const { entries } = await collect(readZip(fixture('bad-crc.zip'), ctx));
    expect(entries).toHaveLength(1);
    expect(entries[0].bytes).toBeUndefined();
    expect(entries[0].error?.code).toBe('archive-corrupt');
    expect(entries[0].error?.message).toContain('CRC-32 mismatch');
  });

  it('rejects open() with archive-corrupt when a local header is damaged', async () => {
    const raw = Buffer.from(readFileSync(fixture('normal.zip')));
    const at = raw.indexOf(Buffer.from('PK\x03\x04mail/inbox/1'.slice(0, 4)), 1); // 2nd local header
    const third = raw.indexOf(Buffer.from([0x50, 0x4b, 0x03, 0x04]), at + 1); // mail/inbox/1.eml
    raw[third] = 0x00;
    const bad = join(tmp.dir, 'badlocal.zip');
    writeFileSync(bad, raw);
    const { entries } = await collect(readZip(bad, ctx));
    const hit = entries.find((e) => e.name === 'mail/inbox/1.eml');
    expect(hit?.error?.code).toBe('archive-corrupt');
    expect(hit?.error?.message).toContain('local file header');
    // the other members are unaffected
    expect(entries.find((e) => e.name === 'readme.txt')?.bytes?.toString()).toBe('trove zip fixture\n');
  });

  it('stops at limits.maxMembers', async () => {
    const { entries, problems } = await collect(readZip(fixture('normal.zip'), context(tmp.dir, { maxMembers: 3 })));
    expect(entries.map((e) => e.name)).toEqual(['mail/', 'mail/inbox/', 'mail/inbox/1.eml']);
    expect(problems.map((p) => [p.name, p.kind, p.code])).toEqual([['', 'skip', 'too-many-members']]);
  });

  it('caps the expanded total of the container with bomb-size', async () => {
    const { entries } = await collect(readZip(fixture('normal.zip'), context(tmp.dir, { maxExpandedBytes: 49 + 100 })));
    expect(entries.find((e) => e.name === 'mail/inbox/1.eml')?.bytes?.length).toBe(49);
    expect(entries.find((e) => e.name === 'mail/inbox/2.eml')?.error?.code).toBe('bomb-size');
  });

  it('stops a 200 MB deflate bomb with bomb-ratio using little memory', async () => {
    const bomb = join(tmp.dir, 'bomb.zip');
    const size = 200 * 1024 * 1024;
    await writeZerosZip(bomb, 'zeros.bin', size);
    const items = readZip(bomb, context(tmp.dir, { ratioGraceBytes: 1024 * 1024 }));
    let err: { code?: string } | null = null;
    let read = 0;
    let peak = 0;
    const base = memory();
    for await (const item of items) {
      if ('problem' in item) throw new Error(item.reason);
      expect(item.size).toBe(size);
      try {
        for await (const chunk of await item.open()) {
          read += (chunk as Buffer).length;
          peak = Math.max(peak, memory() - base);
        }
      } catch (e) {
        err = e as { code?: string };
      }
    }
    expect(err?.code).toBe('bomb-ratio');
    expect(read).toBeGreaterThanOrEqual(1024 * 1024);
    expect(read).toBeLessThan(4 * 1024 * 1024);
    expect(peak).toBeLessThan(16 * 1024 * 1024);
  });
});

function memory(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** A one-member zip of `size` zero bytes, deflated as a stream (never held in memory). */
async function writeZerosZip(path: string, name: string, size: number): Promise<void> {
  const chunk = Buffer.alloc(1024 * 1024);
  const deflate = createDeflateRaw({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (c: Buffer) => parts.push(c));
  const done = new Promise((r) => deflate.on('end', r));
  let crc = 0;
  for (let left = size; left > 0; left -= chunk.length) {
    crc = crc32(chunk, crc);
    if (!deflate.write(chunk)) await new Promise((r) => deflate.once('drain', r));
  }
  deflate.end();
  await done;
  const data = Buffer.concat(parts);
  const n = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc >>> 0, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(size, 22);
  local.writeUInt16LE(n.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc >>> 0, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(size, 24);
  central.writeUInt16LE(n.length, 28);
  const cdOffset = local.length + n.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + n.length, 12);
  end.writeUInt32LE(cdOffset, 16);
  const fh = await open(path, 'w');
  await fh.writeFile(Buffer.concat([local, n, data, central, n, end]));
  await fh.close();
}
