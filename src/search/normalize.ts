/**
 * @module search/normalize
 * Text folding applied identically to indexed text and to query terms, before SQLite's
 * `unicode61 remove_diacritics 2` tokenizer (which folds case and Latin accents).
 *
 * NFKC makes full-width forms, ligatures (ﬁ, ĳ) and compatibility characters match their
 * plain forms. The tokenizer leaves a few letters alone that readers treat as accented or
 * spelling variants (ø, ł, đ, œ, æ, ß, and the Russian ё, commonly written е); they are
 * mapped here. Cyrillic й stays distinct from и: they are different letters.
 */

const EXTRA: Record<string, string> = {
  ø: 'o', Ø: 'O', ł: 'l', Ł: 'L', đ: 'd', Đ: 'D', ħ: 'h', Ħ: 'H', ı: 'i',
  œ: 'oe', Œ: 'OE', æ: 'ae', Æ: 'AE', ß: 'ss', ẞ: 'SS', þ: 'th', Þ: 'TH',
  ё: 'е', Ё: 'Е',
};
const EXTRA_RE = new RegExp(`[${Object.keys(EXTRA).join('')}]`, 'g');

/** The form text is indexed and queried in. Keeps length roughly; snippets show this form. */
export function normalizeText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.normalize('NFKC').replace(EXTRA_RE, (c) => EXTRA[c] ?? c);
}
