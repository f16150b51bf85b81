/**
 * The fetched-key trust policy (docs/auth.md): a key archived by `trove keys fetch` (source dns,
 * with the date seen) verifies, and the evidence always says it was fetched on that date, that long
 * after the signature's t=; a DNS key without a date (a live lookup, never archived) does not verify.
 */
import { describe, it, expect } from 'vitest';
import { verifyDkim } from './dkim/verify.ts';
import { dkimVerdict } from './verdict.ts';
import { signDkim, testKey } from './testing/sign.ts';
import type { KeyRecord } from './types.ts';

const key = testKey('rsa', 2048);
const raw = signDkim(Buffer.from('From: a@campaign.example\r\nTo: b@press.example\r\nSubject: s\r\nDate: Fri, 28 Apr 2017 14:00:00 +0200\r\nMessage-ID: <1@campaign.example>\r\n\r\nhello\r\n', 'latin1'), { domain: 'campaign.example', selector: 'k', privateKey: key.privateKey, timestamp: 1493380800 });
const check = (rec: Partial<KeyRecord>) => {
  const results = verifyDkim(raw, { resolve: (n) => (n === 'k._domainkey.campaign.example' ? [{ value: key.txt, status: 'active', source: 'archive', ...rec }] : []) });
  return { r: results[0], v: dkimVerdict(results, 'campaign.example') };
};

describe('fetched-key policy', () => {
  it('a fetched, dated key verifies, with key-fetched evidence naming the date and the gap', () => {
    const { r, v } = check({ source: 'dns', first_seen: '2026-03-01T10:00:00.000Z', last_seen: '2026-03-01T10:00:00.000Z' });
    expect([r.result, r.key]).toEqual(['pass', 'dns']);
    expect(v.verdict).toBe('verified');
    const f = v.evidence.find((e) => e.code === 'key-fetched')!;
    expect(f.severity).toBe('warning');
    expect(f.detail).toContain('fetched from DNS on 2026-03-01');
    expect(f.detail).toContain('3228 days after campaign.example signed the message (t= 2017-04-28)');
    expect(f.data).toMatchObject({ fetched: '2026-03-01', days_after_signing: 3228 });
    expect(v.evidence.find((e) => e.code === 'signature-verified')!.detail).toContain('key fetched from DNS on 2026-03-01');
    expect(v.evidence.some((e) => e.code === 'key-not-archived')).toBe(false);
  });

  it('a DNS key without a date seen (never archived) does not verify', () => {
    const { v } = check({ source: 'dns' });
    expect(v.verdict).toBe('unverifiable');
    expect(v.evidence.map((e) => e.code)).toContain('key-not-archived');
  });

  it('a fetched key that is published or revoked still proves nothing', () => {
    expect(check({ source: 'dns', first_seen: '2026-03-01T00:00:00Z', status: 'published' }).v.verdict).toBe('unverifiable');
    expect(check({ source: 'dns', first_seen: '2026-03-01T00:00:00Z', status: 'revoked' }).v.verdict).toBe('unverifiable');
  });

  it('an archived key is preferred over a fetched one with the same value', () => {
    const results = verifyDkim(raw, { resolve: () => [{ value: key.txt, status: 'active', source: 'dns', first_seen: '2026-03-01T00:00:00Z' }, { value: key.txt, status: 'active', source: 'archive' }] });
    expect(results[0].key).toBe('archive');
    expect(results[0].evidence.some((e) => e.code === 'key-fetched')).toBe(false);
  });
});
