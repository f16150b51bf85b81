/**
 * The limits added for the hostile-input issue, each hit reported, never a crash or a silent
 * loss: attachment text extraction (size and characters as `attachment-text-truncated`
 * evidence naming the attachment, on the message whose export record carries its locators; the
 * time budget as `attachment-text-timeout`), and query complexity (length, terms, nesting) as a
 * QueryError with the column where the query went over. The API side of the query limits is in
 * routes.test.ts.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXTRACTION_LIMITS, QUERY_LIMITS } from '../../src/core/limits.ts';
import { DEFAULT_EXTRACT_LIMITS, extractText } from '../../src/extract/index.ts';
import { parseQuery, QueryError } from '../../src/search/parse.ts';
import { trove } from '../helpers/cli.ts';

const work = mkdtempSync(join(tmpdir(), 'trove-limits-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function withAttachment(mid: string, name: string, type: string, body: string): string {
  return `From: a@example.org\r\nTo: b@example.org\r\nSubject: ${mid}\r\nMessage-ID: <${mid}@limits.example>\r\nMIME-Version: 1.0\r\n` +
    `Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--b\r\n` +
    `Content-Type: ${type}\r\nContent-Disposition: attachment; filename="${name}"\r\n\r\n${body}\r\n--b--\r\n`;
}

describe('attachment text extraction limits', () => {
  it('the defaults are the named ones of core/limits', () => {
    expect(DEFAULT_EXTRACT_LIMITS).toEqual(EXTRACTION_LIMITS);
  });

  it('an attachment over the character limit is indexed in part, and the message says which attachment', () => {
    const dump = join(work, 'dump');
    mkdirSync(dump, { recursive: true });
    const big = 'lorem ipsum '.repeat(Math.ceil((EXTRACTION_LIMITS.maxOutputChars + 50_000) / 12));
    writeFileSync(join(dump, 'big.eml'), withAttachment('big', 'minutes.txt', 'text/plain', big));
    writeFileSync(join(dump, 'small.eml'), withAttachment('small', 'note.txt', 'text/plain', 'short note'));
    const caseDir = join(work, 'case');
    const r = trove(['--case', caseDir, 'ingest', dump, '--workers', '1', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const records = trove(['--case', caseDir, 'export']).stdout.trim().split('\n').map((l) => JSON.parse(l) as { message_id: string; sources: { locator: string }[]; evidence: { code: string; detail: string }[] });
    const hit = records.find((x) => x.message_id === '<big@limits.example>')!;
    expect(hit.sources[0].locator).toBe('dump/big.eml');
    const ev = hit.evidence.find((e) => e.code === 'attachment-text-truncated');
    expect(ev?.detail).toMatch(/minutes\.txt/);
    expect(ev?.detail).toMatch(new RegExp(`${EXTRACTION_LIMITS.maxOutputChars}`));
    const ok = records.find((x) => x.message_id === '<small@limits.example>')!;
    expect(ok.evidence.map((e) => e.code)).not.toContain('attachment-text-truncated');
    // the part that was indexed is searchable
    const s = JSON.parse(trove(['--case', caseDir, 'search', 'filename:minutes.txt', '--json']).stdout) as { total: number };
    expect(s.total).toBe(1);
  });

  it('the time budget stops a slow extraction and says it was the time budget', async () => {
    // RTF: a long run of groups and control words, read with a 1 ms budget
    const rtf = Buffer.from('{\\rtf1 ' + '{\\b x}\\par '.repeat(400_000) + '}', 'latin1');
    const x = await extractText(rtf, 'application/rtf', 'slow.rtf', { timeBudgetMs: 1 });
    expect(x.truncated).toBe(true);
    expect(x.timedOut).toBe(true);
    expect(x.note).toMatch(/time budget of 1 ms/);
    const full = await extractText(Buffer.from('{\\rtf1 {\\b x}\\par }', 'latin1'), 'application/rtf', 'fast.rtf');
    expect(full.timedOut).toBeUndefined();
  });
});

describe('query complexity limits', () => {
  const err = (q: string): QueryError => {
    try {
      parseQuery(q);
    } catch (e) {
      if (e instanceof QueryError) return e;
      throw e;
    }
    throw new Error(`no error for ${q.slice(0, 40)}`);
  };

  it('nesting past maxQueryDepth is refused at the "(" or NOT that went over; at the limit it parses', () => {
    const d = QUERY_LIMITS.maxQueryDepth;
    expect(parseQuery('('.repeat(d) + 'x' + ')'.repeat(d)).kind).toBe('text');
    expect(err('('.repeat(d + 1) + 'x' + ')'.repeat(d + 1)).column).toBe(d + 1);
    expect(parseQuery('NOT '.repeat(d) + 'x').kind).toBe('not');
    expect(err('NOT '.repeat(d + 1) + 'x').column).toBe(4 * d + 1);
    expect(err('-'.repeat(d + 1) + 'x').column).toBe(d + 1);
    expect(err('subject:('.repeat(d + 1) + 'x' + ')'.repeat(d + 1)).message).toMatch(/nested more than/);
  });

  it('terms past maxQueryTerms are refused at the first extra term; the old stack overflow is a QueryError', () => {
    const n = QUERY_LIMITS.maxQueryTerms;
    const terms = (k: number) => Array.from({ length: k }, (_, i) => `w${i}`).join(' ');
    expect(parseQuery(terms(n)).kind).toBe('and');
    const e = err(terms(n + 1));
    expect(e.column).toBe(terms(n).length + 2);
    expect(e.code).toBe('usage');
    // what overflowed the stack before the depth limit (RangeError, a 500 in the API)
    expect(err('('.repeat(QUERY_LIMITS.maxQueryChars)).message).toMatch(/nested more than|missing "\)"/);
    expect(err('x'.repeat(QUERY_LIMITS.maxQueryChars + 1)).column).toBe(QUERY_LIMITS.maxQueryChars + 1);
  });
});
