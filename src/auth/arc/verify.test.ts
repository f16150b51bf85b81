/**
 * ARC beyond the pass/fail/none table (which conformance.test.ts checks on all 173 rows): what
 * the result says about each hop, and that failures explain themselves.
 */
import { describe, it, expect } from 'vitest';
import { verifyArc } from './verify.ts';
import { loadKeys, readMessage, resolverFor, vectorsPresent } from '../testing/vectors.ts';

describe.skipIf(!vectorsPresent())('ARC details', () => {
  const arcKeys = vectorsPresent() ? loadKeys('mailauth-arc') : new Map<string, string>();
  const resolve = resolverFor(arcKeys);

  it('reports every hop of a passing chain, including an older hop the message no longer matches', () => {
    const r = verifyArc(readMessage('mailauth-arc', 'messages/cv_pass_i2_1_ams1_invalid.eml'), { resolve });
    expect([r.result, r.instances]).toEqual(['pass', 2]);
    expect(r.sets.map((s) => [s.instance, s.seal.valid, s.seal.cv])).toEqual([[1, true, 'none'], [2, true, 'pass']]);
    expect(r.sets[0].ams.header_signature).toBe('invalid');
    expect(r.sets[1].ams.header_signature).toBe('valid');
    expect(r.sets[0].authentication_results).toMatch(/^i=1;/);
    expect(r.evidence.map((e) => e.code)).toEqual(['arc-pass', 'arc-pass']);
  });

  it('explains failures', () => {
    const cases: [string, RegExp][] = [
      ['cv_fail_i1_as_cv_fail', /cv=fail/],
      ['cv_fail_i2_as2_none', /must say cv=pass/],
      ['ams_struct_missing', /ARC-Message-Signature for i=1 is missing/],
      ['as_fields_b_512', /512 bits/],
      ['public_key_na', /no key/],
      ['ams_fields_bh_mod_body', /body/],
      ['aar_i_not_prefixed', /i=<n>;/],
    ];
    for (const [name, re] of cases) {
      const r = verifyArc(readMessage('mailauth-arc', `messages/${name}.eml`), { resolve });
      expect(r.result, name).toBe('fail');
      expect(r.reason, name).toMatch(re);
      expect(r.evidence[0].code).toBe('arc-fail');
    }
  });

  it('no ARC fields: none; a mailing list that broke the author signature still has a passing chain', () => {
    expect(verifyArc(Buffer.from('From: a@b.example\r\n\r\nhi\r\n'), { resolve }).result).toBe('none');
    const r = verifyArc(readMessage('stalwart-mail-auth', 'messages/arc/001.eml'), { resolve: resolverFor(loadKeys('stalwart-mail-auth')) });
    expect(r.result).toBe('pass');
  });
});
