/**
 * @module lookalike/typo
 * Names the single typing error that turns one label into another (dnstwist's fuzzers read
 * backwards): insertion, omission, repetition, transposition, replacement, bitsquatting,
 * vowel swap (`typoOf`), and two such errors at once (`doubleTypoOf`). Two edits are only
 * called a typo when the brand is long (7+ letters: at two edits short words start to collide
 * with ordinary ones) and both errors are ones a finger makes (left out, doubled, swapped,
 * adjacent key, vowel for vowel).
 */
import { isAdjacent, VOWELS } from './words.ts';

export type TypoKind = 'insertion' | 'omission' | 'repetition' | 'transposition' | 'replacement' | 'bitsquatting' | 'vowel-swap' | 'double-typo';

/** Shortest brand (in code points) for which two-edit typos are considered. */
export const DOUBLE_TYPO_MIN_LENGTH = 7;

export interface Typo {
  kind: TypoKind;
  /** What changed, in words. */
  detail: string;
  /** The error is one a finger makes (adjacent key, doubled or swapped letter). */
  likely: boolean;
}

/** The typo turning `target` into `cand`, or null when they differ by more than one edit. */
export function typoOf(target: string, cand: string): Typo | null {
  if (target === cand) return null;
  const a = [...target];
  const b = [...cand];
  if (b.length === a.length + 1) {
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    if (a.slice(i).join('') !== b.slice(i + 1).join('')) return null;
    const ch = b[i];
    if (ch === b[i - 1] || ch === b[i + 1]) return { kind: 'repetition', detail: `'${ch}' doubled`, likely: true };
    const near = (a[i - 1] !== undefined && isAdjacent(a[i - 1], ch)) || (a[i] !== undefined && isAdjacent(a[i], ch));
    return { kind: 'insertion', detail: `'${ch}' inserted at ${i}${near ? ' (adjacent key)' : ''}`, likely: near };
  }
  if (b.length === a.length - 1) {
    let i = 0;
    while (i < b.length && a[i] === b[i]) i++;
    if (a.slice(i + 1).join('') !== b.slice(i).join('')) return null;
    return { kind: 'omission', detail: `'${a[i]}' left out`, likely: true };
  }
  if (a.length !== b.length) return null;
  const diff: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff.push(i);
  if (diff.length === 2 && diff[1] === diff[0] + 1 && a[diff[0]] === b[diff[1]] && a[diff[1]] === b[diff[0]]) {
    return { kind: 'transposition', detail: `'${a[diff[0]]}${a[diff[1]]}' swapped`, likely: true };
  }
  if (diff.length !== 1) return null;
  const [x, y] = [a[diff[0]], b[diff[0]]];
  if (VOWELS.has(x) && VOWELS.has(y)) return { kind: 'vowel-swap', detail: `'${x}' → '${y}'`, likely: true };
  const xor = x.charCodeAt(0) ^ y.charCodeAt(0);
  if (x.length === 1 && y.length === 1 && (xor & (xor - 1)) === 0) return { kind: 'bitsquatting', detail: `'${x}' → '${y}' (one bit flipped)`, likely: false };
  const near = isAdjacent(x, y);
  return { kind: 'replacement', detail: `'${x}' → '${y}'${near ? ' (adjacent key)' : ''}`, likely: near };
}

const ASCII = /^[\x00-\x7f]*$/;
/** The dynamic programme's table, reused (labels are at most 63 characters). */
const DP = new Uint8Array(64 * 64);
const BAG = new Int16Array(128);

/**
 * False when `a` and `b` are surely more than `k` edits apart: their lengths differ by more
 * than k, or (ASCII) more than k characters of one are missing from the other. Each edit
 * adds at most one character to each side of the difference. True means "maybe": a filter
 * that makes scoring a feed of unrelated names cheap.
 */
export function mayBeWithin(a: string, b: string, k: number): boolean {
  if (Math.abs(a.length - b.length) > k) return false;
  if (!ASCII.test(a) || !ASCII.test(b)) return true;
  for (let i = 0; i < a.length; i++) BAG[a.charCodeAt(i)]++;
  for (let i = 0; i < b.length; i++) BAG[b.charCodeAt(i)]--;
  let plus = 0;
  let minus = 0;
  for (let i = 0; i < a.length; i++) {
    const c = a.charCodeAt(i);
    if (BAG[c] > 0) plus += BAG[c];
    BAG[c] = 0;
  }
  for (let i = 0; i < b.length; i++) {
    const c = b.charCodeAt(i);
    if (BAG[c] < 0) minus -= BAG[c];
    BAG[c] = 0;
  }
  return plus <= k && minus <= k;
}

/**
 * The two finger-likely errors turning `target` into `cand`, or null when they are not exactly
 * two edits apart (optimal string alignment distance: insert, delete, replace, swap adjacent),
 * when `target` is shorter than DOUBLE_TYPO_MIN_LENGTH, or when either error is unlikely. A
 * banded dynamic programme with an early exit: unrelated labels cost a few rows.
 */
export function doubleTypoOf(target: string, cand: string): Typo | null {
  if (target === cand || !mayBeWithin(target, cand, 2)) return null;
  const a: ArrayLike<string> = ASCII.test(target) ? target : [...target];
  const b: ArrayLike<string> = ASCII.test(cand) ? cand : [...cand];
  const n = a.length;
  const m = b.length;
  if (n < DOUBLE_TYPO_MIN_LENGTH || n > 63 || m > 63 || Math.abs(n - m) > 2) return null;
  // a piece of the brand (marche of en-marche) or the brand with two letters around it is a
  // word of its own or a combination, not a typo
  if (target.includes(cand) || cand.includes(target)) return null;
  const INF = 99;
  const w = m + 1;
  const d = DP.fill(INF, 0, (n + 1) * w);
  for (let j = 0; j <= Math.min(m, 2); j++) d[j] = j;
  for (let i = 1; i <= n; i++) {
    let rowMin = INF;
    if (i <= 2) d[i * w] = i;
    for (let j = Math.max(1, i - 2); j <= Math.min(m, i + 2); j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[(i - 1) * w + j] + 1, d[i * w + j - 1] + 1, d[(i - 1) * w + j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[(i - 2) * w + j - 2] + 1);
      d[i * w + j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (i <= 2 && d[i * w] < rowMin) rowMin = d[i * w];
    if (rowMin > 2) return null;
  }
  if (d[n * w + m] !== 2) return null;
  // walk back every optimal alignment (at most two errors: few paths), naming each error;
  // keep one whose errors are all finger-likely
  const walk = (i: number, j: number, errs: Typo[]): Typo[] | null => {
    if (i === 0 && j === 0) return errs.length === 2 && errs.every((e) => e.likely) ? errs : null;
    if (errs.length > 2) return null;
    const here = d[i * w + j];
    const tries: (() => Typo[] | null)[] = [];
    if (i > 0 && j > 0 && a[i - 1] === b[j - 1] && d[(i - 1) * w + j - 1] === here) tries.push(() => walk(i - 1, j - 1, errs));
    if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1] && a[i - 1] !== a[i - 2] && d[(i - 2) * w + j - 2] === here - 1) {
      tries.push(() => walk(i - 2, j - 2, [{ kind: 'transposition', detail: `'${a[i - 2]}${a[i - 1]}' swapped`, likely: true }, ...errs]));
    }
    if (i > 0 && j > 0 && a[i - 1] !== b[j - 1] && d[(i - 1) * w + j - 1] === here - 1) {
      const [x, y] = [a[i - 1], b[j - 1]];
      const t: Typo = VOWELS.has(x) && VOWELS.has(y) ? { kind: 'vowel-swap', detail: `'${x}' → '${y}'`, likely: true }
        : { kind: 'replacement', detail: `'${x}' → '${y}'${isAdjacent(x, y) ? ' (adjacent key)' : ''}`, likely: isAdjacent(x, y) };
      tries.push(() => walk(i - 1, j - 1, [t, ...errs]));
    }
    if (j > 0 && d[i * w + j - 1] === here - 1) {
      const ch = b[j - 1];
      const near = (a[i - 1] !== undefined && isAdjacent(a[i - 1], ch)) || (a[i] !== undefined && isAdjacent(a[i], ch));
      const t: Typo = ch === b[j - 2] || ch === b[j] ? { kind: 'repetition', detail: `'${ch}' doubled`, likely: true } : { kind: 'insertion', detail: `'${ch}' inserted${near ? ' (adjacent key)' : ''}`, likely: near };
      tries.push(() => walk(i, j - 1, [t, ...errs]));
    }
    if (i > 0 && d[(i - 1) * w + j] === here - 1) tries.push(() => walk(i - 1, j, [{ kind: 'omission', detail: `'${a[i - 1]}' left out`, likely: true }, ...errs]));
    for (const f of tries) {
      const r = f();
      if (r) return r;
    }
    return null;
  };
  const errs = walk(n, m, []);
  if (!errs) return null;
  return { kind: 'double-typo', detail: errs.map((e) => `${e.kind} ${e.detail}`).join(' and '), likely: true };
}
