/**
 * The verdict's safety property: nothing is `verified` without an aligned signature that passes
 * with an archived, active, non-weak key covering From, Subject, Date and the whole body, and no
 * added copy of a signed header. Checked over every vector under many key-archive variants, and by
 * flipping signed bytes of every verified message.
 */
import { describe, it, expect } from 'vitest';
import { verifyDkim } from './dkim/verify.ts';
import { dkimVerdict, REQUIRED_SIGNED } from './verdict.ts';
import { fromDomains, organisationalDomain } from './from-domain.ts';
import { folders, loadKeys, loadRows, readMessage, resolverFor, nowFor, vectorsPresent } from './testing/vectors.ts';
import type { DkimSignatureResult, KeyRecord } from './types.ts';

function assertVerifiedIsJustified(results: DkimSignatureResult[], idx: number | null, froms: string[], id: string) {
  expect(idx, id).not.toBeNull();
  const r = results[idx as number];
  expect(r.aligned, id).toBe(true);
  expect(new Set(froms.map(organisationalDomain)).size, id).toBe(1);
  expect(organisationalDomain(r.domain), id).toBe(organisationalDomain(froms[0]));
  expect([r.result, r.body_hash, r.header_signature, r.key], id).toEqual(['pass', 'match', 'valid', 'archive']);
  expect(r.key_info?.status, id).toBe('active');
  expect(r.key_info?.source, id).toBe('archive');
  expect(r.key_info!.type === 'ed25519' || r.key_info!.bits >= 1024, id).toBe(true);
  const signed = r.signed_headers.map((h) => h.toLowerCase());
  for (const h of REQUIRED_SIGNED) expect(signed, id).toContain(h);
  expect(r.unsigned_body_bytes, id).toBe(0);
  expect(r.evidence.some((e) => e.code === 'unsigned-header-added' || e.code === 'appended-beyond-length-limit'), id).toBe(false);
}

describe.skipIf(!vectorsPresent())('verdict safety over the vectors', () => {
  it('nothing without an archived, active, non-weak, aligned key is ever verified', () => {
    const variants: { name: string; extra: Partial<KeyRecord>; mayVerify: boolean }[] = [
      { name: 'active/archive', extra: {}, mayVerify: true },
      { name: 'published', extra: { status: 'published' }, mayVerify: false },
      { name: 'revoked', extra: { status: 'revoked' }, mayVerify: false },
      { name: 'dns', extra: { source: 'dns' }, mayVerify: false },
    ];
    let verified = 0;
    let checked = 0;
    for (const folder of folders()) {
      const keys = loadKeys(folder);
      loadRows(folder).forEach((row, n) => {
        const raw = readMessage(folder, row.file);
        const froms = fromDomains(raw);
        for (const v of variants) {
          const results = verifyDkim(raw, { resolve: resolverFor(keys, row.keys_override, v.extra), now: nowFor(row) });
          for (const from of [froms, ['unrelated-domain.example'], null] as const) {
            checked++;
            const verdict = dkimVerdict(results, from);
            const id = `${folder}/${row.file}#${n + 1} ${v.name} from=${JSON.stringify(from)}`;
            if (verdict.verdict !== 'verified') continue;
            expect(v.mayVerify && from === froms, id).toBe(true);
            assertVerifiedIsJustified(results, verdict.decided_by, froms, id);
            verified++;
          }
          const none = dkimVerdict(verifyDkim(raw, { resolve: () => [], now: nowFor(row) }), froms);
          expect(none.verdict, `${folder}/${row.file} without keys`).not.toBe('verified');
        }
      });
    }
    console.log(`verdict safety: ${checked} (message, key variant, From) combinations, ${verified} verified, all justified`);
    expect(verified).toBeGreaterThan(50);
  });

  it('changing any signed letter of a verified message makes it not verified', () => {
    let flips = 0;
    for (const folder of folders()) {
      const keys = loadKeys(folder);
      loadRows(folder).forEach((row) => {
        const raw = readMessage(folder, row.file);
        const resolve = resolverFor(keys, row.keys_override);
        const now = nowFor(row);
        const base = dkimVerdict(verifyDkim(raw, { resolve, now }), fromDomains(raw));
        if (base.verdict !== 'verified') return;
        const r = verifyDkim(raw, { resolve, now })[base.decided_by as number];
        const text = raw.toString('latin1');
        const sep = text.search(/\r?\n\r?\n/);
        // positions: letters in the signed From/Subject/Date values, and letters in the body
        const targets: number[] = [];
        for (const name of ['From', 'Subject', 'Date']) {
          const m = new RegExp(`^${name}:[^\\n]*`, 'mi').exec(text.slice(0, sep));
          if (m) for (let i = m.index + name.length + 2; i < m.index + m[0].length; i += 5) if (/[A-Za-z0-9]/.test(text[i])) targets.push(i);
        }
        const bodyEnd = r.length_limit === null ? text.length : Math.min(text.length, sep + 2 + r.length_limit / 2);
        for (let i = sep + 4, k = 0; i < bodyEnd && k < 12; i += Math.max(1, Math.floor((bodyEnd - sep) / 12))) {
          if (/[A-Za-z0-9]/.test(text[i])) { targets.push(i); k++; }
        }
        for (const pos of targets) {
          const copy = Buffer.from(raw);
          copy[pos] = copy[pos] === 0x71 ? 0x7a : 0x71; // 'q' or 'z': changes the letter under any canonicalisation
          const v = dkimVerdict(verifyDkim(copy, { resolve, now }), fromDomains(copy));
          expect(v.verdict, `${folder}/${row.file} byte ${pos} (${JSON.stringify(text.slice(pos - 10, pos + 10))})`).not.toBe('verified');
          flips++;
        }
      });
    }
    console.log(`verdict safety: ${flips} single-letter modifications of verified messages, none verified`);
    expect(flips).toBeGreaterThan(300);
  });
});

describe('verdict rules', () => {
  const base = (over: Partial<DkimSignatureResult>): DkimSignatureResult => ({
    domain: 'example.com', selector: 's', algorithm: 'rsa-sha256', result: 'pass', body_hash: 'match', header_signature: 'valid',
    aligned: false, key: 'archive', length_limit: null, signed_headers: ['from', 'subject', 'date'], evidence: [], header_index: 0,
    canonicalization: 'relaxed/relaxed', identity: null, timestamp: null, expiration: null, unsigned_body_bytes: 0,
    key_info: { type: 'rsa', bits: 2048, status: 'active', source: 'archive', first_seen: null, last_seen: null, record_index: 0, testing: false },
    ...over,
  });

  it('fills aligned by organisational domain (PSL)', () => {
    const r = [base({ domain: 'mail.example.com' }), base({ domain: 'example.co.uk' }), base({ domain: 'example.com.evil.example' })];
    const v = dkimVerdict(r, 'news.example.com');
    expect(r.map((x) => x.aligned)).toEqual([true, false, false]);
    expect(v.verdict).toBe('verified');
    const uk = [base({ domain: 'a.example.co.uk' })];
    expect(dkimVerdict(uk, 'b.example.co.uk').verdict).toBe('verified');
    expect(dkimVerdict([base({ domain: 'co.uk' })], 'b.example.co.uk').verdict).toBe('unverifiable');
  });

  it('not aligned / no From / several From domains are unverifiable', () => {
    expect(dkimVerdict([base({})], 'other.org').evidence.map((e) => e.code)).toContain('not-aligned');
    expect(dkimVerdict([base({})], null).verdict).toBe('unverifiable');
    const two = dkimVerdict([base({})], ['example.com', 'other.org']);
    expect(two.verdict).toBe('unverifiable');
    expect(two.evidence.map((e) => e.code)).toContain('from-ambiguous');
  });

  it('each missing condition blocks verified', () => {
    const blocked: Partial<DkimSignatureResult>[] = [
      { key: 'dns', key_info: { ...base({}).key_info!, source: 'dns' } },
      { key_info: { ...base({}).key_info!, status: 'published' } },
      { key_info: { ...base({}).key_info!, bits: 768 } },
      { signed_headers: ['from', 'subject'] },
      { unsigned_body_bytes: 10 },
      { result: 'permerror', error: 'key-missing', key: 'missing', key_info: null, header_signature: 'unknown' },
      { result: 'fail', header_signature: 'invalid' },
      { key_info: null },
    ];
    for (const b of blocked) expect(dkimVerdict([base(b)], 'example.com').verdict, JSON.stringify(b)).not.toBe('verified');
  });

  it('critical modification by the From domain wins over a passing signature', () => {
    const bad = base({ result: 'fail', body_hash: 'mismatch', evidence: [{ code: 'body-modified', severity: 'critical', detail: 'x' }] });
    const v = dkimVerdict([base({}), bad], 'example.com');
    expect(v.verdict).toBe('tampered');
    expect(v.evidence.map((e) => e.code)).toContain('modification-explained');
    // a non-aligned signature's modification does not make the message tampered, and is not critical
    const list = base({ domain: 'lists.example.org', result: 'fail', body_hash: 'mismatch', evidence: [{ code: 'body-modified', severity: 'critical', detail: 'x' }] });
    const w = dkimVerdict([base({}), list], 'example.com');
    expect(w.verdict).toBe('verified');
    expect(w.evidence.find((e) => e.code === 'body-modified')?.severity).toBe('warning');
  });
});
