/**
 * @module lookalike/confusables
 * Characters that render like Latin letters: a small hand-picked subset of Unicode's
 * confusables.txt for the scripts seen in IDN phishing (Cyrillic, Greek, Latin with
 * diacritics, fullwidth), plus the ASCII sequences that pass for one letter (rn → m).
 * `skeleton()` maps a label to what a reader sees; two labels with the same skeleton are
 * visually confusable.
 */

/** Single code points that look like a Latin letter or digit (lower case). */
export const CONFUSABLES: ReadonlyMap<string, string> = new Map(Object.entries({
  // Cyrillic
  'а': 'a', 'в': 'b', 'е': 'e', 'ё': 'e', 'г': 'r', 'һ': 'h', 'і': 'i', 'ї': 'i', 'ј': 'j', 'к': 'k',
  'ӏ': 'l', 'м': 'm', 'н': 'h', 'о': 'o', 'п': 'n', 'р': 'p', 'с': 'c', 'ѕ': 's', 'т': 't',
  'у': 'y', 'ү': 'y', 'х': 'x', 'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w', 'ѡ': 'w', 'ь': 'b', 'ɡ': 'g',
  // Greek
  'α': 'a', 'β': 'b', 'ε': 'e', 'η': 'n', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ο': 'o', 'ρ': 'p',
  'τ': 't', 'υ': 'u', 'χ': 'x', 'γ': 'y', 'ϲ': 'c', 'ϳ': 'j', 'ω': 'w',
  // Latin lookalikes without a decomposition
  'ı': 'i', 'ł': 'l', 'ø': 'o', 'đ': 'd', 'ħ': 'h', 'ŀ': 'l', 'ƅ': 'b', 'ɑ': 'a', 'ɩ': 'i',
  'ǀ': 'l', 'ɪ': 'i', 'ʏ': 'y', 'ᴠ': 'v', 'ᴡ': 'w', 'ᴢ': 'z', 'ß': 'b',
  // digits used for letters
  '0': 'o', '1': 'l',
}));

/** Letter sequences read as another letter at a glance; applied after single characters. */
const SEQUENCES: readonly [RegExp, string][] = [
  [/rn/g, 'm'],
  [/vv/g, 'w'],
  [/cl/g, 'd'],
];

/**
 * What a reader sees: NFKC (fullwidth → ASCII), diacritics stripped, confusable characters
 * mapped to Latin, then rn/vv/cl folded. Apply it to both sides of a comparison.
 */
export function skeleton(label: string): string {
  // ASCII: nothing to normalise, only 0/1 and the letter sequences
  if (/^[\x00-\x7f]*$/.test(label)) {
    let s = label.toLowerCase();
    if (s.includes('0') || s.includes('1')) s = s.replace(/0/g, 'o').replace(/1/g, 'l');
    for (const [re, to] of SEQUENCES) s = s.replace(re, to);
    return s;
  }
  const base = label.normalize('NFKC').toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
  let s = '';
  for (const ch of base) s += CONFUSABLES.get(ch) ?? ch;
  for (const [re, to] of SEQUENCES) s = s.replace(re, to);
  return s;
}

/** Non-ASCII code points of a label, for the explanation. */
export function nonAscii(label: string): string[] {
  return [...new Set([...label].filter((c) => c.charCodeAt(0) > 0x7f))];
}

/** Latin letters → confusable code points, for `--generate`. */
export function homoglyphsOf(ch: string): string[] {
  const out: string[] = [];
  for (const [k, v] of CONFUSABLES) if (v === ch && k !== ch) out.push(k);
  return out;
}
