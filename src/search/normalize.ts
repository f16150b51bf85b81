/**
 * @module search/normalize
 * Text folding applied identically to indexed text and to query terms, before SQLite's
 * `unicode61 remove_diacritics 2` tokenizer (which folds case and Latin accents).
 *
 * NFKC makes full-width forms, ligatures (ﬁ, ĳ) and compatibility characters match their
 * plain forms. The tokenizer leaves a few letters alone that readers treat as accented or
 * spelling variants (ø, ł, đ, œ, æ, ß, and the Russian ё, commonly written е); they are
 * mapped here. Cyrillic й stays distinct from и: they are different letters.
 *
 * Chinese, Japanese and Korean are written without spaces between words, so SQLite's tokenizer
 * would see a whole run of ideographs or kana as one token: 東京 would not find 東京都に住む.
 * Word segmenters (Intl.Segmenter, dictionaries) guess, and guess differently in a query than in
 * the sentence the same characters come from, which breaks exactness. Instead every CJK
 * character becomes a token of its own (a space on each side when a letter or digit touches it),
 * and a query term made of CJK characters is a phrase of those characters: it matches exactly
 * where the string occurs, as a substring search would.
 */

const EXTRA: Record<string, string> = {
  ø: 'o', Ø: 'O', ł: 'l', Ł: 'L', đ: 'd', Đ: 'D', ħ: 'h', Ħ: 'H', ı: 'i',
  œ: 'oe', Œ: 'OE', æ: 'ae', Æ: 'AE', ß: 'ss', ẞ: 'SS', þ: 'th', Þ: 'TH',
  ё: 'е', Ё: 'Е',
};
const EXTRA_RE = new RegExp(`[${Object.keys(EXTRA).join('')}]`, 'g');

/** Han, Hiragana, Katakana (with the prolonged sound mark) and Hangul. */
const CJK = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}\\u30fc';
const HAS_CJK = new RegExp(`[${CJK}]`, 'u');
const CJK_EDGE = new RegExp(`(?<=[${CJK}])(?=[\\p{L}\\p{N}])|(?<=[\\p{L}\\p{N}])(?=[${CJK}])`, 'gu');

/** The form text is indexed and queried in. Keeps length roughly; snippets show this form. */
export function normalizeText(s: string): string {
  const t = s.normalize('NFKC').replace(EXTRA_RE, (c) => EXTRA[c] ?? c);
  // the cheap test first: most text has no CJK and never runs the look-around pattern
  return HAS_CJK.test(t) ? t.replace(CJK_EDGE, ' ') : t;
}
