/**
 * Helpers for the search correctness suite: a case ingested from a corpus, Python's reading of
 * every file (py-scan.py), and the folding rules of the query language re-stated simply.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaseDb } from '../../src/store/sqlite.ts';

export interface Scan {
  file: string;
  subject: string | null;
  utc_day: string | null;
  local_day: string | null;
  body: string | null;
}

function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    if (e.startsWith('.')) continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else out.push(p);
  }
  return out;
}

/** Python's reading of every file under dir, keyed by path relative to dir. */
export function pyScan(dir: string): Map<string, Scan> {
  const list = files(dir);
  const script = fileURLToPath(new URL('./py-scan.py', import.meta.url));
  const outText = execFileSync('python3', [script], { input: list.join('\n') + '\n', maxBuffer: 2 * 1024 ** 3, encoding: 'utf8' });
  const m = new Map<string, Scan>();
  for (const line of outText.split('\n')) {
    if (!line) continue;
    const s = JSON.parse(line) as Scan;
    m.set(relative(dir, s.file), s);
  }
  return m;
}

/** The query language's folding, re-stated: NFKC, case, Latin accents, ø/ł/œ/æ/ß-style letters, ё→е. */
export function fold(s: string): string {
  const extra: Record<string, string> = { ø: 'o', ł: 'l', đ: 'd', ħ: 'h', ı: 'i', œ: 'oe', æ: 'ae', ß: 'ss', þ: 'th', ё: 'е' };
  return [...s.normalize('NFKC').toLowerCase()]
    .map((c) => extra[c] ?? (/\p{Script=Latin}/u.test(c) ? c.normalize('NFKD').replace(/\p{M}/gu, '') : c))
    .join('');
}

/** Words as the index sees them: runs of letters, digits and marks; each CJK character a word of its own. */
export function words(s: string): string[] {
  const spaced = [...fold(s)].map((c) => (/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u30fc]/u.test(c) ? ` ${c} ` : c)).join('');
  return spaced.split(/[^\p{L}\p{N}\p{M}]+/u).filter(Boolean);
}

/** Does the folded word list contain these consecutive words? */
export function hasPhrase(ws: string[], phrase: string[]): boolean {
  outer: for (let i = 0; i + phrase.length <= ws.length; i++) {
    for (let j = 0; j < phrase.length; j++) if (ws[i + j] !== phrase[j]) continue outer;
    return true;
  }
  return false;
}

/** Message id for each locator, with the root's name stripped (relative to the extracted corpus). */
export function idsByPath(db: CaseDb, root: string): Map<string, string> {
  const rows = db.db.prepare("SELECT locator, sha256 FROM items WHERE kind = 'message'").all() as { locator: string; sha256: string }[];
  const m = new Map<string, string>();
  for (const r of rows) if (r.locator.startsWith(root + '!') && !r.locator.slice(root.length + 1).includes('!')) m.set(r.locator.slice(root.length + 1), r.sha256);
  return m;
}
