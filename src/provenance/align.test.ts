import { describe, expect, it } from 'vitest';
import { align, diff, globalAlign, passage } from './align.ts';
import { dehyphenate, tokenize, wordSimilarity } from './tokens.ts';

const SOURCE = 'Hi team. Kenneth said the Raptor hedge lost 450 million in the third quarter, and Andersen signed off on the accounting anyway. Regards.';

describe('wordSimilarity', () => {
  it('scores OCR confusions, misspellings and changed figures', () => {
    expect(wordSimilarity('million', 'million')).toBe(1);
    expect(wordSimilarity('rni11ion', 'million')).toBe(0.9);
    expect(wordSimilarity('acounting', 'accounting')).toBe(0.7);
    expect(wordSimilarity('450', '950')).toBe(0);
    expect(wordSimilarity('the', 'she')).toBe(0);
  });
});

describe('align and diff', () => {
  it('an exact quote scores 1 and its passage is the source text', () => {
    const q = tokenize('the Raptor hedge lost 450 million in the third quarter');
    const d = tokenize(SOURCE);
    const a = align(q, d);
    expect(a.similarity).toBe(1);
    expect(passage(SOURCE, d, a)).toBe('the Raptor hedge lost 450 million in the third quarter');
    expect(diff(q, d, a)).toEqual([{ op: 'equal', quote: 'the Raptor hedge lost 450 million in the third quarter' }]);
  });

  it('calls out a changed figure and name, a typo, a dropped and an inserted word', () => {
    const quote = dehyphenate('Jeffrey said the Raptor hedge lost 950 mil-\nlion in the thrid quarter, and Andersen happily signed off on the accounting');
    const q = tokenize(quote);
    const d = tokenize(SOURCE);
    const a = align(q, d);
    expect(a.similarity).toBeGreaterThan(0.8);
    const ops = diff(q, d, a);
    expect(ops).toContainEqual({ op: 'changed', quote: '950', source: '450', kind: 'number' });
    expect(ops).toContainEqual({ op: 'changed', quote: 'thrid', source: 'third', kind: 'typo' });
    expect(ops).toContainEqual({ op: 'inserted', quote: 'happily', kind: 'word' });
    expect(ops.find((o) => o.quote === 'Jeffrey')?.kind).toBe('name');
    expect(ops.some((o) => o.op === 'equal' && o.quote?.includes('million'))).toBe(true);
  });

  it('aligns swapped halves as two segments', () => {
    const q = tokenize('Andersen signed off on the accounting anyway. the Raptor hedge lost 450 million in the third quarter');
    const a = align(q, tokenize(SOURCE));
    expect(a.segments.length).toBe(2);
    expect(a.similarity).toBeGreaterThan(0.9);
  });

  it('an unrelated sentence scores low', () => {
    const a = align(tokenize('We moved the remaining funds offshore before the auditors arrived on Monday'), tokenize(SOURCE));
    expect(a.similarity).toBeLessThan(0.3);
  });
});

describe('globalAlign', () => {
  it('accounts for every word of both texts: dropped, inserted and changed words', () => {
    const src = tokenize(SOURCE);
    const claim = tokenize('Hi team. Kenneth said the Raptor hedge lost 950 million in the quarter, and Andersen gladly signed off on the accounting anyway. Regards.');
    const a = globalAlign(claim, src);
    const ops = diff(claim, src, a);
    expect(ops.filter((o) => o.op !== 'equal')).toEqual([
      { op: 'changed', quote: '950', source: '450', kind: 'number' },
      { op: 'deleted', source: 'third', kind: 'word' },
      { op: 'inserted', quote: 'gladly', kind: 'word' },
    ]);
    expect(a.similarity).toBeGreaterThan(0.9);
    expect(a.similarity).toBeLessThan(1);
  });

  it('identical texts score 1 and empty against non-empty 0', () => {
    expect(globalAlign(tokenize(SOURCE), tokenize(SOURCE)).similarity).toBe(1);
    expect(globalAlign([], tokenize(SOURCE)).similarity).toBe(0);
    expect(diff([], tokenize('a b'), globalAlign([], tokenize('a b')))).toEqual([{ op: 'deleted', source: 'a b', kind: 'word' }]);
  });
});
