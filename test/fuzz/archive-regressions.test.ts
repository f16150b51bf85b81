/**
 * Crashes and silent losses the container fuzzing (test/fuzz/archives.ts) found, each kept as a
 * regression test on the exact input that showed it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readRar, readSevenZip, readTar, readZip } from '../../src/ingest/archive/index.ts';
import { collect, context, fixture, makeTmp } from '../../src/ingest/archive/test-support.ts';
import { REPO } from '../helpers/corpora.ts';
import { applyMutation, type Mutation } from './mutate.ts';
import { fixTarChecksums } from './archives.ts';
import { writeFileSync } from 'node:fs';

/** Sets a tar header's typeflag and recomputes its checksum (POSIX ustar, offset 148 and 156). */
function retype(tar: Buffer, headerAt: number, flag: string): Buffer {
  const out = Buffer.from(tar);
  out.write(flag, headerAt + 156, 'latin1');
  out.fill(0x20, headerAt + 148, headerAt + 156);
  let sum = 0;
  for (let i = headerAt; i < headerAt + 512; i++) sum += out[i];
  out.write(sum.toString(8).padStart(6, '0') + '\0 ', headerAt + 148, 'latin1');
  return out;
}

describe('container regressions (found by fuzzing)', () => {
  it('zip: a member whose name was turned into a directory name ("…/") but holds bytes is read, not dropped', async () => {
    // seed demo/sample-dump.zip, shrunk counterexample of `scripts/fuzz.ts --only containers --seed 4242`
    const seed = readFileSync(join(REPO, 'demo', 'sample-dump.zip'));
    const found: Mutation[] = [{ op: 'flip', at: 0.9811258278145695, byte: 47 }, { op: 'flip', at: 0.75, byte: 0 }];
    const bytes = found.reduce((b: Buffer, m) => applyMutation(b, m), seed);
    const { dir, cleanup } = makeTmp();
    try {
      const path = join(dir, 'x.zip');
      writeFileSync(path, bytes);
      const base = await collect(readZip(join(REPO, 'demo', 'sample-dump.zip'), context(dir)));
      const got = await collect(readZip(path, context(dir)));
      const withData = got.entries.filter((e) => e.name.endsWith('/') && (e.size ?? 0) > 0);
      expect(withData.length).toBe(1);
      expect(withData[0].type).toBe('file');
      // every member of the seed still comes out as a file or as an error/problem, none is skipped
      const files = got.entries.filter((e) => e.type === 'file').length;
      expect(files + got.problems.length).toBeGreaterThanOrEqual(base.entries.filter((e) => e.type === 'file').length);
    } finally {
      cleanup();
    }
  });

  it('tar: a directory header that declares bytes ends (no hang) with an error naming the member', async () => {
    // tar-stream never ended such an entry's stream: the walk waited forever
    const tar = readFileSync(fixture('normal.tar'));
    const at = 512; // header of mail/hard.eml (33 bytes of data)
    expect(tar.toString('latin1', at, at + 13)).toBe('mail/hard.eml');
    const hang = new Promise((_, reject) => setTimeout(() => reject(new Error('hang')), 5_000));
    const got = await Promise.race([collect(readTar(Readable.from([fixTarChecksums(retype(tar, at, '5'))]), context(''))), hang]) as Awaited<ReturnType<typeof collect>>;
    expect(got.problems.find((p) => p.name === 'mail/hard.eml')).toMatchObject({ kind: 'error', code: 'archive-corrupt' });
    expect(got.entries.map((e) => e.name)).toContain('mail/');
  });
});

describe('zip: members past the end record\'s count (found by fuzzing)', () => {
  it('a lowered member count in the end record is reported, not read as an empty zip', async () => {
    // seed names.zip, shrunk counterexample of `scripts/fuzz.ts --only containers --seed 777`
    const found: Mutation[] = [{ op: 'flip', at: 0.973630831643002, byte: 0 }, { op: 'flip', at: 0, byte: 0 }];
    const bytes = found.reduce((b: Buffer, m) => applyMutation(b, m), readFileSync(fixture('names.zip')));
    const { dir, cleanup } = makeTmp();
    try {
      // and seed normal.zip, counterexample of `scripts/fuzz.ts --only containers --seed 31337`:
      // the count set to 0 and the directory offset moved into the member data
      const moved: Mutation[] = [{ op: 'flip', at: 0.98560375, byte: 0 }, { op: 'flip', at: 0.99224825, byte: 0 }];
      const movedBytes = moved.reduce((b: Buffer, m) => applyMutation(b, m), readFileSync(fixture('normal.zip')));
      const cases = [['fuzzed', bytes], ['count 4 -> 1', lowerCount(readFileSync(fixture('names.zip')), 1)], ['count 0, offset moved', movedBytes]] as const;
      for (const [what, input] of cases) {
        const path = join(dir, 'x.zip');
        writeFileSync(path, input);
        const got = await collect(readZip(path, context(dir)));
        expect(got.problems.filter((p) => p.name === '' && p.code === 'archive-corrupt'), what).toHaveLength(1);
        expect(got.problems[0].reason, what).toMatch(/members may be hidden/);
      }
      // an intact zip64 (end record behind a zip64 locator) is not flagged
      const ok = await collect(readZip(fixture('zip64.zip'), context(dir)));
      expect(ok.problems).toEqual([]);
    } finally {
      cleanup();
    }
  });
});

/** Sets both entry counts of a zip's end record (the last 22 bytes when there is no comment). */
function lowerCount(zip: Buffer, n: number): Buffer {
  const out = Buffer.from(zip);
  const eocd = out.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  out.writeUInt16LE(n, eocd + 8);
  out.writeUInt16LE(n, eocd + 10);
  return out;
}

describe('7z/rar: bytes 7-Zip did not read (found by fuzzing)', () => {
  it('a damaged RAR4 header that hides the members behind it is reported, with the unread byte count', async () => {
    // seed rar4-folders.rar, counterexample of `scripts/fuzz.ts --only containers --seed 31337`:
    // one flipped flag byte; 7-Zip only warned "There are data after the end of archive"
    const found: Mutation[] = [{ op: 'flip', at: 0.9544405, byte: 127 }];
    const bytes = found.reduce((b: Buffer, m) => applyMutation(b, m), readFileSync(fixture('rar4-folders.rar')));
    const { dir, cleanup } = makeTmp();
    try {
      const path = join(dir, 'x.rar');
      writeFileSync(path, bytes);
      const got = await collect(readRar(path, context(dir)));
      expect(got.entries.filter((e) => e.type === 'file')).toHaveLength(1);
      expect(got.problems).toEqual([expect.objectContaining({ name: '', kind: 'error', code: 'archive-corrupt', reason: expect.stringMatching(/up to byte 5359 of 5618: the last 259 bytes/) })]);
      // zero padding after a whole archive is not a problem
      const padded = join(dir, 'padded.7z');
      writeFileSync(padded, Buffer.concat([readFileSync(fixture('normal.7z')), Buffer.alloc(4096)]));
      const ok = await collect(readSevenZip(padded, context(dir)));
      expect(ok.problems).toEqual([]);
      expect(ok.entries.filter((e) => e.type === 'file').length).toBeGreaterThan(0);
    } finally {
      cleanup();
    }
  });
});
