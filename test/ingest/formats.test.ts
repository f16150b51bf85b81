/**
 * Every input format, nested inside one zip, through the CLI: maildir (cur/new), MH with its
 * .mh_sequences, tar.bz2 holding a CRLF mbox, a gzipped .eml, a .txt message, a zip and a 7z
 * inside the zip. Locators must name each level.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/corpora.ts';
import { trove, troveJson, type StatusJson } from '../helpers/cli.ts';

const work = mkdtempSync(join(tmpdir(), 'trove-formats-'));
let locators: string[];
let st: StatusJson;

beforeAll(() => {
  execFileSync('python3', [join(REPO, 'test/ingest/make-formats.py'), work, join(REPO, 'test/fixtures/archive')]);
  const caseDir = join(work, 'case');
  const r = trove(['--case', caseDir, 'ingest', join(work, 'formats.zip')]);
  expect(r.status, r.stderr).toBe(0);
  st = troveJson<StatusJson>(['--case', caseDir, 'status']);
  locators = trove(['--case', caseDir, 'export']).stdout.trim().split('\n').flatMap((l) => (JSON.parse(l) as { sources: { locator: string }[] }).sources.map((s) => s.locator)).sort();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('formats, nested', () => {
  it('finds every message under a locator that names each container level', () => {
    expect(locators).toEqual([
      'formats.zip!dump/archives/inner.zip!deeper/inner.eml',
      'formats.zip!dump/archives/msgs.tar.bz2!lists/crlf.mbox!#1',
      'formats.zip!dump/archives/msgs.tar.bz2!lists/crlf.mbox!#2',
      'formats.zip!dump/archives/msgs.tar.bz2!lists/crlf.mbox!#3',
      'formats.zip!dump/archives/normal.7z!mail/inbox/1.eml',
      'formats.zip!dump/archives/normal.7z!mail/sent/3.eml',
      'formats.zip!dump/archives/one.eml.gz!one.eml',
      'formats.zip!dump/loose/note.txt',
      'formats.zip!dump/maildir/alice/cur/1494000000.M1.host:2,S',
      'formats.zip!dump/maildir/alice/new/1494000001.M2.host',
      'formats.zip!dump/mh/inbox/1',
      'formats.zip!dump/mh/inbox/2',
    ]);
  });

  it('accounts for the containers and the non-mail files', () => {
    // formats.zip, inner.zip, msgs.tar.bz2 (tar read through), crlf.mbox, one.eml.gz, normal.7z
    expect(st.containers).toBe(6);
    // .mh_sequences and normal.7z's readme.txt
    expect(st.files).toBe(2);
    expect(st.errors).toEqual([]);
    expect(st.skipped).toEqual([]);
    expect(st.incomplete).toEqual([]);
  });
});
