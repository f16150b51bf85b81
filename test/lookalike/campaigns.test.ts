/**
 * Recall on publicly reported phishing domains (reported.ts, with their sources) and false
 * positives on a large list of ordinary domains (ordinary-domains.ts), scored together against
 * every targeted organisation's real domain.
 */
import { describe, expect, it } from 'vitest';
import { detect, makeTarget, type Target } from '../../src/lookalike/index.ts';
import { englishWords, frenchWords, ordinaryDomains } from './ordinary-domains.ts';
import { CAMPAIGN_TARGETS, REPORTED } from './reported.ts';

describe('reported phishing domains vs ordinary domains', () => {
  const ts: Target[] = CAMPAIGN_TARGETS.map((d) => makeTarget(d)!);

  it('the Macron campaign domains, each named for what it imitates', () => {
    expect(detect('onedrive-en-marche.fr', ts)).toMatchObject({ target: 'en-marche.fr', kind: 'combosquat' });
    expect(detect('mail-en-marche.fr', ts)).toMatchObject({ target: 'en-marche.fr', kind: 'combosquat' });
    expect(detect('portal-office.fr', ts)).toMatchObject({ target: 'office.com', kind: 'combosquat' });
    expect(detect('accounts-office.fr', ts)).toMatchObject({ target: 'office.com', kind: 'combosquat' });
    expect(detect('en-marche.co', ts)).toMatchObject({ target: 'en-marche.fr', kind: 'tld-swap' });
    const acc = detect('accoounts-google.com', ts)!;
    expect(acc).toMatchObject({ target: 'google.com', kind: 'combosquat' });
    expect(acc.parts.map((p) => p.reason).join('; ')).toContain('misspelt: accoounts');
  });

  it('prints precision and recall; both stay above their thresholds', () => {
    const brands = new Set(ts.flatMap((t) => [t.brand, t.core]));
    const fr = frenchWords();
    const en = englishWords(3000);
    const negatives = ordinaryDomains([...fr, ...en], { pairs: 60_000, seed: 8, exclude: brands });
    expect(fr.length).toBeGreaterThan(1000);
    expect(negatives.length).toBeGreaterThan(100_000);

    const hits = REPORTED.map(([d, t]) => ({ d, t, m: detect(d, ts) }));
    const tp = hits.filter((h) => h.m?.target === makeTarget(h.t)!.domain);
    const missed = hits.filter((h) => !tp.includes(h)).map((h) => `${h.d}${h.m ? ` (as ${h.m.target})` : ''}`);
    const t0 = performance.now();
    const fp = negatives.map((d) => detect(d, ts)).filter((m) => m !== null);
    const ms = performance.now() - t0;

    const recall = tp.length / REPORTED.length;
    const precision = tp.length / (tp.length + fp.length);
    const fpRate = fp.length / negatives.length;
    console.log([
      `lookalikes vs ${ts.length} targets: recall ${tp.length}/${REPORTED.length} = ${recall.toFixed(3)} on reported phishing domains`,
      `  false positives ${fp.length}/${negatives.length} ordinary domains = ${(fpRate * 100).toFixed(3)}% (${fr.length} French + ${en.length} English words)`,
      `  precision ${precision.toFixed(3)} (reported ones found / everything flagged); ${Math.round(negatives.length / (ms / 1000))} domains/s`,
      `  missed: ${missed.join(', ') || 'none'}`,
      `  false positives: ${fp.slice(0, 40).map((m) => `${m.domain}→${m.target} ${m.kind} ${m.score}`).join(', ')}`,
    ].join('\n'));

    expect(recall).toBeGreaterThanOrEqual(0.9);
    expect(fpRate).toBeLessThanOrEqual(0.0001);
    expect(precision).toBeGreaterThanOrEqual(0.75);
  }, 120_000);
});
