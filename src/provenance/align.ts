/**
 * @module provenance/align
 * Word-level local alignment (Smith–Waterman) of a quote against one document, repeated on
 * the parts of the quote left unaligned so that reordered sentences still align, and the
 * similarity and word-level diff that follow from it.
 *
 * Similarity is a Dice coefficient over the aligned words: 2·M / (quote words + source words
 * spanned), where M sums word similarities (1 exact, 0.9 OCR confusion, 0.7 misspelling).
 * Words of the quote that align nowhere count against it, so a quote stitched from phrases
 * of different messages scores low against each of them.
 */
import { isNumber, ocrFold, wordSimilarity, type Token } from './tokens.ts';

const MATCH = 2;
const MISMATCH = -1;
const GAP = -1;
/** A segment must be worth about three exact words net to count. */
const MIN_SEGMENT_SCORE = 6;
/** Segments per quote: the whole, then the unaligned parts before and after, and so on. */
const MAX_SEGMENTS = 4;
/** DP cells per alignment (quote × source words); long sources are cut to a window around the quote's words. */
const MAX_CELLS = 8_000_000;

export type Step = { q: number; d: number; sim: number } | { q: number; d: -1; sim: 0 } | { q: -1; d: number; sim: 0 };

export interface Segment {
  q0: number; q1: number; // quote token range [q0, q1)
  d0: number; d1: number; // source token range [d0, d1)
  steps: Step[];
  score: number;
}

export interface Alignment {
  similarity: number;
  segments: Segment[];
  /** Sum of word similarities over aligned pairs. */
  matched: number;
}

/** Source window [from, to) of at most `size` words holding the most words of the quote. */
function bestWindow(q: Token[], d: Token[], size: number): [number, number] {
  if (d.length <= size) return [0, d.length];
  const want = new Set(q.map((t) => t.norm));
  let hits = 0;
  for (let j = 0; j < size; j++) if (want.has(d[j].norm)) hits++;
  let best = hits;
  let from = 0;
  for (let j = size; j < d.length; j++) {
    if (want.has(d[j].norm)) hits++;
    if (want.has(d[j - size].norm)) hits--;
    if (hits > best) { best = hits; from = j - size + 1; }
  }
  return [from, from + size];
}

/** Source words around the quote's words considered per alignment (and never more than MAX_CELLS / quote words). */
const WINDOW = 4000;

/**
 * Word similarities as dense rows: one per distinct quote word, indexed by the source word's
 * vocabulary id, computed once per distinct pair (the DP reads them per cell).
 */
class SimTable {
  readonly dIds: Int32Array;
  private readonly dVocab: string[] = [];
  private readonly rows = new Map<string, Float32Array>();
  private dFolded: string[] | null = null;
  constructor(d: Token[]) {
    const ids = new Map<string, number>();
    this.dIds = new Int32Array(d.length);
    d.forEach((t, j) => {
      let id = ids.get(t.norm);
      if (id === undefined) { id = this.dVocab.length; ids.set(t.norm, id); this.dVocab.push(t.norm); }
      this.dIds[j] = id;
    });
  }
  row(word: string): Float32Array {
    let r = this.rows.get(word);
    if (!r) {
      this.dFolded ??= this.dVocab.map(ocrFold);
      r = new Float32Array(this.dVocab.length);
      const f = ocrFold(word);
      for (let k = 0; k < this.dVocab.length; k++) {
        const g = this.dFolded[k];
        if (Math.abs(f.length - g.length) <= 2 || word === this.dVocab[k]) r[k] = wordSimilarity(word, this.dVocab[k], f, g);
      }
      this.rows.set(word, r);
    }
    return r;
  }
}

/** One local alignment of q[lo, hi) against d. */
export function localAlign(q: Token[], lo: number, hi: number, d: Token[], table = new SimTable(d)): Segment | null {
  const n = hi - lo;
  if (n <= 0 || !d.length) return null;
  const [from, to] = bestWindow(q.slice(lo, hi), d, Math.min(Math.max(n * 4, WINDOW), Math.floor(MAX_CELLS / n)));
  const m = to - from;
  const W = m + 1;
  const trace = new Uint8Array((n + 1) * W); // 0 stop, 1 diagonal, 2 quote word unmatched, 3 source word skipped
  let prev = new Float64Array(W);
  let cur = new Float64Array(W);
  let best = 0, bi = 0, bj = 0;
  const dIds = table.dIds;
  for (let i = 1; i <= n; i++) {
    const sims = table.row(q[lo + i - 1].norm);
    cur[0] = 0;
    for (let j = 1; j <= m; j++) {
      const s = sims[dIds[from + j - 1]];
      const diag = prev[j - 1] + (s > 0 ? MATCH * s : MISMATCH);
      const up = prev[j] + GAP;
      const left = cur[j - 1] + GAP;
      let v = 0, t = 0;
      if (diag > v) { v = diag; t = 1; }
      if (up > v) { v = up; t = 2; }
      if (left > v) { v = left; t = 3; }
      cur[j] = v;
      trace[i * W + j] = t;
      if (v > best) { best = v; bi = i; bj = j; }
    }
    [prev, cur] = [cur, prev];
  }
  if (best < MIN_SEGMENT_SCORE) return null;
  const steps: Step[] = [];
  let i = bi, j = bj;
  while (i > 0 && j > 0 && trace[i * W + j] !== 0) {
    const t = trace[i * W + j];
    if (t === 1) {
      steps.push({ q: lo + i - 1, d: from + j - 1, sim: wordSimilarity(q[lo + i - 1].norm, d[from + j - 1].norm) });
      i--; j--;
    } else if (t === 2) { steps.push({ q: lo + i - 1, d: -1, sim: 0 }); i--; }
    else { steps.push({ q: -1, d: from + j - 1, sim: 0 }); j--; }
  }
  steps.reverse();
  return { q0: lo + i, q1: lo + bi, d0: from + j, d1: from + bj, steps, score: best };
}

/** Aligns the whole quote, then what is left of it before and after, up to MAX_SEGMENTS. */
export function align(q: Token[], d: Token[]): Alignment {
  const segments: Segment[] = [];
  const todo: [number, number][] = [[0, q.length]];
  const table = new SimTable(d);
  while (todo.length && segments.length < MAX_SEGMENTS) {
    todo.sort((x, y) => (y[1] - y[0]) - (x[1] - x[0]));
    const [lo, hi] = todo.shift()!;
    if (hi - lo < 3) continue;
    const seg = localAlign(q, lo, hi, d, table);
    if (!seg) continue;
    segments.push(seg);
    todo.push([lo, seg.q0], [seg.q1, hi]);
  }
  segments.sort((x, y) => x.q0 - y.q0);
  // A local alignment never starts or ends on a substitution: pair the one word on each side
  // so a changed name or figure at the edge of the quote shows as changed, not inserted.
  segments.forEach((s, k) => {
    const qFloor = k ? segments[k - 1].q1 : 0;
    const qCeil = k + 1 < segments.length ? segments[k + 1].q0 : q.length;
    if (s.q0 > qFloor && s.d0 > 0) {
      s.q0--; s.d0--;
      s.steps.unshift({ q: s.q0, d: s.d0, sim: wordSimilarity(q[s.q0].norm, d[s.d0].norm) });
    }
    if (s.q1 < qCeil && s.d1 < d.length) {
      s.steps.push({ q: s.q1, d: s.d1, sim: wordSimilarity(q[s.q1].norm, d[s.d1].norm) });
      s.q1++; s.d1++;
    }
  });
  let matched = 0;
  let spanned = 0;
  for (const s of segments) {
    spanned += s.d1 - s.d0;
    for (const st of s.steps) if (st.q >= 0 && st.d >= 0) matched += st.sim;
  }
  const similarity = q.length ? (2 * matched) / (q.length + spanned) : 0;
  return { similarity: Math.min(1, similarity), segments, matched };
}

/**
 * Global alignment (Needleman–Wunsch, same scores as localAlign) of two whole texts, for
 * comparing a claimed message with the stored one: every word of both sides is accounted
 * for, so source words the claim dropped show as deleted. Identical leading and trailing
 * words are paired first (edits to a forged copy are usually local); a middle part over
 * MAX_CELLS is reported as replaced whole. No word-diff library is among the dependencies,
 * and this one shares the word similarity (typos, figures, names) of the quote diff.
 */
export function globalAlign(q: Token[], d: Token[]): Alignment {
  let pre = 0;
  while (pre < q.length && pre < d.length && q[pre].norm === d[pre].norm) pre++;
  let suf = 0;
  while (suf < q.length - pre && suf < d.length - pre && q[q.length - 1 - suf].norm === d[d.length - 1 - suf].norm) suf++;
  const steps: Step[] = [];
  for (let i = 0; i < pre; i++) steps.push({ q: i, d: i, sim: 1 });
  const qa = pre, qb = q.length - suf, da = pre, db = d.length - suf;
  const n = qb - qa, m = db - da;
  if (n > 0 && m > 0 && n * m <= MAX_CELLS) {
    const mid = d.slice(da, db);
    const table = new SimTable(mid);
    const W = m + 1;
    const trace = new Uint8Array((n + 1) * W); // 1 diagonal, 2 quote word unmatched, 3 source word dropped
    let prev = new Float64Array(W);
    let cur = new Float64Array(W);
    for (let j = 1; j <= m; j++) { prev[j] = j * GAP; trace[j] = 3; }
    for (let i = 1; i <= n; i++) {
      const sims = table.row(q[qa + i - 1].norm);
      cur[0] = i * GAP;
      trace[i * W] = 2;
      for (let j = 1; j <= m; j++) {
        const s = sims[table.dIds[j - 1]];
        const diag = prev[j - 1] + (s > 0 ? MATCH * s : MISMATCH);
        const up = prev[j] + GAP;
        const left = cur[j - 1] + GAP;
        let v = diag, t = 1;
        if (up > v) { v = up; t = 2; }
        if (left > v) { v = left; t = 3; }
        cur[j] = v;
        trace[i * W + j] = t;
      }
      [prev, cur] = [cur, prev];
    }
    const mids: Step[] = [];
    let i = n, j = m;
    while (i > 0 || j > 0) {
      const t = trace[i * W + j];
      if (t === 1) { mids.push({ q: qa + i - 1, d: da + j - 1, sim: wordSimilarity(q[qa + i - 1].norm, d[da + j - 1].norm) }); i--; j--; }
      else if (t === 2) { mids.push({ q: qa + i - 1, d: -1, sim: 0 }); i--; }
      else { mids.push({ q: -1, d: da + j - 1, sim: 0 }); j--; }
    }
    steps.push(...mids.reverse());
  } else {
    for (let j = da; j < db; j++) steps.push({ q: -1, d: j, sim: 0 });
    for (let i = qa; i < qb; i++) steps.push({ q: i, d: -1, sim: 0 });
  }
  for (let k = 0; k < suf; k++) steps.push({ q: qb + k, d: db + k, sim: 1 });
  let matched = 0;
  for (const st of steps) if (st.q >= 0 && st.d >= 0) matched += st.sim;
  const total = q.length + d.length;
  return { similarity: total ? Math.min(1, (2 * matched) / total) : 1, segments: [{ q0: 0, q1: q.length, d0: 0, d1: d.length, steps, score: 0 }], matched };
}

export type DiffKind = 'number' | 'name' | 'typo' | 'word';
export interface DiffOp {
  /** equal; changed (source word → quote word); inserted (in the quote, not the source); deleted (in the source, dropped from the quote) */
  op: 'equal' | 'changed' | 'inserted' | 'deleted';
  quote?: string;
  source?: string;
  kind?: DiffKind;
}

export function kindOf(...toks: (Token | undefined)[]): DiffKind {
  if (toks.some((t) => t && isNumber(t.norm))) return 'number';
  if (toks.some((t) => t?.name)) return 'name';
  // one capitalised word replaced by another, even at the start of a sentence
  if (toks.length === 2 && toks.every((t) => t && /^\p{Lu}\p{Ll}/u.test(t.raw))) return 'name';
  return 'word';
}

/** The word-level diff in quote order, consecutive words of one kind merged. */
export function diff(q: Token[], d: Token[], a: Alignment): DiffOp[] {
  const raw: DiffOp[] = [];
  let qpos = 0;
  const unaligned = (to: number): void => {
    for (; qpos < to; qpos++) raw.push({ op: 'inserted', quote: q[qpos].raw, kind: kindOf(q[qpos]) });
  };
  for (const s of a.segments) {
    unaligned(s.q0);
    for (const st of s.steps) {
      if (st.q >= 0 && st.d >= 0) {
        const qt = q[st.q], dt = d[st.d];
        if (st.sim === 1) raw.push({ op: 'equal', quote: qt.raw, source: dt.raw });
        else if (st.sim > 0) raw.push({ op: 'changed', quote: qt.raw, source: dt.raw, kind: 'typo' });
        else raw.push({ op: 'changed', quote: qt.raw, source: dt.raw, kind: kindOf(qt, dt) });
      } else if (st.q >= 0) raw.push({ op: 'inserted', quote: q[st.q].raw, kind: kindOf(q[st.q]) });
      else raw.push({ op: 'deleted', source: d[st.d].raw, kind: kindOf(d[st.d]) });
    }
    qpos = s.q1;
  }
  unaligned(q.length);
  const out: DiffOp[] = [];
  for (const op of raw) {
    const last = out[out.length - 1];
    if (last && last.op === op.op && last.kind === op.kind && op.kind !== 'number' && op.kind !== 'name') {
      if (op.quote !== undefined) last.quote = last.quote ? `${last.quote} ${op.quote}` : op.quote;
      if (op.source !== undefined) last.source = last.source ? `${last.source} ${op.source}` : op.source;
    } else out.push({ ...op });
  }
  // equal runs carry one text
  return out.map((o) => (o.op === 'equal' ? { op: 'equal', quote: o.quote } : o));
}

/** The source passages the quote aligned to, in source order, joined by " … ". */
export function passage(text: string, d: Token[], a: Alignment, maxChars = 2000): string {
  const spans = a.segments.filter((s) => s.d1 > s.d0).map((s) => [s.d0, s.d1] as [number, number]).sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last && s[0] <= last[1] + 5) last[1] = Math.max(last[1], s[1]);
    else merged.push([...s]);
  }
  const p = merged.map(([d0, d1]) => text.slice(d[d0].start, d[d1 - 1].end).replace(/\s+/g, ' ').trim()).join(' … ');
  return p.length > maxChars ? p.slice(0, maxChars) + ' …' : p;
}
