/**
 * False alarms of the forensic pass on every shared corpus (Enron maildir, SpamAssassin, TREC
 * 2007, the Apache mboxes, Outlook .msg/.pst, MimeKit samples: about 56,000 messages of
 * untouched mail): prints the share of messages each evidence code flags, at any severity and
 * as a contradiction, and requires under 1% of all messages turned `suspicious` by them. None of
 * these messages verifies (no archived keys), so mailer fingerprints are learned from the
 * corpus majority here and may only be `info`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ForensicsSummary } from '../../src/forensics/index.ts';
import { trove, troveJson } from '../helpers/cli.ts';
import { CORPORA } from '../helpers/corpora.ts';

describe('false alarms on the shared corpora', () => {
  it('turns under 1% of all messages suspicious, and prints the rate per code', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trove-false-alarms-'));
    const r = trove(['--case', dir, 'ingest', CORPORA, '--workers', '2']);
    expect(r.status, r.stderr).toBe(0);
    const s = troveJson<ForensicsSummary>(['--case', dir, 'forensics', 'run']);
    expect(s.messages).toBeGreaterThan(50_000);
    const pct = (n: number) => `${((100 * n) / s.messages).toFixed(3)}%`;
    const lines = Object.keys(s.flagged).sort().map((c) => `${c.padEnd(28)} any ${pct(s.flagged[c]).padStart(7)}  contradicting ${pct(s.contradicting[c] ?? 0).padStart(7)}`);
    console.log([`${s.messages} messages, ${s.attachmentsWithMetadata} attachments with metadata`, ...lines, `suspicious ${pct(s.suspicious)} (by forensic findings ${pct(s.suspiciousFromForensics)}, the rest by lookalike-domain evidence only)`].join('\n'));
    // This pass's share, and the total with lookalike-domain evidence (src/lookalike: the
    // organisation's own sibling domains are info there, see docs/lookalikes.md)
    expect(s.suspiciousFromForensics / s.messages).toBeLessThan(0.01);
    expect(s.suspicious / s.messages).toBeLessThan(0.01);
    // learned from unauthenticated messages only: listed, never a contradiction
    expect(s.flagged['mailer-fingerprint-mismatch']).toBeGreaterThan(0);
    expect(s.contradicting['mailer-fingerprint-mismatch'] ?? 0).toBe(0);
    for (const [code, n] of Object.entries(s.contradicting)) expect(n / s.messages, code).toBeLessThan(0.01);
  }, 900_000);
});
