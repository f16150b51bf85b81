/**
 * The pipeline entry point puts DKIM, the verdict and ARC together.
 */
import { describe, it, expect } from 'vitest';
import { authenticate } from './index.ts';
import { loadKeys, readMessage, resolverFor, vectorsPresent } from './testing/vectors.ts';

describe.skipIf(!vectorsPresent())('authenticate', () => {
  it('a mailing-list message: author signature broken by the list, list signature and ARC intact', () => {
    const raw = readMessage('stalwart-mail-auth', 'messages/arc/001.eml');
    const a = authenticate(raw, { resolve: resolverFor(loadKeys('stalwart-mail-auth')) });
    expect(a.from_domains).toEqual(['stalw.art']);
    expect(a.dkim.map((d) => [d.domain, d.result, d.aligned])).toEqual([['ietf.org', 'pass', false], ['ietf.org', 'pass', false], ['stalw.art', 'fail', true]]);
    expect(a.verdict).toBe('tampered');
    expect(a.arc).toMatchObject({ result: 'pass', instances: 1 });
    const codes = a.evidence.map((e) => e.code);
    expect(codes).toEqual(expect.arrayContaining(['body-modified', 'header-modified', 'third-party-signature', 'arc-pass']));
    expect(a.evidence[0].severity).toBe('critical');
  });

  it('output is plain JSON (export record)', () => {
    const raw = readMessage('generated', 'messages/a10-authentic.eml');
    const a = authenticate(raw, { resolve: resolverFor(loadKeys('generated')), now: new Date(1700172800 * 1000) });
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
    expect(a.verdict).toBe('verified');
    expect(a.arc).toMatchObject({ result: 'none', instances: 0 });
  });
});
