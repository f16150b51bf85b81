import { describe, expect, it } from 'vitest';
import { normalizeText } from './normalize.ts';

describe('normalizeText', () => {
  it('folds compatibility forms and the letters the tokenizer keeps', () => {
    expect(normalizeText('ﬁn Ｆｕｌｌ Øre œuvre Straße ёлка')).toBe('fin Full Ore oeuvre Strasse елка');
  });
  it('makes every CJK character a token of its own, and leaves other scripts alone', () => {
    expect(normalizeText('日本語の件名')).toBe('日 本 語 の 件 名');
    expect(normalizeText('abc日本def 42東京')).toBe('abc 日 本 def 42 東 京');
    expect(normalizeText('ｿﾌﾄｳｪｱ')).toBe('ソ フ ト ウ ェ ア');
    expect(normalizeText('서울에서')).toBe('서 울 에 서');
    expect(normalizeText('Élysée, Москва')).toBe('Élysée, Москва');
  });
});
