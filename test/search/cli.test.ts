/** `trove search` as a user runs it: the contract's --json shape, --count, paging, errors. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { trove, troveJson } from '../helpers/cli.ts';
import { CORPORA } from '../helpers/corpora.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'trove-search-cli-'));
  const r = trove(['--case', dir, 'ingest', join(CORPORA, 'mbox')]);
  expect(r.status).toBe(0);
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('--json gives {total, hits:[{id, subject, from, date, snippet, verdict}]}', () => {
  const r = troveJson<{ total: number; hits: Record<string, unknown>[] }>(['--case', dir, 'search', 'subject:release', '--limit', '3']);
  expect(r.total).toBeGreaterThan(3);
  expect(r.hits).toHaveLength(3);
  for (const h of r.hits) {
    for (const k of ['id', 'subject', 'from', 'date', 'snippet', 'verdict']) expect(h).toHaveProperty(k);
    expect(String(h.subject).toLowerCase()).toContain('release');
  }
  const c = troveJson<{ total: number }>(['--case', dir, 'search', '--count', 'subject:release']);
  expect(c.total).toBe(r.total);
  const page2 = troveJson<{ hits: { id: string }[] }>(['--case', dir, 'search', 'subject:release', '--limit', '3', '--offset', '3']);
  expect(page2.hits.map((h) => h.id)).not.toContain(r.hits[0].id);
});

it('facets and a leading -word', () => {
  const r = troveJson<{ total: number; facets: { verdicts: { count: number }[] } }>(['--case', dir, 'search', '--facets', '-release']);
  expect(r.facets.verdicts.reduce((a, v) => a + v.count, 0)).toBe(r.total);
});

it('a bad query exits 1 with the column', () => {
  const r = trove(['--case', dir, 'search', 'subject:(a OR']);
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/column \d+/);
});
