/**
 * Detection by kind, on the examples and publicly reported phishing domains:
 * - onedrive-en-marche.fr, mail-en-marche.fr: registered by Pawn Storm/APT28 against Emmanuel
 *   Macron's campaign, Trend Micro, "From Espionage to Cyber Propaganda: Pawn Storm's
 *   Activities over the Past Two Years" (April 2017).
 * - accounts-google.com and myaccount.google.com-securitysettingpage.tk: used against the
 *   Clinton campaign, SecureWorks, "Threat Group-4127 Targets Hillary Clinton Presidential
 *   Campaign" (June 2016), and the Podesta phishing mail published by WikiLeaks (2016).
 * - hotmaill.com, hotmal.com, hottmail.com: sender domains found in the SpamAssassin corpus.
 */
import { domainToASCII } from 'node:url';
import { describe, expect, it } from 'vitest';
import { detect, makeTarget } from './detect.ts';
import { generate } from './generate.ts';

const EM = [makeTarget('en-marche.fr')!];

const POSITIVES: [string, string, string][] = [
  ['onedrive-en-marche.fr', 'en-marche.fr', 'combosquat'],
  ['mail-en-marche.fr', 'en-marche.fr', 'combosquat'],
  ['en-marche-fr.com', 'en-marche.fr', 'dot'],
  ['en-rnarche.fr', 'en-marche.fr', 'homoglyph'],
  [domainToASCII('еn-marche.fr'), 'en-marche.fr', 'homoglyph'], // Cyrillic е: xn--n-marche-…
  [domainToASCII('en-mаrche.fr'), 'en-marche.fr', 'homoglyph'], // Cyrillic а
  [domainToASCII('en-marché.fr'), 'en-marche.fr', 'homoglyph'],
  ['en-marche.fr.verify-account.com', 'en-marche.fr', 'subdomain'],
  ['en-marche.secure-login.com', 'en-marche.fr', 'subdomain'],
  ['en-marche.fr.com', 'en-marche.fr', 'tld-added'],
  ['en-marche.com', 'en-marche.fr', 'tld-swap'],
  ['enmarche.fr', 'en-marche.fr', 'hyphenation'],
  ['en.marche.fr', 'en-marche.fr', 'dot'],
  ['wwwen-marche.fr', 'en-marche.fr', 'dot'],
  ['en-marhce.fr', 'en-marche.fr', 'transposition'],
  ['en-marchee.fr', 'en-marche.fr', 'repetition'],
  ['en-mrche.fr', 'en-marche.fr', 'omission'],
  ['en-marcjhe.fr', 'en-marche.fr', 'insertion'],
  ['en-narche.fr', 'en-marche.fr', 'replacement'],
  ['en-marchu.fr', 'en-marche.fr', 'vowel-swap'],
  ['en-earche.fr', 'en-marche.fr', 'bitsquatting'],
  ['secure-login-enmarche.fr', 'en-marche.fr', 'combosquat'],
  ['accounts-google.com', 'google.com', 'combosquat'],
  ['myaccount.google.com-securitysettingpage.tk', 'google.com', 'subdomain'],
  ['hotmaill.com', 'hotmail.com', 'repetition'],
  ['hotmal.com', 'hotmail.com', 'omission'],
  ['en-mrahce.fr', 'en-marche.fr', 'double-typo'],
  ['misdepatrmnet.com', 'misdepartment.com', 'double-typo'],
  ['microsfot.com', 'microsoft.com', 'transposition'],
  ['micrsfot.com', 'microsoft.com', 'double-typo'],
  ['accoounts-google.com', 'google.com', 'combosquat'],
];

const NEGATIVES: [string, string][] = [
  ['supermarche.fr', 'en-marche.fr'],
  ['marche.fr', 'en-marche.fr'],
  ['en-marche.fr', 'en-marche.fr'],
  ['login.en-marche.fr', 'en-marche.fr'],
  ['lemonde.fr', 'en-marche.fr'],
  ['en-marche-music.fr', 'en-marche.fr'],
  ['marchesfinanciers.fr', 'en-marche.fr'],
  ['well.com', 'dell.com'],
  ['c1net.com', 'cnet.com'],
  ['snet.net', 'cnet.com'],
  ['yahoogroups.com', 'yahoo.com'],
  ['enronenergy.com', 'enron.com'],
  ['horizonrealty.com', 'horizon.example'],
  ['ge.com', 'gm.com'],
  ['overdrive.com', 'onedrive.com'], // two edits, but n→v is no slip of the finger
  ['appel.fr', 'apple.com'], // one letter from a short brand, under another TLD
  ['enronmail.fr', 'enron-music.com'],
];

describe('lookalike detection', () => {
  it.each(POSITIVES)('%s imitates %s (%s)', (domain, target, kind) => {
    const m = detect(domain, [makeTarget(target)!]);
    expect(m, domain).not.toBeNull();
    expect(m!.kind).toBe(kind);
    expect(m!.target).toBe(target);
    expect(m!.score).toBeGreaterThanOrEqual(0.6);
    expect(m!.parts.reduce((s, p) => s + p.weight, 0)).toBeCloseTo(m!.score, 2);
  });

  it.each(NEGATIVES)('%s is not a lookalike of %s', (domain, target) => {
    expect(detect(domain, [makeTarget(target)!])).toBeNull();
  });

  it('decodes IDN and names the homoglyphs', () => {
    const m = detect(domainToASCII('еn-marche.fr'), EM)!;
    expect(m.domain).toMatch(/^xn--n-marche-/);
    expect(m.unicode).toBe('еn-marche.fr');
    expect(m.parts[0].reason).toContain('U+0435');
  });

  it('combosquats outrank innocent similarity', () => {
    expect(detect('onedrive-en-marche.fr', EM)!.score).toBeGreaterThan(0.85);
    expect(detect('supermarche.fr', EM, 0)).toBeNull();
  });

  it('two typos only on long brands, and only two likely ones', () => {
    expect(detect('enronn.com', [makeTarget('enron.com')!])?.kind).toBe('repetition');
    expect(detect('enrrnn.com', [makeTarget('enron.com')!])).toBeNull(); // 5 letters: one typo at most
    const m = detect('en-mrahce.fr', EM)!;
    expect(m.parts[0].reason).toBe("two typos: transposition 'ar' swapped and transposition 'ch' swapped");
    expect(detect('en-mxrche.fr', EM)?.kind).toBe('replacement'); // one edit is not called two
  });

  it('generates two-typo names for long brands, within bounds', () => {
    const em = generate('en-marche.fr');
    const two = em.filter((c) => c.kind === 'double-typo');
    expect(two.length).toBeGreaterThan(500);
    expect(em.length).toBeLessThan(5000);
    expect(two.map((c) => c.domain)).toContain('en-mrahce.fr');
    expect(generate('enron.com').some((c) => c.kind === 'double-typo')).toBe(false);
  });

  it('every generated candidate is detected, under every kind dnstwist has and more', () => {
    for (const d of ['en-marche.fr', 'enron.com', 'horizon.example']) {
      const cands = generate(d);
      const t = [makeTarget(d)!];
      expect(cands.filter((c) => !detect(c.domain, t)).map((c) => c.domain)).toEqual([]);
      const kinds = new Set(cands.map((c) => c.kind));
      for (const k of ['addition', 'bitsquatting', 'homoglyph', 'hyphenation', 'insertion', 'omission', 'repetition', 'replacement', 'subdomain', 'transposition', 'vowel-swap', 'tld-swap', 'dot', 'combosquat']) expect(kinds, `${d} ${k}`).toContain(k);
    }
    expect(generate('en-marche.fr').map((c) => c.domain)).toEqual(expect.arrayContaining(['onedrive-en-marche.fr', 'mail-en-marche.fr', 'en-marche-fr.com']));
  });
});
