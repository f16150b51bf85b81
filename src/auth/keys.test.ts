/**
 * Key archive import (`trove keys import`) and DKIM key record parsing.
 */
import { describe, it, expect } from 'vitest';
import { parseKeyArchive, resolverFromRecords, describeKeyRecord, joinTxtStrings } from './keys.ts';
import { parseKeyRecord } from './dkim/key.ts';
import { testKey } from './testing/sign.ts';

const k = testKey('rsa', 1024);
const p = k.txt.replace(/^.*p=/, '');

describe('key archive import', () => {
  it('reads text lines, comments, blank lines, CRLF, zone-file quoting and JSON lines', () => {
    const text = [
      '# archived 2024-01-02',
      '',
      `sel._domainkey.Example.COM. v=DKIM1; k=rsa; p=${p}`,
      `old._domainkey.example.com "v=DKIM1; k=rsa; " "p=${p.slice(0, 40)}" "${p.slice(40)}"\r`,
      JSON.stringify({ name: 'sel._domainkey.example.com', value: `v=DKIM1; p=${p}`, first_seen: '2019-03-01', last_seen: '2021-07-30T12:00:00Z', status: 'published' }),
      JSON.stringify({ name: 'gone._domainkey.example.com', value: 'v=DKIM1; p=', status: 'revoked' }),
    ].join('\n');
    const out = parseKeyArchive(text);
    expect(out.errors).toEqual([]);
    expect(out.records.map((r) => [r.name, r.status, r.line])).toEqual([
      ['sel._domainkey.example.com', 'active', 3],
      ['old._domainkey.example.com', 'active', 4],
      ['sel._domainkey.example.com', 'published', 5],
      ['gone._domainkey.example.com', 'revoked', 6],
    ]);
    expect(out.records[1].value).toBe(`v=DKIM1; k=rsa; p=${p}`);
    expect(out.records[2].first_seen).toBe('2019-03-01T00:00:00.000Z');
    expect(out.warnings.map((w) => w.line)).toEqual([6]);
    const resolve = resolverFromRecords(out.records);
    expect(resolve('SEL._domainkey.example.com.').map((r) => r.status)).toEqual(['active', 'published']);
    expect(resolve('nothere._domainkey.example.com')).toEqual([]);
  });

  it('reports unusable lines with their line numbers and keeps going', () => {
    const text = [
      'just-a-word',
      'example.com v=DKIM1; p=abc',
      '{"name": "x._domainkey.example.com"',
      '{"name": "x._domainkey.example.com", "value": "v=DKIM1; p=", "status": "lost"}',
      '{"name": "x._domainkey.example.com", "value": "p=", "first_seen": "yesterday-ish"}',
      '{"name": "x._domainkey.example.com", "value": "p=", "first_seen": "2022-01-01", "last_seen": "2021-01-01"}',
      '["x._domainkey.example.com", "p="]',
      '{"__proto__": {"polluted": true}, "name": "x._domainkey.example.com", "value": 5}',
      `ok._domainkey.example.com v=DKIM1; p=${p}`,
    ].join('\n');
    const out = parseKeyArchive(text);
    expect(out.errors.map((e) => e.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const e of out.errors) expect(e.message.length).toBeGreaterThan(10);
    expect(out.records.map((r) => r.name)).toEqual(['ok._domainkey.example.com']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads the shared keys.txt files without errors', async () => {
    const { VECTORS_DIR, folders, vectorsPresent } = await import('./testing/vectors.ts');
    if (!vectorsPresent()) return;
    const { readFileSync, existsSync } = await import('node:fs');
    for (const f of folders()) {
      const path = `${VECTORS_DIR}/${f}/keys.txt`;
      if (!existsSync(path)) continue;
      const out = parseKeyArchive(readFileSync(path, 'latin1'));
      expect(out.errors, f).toEqual([]);
      expect(out.records.length, f).toBeGreaterThan(0);
    }
  });

  it('joins TXT strings only when the whole value is quoted', () => {
    expect(joinTxtStrings('"a" "b"')).toBe('ab');
    expect(joinTxtStrings('"a\\"b"')).toBe('a"b');
    expect(joinTxtStrings('v=DKIM1; n="note"; p=x')).toBe('v=DKIM1; n="note"; p=x');
  });
});

describe('DKIM key records', () => {
  it('parses v=, k=, h=, s=, t=, n=, p= (whitespace in p= allowed)', () => {
    const r = parseKeyRecord(`v=DKIM1; k=rsa; h=sha1:sha256; s=email:*; t=y:s; n=notes; p=${p.slice(0, 10)} ${p.slice(10)}`);
    expect(r.ok && r.record).toMatchObject({ keyType: 'rsa', hashes: ['sha1', 'sha256'], services: ['email', '*'], flags: ['y', 's'], publicKey: p, notes: 'notes' });
    expect(describeKeyRecord(k.txt)).toBeNull();
  });

  it('says clearly what is wrong', () => {
    const cases: [string, RegExp][] = [
      ['v=DKIM2; p=abc', /v=DKIM1/],
      ['k=dsa; p=abc', /key type/],
      ['v=DKIM1; k=rsa', /no p=/],
      ['v=DKIM1; p=', /revoked/],
      ['v=DKIM1; p=!!!', /base64/],
      ['v=DKIM1; p=AAAA', /neither an RSA/],
      ['v=DKIM1; k=ed25519; p=AAAA', /Ed25519/],
      ['v=DKIM1; k=rsa; p=MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAL6wDzWuN4eR5KXL5f5N39aTu5FI16DfiU', /./],
      ['v=DKIM1 p', /must say v=DKIM1/],
      ['v=DKIM1; =x; p=abc', /tag list/],
    ];
    for (const [txt, re] of cases) expect(describeKeyRecord(txt), txt).toMatch(re);
    const weak = testKey('rsa', 512);
    expect(describeKeyRecord(weak.txt)).toMatch(/512 bits/);
  });
});
