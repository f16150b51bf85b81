/**
 * @module lookalike/typo
 * Names the single typing error that turns one label into another (dnstwist's fuzzers read
 * backwards): insertion, omission, repetition, transposition, replacement, bitsquatting,
 * vowel swap. Anything further than one edit is not called a typo: at two edits ordinary
 * words start to collide.
 */
import { isAdjacent, VOWELS } from './words.ts';

export type TypoKind = 'insertion' | 'omission' | 'repetition' | 'transposition' | 'replacement' | 'bitsquatting' | 'vowel-swap';

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
