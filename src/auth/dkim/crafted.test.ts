/**
 * Signatures the vectors do not contain, made with throwaway keys by the test signer: tag and key
 * record edge cases, hostile input, limits.
 */
import { describe, it, expect } from 'vitest';
import { createPublicKey } from 'node:crypto';
import { verifyDkim, MAX_SIGNATURES, MAX_REPORTED_SIGNATURES } from './verify.ts';
import { dkimVerdict } from '../verdict.ts';
import { fromDomains } from '../from-domain.ts';
import { signDkim, testKey, type SignOptions } from '../testing/sign.ts';
import type { KeyResolver } from '../types.ts';

const MSG = Buffer.from([
  'From: Alice <alice@news.example>',
  'To: Bob <bob@elsewhere.example>',
  'Subject: Leaked memo',
  'Date: Tue, 14 Nov 2023 22:12:20 +0000',
  'Message-ID: <memo-1@news.example>',
  '',
  'The meeting is on Tuesday.',
  '',
].join('\r\n'));

const rsa = testKey('rsa', 2048);
const ed = testKey('ed25519');
const NOW = new Date(1700172800 * 1000);

function keys(map: Record<string, string | string[]>): KeyResolver {
  return (n) => {
    const v = map[n];
    return v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((value) => ({ value, status: 'active' as const, source: 'archive' as const }));
  };
}
const std = keys({ 'sel._domainkey.news.example': rsa.txt, 'ed._domainkey.news.example': ed.txt });
const sign = (o: Partial<SignOptions> = {}, raw: Buffer = MSG) => signDkim(raw, { domain: 'news.example', selector: 'sel', privateKey: rsa.privateKey, ...o });
function run(raw: Buffer, resolve: KeyResolver = std) {
  const results = verifyDkim(raw, { resolve, now: NOW });
  return { r: results[0], results, verdict: dkimVerdict(results, fromDomains(raw)), codes: results[0]?.evidence.map((e) => e.code) ?? [] };
}
/** Replaces one tag in the (unfolded) DKIM-Signature of a signed message, breaking nothing else. */
function editSig(raw: Buffer, from: RegExp, to: string): Buffer {
  const s = raw.toString('latin1');
  const end = s.indexOf('\r\n');
  return Buffer.from(s.slice(0, end).replace(from, to) + s.slice(end), 'latin1');
}

describe('crafted signatures', () => {
  it('the test signer and verifier agree (rsa relaxed, rsa simple, ed25519, rsa-sha1)', () => {
    expect(run(sign()).verdict.verdict).toBe('verified');
    expect(run(sign({ canon: 'simple/simple' })).verdict.verdict).toBe('verified');
    expect(run(sign({ selector: 'ed', privateKey: ed.privateKey, algorithm: 'ed25519-sha256' })).verdict.verdict).toBe('verified');
    const sha1 = run(sign({ algorithm: 'rsa-sha1' }));
    expect(sha1.r.result).toBe('pass');
    expect(sha1.codes).toContain('weak-hash');
  });

  it('h= without From: the signature cannot vouch for the sender', () => {
    const { r, verdict, codes } = run(sign({ headers: ['to', 'subject', 'date'] }));
    expect([r.result, r.error, r.body_hash, r.header_signature]).toEqual(['permerror', 'from-not-signed', 'match', 'valid']);
    expect(codes).toContain('from-not-signed');
    expect(verdict.verdict).toBe('unverifiable');
  });

  it('h= without Subject or Date: crypto passes but the message is not verified', () => {
    const { r, verdict } = run(sign({ headers: ['from', 'to'] }));
    expect(r.result).toBe('pass');
    expect(verdict.verdict).toBe('unverifiable');
    expect(verdict.evidence.find((e) => e.code === 'headers-not-covered')?.data?.headers).toEqual(['Subject', 'Date']);
  });

  it('oversigned From: an added From breaks the signature', () => {
    const signed = sign({ headers: ['from', 'from', 'to', 'subject', 'date'] });
    expect(run(signed).r.result).toBe('pass');
    const added = Buffer.concat([Buffer.from('From: Mallory <ceo@news.example>\r\n'), signed]);
    const { r, verdict } = run(added);
    expect([r.result, r.header_signature]).toEqual(['fail', 'invalid']);
    expect(verdict.verdict).toBe('tampered');
  });

  it('other single-instance headers added above signed ones are named', () => {
    const withReplyTo = Buffer.from(MSG.toString('latin1').replace('Subject:', 'Reply-To: alice@news.example\r\nSubject:'), 'latin1');
    for (const h of ['Subject: Resign now', 'Date: Mon, 1 Jan 2024 00:00:00 +0000', 'To: all@news.example', 'Reply-To: attacker@evil.example']) {
      const signed = sign({ headers: ['from', 'to', 'subject', 'date', 'reply-to'] }, withReplyTo);
      const raw = Buffer.concat([Buffer.from(`${h}\r\n`), signed]);
      const { r, verdict } = run(raw);
      const e = r.evidence.find((x) => x.code === 'unsigned-header-added');
      expect(e?.data?.header, h).toBe(h.split(':')[0]);
      expect(e?.severity).toBe('critical');
      expect(verdict.verdict).toBe('tampered');
    }
  });

  it('key flags: t=y is noted, t=s rejects a subdomain i=', () => {
    const y = testKey('rsa', 1024, 't=y; ');
    const testing = run(signDkim(MSG, { domain: 'news.example', selector: 'y', privateKey: y.privateKey }), keys({ 'y._domainkey.news.example': y.txt }));
    expect(testing.r.result).toBe('pass');
    expect(testing.codes).toContain('key-testing');
    const s = testKey('rsa', 1024, 't=s; ');
    const sub = signDkim(MSG, { domain: 'news.example', selector: 's', privateKey: s.privateKey, extra: ['i=@desk.news.example'] });
    const strict = run(sub, keys({ 's._domainkey.news.example': s.txt }));
    expect([strict.r.result, strict.r.error, strict.r.header_signature]).toEqual(['permerror', 'key-incompatible', 'valid']);
    const exact = signDkim(MSG, { domain: 'news.example', selector: 's', privateKey: s.privateKey, extra: ['i=alice@news.example'] });
    expect(run(exact, keys({ 's._domainkey.news.example': s.txt })).r.result).toBe('pass');
  });

  it('key encodings: PKCS#1 RSAPublicKey, Ed25519 as SPKI; key/algorithm mismatch is permerror', () => {
    const pkcs1 = createPublicKey(rsa.privateKey).export({ format: 'der', type: 'pkcs1' }).toString('base64');
    expect(run(sign(), keys({ 'sel._domainkey.news.example': `v=DKIM1; p=${pkcs1}` })).r.result).toBe('pass');
    const edSpki = createPublicKey(ed.privateKey).export({ format: 'der', type: 'spki' }).toString('base64');
    const edSigned = sign({ selector: 'ed', privateKey: ed.privateKey, algorithm: 'ed25519-sha256' });
    expect(run(edSigned, keys({ 'ed._domainkey.news.example': `v=DKIM1; k=ed25519; p=${edSpki}` })).r.result).toBe('pass');
    const mismatch = run(edSigned, keys({ 'ed._domainkey.news.example': rsa.txt }));
    expect([mismatch.r.result, mismatch.r.error]).toEqual(['permerror', 'key-incompatible']);
  });

  it('RSA under 1024 bits is a weak key: never verified, even though the maths works', () => {
    const weak = testKey('rsa', 512);
    const raw = signDkim(MSG, { domain: 'news.example', selector: 'w', privateKey: weak.privateKey });
    const { r, verdict } = run(raw, keys({ 'w._domainkey.news.example': weak.txt }));
    expect([r.result, r.error, r.header_signature, r.key_info?.bits]).toEqual(['permerror', 'weak-key', 'valid', 512]);
    expect(verdict.verdict).toBe('unverifiable');
    expect(verdict.evidence.map((e) => e.code)).toContain('weak-key');
  });

  it('malformed signature tags are permerror naming the tag, and never throw', () => {
    const good = sign();
    const cases: [RegExp, string, string][] = [
      [/ bh=[^;]*;/, '', 'bh'],
      [/v=1/, 'v=2', 'v'],
      [/a=rsa-sha256/, 'a=rsa-sha512', 'a'],
      [/a=rsa-sha256/, 'a=RSA-SHA256', 'a'],
      [/c=relaxed\/relaxed/, 'c=fancy', 'c'],
      [/t=1700000000/, 't=1700000000; x=1600000000', 'x'],
      [/t=1700000000/, 't=soon', 't'],
      [/d=news.example/, 'd=news.example; i=@evil.example', 'i'],
      [/d=news.example/, 'd=news.example; l=-5', 'l'],
      [/d=news.example/, 'd=news.example; d=other.example', 'd'],
      [/d=news.example/, 'd=news.example;; q=dns/txt', ''],
      [/d=news.example/, 'd=news.example; q=http/well-known', 'q'],
      [/ b=/, ' b=!!!notbase64', 'b'],
      [/d=news.example/, 'd=news example', 'd'],
    ];
    for (const [from, to, tag] of cases) {
      const raw = editSig(good, from, to);
      const { r, codes } = run(raw);
      expect(r.result, `${from} -> ${to}`).toBe('permerror');
      expect(codes, `${from} -> ${to}`).toContain('signature-malformed');
      const e = r.evidence.find((x) => x.code === 'signature-malformed');
      if (tag) expect(e?.data?.tag, `${from} -> ${to}`).toBe(tag);
    }
  });

  it('hostile tag names are just unknown tags (and "__proto__" is not a tag name at all)', () => {
    const raw = sign({ extra: ['constructor=y', 'hasOwnProperty=z', 'toString=w', 'valueOf=1'] });
    expect(run(raw).r.result).toBe('pass');
    const proto = run(editSig(sign(), /d=news.example/, 'd=news.example; __proto__=x'));
    expect(proto.r.evidence.find((e) => e.code === 'signature-malformed')?.data?.tag).toBe('__proto__');
  });

  it('l= longer than the body: content was removed', () => {
    const raw = sign({ length: true });
    const cut = Buffer.from(raw.toString('latin1').replace('The meeting is on Tuesday.', 'The meeting'), 'latin1');
    const { r } = run(cut);
    expect(r.body_hash).toBe('mismatch');
    expect(r.evidence.find((e) => e.code === 'body-modified')?.detail).toMatch(/content was removed/);
  });

  it('a signature never designates itself through h=dkim-signature', () => {
    const raw = sign({ headers: ['from', 'subject', 'date', 'dkim-signature'] });
    expect(run(raw).r.result).toBe('pass');
  });

  it('key rotation: a malformed and a valid record under one name', () => {
    const resolve = keys({ 'sel._domainkey.news.example': ['v=DKIM1; p=!!!', 'v=DKIM1; p=', rsa.txt] });
    const { r } = run(sign(), resolve);
    expect([r.result, r.key_info?.record_index]).toEqual(['pass', 2]);
  });

  it(`only the first ${MAX_SIGNATURES} signatures are checked`, () => {
    let raw: Buffer = MSG;
    for (let i = 0; i < MAX_SIGNATURES + 3; i++) raw = sign({}, raw);
    const results = verifyDkim(raw, { resolve: std, now: NOW });
    expect(results.length).toBe(MAX_SIGNATURES + 3);
    expect(results.slice(MAX_SIGNATURES).every((r) => r.error === 'too-many-signatures')).toBe(true);
    // the top one covers the others' DKIM-Signature fields? No: h= does not list them, all pass.
    expect(results.slice(0, MAX_SIGNATURES).every((r) => r.result === 'pass')).toBe(true);
  });

  it('hostile sizes stay linear: 200k header fields, h= with 500 names, 1000 signatures', () => {
    const many = Buffer.from('Received: x\r\n'.repeat(200_000));
    const signed = sign({ headers: ['from', 'subject', 'date', ...Array(500).fill('received')] }, Buffer.concat([many, MSG]));
    const t0 = performance.now();
    expect(run(signed).r.result).toBe('pass');
    const sigs = Buffer.concat([Buffer.from(`DKIM-Signature: v=1; a=rsa-sha256; d=news.example; s=sel; h=from; bh=AAAA; b=AAAA\r\n`.repeat(1000)), MSG]);
    const results = verifyDkim(sigs, { resolve: std, now: NOW });
    expect(results.length).toBe(MAX_REPORTED_SIGNATURES);
    expect(results.at(-1)?.evidence[0].data?.total).toBe(1000);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('garbage in, results out: no exceptions', () => {
    const inputs = [
      Buffer.alloc(0),
      Buffer.from('\r\n\r\n'),
      Buffer.from('DKIM-Signature:\r\n\r\n'),
      Buffer.from('DKIM-Signature: ;;;;\r\n'),
      Buffer.from(' continuation first\r\nDKIM-Signature: v=1; a=rsa-sha256; d=x; s=y; h=from; bh=; b=\r\n\r\nbody'),
      Buffer.from('DKIM-Signature: v=1; a=ed25519-sha256; d=news.example; s=sel; h=from; bh=AAAA; b=AAAA\n\n'),
      Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)),
    ];
    for (const raw of inputs) {
      const results = verifyDkim(raw, { resolve: std, now: NOW });
      for (const r of results) expect(r.result).not.toBe('pass');
      expect(dkimVerdict(results, fromDomains(raw)).verdict).not.toBe('verified');
    }
    expect(dkimVerdict([], 'news.example').evidence[0].code).toBe('no-signature');
  });
});
