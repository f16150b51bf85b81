import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { readTar } from './tar.ts';
import { collect, context, fixture, makeTmp, readAll } from './test-support.ts';

const tmp = makeTmp();
afterAll(tmp.cleanup);
const ctx = context(tmp.dir);
const LONG_DIR = 'long-directory-name-'.repeat(6);

describe('readTar', () => {
  it('reads a GNU tar: nested folders, links, long and non-UTF-8 names, exact bytes', async () => {
    const { entries, problems } = await collect(readTar(createReadStream(fixture('normal.tar')), ctx));
    expect(problems).toEqual([]);
    expect(entries.map((e) => [e.name, e.type, e.size])).toEqual([
      ['mail/', 'directory', 0],
      ['mail/hard.eml', 'file', 33],
      ['mail/inbox/', 'directory', 0],
      ['mail/inbox/1.eml', 'other', 0], // hard link to mail/hard.eml
      ['mail/sent/', 'directory', 0],
      ['mail/sent/2.eml', 'file', 33],
      ['mail/sent/link.eml', 'symlink', 0],
      ['café.txt', 'file', 6], // the name is Latin-1 (0xE9) in the tar
      [`${LONG_DIR}/`, 'directory', 0],
      [`${LONG_DIR}/file-with-a-long-path.txt`, 'file', 5], // GNU ././@LongLink
    ]);
    const bytes = new Map(entries.map((e) => [e.name, e.bytes?.toString()]));
    expect(bytes.get('mail/hard.eml')).toBe('From: a@example.org\r\n\r\nbody one\r\n');
    expect(bytes.get('mail/sent/2.eml')).toBe('From: b@example.org\r\n\r\nbody two\r\n');
    expect(bytes.get('café.txt')).toBe('latin\n');
    expect(bytes.get(`${LONG_DIR}/file-with-a-long-path.txt`)).toBe('long\n');
  });

  it('reads pax long names', async () => {
    const { entries } = await collect(readTar(createReadStream(fixture('pax.tar')), ctx));
    expect(entries.map((e) => [e.name, e.type, e.bytes?.toString()])).toEqual([
      [`${LONG_DIR}/`, 'directory', undefined],
      [`${LONG_DIR}/file-with-a-long-path.txt`, 'file', 'long\n'],
    ]);
  });

  it('reads the next member when the consumer opens only some', async () => {
    const { entries } = await collect(readTar(createReadStream(fixture('normal.tar')), ctx), { open: (e) => e.name !== 'mail/hard.eml' });
    expect(entries.find((e) => e.name === 'mail/hard.eml')?.bytes).toBeUndefined();
    expect(entries.find((e) => e.name === 'mail/sent/2.eml')?.bytes?.toString()).toBe('From: b@example.org\r\n\r\nbody two\r\n');
  });

  it('reports zip-slip and absolute names as given', async () => {
    const pack = tar.pack();
    pack.entry({ name: '../evil.txt' }, 'evil');
    pack.entry({ name: '/etc/abs.txt' }, 'abs');
    pack.entry({ name: 'ok/link', type: 'symlink', linkname: '/etc/passwd' });
    pack.finalize();
    const { entries } = await collect(readTar(Readable.from(await readAll(pack as unknown as Readable)), ctx));
    expect(entries.map((e) => [e.name, e.type, e.bytes?.toString()])).toEqual([
      ['../evil.txt', 'file', 'evil'],
      ['/etc/abs.txt', 'file', 'abs'],
      ['ok/link', 'symlink', undefined],
    ]);
  });

  it('truncated inside a member: the member stream errors and the iteration ends with archive-truncated', async () => {
    const raw = readFileSync(fixture('normal.tar'));
    const at = raw.indexOf(Buffer.from('body one')) + 4; // cut inside mail/hard.eml's data
    const { entries, problems } = await collect(readTar(Readable.from([raw.subarray(0, at)]), ctx));
    expect(entries.map((e) => [e.name, e.error?.code])).toEqual([['mail/', undefined], ['mail/hard.eml', 'archive-truncated']]);
    expect(problems.map((p) => [p.name, p.kind, p.code])).toEqual([['', 'error', 'archive-truncated']]);
  });

  it('truncated between members: earlier members are intact, then archive-truncated', async () => {
    const raw = readFileSync(fixture('normal.tar'));
    const { entries, problems } = await collect(readTar(Readable.from([raw.subarray(0, 512 * 3 + 100)]), ctx));
    expect(entries.map((e) => [e.name, e.bytes?.length])).toEqual([['mail/', undefined], ['mail/hard.eml', 33]]);
    expect(problems.map((p) => p.code)).toEqual(['archive-truncated']);
  });

  it('reports garbage as archive-corrupt', async () => {
    const { entries, problems } = await collect(readTar(Readable.from([Buffer.alloc(1024, 0x61)]), ctx));
    expect(entries).toEqual([]);
    expect(problems.map((p) => [p.name, p.kind, p.code])).toEqual([['', 'error', 'archive-corrupt']]);
  });

  it('caps expanded bytes with bomb-size and still reaches later members', async () => {
    const pack = tar.pack();
    pack.entry({ name: 'big.bin' }, Buffer.alloc(5000, 1));
    pack.entry({ name: 'small.txt' }, 'tiny');
    pack.finalize();
    const { entries } = await collect(readTar(Readable.from(await readAll(pack as unknown as Readable)), context(tmp.dir, { maxExpandedBytes: 4000 })));
    expect(entries.map((e) => [e.name, e.error?.code, e.bytes?.toString()])).toEqual([
      ['big.bin', 'bomb-size', undefined],
      ['small.txt', undefined, 'tiny'],
    ]);
  });

  it('stops at limits.maxMembers', async () => {
    const { entries, problems } = await collect(readTar(createReadStream(fixture('normal.tar')), context(tmp.dir, { maxMembers: 2 })));
    expect(entries.map((e) => e.name)).toEqual(['mail/', 'mail/hard.eml']);
    expect(problems.map((p) => [p.kind, p.code])).toEqual([['skip', 'too-many-members']]);
  });
});
