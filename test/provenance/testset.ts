/**
 * A deterministic provenance test set built from the case's own messages: altered excerpts of
 * real bodies (OCR typos, a changed figure or name, dropped words, reflowed and hyphenated
 * lines, sometimes two halves swapped) whose source must come first, and fabricated quotes
 * (phrases stitched from different messages, words shuffled across messages, sentences
 * written for this test) that must not match.
 */
import { bodyText } from '../../src/search/indexer.ts';
import { reparse } from '../../src/store/queries.ts';
import type { CaseDb } from '../../src/store/sqlite.ts';
import { rng } from '../helpers/random.ts';


export interface Case {
  kind: 'altered' | 'stitched' | 'shuffled' | 'written';
  quote: string;
  /** altered: the source message and the unaltered excerpt */
  source?: string;
  original?: string;
}

/** The author's own words: before any quoted or forwarded part, without '>' lines. */
export function ownWords(body: string): string[] {
  const cut = body.search(/-{3,}\s*Original Message|-{3,}\s*Forwarded by|^\s*From:\s/im);
  const own = (cut >= 0 ? body.slice(0, cut) : body).split('\n').filter((l) => !/^\s*>/.test(l)).join(' ');
  return own.split(/\s+/).filter((w) => w && !/[@<>]|https?:|={2,}|_{3,}|\*{3,}/.test(w));
}

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

const NAMES = ['Jeff', 'Kenneth', 'Sherron', 'Andrew', 'Louise', 'Vince', 'Greg', 'Sally', 'Richard', 'Mark'];

function typo(r: () => number, w: string): string {
  const ops = [
    () => w.replace(/o/, '0'), () => w.replace(/l/, '1'), () => w.replace(/m/, 'rn'), () => w.replace(/i/, 'l'),
    () => { const i = 1 + Math.floor(r() * (w.length - 2)); return w.slice(0, i) + w.slice(i + 1); },
    () => { const i = 1 + Math.floor(r() * (w.length - 3)); return w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2); },
  ];
  for (let k = 0; k < 4; k++) { const t = pick(r, ops)(); if (t !== w) return t; }
  return w.slice(0, -1);
}

function alter(r: () => number, words: string[]): string {
  let ws = [...words];
  // 2–3 OCR typos in words of 5+ letters
  for (let k = 0, n = 2 + Math.floor(r() * 2); k < n; k++) {
    const idx = ws.map((w, i) => (/^[a-z]{5,}[,.]?$/i.test(w) ? i : -1)).filter((i) => i >= 0);
    if (idx.length) { const i = pick(r, idx); ws[i] = typo(r, ws[i]); }
  }
  // a changed figure, or else a changed name
  const nums = ws.map((w, i) => (/\d/.test(w) ? i : -1)).filter((i) => i >= 0);
  if (nums.length) { const i = pick(r, nums); ws[i] = ws[i].replace(/\d/, (d) => String((Number(d) + 3) % 10)); }
  else {
    const caps = ws.map((w, i) => (i > 0 && /^[A-Z][a-z]{2,}$/.test(w) ? i : -1)).filter((i) => i >= 0);
    if (caps.length) { const i = pick(r, caps); ws[i] = pick(r, NAMES.filter((n) => n !== ws[i])); }
  }
  // two dropped words
  for (let k = 0; k < 2; k++) ws.splice(1 + Math.floor(r() * (ws.length - 2)), 1);
  // sometimes the halves swapped
  if (r() < 0.2) { const h = Math.floor(ws.length / 2); ws = [...ws.slice(h), ...ws.slice(0, h)]; }
  // reflowed: a line break every 5–9 words, one word hyphenated across a break
  let out = '';
  let next = 5 + Math.floor(r() * 5);
  let hyphenated = false;
  ws.forEach((w, i) => {
    if (i === next) {
      if (!hyphenated && /^[a-z]{7,}$/.test(w)) { out += ` ${w.slice(0, 3)}-\n${w.slice(3)}`; hyphenated = true; }
      else out += `\n${w}`;
      next += 5 + Math.floor(r() * 5);
    } else out += (i ? ' ' : '') + w;
  });
  return out;
}

const WRITTEN = [
  'We have moved the remaining $12 million into the Cayman account so the auditors will not see it before the quarter closes.',
  'Please shred the Raptor hedge files tonight and tell the team not to discuss the partnership losses with Arthur Andersen.',
  'The board approved the secret bonus pool of 48 million dollars for the trading desk last Thursday, keep this between us.',
  'I spoke with the senator and he agreed to block the price cap bill if we double the campaign contribution next month.',
  'Our offshore vehicle in Bermuda will absorb the Dabhol write-down so nothing shows on the consolidated balance sheet.',
  'Tell the West desk to shut down two more plants on Tuesday so the spot price goes over 900 dollars per megawatt hour.',
  'Sherron, I need you to sign the backdated memo by Friday or the whole restructuring deal falls apart with the bank.',
  'The analysts must not learn that broadband revenue was booked twice; adjust the slides before the conference call.',
  'Move my personal shares through the Chewco account before the announcement so the sale does not show up in filings.',
  'Legal confirmed that we can hide the pipeline loss inside the Azurix numbers until the merger with Dynegy closes.',
  'Forward me the list of employees who complained to HR about the accounting so we can reassign them next week.',
  'The new mark-to-market model adds 300 million of paper profit to the water business, book it before the earnings call.',
];

/** Altered excerpts of `nAltered` random messages and fabricated quotes, for one seed. */
export function buildTestSet(db: CaseDb, seed: number, nAltered = 55, nStitched = 12, nShuffled = 8): Case[] {
  const r = rng(seed);
  const ids = (db.db.prepare('SELECT id FROM messages ORDER BY id').all() as { id: string }[]).map((x) => x.id);
  const cases: Case[] = [];
  const ownOf = (id: string): string[] => { const m = reparse(db, id); return m ? ownWords(bodyText(m)) : []; };
  let guard = 0;
  while (cases.length < nAltered && guard++ < 10_000) {
    const id = pick(r, ids);
    const words = ownOf(id);
    if (words.length < 30) continue;
    const len = 20 + Math.floor(r() * 26);
    const from = Math.floor(r() * Math.max(1, words.length - len));
    const excerpt = words.slice(from, from + len);
    cases.push({ kind: 'altered', quote: alter(r, excerpt), source: id, original: excerpt.join(' ') });
  }
  const run = (): string[] => {
    for (;;) {
      const w = ownOf(pick(r, ids));
      if (w.length < 12) continue;
      const n = 5 + Math.floor(r() * 3);
      const from = Math.floor(r() * (w.length - n));
      return w.slice(from, from + n);
    }
  };
  for (let k = 0; k < nStitched; k++) cases.push({ kind: 'stitched', quote: Array.from({ length: 5 }, run).flat().join(' ') });
  for (let k = 0; k < nShuffled; k++) {
    const ws = Array.from({ length: 4 }, run).flat();
    for (let i = ws.length - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); [ws[i], ws[j]] = [ws[j], ws[i]]; }
    cases.push({ kind: 'shuffled', quote: ws.join(' ') });
  }
  for (const q of WRITTEN) cases.push({ kind: 'written', quote: q });
  return cases;
}
