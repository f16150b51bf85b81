/**
 * The originals are never modified: a writable folder holding every kind of input trove reads
 * (loose .eml, a maildir, an mbox, Outlook .msg and .pst, zip, tar, tar.gz, gz, bz2, 7z, rar,
 * an archive inside an archive, a symlink, an empty file) is ingested and analysed, and then every
 * file's bytes (SHA-256), size, mtime and ctime (nanoseconds; ctime moves on any write or chmod)
 * are what they were, and no file or folder was created beside them. The inputs are copies in a
 * temp folder (writable, so a write would succeed and be seen), taken from ../shared/corpora and
 * test/fixtures.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPORA, REPO } from '../helpers/corpora.ts';
import { trove, troveJson, type StatusJson } from '../helpers/cli.ts';

const work = mkdtempSync(join(tmpdir(), 'trove-originals-'));
const dump = join(work, 'dump');
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Fact {
  sha256: string | null;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  mode: bigint;
}

/** Every entry under `dir` (files, folders, symlinks — not followed) with its facts. */
function facts(dir: string): Map<string, Fact> {
  const out = new Map<string, Fact>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p, { bigint: true });
      out.set(relative(dir, p), {
        sha256: st.isFile() ? createHash('sha256').update(readFileSync(p)).digest('hex') : null,
        size: st.size,
        mtimeNs: st.mtimeNs,
        ctimeNs: st.ctimeNs,
        mode: st.mode,
      });
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

const FIX = join(REPO, 'test/fixtures/archive');

beforeAll(() => {
  mkdirSync(join(dump, 'loose'), { recursive: true });
  for (const f of ['simple-multipart.eml', 'simple-embedded-message.eml', 'japanese.txt']) copyFileSync(join(CORPORA, 'mimekit/messages', f), join(dump, 'loose', f));
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(dump, 'maildir', sub), { recursive: true });
  copyFileSync(join(CORPORA, 'mimekit/messages/epilogue.txt'), join(dump, 'maildir/cur/1700000000.1.host:2,S'));
  copyFileSync(join(CORPORA, 'mimekit/messages/body.5.txt'), join(dump, 'maildir/new/1700000001.2.host'));
  copyFileSync(join(CORPORA, 'mbox/httpd-users-200606-part.mbox'), join(dump, 'list.mbox'));
  copyFileSync(join(CORPORA, 'msg/Simple.msg'), join(dump, 'Simple.msg'));
  copyFileSync(join(CORPORA, 'msg/msgInMsg.msg'), join(dump, 'msgInMsg.msg'));
  copyFileSync(join(CORPORA, 'pst/enron.pst'), join(dump, 'enron.pst'));
  for (const f of ['normal.zip', 'zip64.zip', 'unsafe.zip', 'normal.tar', 'hello.txt.gz', 'multi.bz2', 'normal.7z', 'rar4-folders.rar']) copyFileSync(join(FIX, f), join(dump, f));
  writeFileSync(join(dump, 'normal.tar.gz'), gzipSync(readFileSync(join(FIX, 'normal.tar'))));
  copyFileSync(join(REPO, 'demo/sample-dump.zip'), join(dump, 'sample-dump.zip'));
  writeFileSync(join(dump, 'empty.eml'), '');
  symlinkSync(join(dump, 'list.mbox'), join(dump, 'link.mbox'));
  // give every input an old, distinctive mtime, so a rewrite (even of the same bytes) shows
  const old = new Date('2016-06-01T12:00:00Z');
  for (const [rel] of facts(dump)) {
    const p = join(dump, rel);
    if (lstatSync(p).isFile()) utimesSync(p, old, old);
  }
});

describe('originals unchanged', () => {
  it('ingest and analyze leave every input byte, size, mtime and ctime as they were, and create nothing beside them', () => {
    const before = facts(dump);
    expect(before.size).toBeGreaterThan(20);
    const caseDir = join(work, 'case');
    const r = trove(['--case', caseDir, 'ingest', dump, '--workers', '2', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(trove(['--case', caseDir, 'analyze', '--json']).status).toBe(0);
    expect(trove(['--case', caseDir, 'search', 'the', '--json']).status).toBe(0);
    // and the run read every kind: messages from the PST, the .msg files, every archive
    const st = troveJson<StatusJson>(['--case', caseDir, 'status']);
    expect(st.messages).toBeGreaterThan(90);
    expect(st.containers).toBeGreaterThanOrEqual(10);
    const after = facts(dump);
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [rel, b] of before) expect(after.get(rel), rel).toEqual(b);
    // nothing beside the dump and the case either (no spool or temp files left in the work folder)
    expect(readdirSync(work).sort()).toEqual(['case', 'dump']);
  });
});
