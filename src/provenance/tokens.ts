/**
 * @module provenance/tokens
 * Word tokens with their offsets in the original text, in a folded form that survives what
 * happens to a quote on its way round social media: case, accents, typographic quotes,
 * thousands separators, reflowed lines and words hyphenated across a line break.
 */
import { normalizeText } from '../search/normalize.ts';

export interface Token {
  /** Folded form compared by the alignment. */
  norm: string;
  /** Offsets of the word in the text it was read from. */
  start: number;
  end: number;
  /** The word as written. */
  raw: string;
  /** Capitalised and not at the start of a sentence or line: likely a name. */
  name: boolean;
}

// Letters and digits, with inner separators kept inside one token: 1,000.50  don't  e.g
const WORD = /[\p{L}\p{N}]+(?:[.,'’][\p{L}\p{N}]+)*/gu;

export function fold(word: string): string {
  return normalizeText(word)
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/(\d),(?=\d{3}\b)/g, '$1');
}

/** A figure: digits with separators (45, 1000, 3.5, 10/12), not a word with a digit in it. */
export function isNumber(norm: string): boolean {
  return /^[\d.,/:]*\d[\d.,/:]*(?:st|nd|rd|th|k|m|mw|mm|bn)?$/.test(norm);
}

/** Joins words hyphenated across a line break (OCR of a narrow screenshot column). */
export function dehyphenate(s: string): string {
  return s.replace(/(\p{L})-[ \t]*\r?\n[ \t>]*(\p{Ll})/gu, '$1$2');
}

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(WORD)) {
    const start = m.index;
    const before = text.slice(Math.max(0, start - 3), start);
    const name = /^\p{Lu}/u.test(m[0]) && start > 0 && !/[.!?:\n]\s*$|^\s*$/.test(before) && m[0] !== 'I';
    out.push({ norm: fold(m[0]), start, end: start + m[0].length, raw: m[0], name });
  }
  return out;
}

/** Common OCR confusions, applied to words that have letters: 0→o, 1→l, 5→s, rn→m, vv→w. */
export function ocrFold(w: string): string {
  if (!/\p{L}/u.test(w)) return w;
  return w.replace(/rn/g, 'm').replace(/vv/g, 'w').replace(/0/g, 'o').replace(/[1|!]/g, 'l').replace(/5/g, 's');
}

/** Edit distance counting a swap of adjacent letters as one edit (OSA), or max + 1 once above max. */
function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
      cur.push(v);
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length];
}

/**
 * How far two folded words are the same word: 1 identical, 0.9 equal after OCR folding,
 * 0.7 a small misspelling (one edit or swap in 4–7 letters, two from 8), 0 otherwise. Two different
 * numbers are never similar: a changed figure is a change, not a typo.
 */
export function wordSimilarity(a: string, b: string, fa = ocrFold(a), fb = ocrFold(b)): number {
  if (a === b) return 1;
  if (Math.abs(fa.length - fb.length) > 2) return 0;
  if (isNumber(a) && isNumber(b)) return 0;
  if (fa === fb) return 0.9;
  const len = Math.min(fa.length, fb.length);
  if (len < 4) return 0;
  const max = len >= 8 ? 2 : 1;
  return editDistance(fa, fb, max) <= max ? 0.7 : 0;
}

/** Words too common to pick candidates by (they are still aligned). */
export const STOPWORDS: ReadonlySet<string> = new Set(
  ('a about above after again all also am an and any are as at be because been before being below between both but by can could did do does ' +
    'doing down during each few for from further had has have having he her here hers him his how i if in into is it its itself just me more most ' +
    'my no nor not now of off on once only or other our ours out over own same she should so some such than that the their theirs them then there ' +
    'these they this those through to too under until up very was we were what when where which while who whom why will with would you your yours ' +
    'please thanks thank let know re fw fwd cc subject sent pm am will get got one two').split(' '),
);
