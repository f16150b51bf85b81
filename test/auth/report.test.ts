/**
 * `trove show ID --report html|md|json` and `trove keys list --missing / fetch`, end to end on a
 * small case (test/fixtures/auth/report: a DKIM-signed message and a hostile unsigned one in a
 * zip). Golden files for md/json (TROVE_UPDATE_GOLDEN=1 rewrites them; review the diff). Every
 * CLI run (test/helpers/cli.ts) preloads deny-network.ts: a DNS lookup or connection fails the command.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trove } from '../helpers/cli.ts';
import { VECTORS_DIR, vectorsPresent } from '../../src/auth/testing/vectors.ts';
import { CaseDb } from '../../src/store/sqlite.ts';
import { buildReport, renderReport, type AuthenticityReport } from '../../src/report/index.ts';

const FIX = fileURLToPath(new URL('../fixtures/auth/report/', import.meta.url));
const UPDATE = process.env.TROVE_UPDATE_GOLDEN === '1';
const AT = new Date('2026-01-01T00:00:00Z');

function run(args: string[]): string {
  const r = trove(args);
  if (r.status !== 0) throw new Error(`trove ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

function makeCase(): string {
  const dir = mkdtempSync(join(tmpdir(), 'trove-report-'));
  run(['--case', join(dir, 'case'), 'ingest', FIX + 'dump.zip', '--json']);
  return join(dir, 'case');
}

/** The report with the run-dependent ingest time fixed, for golden comparison. */
function report(caseDir: string, id: string): AuthenticityReport {
  const db = new CaseDb(caseDir, { create: false });
  try {
    const r = buildReport(db, id, { generatedAt: AT, version: 'TEST' });
    if (!r) throw new Error(`no message ${id}`);
    for (const s of r.sources) s.ingested_at = '2026-01-01T00:00:00.000Z';
    return r;
  } finally {
    db.close();
  }
}

function golden(name: string, text: string): void {
  const path = join(FIX, name);
  if (UPDATE || !existsSync(path)) writeFileSync(path, text);
  expect(text).toBe(readFileSync(path, 'utf8'));
}

const SIGNED = '<rally-budget-1@campaign.example>';

describe('authenticity report and key commands', () => {
  let archived: string;
  let hostileId: string;
  beforeAll(() => {
    archived = makeCase();
    expect(JSON.parse(run(['--case', archived, 'keys', 'list', '--missing', '--json']))).toEqual([
      { name: 'rep._domainkey.campaign.example', domain: 'campaign.example', selector: 'rep', messages: 1, aligned: 1 },
    ]);
    run(['--case', archived, 'keys', 'import', FIX + 'keys.txt']);
    run(['--case', archived, 'analyze']);
    const ids = run(['--case', archived, 'export']).trim().split('\n').map((l) => JSON.parse(l) as { id: string; message_id: string | null });
    hostileId = ids.find((m) => m.message_id !== SIGNED)!.id;
  }, 60_000);

  it('keys list --missing is empty once the key is archived', () => {
    expect(JSON.parse(run(['--case', archived, 'keys', 'list', '--missing', '--json']))).toEqual([]);
  });

  it('md and json reports match the golden files', () => {
    const r = report(archived, SIGNED);
    expect(r.verdict).toBe('verified');
    expect(r.sources[0].containers[0]).toMatchObject({ locator: 'dump.zip', format: 'zip' });
    expect(r.sources[0].containers[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.dkim[0]).toMatchObject({ domain: 'campaign.example', selector: 'rep', result: 'pass', body_hash: 'match', header_signature: 'valid' });
    expect(r.attachments.map((a) => a.filename)).toEqual(['budget.csv']);
    golden('signed.report.md', renderReport(r, 'md'));
    golden('signed.report.json', renderReport(r, 'json'));
  });

  it('the HTML report is static, loads nothing remote and escapes hostile header values', () => {
    const html = renderReport(report(archived, hostileId), 'html');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<(img|iframe|svg|link|object|embed|base)\b/i);
    expect(html).not.toMatch(/url\(|@import/i);
    // message-derived text (URLs, on…= handlers) appears only escaped, never inside a real tag
    const tags = html.match(/<[^>]*>/g) ?? [];
    expect(tags.length).toBeGreaterThan(50);
    for (const tag of tags) {
      expect(tag, tag).not.toMatch(/https?:|\/\/|\son\w+\s*=|\s(src|href|action)\s*=/i);
    }
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).toContain('&#60;svg onload=alert(3)&#62;.html');
    expect(html).toContain("Content-Security-Policy\" content=\"default-src 'none'");
    const md = renderReport(report(archived, hostileId), 'md');
    // in Markdown every < and [ from the message is backslash-escaped, and no bare URL autolinks
    expect(md).not.toMatch(/(^|[^\\])<(script|img|svg|iframe)/im);
    expect(md).not.toMatch(/(^|[^\\])\]\(|https?:\/\//im);
  });

  it('trove show --report html --out writes the file; bad format is a usage error', () => {
    const out = join(archived, 'report.html');
    run(['--case', archived, 'show', SIGNED, '--report', 'html', '--out', out]);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('Verdict: VERIFIED');
    expect(html).not.toMatch(/<script/i);
    const bad = trove(['--case', archived, 'show', SIGNED, '--report', 'pdf']);
    expect(bad.status).toBe(1);
    expect(JSON.parse(run(['--case', archived, 'show', SIGNED, '--report', 'json'])).format).toBe('trove-authenticity-report/1');
  });

  it('keys fetch: denied network is reported per name, never crashes, archives nothing', () => {
    const c = makeCase();
    const r = JSON.parse(run(['--case', c, 'keys', 'fetch', '--json', '--timeout', '2000'])) as { errors: number; added: number; results: { outcome: string; error?: string }[] };
    expect(r.added).toBe(0);
    expect(r.errors).toBe(1);
    expect(r.results[0].error).toMatch(/denied/);
  });

  it('keys fetch (from a zone file) archives the key with the date seen; it verifies with key-fetched evidence', () => {
    const c = makeCase();
    const r = JSON.parse(run(['--case', c, 'keys', 'fetch', '--json', '--zone', FIX + 'keys.txt'])) as { found: number; added: number; fetched_at: string };
    expect([r.found, r.added]).toEqual([1, 1]);
    const keys = JSON.parse(run(['--case', c, 'keys', 'list', '--json'])) as { source: string; first_seen: string; last_seen: string }[];
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ source: 'dns', first_seen: r.fetched_at, last_seen: r.fetched_at });
    // fetching again refreshes last_seen, adds nothing
    const again = JSON.parse(run(['--case', c, 'keys', 'fetch', '--json', '--zone', FIX + 'keys.txt'])) as { names: number };
    expect(again.names).toBe(0); // nothing missing any more
    run(['--case', c, 'analyze']);
    const rep = report(c, SIGNED);
    expect(rep.verdict).toBe('verified');
    const fetched = rep.evidence.find((e) => e.code === 'key-fetched');
    expect(fetched?.detail).toContain(`fetched from DNS on ${r.fetched_at.slice(0, 10)}`);
    expect(fetched?.detail).toMatch(/days after campaign\.example signed the message \(t= 2017-04-28\)/);
    expect(rep.dkim[0].key.origin).toBe('dns');
    expect(rep.proves).toMatch(/fetched from DNS on .* after the message was signed, not archived at the time/);
  });

  it.skipIf(!vectorsPresent())('the report lists the ARC chain hop by hop (mailauth-arc cv_pass_i2_1)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trove-report-arc-'));
    const c = join(dir, 'case');
    run(['--case', c, 'ingest', join(VECTORS_DIR, 'mailauth-arc/messages/cv_pass_i2_1.eml')]);
    run(['--case', c, 'keys', 'import', join(VECTORS_DIR, 'mailauth-arc/keys.txt')]);
    const id = (JSON.parse(run(['--case', c, 'export']).trim().split('\n')[0]) as { id: string }).id;
    const r = report(c, id);
    expect([r.arc.result, r.arc.instances]).toEqual(['pass', 2]);
    expect(r.arc.hops.map((h) => [h.instance, h.seal_valid, h.body_hash, h.header_signature])).toEqual([[1, true, 'match', 'valid'], [2, true, 'match', 'valid']]);
    expect(renderReport(r, 'md')).toMatch(/\| 2 \| example\.org \(dummy\) \| pass \| valid \|/);
  });
});
