/**
 * @module provenance/retrieve
 * Candidate messages for a quote from the full-text index (search_fts): an OR of the quote's
 * distinctive words, ranked by BM25. Words mangled by OCR or changed by a forger simply fail
 * to match; the others still find the source. Numbers and stopwords are left out (numbers
 * are what forgers change). The candidates are then ranked by exact alignment (align.ts).
 */
import type { CaseDb } from '../store/sqlite.ts';
import { rankedByWords } from '../search/search.ts';
import { STOPWORDS, type Token } from './tokens.ts';

/** Words put in the OR query: enough to outvote a few typos, few enough to stay fast. */
export const MAX_QUERY_WORDS = 32;

/** The quote's distinctive words: no stopwords, numbers or one- and two-letter words; longest first. */
export function queryWords(q: Token[]): string[] {
  const seen = new Set<string>();
  for (const t of q) {
    if (t.norm.length < 3 || STOPWORDS.has(t.norm) || /\d/.test(t.norm) || !/^[\p{L}]+$/u.test(t.norm)) continue;
    seen.add(t.norm);
  }
  return [...seen].sort((a, b) => b.length - a.length || (a < b ? -1 : 1)).slice(0, MAX_QUERY_WORDS);
}

/**
 * Message ids of the best `limit` candidates by BM25 over subject and body, or over
 * attachment text with `columns: 'attachment'`.
 */
export function candidates(db: CaseDb, q: Token[], limit: number, columns: '{subject body}' | 'attachment' = '{subject body}'): string[] {
  const words = queryWords(q);
  if (!words.length) return [];
  // back-end neutral: BM25 over FTS5 on SQLite, ts_rank_cd on PostgreSQL
  return rankedByWords(db, words, columns === 'attachment' ? ['attachment'] : ['subject', 'body'], limit);
}
