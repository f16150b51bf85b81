/**
 * Every "Bad input" case of the ingest issue: each gets a skip or error entry with its
 * locator (or an anomaly on the stored message), the run goes on, nothing is written
 * outside the case, and memory stays bounded.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/corpora.ts';
import { trove, troveJson, type StatusJson } from '../helpers/cli.ts';

let work: string;
let dump: string;
let caseDir: string;
let st: StatusJson;
let records: { id: string; message_id: string | null; sources: { locator: string }[]; evidence: { code: string }[] }[];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'trove-hostile-'));
  dump = join(work, 'dump');
  caseDir = join(work, 'case');
  execFileSync('python3', [join(REPO, 'test/ingest/make-hostile.py'), dump]);
  const r = trove(['--case', caseDir, 'ingest', dump, '--json']);
  expect(r.status, r.stderr).toBe(0);
  st = troveJson<StatusJson>(['--case', caseDir, 'status']);
  records = trove(['--case', caseDir, 'export']).stdout.trim().split('\n').map((l) => JSON.parse(l));
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

const skip = (loc: string) => st.skipped.find((s) => s.locator === loc);
const err = (prefix: string) => st.errors.filter((e) => e.locator.startsWith(prefix));
const byMid = (mid: string) => records.find((r) => r.message_id === `<${mid}@hostile.example>`);

describe('hostile input', () => {
  it('zip bomb: skipped as bomb-ratio, its sibling still ingested', () => {
    expect(skip('dump/bomb.zip!zeros.eml')?.code).toBe('bomb-ratio');
    expect(byMid('beside-bomb')).toBeDefined();
  });

  it('zip-slip and absolute names: read (evidence), warned, nothing written outside the case', () => {
    expect(byMid('zip-slip')?.sources[0].locator).toBe('dump/slip.zip!../../escaped.eml');
    expect(byMid('absolute')?.sources[0].locator).toBe('dump/slip.zip!/etc/absolute.eml');
    expect(st.warnings.map((w) => w.locator)).toEqual(expect.arrayContaining(['dump/slip.zip!../../escaped.eml', 'dump/slip.zip!/etc/absolute.eml']));
    expect(readdirSync(work).sort()).toEqual(['case', 'dump']);
  });

  it('symlink in tar: skipped, the real member ingested', () => {
    expect(skip('dump/links.tar!mail/link.eml')?.code).toBe('symlink');
    expect(byMid('in-tar')?.sources[0].locator).toBe('dump/links.tar!mail/real.eml');
  });

  it('nesting deeper than the limit: skipped as too-deep at level 32', () => {
    const deep = st.skipped.filter((s) => s.code === 'too-deep');
    expect(deep).toHaveLength(1);
    expect(deep[0].locator.split('!')).toHaveLength(33);
    expect(byMid('deepest')).toBeUndefined();
  });

  it('truncated zip and tar.gz: an error with the locator, members before the cut kept', () => {
    expect(err('dump/truncated.zip').length).toBeGreaterThan(0);
    expect(err('dump/truncated.tar.gz').length).toBeGreaterThan(0);
    const tgz = records.filter((r) => r.message_id?.startsWith('<trunc-tgz-'));
    expect(tgz.length).toBeGreaterThan(0);
    expect(tgz.length).toBeLessThan(20);
  });

  it('0-byte and binary files posing as mail: skipped with a reason', () => {
    expect(skip('dump/empty.eml')?.code).toBe('empty-file');
    expect(skip('dump/binary.eml')?.code).toBe('not-mail');
  });

  it('2 MB header line, NUL bytes, broken boundary, invalid base64: stored with anomalies', () => {
    expect(byMid('long-header')?.evidence.map((e) => e.code)).toContain('header-line-too-long');
    expect(byMid('nul-bytes')).toBeDefined();
    expect(byMid('broken-boundary')?.evidence.map((e) => e.code)).toContain('mime-boundary-unterminated');
    expect(byMid('bad-base64')?.evidence.map((e) => e.code)).toContain('base64-invalid');
  });

  it('invalid UTF-8 file name: ingested, locator shows the bytes it could decode', () => {
    const r = byMid('bad-filename');
    expect(r?.sources[0].locator).toBe('dump/latin1-\ufffdt\ufffd.eml');
  });

  it('accounts for every file in the dump', () => {
    // 13 top-level files; every one is a message, a container, or a skip/error row
    expect(st.incomplete).toEqual([]);
    expect(st.parse_errors).toBe(0);
  });
});
