/**
 * Search correctness on SpamAssassin and a TREC 2007 slice: each query's result set is
 * compared exactly with what an independent scan of the raw corpus files (Python's email
 * package, then the query language's folding re-stated in oracle.ts) says it must be.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/limits.ts';
import { ingest } from '../../src/pipeline/ingest.ts';
import { count, matchingIds, search } from '../../src/search/index.ts';
import { CaseDb } from '../../src/store/sqlite.ts';
import { CORPORA, extracted } from '../helpers/corpora.ts';
import { hasPhrase, idsByPath, pyScan, words, type Scan } from './oracle.ts';

interface Corpus {
  db: CaseDb;
  scan: Map<string, Scan>;
  ids: Map<string, string>;
}

const dirs: string[] = [];
async function load(name: string): Promise<Corpus> {
  const dir = mkdtempSync(join(tmpdir(), 'trove-search-'));
  dirs.push(dir);
  const db = new CaseDb(dir, { create: true });
  await ingest(db, [join(CORPORA, `${name}.tar.gz`)], { limits: DEFAULT_LIMITS, workers: 2 });
  return { db, scan: pyScan(extracted(name)), ids: idsByPath(db, `${name}.tar.gz`) };
}

/** Expected ids: files (where Python could read what `defined` needs) for which `pred` holds. */
function expected(c: Corpus, defined: (s: Scan) => boolean, pred: (s: Scan) => boolean): { universe: Set<string>; want: Set<string> } {
  const universe = new Set<string>();
  const want = new Set<string>();
  for (const [path, s] of c.scan) {
    const id = c.ids.get(path);
    if (!id || !defined(s)) continue;
    universe.add(id);
    if (pred(s)) want.add(id);
  }
  // a message found twice (byte-identical files) must be readable the same way both times
  return { universe, want };
}

function got(c: Corpus, q: string, universe: Set<string>): Set<string> {
  return new Set(matchingIds(c.db, q).filter((id) => universe.has(id)));
}

const sorted = (s: Set<string>) => [...s].sort();

let sa: Corpus;
let trec: Corpus;
beforeAll(async () => {
  [sa, trec] = await Promise.all([load('spamassassin'), load('trec07-slice')]);
}, 300_000);
afterAll(() => {
  sa?.db.close();
  trec?.db.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const subjectCases: [string, string, string][] = [
  // corpus, query, word the oracle looks for in the decoded subject
  ['sa', 'subject:FrEe', 'free'],
  ['sa', 'subject:URGENT', 'urgent'],
  ['sa', 'subject:uber', 'uber'],
  ['sa', 'subject:ÜBER', 'uber'],
  ['sa', 'subject:CHEILI', 'cheili'],
  ['sa', 'subject:Chéilí', 'cheili'],
  ['sa', 'subject:日本語の件名', '日本語の件名'],
  // CJK: a substring of a run of ideographs and kana is found (each character is a token)
  ['sa', 'subject:日本', '日本'],
  ['sa', 'subject:件名', '件名'],
  ['trec', 'subject:ДОХОДЫ', 'доходы'],
  ['trec', 'subject:Доходы', 'доходы'],
];

describe('subject words, folded for case, accents and script', () => {
  for (const [which, q, word] of subjectCases) {
    it(`${which}: ${q}`, () => {
      const c = which === 'sa' ? sa : trec;
      const { universe, want } = expected(c, (s) => s.subject !== null, (s) => hasPhrase(words(s.subject!), words(word)));
      expect(want.size).toBeGreaterThan(0);
      expect(sorted(got(c, q, universe))).toEqual(sorted(want));
    });
  }
});

describe('words anywhere and phrases, over single-part text/plain messages', () => {
  const cases: [string, string, string[]][] = [
    ['trec', 'Бургас', ['бургас']],
    ['trec', 'НЕСЕБЪР', ['несебър']],
    ['sa', 'Razor', ['razor']],
    ['sa', '"spam filter"', ['spam', 'filter']],
  ];
  for (const [which, q, phrase] of cases) {
    it(`${which}: ${q}`, () => {
      const c = which === 'sa' ? sa : trec;
      const { universe, want } = expected(c, (s) => s.subject !== null && s.body !== null, (s) => hasPhrase(words(s.subject!), phrase) || hasPhrase(words(s.body!), phrase));
      expect(want.size).toBeGreaterThan(0);
      expect(sorted(got(c, q, universe))).toEqual(sorted(want));
    });
  }
});

describe('results', () => {
  it('the total is exact and paging walks the whole set without repeats', () => {
    const total = count(sa.db, 'subject:free OR money');
    expect(total).toBe(matchingIds(sa.db, 'subject:free OR money').length);
    const seen = new Set<string>();
    for (let offset = 0; offset < total; offset += 50) {
      const r = search(sa.db, 'subject:free OR money', { limit: 50, offset });
      expect(r.total).toBe(total);
      for (const h of r.hits) seen.add(h.id);
    }
    expect(seen.size).toBe(total);
  });

  it('boolean operators agree with set algebra', () => {
    const set = (q: string) => new Set(matchingIds(sa.db, q));
    const a = set('money');
    const b = set('free');
    expect(set('money OR free').size).toBe(new Set([...a, ...b]).size);
    expect(set('money free').size).toBe([...a].filter((x) => b.has(x)).length);
    expect(set('money -free').size).toBe([...a].filter((x) => !b.has(x)).length);
    expect(set('NOT money').size).toBe(count(sa.db, 'has:attachment OR NOT has:attachment') - a.size);
    const att = set('has:attachment');
    expect(set('(money OR free) has:attachment').size).toBe([...new Set([...a, ...b])].filter((x) => att.has(x)).length);
    expect(set('money OR has:attachment').size).toBe(new Set([...a, ...att]).size);
  });

  it('has:attachment is the attachments table\'s rule (a file name or Content-Disposition: attachment), alone and with text', () => {
    for (const c of [sa, trec]) {
      const want = new Set((c.db.stmt("SELECT DISTINCT a.message AS id FROM attachments a WHERE a.filename IS NOT NULL OR lower(a.disposition) = 'attachment'").all() as { id: string }[]).map((r) => r.id));
      expect(sorted(new Set(matchingIds(c.db, 'has:attachment')))).toEqual(sorted(want));
      expect(count(c.db, 'has:attachment')).toBe(want.size);
      const money = new Set(matchingIds(c.db, 'money'));
      expect(sorted(new Set(matchingIds(c.db, 'money has:attachment')))).toEqual(sorted(new Set([...money].filter((x) => want.has(x)))));
      // newest first, the first page is the newest of them
      const page = search(c.db, 'has:attachment', { limit: 20, sort: 'date' }).hits.map((h) => h.id);
      expect(page.length).toBe(Math.min(20, want.size));
      expect(page.every((id) => want.has(id))).toBe(true);
    }
    expect(count(sa.db, 'has:attachment')).toBeGreaterThan(20);
  });

  it('the text of a Word 97 .doc attachment is searchable', () => {
    const id = sa.ids.get('spamassassin/spam_2/01359.deafa1d42658c6624c6809a446b7f369');
    expect(id).toBeTruthy();
    // words that appear only in the attached .doc, not in the message's own text
    expect(matchingIds(sa.db, '"front-wheel drive" wheelbase')).toEqual([id]);
  });

  it('snippets mark the matched word', () => {
    const r = search(trec.db, 'бургас', { limit: 1 });
    expect(r.hits[0].snippet).toMatch(/\u0002Бургас\u0003/i);
    // a phrase: the snippet is cut around the phrase itself, not a lone word of it
    const p = search(sa.db, '"spam filter"', { limit: 50, sort: 'date' });
    expect(p.hits.length).toBeGreaterThan(5);
    for (const h of p.hits) expect(h.snippet, h.id).toMatch(/\u0002spam\u0003[^\p{L}\p{N}]+\u0002filter\u0003/iu);
  });
});
