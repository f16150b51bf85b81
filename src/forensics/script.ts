/**
 * @module forensics/script
 * The writing system of a name (Latin, Cyrillic, Greek…), and the corpus majority, to spot
 * e.g. Cyrillic user names in the documents of a French campaign.
 */

const SCRIPTS = ['Latin', 'Cyrillic', 'Greek', 'Arabic', 'Hebrew', 'Han', 'Hiragana', 'Katakana', 'Hangul', 'Thai', 'Devanagari', 'Armenian', 'Georgian'] as const;
export type Script = (typeof SCRIPTS)[number];
const RES = SCRIPTS.map((s) => [s, new RegExp(`\\p{Script=${s}}`, 'gu')] as const);

/** The script most of the string's letters are written in, or null without letters. */
export function scriptOf(s: string): Script | null {
  let best: Script | null = null;
  let n = 0;
  for (const [name, re] of RES) {
    const c = s.match(re)?.length ?? 0;
    if (c > n) {
      n = c;
      best = name;
    }
  }
  // Japanese names mix Han and kana; count them as one writing system.
  return best === 'Hiragana' || best === 'Katakana' ? 'Han' : best;
}

/**
 * The script of at least `share` of the distinct names, when there are at least `min`
 * names; null when the corpus has no clear majority (then nothing is unusual).
 */
export function majorityScript(names: Iterable<string>, min = 5, share = 0.8): Script | null {
  const counts = new Map<Script, number>();
  let total = 0;
  for (const n of new Set(names)) {
    const s = scriptOf(n);
    if (!s) continue;
    counts.set(s, (counts.get(s) ?? 0) + 1);
    total++;
  }
  if (total < min) return null;
  for (const [s, c] of counts) if (c / total >= share) return s;
  return null;
}
