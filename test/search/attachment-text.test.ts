/**
 * Attachment text reaches the index through the whole pipeline: a message carrying a DOCX and
 * a PDF (fixtures of src/extract) is found by words that appear only inside those files,
 * accent-insensitively, and not by words that appear nowhere.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/corpora.ts';
import { trove } from '../helpers/cli.ts';

const work = mkdtempSync(join(tmpdir(), 'trove-atttext-'));
const caseDir = join(work, 'case');
const fx = (n: string) => readFileSync(join(REPO, 'test/fixtures/extract', n)).toString('base64').replace(/.{76}/g, '$&\n');

beforeAll(() => {
  mkdirSync(join(work, 'dump'));
  const eml = [
    'Message-ID: <att@docs.example>', 'From: a@docs.example', 'To: b@docs.example', 'Subject: documents', 'Date: Mon, 1 May 2017 10:00:00 +0000',
    'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain', '', 'See attached.', '',
    '--b', 'Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document; name="notes.docx"',
    'Content-Disposition: attachment; filename="notes.docx"', 'Content-Transfer-Encoding: base64', '', fx('sample.docx'), '',
    '--b', 'Content-Type: application/pdf; name="minutes.pdf"', 'Content-Disposition: attachment; filename="minutes.pdf"',
    'Content-Transfer-Encoding: base64', '', fx('two-pages.pdf'), '', '--b--', '',
  ].join('\n');
  writeFileSync(join(work, 'dump/att.eml'), eml);
  const r = trove(['--case', caseDir, 'ingest', join(work, 'dump')]);
  expect(r.status, r.stderr).toBe(0);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const count = (q: string) => Number(trove(['--case', caseDir, 'search', q, '--count']).stdout.trim());

describe('attachment text in search', () => {
  it('finds words only present inside the DOCX (accents folded, Cyrillic)', () => {
    expect(count('geneve')).toBe(1);
    expect(count('Москва')).toBe(1);
  });
  it('finds a phrase only present inside the PDF', () => {
    expect(count('"second page text"')).toBe(1);
  });
  it('does not find what is in no part of the message', () => {
    expect(count('zanzibar')).toBe(0);
  });
});
