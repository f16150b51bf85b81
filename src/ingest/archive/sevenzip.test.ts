import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSevenZip } from './sevenzip.ts';
import { collect, context, fixture, makeTmp, readAll } from './test-support.ts';

const tmp = makeTmp();
afterAll(tmp.cleanup);
/** Each test gets its own scratch parent, so leftovers are attributable. */
function fresh(limits = {}) {
  const t = makeTmp();
  return { ctx: context(t.dir, limits), dir: t.dir, cleanup: t.cleanup };
}

describe('readSevenZip', () => {
  it('lists nested folders with exact names, sizes and bytes, and leaves no scratch files', async () => {
    const t = fresh();
    const { entries, problems } = await collect(readSevenZip(fixture('normal.7z'), t.ctx));
    expect(problems).toEqual([]);
    expect(entries.map((e) => [e.name, e.type, e.size])).toEqual([
      ['mail', 'directory', 0],
      ['mail/inbox', 'directory', 0],
      ['mail/sent', 'directory', 0],
      ['mail/inbox/1.eml', 'file', 49],
      ['mail/sent/3.eml', 'file', 52],
      ['readme.txt', 'file', 17],
    ]);
    const bytes = new Map(entries.map((e) => [e.name, e.bytes?.toString('latin1')]));
    expect(bytes.get('mail/inbox/1.eml')).toBe('From: a@example.org\r\nSubject: one\r\n\r\nfirst body\r\n');
    expect(bytes.get('mail/sent/3.eml')).toBe('From: c@example.org\r\nSubject: three\r\n\r\nstored body\r\n');
    expect(bytes.get('readme.txt')).toBe('trove 7z fixture\n');
    expect(readdirSync(t.dir)).toEqual([]);
    t.cleanup();
  });

  it('deletes each extracted file once its stream is consumed, or when the iteration moves past it', async () => {
    const t = fresh();
    const scratchFiles = () => readdirSync(t.dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => d.name).sort();
    const seen: string[][] = [];
    for await (const item of readSevenZip(fixture('normal.7z'), t.ctx)) {
      if ('problem' in item || item.type !== 'file') continue;
      seen.push(scratchFiles());
      if (item.name === 'mail/sent/3.eml') await readAll(await item.open()); // the others are not opened
    }
    expect(seen).toEqual([
      ['1.eml', '3.eml', 'readme.txt'],
      ['3.eml', 'readme.txt'], // 1.eml was never opened: gone when the iterator moved on
      ['readme.txt'], // 3.eml was read: gone once its stream closed
    ]);
    expect(readdirSync(t.dir)).toEqual([]);
    t.cleanup();
  });

  it('removes the scratch folder when the consumer stops early', async () => {
    const t = fresh();
    for await (const item of readSevenZip(fixture('normal.7z'), t.ctx)) {
      if (!('problem' in item) && item.type === 'file') break;
    }
    expect(readdirSync(t.dir)).toEqual([]);
    t.cleanup();
  });

  it('skips encrypted members and reads the rest', async () => {
    const t = fresh();
    const { entries, problems } = await collect(readSevenZip(fixture('encrypted-members.7z'), t.ctx));
    expect(entries.map((e) => [e.name, e.bytes?.toString()])).toEqual([['readme.txt', 'trove 7z fixture\n']]);
    expect(problems.map((p) => [p.name, p.kind, p.code])).toEqual([['mail/inbox/1.eml', 'skip', 'encrypted-member']]);
    t.cleanup();
  });

  it('skips a header-encrypted archive as a whole', async () => {
    const t = fresh();
    const { entries, problems } = await collect(readSevenZip(fixture('encrypted-headers.7z'), t.ctx));
    expect(entries).toEqual([]);
    expect(problems.map((p) => [p.name, p.kind, p.code])).toEqual([['', 'skip', 'encrypted-member']]);
    t.cleanup();
  });

  it('reports a 7z cut in half as archive-truncated, and garbage as archive-corrupt', async () => {
    const t = fresh();
    const raw = readFileSync(fixture('normal.7z'));
    const cut = join(tmp.dir, 'cut.7z');
    writeFileSync(cut, raw.subarray(0, raw.length >> 1));
    const junk = join(tmp.dir, 'junk.7z');
    writeFileSync(junk, Buffer.concat([raw.subarray(0, 32), Buffer.alloc(300, 0x41)]));
    const a = await collect(readSevenZip(cut, t.ctx));
    const b = await collect(readSevenZip(junk, t.ctx));
    expect(a.entries).toEqual([]);
    expect(a.problems.map((p) => [p.name, p.kind, p.code])).toEqual([['', 'error', 'archive-truncated']]);
    expect(b.problems.map((p) => [p.name, p.kind, p.code])).toEqual([['', 'error', 'archive-corrupt']]);
    expect(readdirSync(t.dir)).toEqual([]);
    t.cleanup();
  });

  it('reports damaged compressed data per member, as 7-Zip found it', async () => {
    const t = fresh();
    const raw = Buffer.from(readFileSync(fixture('normal.7z')));
    raw[40] ^= 0xff; // inside the packed stream, before the headers at the end
    const bad = join(tmp.dir, 'flipped.7z');
    writeFileSync(bad, raw);
    const { entries, problems } = await collect(readSevenZip(bad, t.ctx));
    expect(entries.map((e) => e.type)).toEqual(['directory', 'directory', 'directory']);
    expect(problems.map((p) => [p.name, p.kind, p.code, p.reason])).toEqual([
      ['mail/inbox/1.eml', 'error', 'archive-corrupt', '7-Zip: Data Error'],
      ['mail/sent/3.eml', 'error', 'archive-corrupt', '7-Zip: Data Error'],
      ['readme.txt', 'error', 'archive-corrupt', '7-Zip: Data Error'],
    ]);
    expect(readdirSync(t.dir)).toEqual([]);
    t.cleanup();
  });

  it('skips a ratio bomb member from its listing (50 MB of zeros in 7.7 KB) and reads the rest', async () => {
    const t = fresh();
    const { entries, problems } = await collect(readSevenZip(fixture('zeros-50m.7z'), t.ctx));
    expect(entries.map((e) => [e.name, e.bytes?.toString()])).toEqual([['ok.txt', 'ok\n']]);
    expect(problems).toEqual([{ problem: true, name: 'zeros.bin', kind: 'skip', code: 'bomb-ratio', reason: expect.stringContaining('52428800 bytes from 7709') }]);
    t.cleanup();
  });

  it('refuses an archive whose declared total passes maxExpandedBytes, before extracting', async () => {
    const t = fresh({ maxExpandedBytes: 100 });
    const { entries, problems } = await collect(readSevenZip(fixture('normal.7z'), t.ctx));
    expect(entries).toEqual([]);
    expect(problems.map((p) => [p.name, p.kind, p.code])).toEqual([['', 'skip', 'bomb-size']]);
    t.cleanup();
  });

  it('refuses an archive with more than maxMembers members', async () => {
    const t = fresh({ maxMembers: 5 });
    const { entries, problems } = await collect(readSevenZip(fixture('normal.7z'), t.ctx));
    expect(entries).toEqual([]);
    expect(problems.map((p) => [p.name, p.kind, p.code])).toEqual([['', 'skip', 'too-many-members']]);
    t.cleanup();
  });

  it('reports a missing file as io-error', async () => {
    const t = fresh();
    const { problems } = await collect(readSevenZip(join(tmp.dir, 'nope.7z'), t.ctx));
    expect(problems.map((p) => [p.name, p.code])).toEqual([['', 'io-error']]);
    t.cleanup();
  });

  it('does not change the process exit code when 7-Zip fails', async () => {
    const t = fresh();
    const before = process.exitCode;
    await collect(readSevenZip(fixture('encrypted-headers.7z'), t.ctx));
    expect(process.exitCode).toBe(before);
    t.cleanup();
  });
});
