/**
 * @module lookalike/detect
 * Decides whether a domain imitates one of the legitimate ones, names how, and scores it.
 *
 * Every check compares the candidate's registered label (or its subdomain labels) with the
 * target's brand label, both as written and as read (`skeleton`: homoglyphs folded). The score
 * starts from a base per kind — how surely that construction means impersonation — and is
 * adjusted by named parts: brand length (a one-letter change to a 5-letter brand is often an
 * unrelated word; to a 9-letter one rarely), a finger-likely typo (two of them only on brands
 * of 7+ letters), the TLD kept or changed (a typo under another TLD is most often a word),
 * and for combosquats whether every added word is a service word (mail, onedrive, login…) or
 * an unknown one (supermarche.fr holds "marche", not the brand en-marche: no match at all;
 * en-marche-music.fr holds the brand beside an unknown word: a low score). Parts are kept so
 * the JSON can say why. Candidate features are computed once per domain and a cheap filter
 * skips the targets no construction can match: most cost a few string comparisons per name.
 */
import { nonAscii, skeleton } from './confusables.ts';
import { parseHost, type Host } from './domain.ts';
import { DOUBLE_TYPO_MIN_LENGTH, doubleTypoOf, mayBeWithin, typoOf, type TypoKind } from './typo.ts';
import { SERVICE_SET, SERVICE_WORDS } from './words.ts';

export type Kind = TypoKind | 'homoglyph' | 'hyphenation' | 'dot' | 'tld-swap' | 'tld-added' | 'tld-removed' | 'combosquat' | 'subdomain';

export interface ScorePart {
  reason: string;
  weight: number;
}

export interface Match {
  /** The candidate as given (ASCII form). */
  domain: string;
  /** Unicode form when it differs (IDN). */
  unicode?: string;
  /** The legitimate domain it imitates. */
  target: string;
  kind: Kind;
  score: number;
  parts: ScorePart[];
}

export interface Target {
  domain: string;
  host: Host;
  /** Registered label, e.g. en-marche. */
  brand: string;
  /** Brand without hyphens, e.g. enmarche. */
  core: string;
  /** Skeleton of the brand (what a reader sees), with and without hyphens. */
  sk: string;
  skc: string;
  /** The suffix's words, accepted beside the brand in a combosquat (en-marche-fr.com). */
  extraWords: ReadonlySet<string>;
}

/** Default score at or above which a domain is called a lookalike. */
export const DEFAULT_MIN_SCORE = 0.6;

export function makeTarget(domain: string): Target | null {
  const host = parseHost(domain);
  if (!host?.registered) return null;
  const sk = skeleton(host.label);
  return {
    domain: host.registered, host, brand: host.label, core: host.label.replace(/-/g, ''), sk, skc: sk.replace(/-/g, ''),
    extraWords: new Set([host.suffix.replace(/\./g, ''), ...host.suffix.split('.')]),
  };
}

/**
 * Splits `s` into service words (and digit runs); null when some part is not one. With `fuzzy`,
 * one part may be a service word of 6+ letters with one finger-likely typo (accoounts): the
 * misspelt words are returned in `misspelt`.
 */
function serviceWords(s: string, extra: ReadonlySet<string>, fuzzy = false): { words: string[]; misspelt: string[] } | null {
  if (!s) return { words: [], misspelt: [] };
  type Cell = { words: string[]; misspelt: string[] } | null;
  const best: Cell[] = new Array(s.length + 1).fill(null);
  best[0] = { words: [], misspelt: [] };
  const better = (c: Cell, words: number, miss: number): boolean => !c || c.misspelt.length > miss || (c.misspelt.length === miss && c.words.length > words);
  for (let i = 0; i < s.length; i++) {
    const prev = best[i];
    if (!prev) continue;
    for (let j = i + 1; j <= s.length && j - i <= 15; j++) {
      const w = s.slice(i, j);
      if (SERVICE_SET.has(w) || extra.has(w) || /^\d+$/.test(w)) {
        if (better(best[j], prev.words.length + 1, prev.misspelt.length)) best[j] = { words: [...prev.words, w], misspelt: prev.misspelt };
      } else if (fuzzy && !prev.misspelt.length && w.length >= 5 && better(best[j], prev.words.length + 1, 1)) {
        const sw = SERVICE_WORDS.find((x) => x.length >= 6 && Math.abs(x.length - w.length) <= 1 && typoOf(x, w)?.likely);
        if (sw) best[j] = { words: [...prev.words, sw], misspelt: [w] };
      }
    }
  }
  return best[s.length];
}

/** Score adjustment for the brand's length: short brands collide with ordinary words. */
function lengthPart(core: string, typo: boolean): ScorePart | null {
  const n = [...core].length;
  const w = typo ? (n >= 8 ? 0 : n >= 6 ? -0.05 : n === 5 ? -0.1 : n === 4 ? -0.25 : -0.5) : n >= 5 ? 0 : n === 4 ? -0.1 : -0.3;
  return w ? { reason: `short brand (${n} letters)`, weight: w } : null;
}

function build(cand: Host, t: Target, kind: Kind, base: number, reason: string, extra: (ScorePart | null)[]): Match {
  const parts: ScorePart[] = [{ reason, weight: base }, ...extra.filter((p): p is ScorePart => p !== null)];
  const score = Math.round(Math.max(0, Math.min(1, parts.reduce((s, p) => s + p.weight, 0))) * 100) / 100;
  const m: Match = { domain: cand.ascii, target: t.domain, kind, score, parts };
  if (cand.unicode !== cand.ascii) m.unicode = cand.unicode;
  return m;
}

/** What classify needs of a candidate, computed once for all targets. */
export interface Features {
  host: Host;
  /** Registered label, without hyphens, its skeleton with and without hyphens. */
  Lc: string;
  sk: string;
  skc: string;
  glyphs: string[];
}

export function features(host: Host): Features {
  const sk = skeleton(host.label);
  return { host, Lc: host.label.replace(/-/g, ''), sk, skc: sk.replace(/-/g, ''), glyphs: nonAscii(host.label) };
}

/** The best explanation of `cand` as an imitation of `t`, or null (unrelated, or t itself). */
export function classify(cand: Host | Features, t: Target): Match | null {
  const f = 'Lc' in cand ? cand : features(cand);
  return classifyF(f, t);
}

function classifyF(f: Features, t: Target): Match | null {
  const cand = f.host;
  if (!cand.registered || cand.registered === t.host.registered) return null;
  const out: Match[] = [];
  const sameTld = cand.suffix === t.host.suffix;
  const tldPart: ScorePart = sameTld ? { reason: `same TLD .${t.host.suffix}`, weight: 0.05 } : { reason: `TLD .${cand.suffix} instead of .${t.host.suffix}`, weight: -0.1 };
  const extraWords = t.extraWords;
  const L = cand.label;
  const { Lc, sk, skc, glyphs } = f;
  const tsk = t.sk;
  const tskc = t.skc;
  // fast path: none of the constructions below can hold (most domains of a feed)
  if (!cand.sub.length && !glyphs.length && L !== t.brand && !Lc.includes(t.core) && !skc.includes(tskc) && !mayBeWithin(Lc, t.core, 2) && !mayBeWithin(L, t.brand, 2)) return null;
  const lenP = lengthPart(t.core, false);

  // target's registered domain (or brand) inside the subdomain: en-marche.fr.verify-account.com
  const host = cand.unicode;
  if (host.startsWith(t.domain + '.')) {
    const rest = host.slice(t.domain.length + 1);
    const ph = parseHost('x.' + rest);
    if (ph && ph.suffix === rest) out.push(build(cand, t, 'tld-added', 0.9, `${t.domain} followed by the suffix .${rest}`, [lenP]));
    else out.push(build(cand, t, 'subdomain', 0.9, `${t.domain} used as a subdomain of ${cand.registered}`, [lenP]));
  } else if (('.' + cand.sub.join('.') + '.').includes('.' + t.domain + '.')) {
    out.push(build(cand, t, 'subdomain', 0.9, `${t.domain} used as a subdomain of ${cand.registered}`, [lenP]));
  } else if (cand.sub.some((s) => s === t.brand || skeleton(s) === tsk)) {
    const words = serviceWords(Lc, extraWords)?.words;
    out.push(words
      ? build(cand, t, 'subdomain', 0.75, `brand ${t.brand} as a subdomain of ${cand.registered}`, [{ reason: `registered label made of service words: ${words.join(', ')}`, weight: 0.05 }, lenP])
      : build(cand, t, 'subdomain', 0.5, `brand ${t.brand} as a subdomain of ${cand.registered}`, [lenP]));
  }
  // dots: en.marche.fr (a label split by a dot)
  if (cand.sub.length > 0 && [...cand.sub, L].join('').replace(/-/g, '') === t.core) {
    out.push(build(cand, t, 'dot', 0.85, `brand split by a dot`, [tldPart, lenP]));
  }
  if (L === t.brand && !sameTld) {
    const removed = t.host.suffix.endsWith('.' + cand.suffix) || t.host.suffix.startsWith(cand.suffix + '.');
    out.push(build(cand, t, removed ? 'tld-removed' : 'tld-swap', 0.85, removed ? `part of the suffix .${t.host.suffix} removed` : `same label under .${cand.suffix}`, [lenP]));
  } else if (L !== t.brand && Lc === t.core) {
    out.push(build(cand, t, 'hyphenation', 0.85, `hyphens ${t.brand.includes('-') ? 'moved or removed' : 'added'}`, [sameTld ? null : tldPart, lenP]));
  }
  // homoglyphs: the label reads as the brand
  if (L !== t.brand && (sk === tsk || skc === tskc) && Lc !== t.core) {
    out.push(build(cand, t, 'homoglyph', glyphs.length ? 0.95 : 0.85, glyphs.length ? `reads as ${t.brand}: ${glyphs.map((g) => `'${g}' U+${g.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`).join(', ')}` : `reads as ${t.brand} (rn/vv/cl/0/1 confusion)`, [sameTld ? null : tldPart, lenP]));
  }
  // typos, on the label as written and without hyphens
  // (on the skeleton only for non-ASCII labels: rn/cl/0/1 folding plus a typo is too loose)
  const pairs: [string, string, boolean][] = [[t.brand, L, false], [t.core, Lc, false]];
  if (glyphs.length) pairs.push([tsk, sk, true]);
  // a typo squatter keeps the TLD (the victim mistypes the brand's own address); a word one
  // letter from the brand under another TLD is most often just another word (appel.fr, apple.com)
  const typoTld: ScorePart = sameTld ? tldPart : { reason: `TLD .${cand.suffix} instead of .${t.host.suffix} (a typo under another TLD)`, weight: -0.2 };
  let oneTypo = false;
  for (const [a, b, homo] of pairs) {
    if (Math.abs(a.length - b.length) > 2) continue; // (code units: a cheap bound, exact for ASCII)
    const typo = typoOf(a, b);
    if (!typo) continue;
    oneTypo = true;
    out.push(build(cand, t, typo.kind, 0.75, `${typo.kind}: ${typo.detail}`, [typo.likely && !homo ? { reason: 'a likely slip of the finger', weight: 0.05 } : null, typoTld, lengthPart(t.core, true), homo ? { reason: 'with homoglyphs', weight: 0.05 } : null]));
  }
  // two finger-likely typos at once, on long brands only (see typo.ts), when one does not explain it
  if (!oneTypo) {
    for (const [a, b] of [[t.brand, L], [t.core, Lc]] as const) {
      if (a.length < DOUBLE_TYPO_MIN_LENGTH || Math.abs(a.length - b.length) > 4) continue;
      const typo = doubleTypoOf(a, b);
      if (!typo) continue;
      out.push(build(cand, t, 'double-typo', 0.6, `two typos: ${typo.detail}`, [{ reason: 'both likely slips of the finger', weight: 0.05 }, typoTld, lengthPart(t.core, true)]));
      break;
    }
  }
  // combosquats: the brand plus words, with or without separators
  for (const [lab, brand] of [[Lc, t.core], [skc, tskc]] as const) {
    const i = lab.indexOf(brand);
    if (brand.length < 3 || i < 0 || lab === brand) continue;
    const left = lab.slice(0, i);
    const right = lab.slice(i + brand.length);
    let lw = serviceWords(left, extraWords);
    let rw = serviceWords(right, extraWords);
    if (!lw !== !rw) {
      // one side is service words: allow one misspelt service word on the other (accoounts-google)
      if (!lw) lw = serviceWords(left, extraWords, true);
      else rw = serviceWords(right, extraWords, true);
    }
    const homo = lab === skc && skc !== Lc ? { reason: 'with homoglyphs', weight: 0.05 } : null;
    if (lw && rw) {
      const words = [...lw.words, ...rw.words];
      const misspelt = [...lw.misspelt, ...rw.misspelt];
      const missP = misspelt.length ? { reason: `service word misspelt: ${misspelt.join(', ')}`, weight: -0.05 } : null;
      if (!left && words.length === 1 && extraWords.has(words[0])) {
        out.push(build(cand, t, 'dot', 0.85, `${t.domain} with its dot replaced (${L})`, [lenP, homo]));
      } else if (left === 'www' && !right) {
        out.push(build(cand, t, 'dot', 0.85, `www${sameTld ? '' : ''} without its dot`, [tldPart, lenP, homo]));
      } else {
        const digits = words.filter((w) => /^\d+$/.test(w));
        out.push(build(cand, t, 'combosquat', 0.85, `brand ${t.brand} with service words: ${words.join(', ')}`, [sameTld ? { reason: `same TLD .${t.host.suffix}`, weight: 0.05 } : null, digits.length ? { reason: `numbers ${digits.join(', ')}`, weight: -0.1 } : null, missP, lenP, homo]));
      }
    } else {
      const bounded = ('-' + L + '-').includes('-' + t.brand + '-');
      const unknown = [left, right].filter(Boolean).join(', ');
      out.push(build(cand, t, 'combosquat', bounded ? 0.5 : 0.3, `brand ${t.brand} with unknown words: ${unknown}${bounded ? '' : ' (not separated)'}`, [lenP, homo]));
    }
  }
  if (!out.length) return null;
  out.sort((a, b) => b.score - a.score);
  return out[0];
}

/**
 * The best match of a domain against the legitimate ones, or null. A domain that is (or is
 * under) one of the targets is never a lookalike; nor is one whose suffix is not an ICANN
 * entry of the Public Suffix List ("enron.c", "enron.comsend": text run together, nothing
 * anyone can register), unless a target shares that suffix (the reserved `.example` of a
 * demonstration case).
 */
export function detect(domain: string | Host, targets: readonly Target[], minScore = DEFAULT_MIN_SCORE): Match | null {
  const host = typeof domain === 'string' ? parseHost(domain) : domain;
  if (!host?.registered) return null;
  if (!host.icann && !targets.some((t) => t.host.suffix === host.suffix)) return null;
  if (targets.some((t) => t.host.registered === host.registered)) return null;
  let best: Match | null = null;
  const f = features(host);
  for (const t of targets) {
    const m = classifyF(f, t);
    if (m && (!best || m.score > best.score)) best = m;
  }
  return best && best.score >= minScore ? best : null;
}
