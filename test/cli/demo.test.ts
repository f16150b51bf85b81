/**
 * The README's first command: `trove demo` on the bundled sample. Checks what a new user sees:
 * the accounting, one verified message, its doctored copy called tampered and tied to the
 * original as a divergent duplicate, the lookalike phishing mail suspicious, and the charsets decoded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { trove } from '../helpers/cli.ts';

const work = mkdtempSync(join(tmpdir(), 'trove-demo-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Rec { message_id: string | null; subject: string; from: { name: string }[]; verdict: string; sources: { locator: string }[]; evidence: { code: string }[] }

describe('trove demo', () => {
  it('ingests the sample, verifies the signed mail and exposes the doctored copy', () => {
    const caseDir = join(work, 'case');
    const r = trove(['--case', caseDir, 'demo', '--no-serve']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('11 messages (9 new unique, 2 duplicates), 2 containers, 1 other files, 1 skipped, 0 errors');
    const recs = trove(['--case', caseDir, 'export']).stdout.trim().split('\n').map((l) => JSON.parse(l) as Rec);
    const budget = recs.filter((x) => x.message_id === '<20170503071401.4821@horizon.example>');
    expect(budget.map((b) => b.verdict).sort()).toEqual(['tampered', 'verified']);
    const original = budget.find((b) => b.verdict === 'verified')!;
    // found in two mailboxes and attached to a forward: one record, three sources
    expect(original.sources.map((s) => s.locator)).toEqual([
      'sample-dump.zip!dump/maildir/alice/cur/1493795641.M1P1.mx:2,S',
      'sample-dump.zip!dump/maildir/bob/cur/1493795641.M1P2.mx:2,S',
      'sample-dump.zip!dump/maildir/bob/cur/1493798400.M4P2.mx:2,S!part-2',
    ]);
    const copy = budget.find((b) => b.verdict === 'tampered')!;
    expect(copy.evidence.map((e) => e.code)).toEqual(expect.arrayContaining(['body-modified', 'duplicate-divergent']));
    // the phishing mail from a lookalike of the campaign's domain
    const phish = recs.find((x) => x.message_id === '<a81f@onedrive-horizon.example>')!;
    expect(phish.verdict).toBe('suspicious');
    expect(phish.evidence.map((e) => e.code)).toContain('lookalike-domain');
    // charsets: windows-1252 French and KOI8-R Russian headers
    expect(recs.find((x) => x.message_id === '<expense-0412@horizon.example>')?.subject).toBe('Note de frais – déplacement Lyon');
    expect(recs.find((x) => x.message_id === '<ru-77@mailbox.example>')?.subject).toBe('Документы');
    expect(recs.find((x) => x.message_id === '<ru-77@mailbox.example>')?.from[0].name).toBe('Иван');
  });
});
