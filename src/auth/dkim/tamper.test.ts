/**
 * Tamper localisation: start from validly signed messages of the shared vectors (read in place)
 * and change exactly one thing; trove must say exactly what changed, and nothing else.
 */
import { describe, it, expect } from 'vitest';
import { verifyDkim } from './verify.ts';
import { dkimVerdict } from '../verdict.ts';
import { fromDomains } from '../from-domain.ts';
import { loadKeys, readMessage, resolverFor, vectorsPresent } from '../testing/vectors.ts';
import type { DkimSignatureResult, KeyResolver, KeyRecord } from '../types.ts';
import { testKey } from '../testing/sign.ts';

const NOW = new Date(1700172800 * 1000);
const present = vectorsPresent();

function check(raw: Buffer, resolve: KeyResolver) {
  const results = verifyDkim(raw, { resolve, now: NOW });
  const verdict = dkimVerdict(results, fromDomains(raw));
  return { results, r: results[0], verdict, codes: results[0]?.evidence.map((e) => e.code) ?? [] };
}
const critical = (r: DkimSignatureResult) => r.evidence.filter((e) => e.severity === 'critical').map((e) => e.code);

/** Replaces the first occurrence of `from` (latin1) in the message. */
function replace(raw: Buffer, from: string, to: string): Buffer {
  const s = raw.toString('latin1');
  const i = s.indexOf(from);
  if (i === -1) throw new Error(`"${from}" not in message`);
  return Buffer.from(s.slice(0, i) + to + s.slice(i + from.length), 'latin1');
}
/** Changes the signed Subject (whatever it says). */
function newSubject(raw: Buffer): Buffer {
  return Buffer.from(raw.toString('latin1').replace(/^Subject: /m, 'Subject: URGENT '), 'latin1');
}
function bodyStart(raw: Buffer): number {
  return raw.indexOf('\r\n\r\n') + 4;
}

describe.skipIf(!present)('tamper localisation', () => {
  const keys = present ? loadKeys('generated') : new Map<string, string>();
  const resolve = resolverFor(keys);
  // a00: relaxed/relaxed RSA-2048; a01: simple/simple RSA-1024; a04: ed25519; d00: l= = whole body.
  const msgs = present ? ['a00', 'a01', 'a04'].map((n) => [n, readMessage('generated', `messages/${n}-authentic.eml`)] as const) : [];

  for (const [name, orig] of msgs) {
    describe(name, () => {
      it('is verified untouched', () => {
        const { r, verdict } = check(orig, resolve);
        expect([r.result, r.body_hash, r.header_signature]).toEqual(['pass', 'match', 'valid']);
        expect(critical(r)).toEqual([]);
        expect(verdict.verdict).toBe('verified');
      });

      it('one body byte changed -> body-modified only', () => {
        const raw = Buffer.from(orig);
        const i = raw.indexOf('Tuesday', bodyStart(raw));
        raw[i] = 'W'.charCodeAt(0);
        const { r, verdict } = check(raw, resolve);
        expect([r.result, r.body_hash, r.header_signature]).toEqual(['fail', 'mismatch', 'valid']);
        expect(critical(r)).toEqual(['body-modified']);
        expect(verdict.verdict).toBe('tampered');
        expect(verdict.evidence.find((e) => e.code === 'body-modified')?.detail).toMatch(/body was changed after .* signed it/);
      });

      it('a signed header changed -> header-modified only, listing the signed headers', () => {
        const raw = newSubject(orig);
        const { r, verdict } = check(raw, resolve);
        expect([r.result, r.body_hash, r.header_signature]).toEqual(['fail', 'match', 'invalid']);
        expect(critical(r)).toEqual(['header-modified']);
        const e = r.evidence.find((x) => x.code === 'header-modified');
        expect(e?.data?.signed_headers).toEqual(expect.arrayContaining(['From', 'Subject', 'Date']));
        expect(e?.detail).toContain('Subject');
        expect(verdict.verdict).toBe('tampered');
      });

      it('body and header changed -> both', () => {
        const raw = replace(newSubject(orig), 'Tuesday', 'Friday');
        const { r, verdict } = check(raw, resolve);
        expect([r.result, r.body_hash, r.header_signature]).toEqual(['fail', 'mismatch', 'invalid']);
        expect(critical(r).sort()).toEqual(['body-modified', 'header-modified']);
        expect(verdict.verdict).toBe('tampered');
      });

      it('a second From added above -> unsigned-header-added (From), crypto still passes', () => {
        const raw = Buffer.concat([Buffer.from('From: Boss <boss@campaign.example>\r\n'), orig]);
        const { r, verdict } = check(raw, resolve);
        expect([r.result, r.body_hash, r.header_signature]).toEqual(['pass', 'match', 'valid']);
        expect(critical(r)).toEqual(['unsigned-header-added']);
        expect(r.evidence.find((e) => e.code === 'unsigned-header-added')?.data?.header).toBe('From');
        expect(verdict.verdict).toBe('tampered');
      });

      it('an unsigned header changed or added -> still verified', () => {
        const raw = Buffer.concat([Buffer.from('Received: from relay.example by mx.example; Tue, 14 Nov 2023 22:13:00 +0000\r\nX-Spam-Score: 0.1\r\n'), orig]);
        const { r, verdict } = check(raw, resolve);
        expect([r.result, r.body_hash, r.header_signature]).toEqual(['pass', 'match', 'valid']);
        expect(critical(r)).toEqual([]);
        expect(verdict.verdict).toBe('verified');
      });

      it('stored with LF line endings -> still verified, with a note', () => {
        const raw = Buffer.from(orig.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
        const { r, codes, verdict } = check(raw, resolve);
        expect(r.result).toBe('pass');
        expect(codes).toContain('line-endings-normalised');
        expect(verdict.verdict).toBe('verified');
      });
    });
  }

  it('content appended after l= -> appended-beyond-length-limit (crypto passes)', () => {
    const orig = readMessage('generated', 'messages/d00-l-authentic.eml');
    const base = check(orig, resolve);
    expect(base.r.result).toBe('pass');
    expect(base.r.length_limit).toBe(160);
    expect(base.verdict.verdict).toBe('verified');
    const raw = Buffer.concat([orig, Buffer.from('\r\nP.S. Please also wire the funds to the new account.\r\n')]);
    const { r, verdict } = check(raw, resolve);
    expect([r.result, r.body_hash, r.header_signature]).toEqual(['pass', 'match', 'valid']);
    expect(critical(r)).toEqual(['appended-beyond-length-limit']);
    expect(r.unsigned_body_bytes).toBeGreaterThan(40);
    expect(verdict.verdict).toBe('tampered');
  });

  it('key rotation is not tampering: a different key under the same selector -> key-mismatch, unverifiable', () => {
    const other = testKey('rsa', 2048);
    const orig = readMessage('generated', 'messages/a00-authentic.eml');
    const rotated: KeyResolver = (n) => (n === 's2048._domainkey.campaign.example' ? [{ value: other.txt, status: 'active', source: 'archive' }] : []);
    const { r, verdict } = check(orig, rotated);
    expect(r.header_signature).toBe('invalid');
    expect(r.evidence.map((e) => e.code)).toContain('key-mismatch');
    expect(critical(r)).toEqual([]);
    expect(verdict.verdict).toBe('unverifiable');
    // with the old key archived too, the right one is found and reported
    const both: KeyResolver = (n) => (n === 's2048._domainkey.campaign.example'
      ? [{ value: other.txt, status: 'active', source: 'archive', first_seen: '2024-06-01T00:00:00Z' }, { value: keys.get(n)!, status: 'active', source: 'archive', first_seen: '2023-01-01T00:00:00Z', last_seen: '2024-05-31T00:00:00Z' }]
      : []);
    const again = check(orig, both);
    expect(again.r.result).toBe('pass');
    expect(again.r.key_info?.record_index).toBe(1);
    expect(again.r.key_info?.last_seen).toBe('2024-05-31T00:00:00Z');
    expect(again.verdict.verdict).toBe('verified');
  });

  it('key status and source decide trust, not the cryptography', () => {
    const orig = readMessage('generated', 'messages/a00-authentic.eml');
    const v = keys.get('s2048._domainkey.campaign.example')!;
    const with_ = (rec: Partial<KeyRecord>): KeyResolver => (n) => (n === 's2048._domainkey.campaign.example' ? [{ value: v, status: 'active', source: 'archive', ...rec }] : []);
    const published = check(orig, with_({ status: 'published' }));
    expect(published.r.result).toBe('pass');
    expect(published.verdict.verdict).toBe('unverifiable');
    expect(published.verdict.evidence.map((e) => e.code)).toContain('key-published');
    const revoked = check(orig, with_({ status: 'revoked' }));
    expect([revoked.r.result, revoked.r.error, revoked.r.header_signature]).toEqual(['permerror', 'key-revoked', 'valid']);
    expect(revoked.verdict.verdict).toBe('unverifiable');
    const dns = check(orig, with_({ source: 'dns' }));
    expect([dns.r.result, dns.r.key]).toEqual(['pass', 'dns']);
    expect(dns.verdict.verdict).toBe('unverifiable');
    expect(dns.verdict.evidence.map((e) => e.code)).toContain('key-not-archived');
    const missing = check(orig, () => []);
    expect([missing.r.result, missing.r.error, missing.r.key, missing.r.body_hash, missing.r.header_signature]).toEqual(['permerror', 'key-missing', 'missing', 'match', 'unknown']);
    expect(missing.verdict.verdict).toBe('unverifiable');
    // body changed but no key: reported, but not as proven tampering
    const raw = Buffer.from(orig);
    raw[raw.indexOf('Tuesday', bodyStart(raw))] = 0x57;
    const unproven = check(raw, () => []);
    expect(unproven.r.evidence.find((e) => e.code === 'body-modified')?.severity).toBe('warning');
    expect(unproven.verdict.verdict).toBe('unverifiable');
  });

  it('a throwing resolver gives temperror, not an exception', () => {
    const orig = readMessage('generated', 'messages/a00-authentic.eml');
    const { r } = check(orig, () => { throw new Error('archive offline'); });
    expect([r.result, r.error]).toEqual(['temperror', 'key-lookup-failed']);
  });
});
