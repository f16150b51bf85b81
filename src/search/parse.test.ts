import { describe, expect, it } from 'vitest';
import { printQuery } from './ast.ts';
import { compileSqlite } from './compile-sqlite.ts';
import { parseQuery, QueryError } from './parse.ts';

const p = (q: string) => printQuery(parseQuery(q));

function errorAt(q: string): { column: number; message: string } {
  try {
    parseQuery(q);
  } catch (e) {
    expect(e).toBeInstanceOf(QueryError);
    expect((e as QueryError).code).toBe('usage');
    return { column: (e as QueryError).column, message: (e as QueryError).message };
  }
  throw new Error(`no error for ${q}`);
}

describe('parseQuery', () => {
  it('words, phrases, prefixes; implicit AND binds tighter than OR; NOT tighter than AND', () => {
    expect(p('budget')).toBe('budget');
    expect(p('"natural gas" price*')).toBe('("natural gas" AND price*)');
    expect(p('a b OR c')).toBe('((a AND b) OR c)');
    expect(p('a AND NOT b OR -c')).toBe('((a AND NOT b) OR NOT c)');
    expect(p('(a OR b) c')).toBe('((a OR b) AND c)');
    expect(p('and or not')).toBe('(and AND or AND not)');
  });

  it('fields', () => {
    expect(p('from:Skilling to:ken cc:"Jeff S" subject:(fraud OR audit) filename:report')).toBe(
      '(from:Skilling AND to:ken AND cc:"Jeff S" AND (subject:fraud OR subject:audit) AND filename:report)',
    );
    expect(p('from:Jeff.Skilling@Enron.com')).toBe('from:jeff.skilling@enron.com');
    expect(p('from:@enron.com domain:@Example.ORG')).toBe('(from:@enron.com AND domain:example.org)');
    expect(p('has:attachment verdict:Tampered evidence:body-modified thread:2f1c17297959d31e')).toBe(
      '(has:attachment AND verdict:tampered AND evidence:body-modified AND thread:2f1c17297959d31e)',
    );
  });

  it('dates: day, range, open ends, month and year', () => {
    expect(p('date:2017-04-01..2017-05-05')).toBe('date:2017-04-01..2017-05-05');
    expect(p('date:2017-04-01')).toBe('date:2017-04-01..2017-04-01');
    expect(p('date:..2017-05-05')).toBe('date:..2017-05-05');
    expect(p('date:2017-04-01..')).toBe('date:2017-04-01..');
    expect(p('date:2016-02')).toBe('date:2016-02-01..2016-02-29');
    expect(p('date:2001..2002')).toBe('date:2001-01-01..2002-12-31');
  });

  it('errors point at the offending column', () => {
    expect(errorAt('budget foo:bar').column).toBe(8);
    expect(errorAt('a "unterminated').column).toBe(3);
    expect(errorAt('a )').column).toBe(3);
    expect(errorAt('(a OR b').column).toBe(1);
    expect(errorAt('a OR').column).toBe(3);
    expect(errorAt('OR a').column).toBe(1);
    expect(errorAt('a AND AND b').column).toBe(7);
    expect(errorAt('date:2001-02-30').column).toBe(6);
    expect(errorAt('date:2001-05-01..2001-13-01').column).toBe(18);
    expect(errorAt('date:2001-05-02..2001-05-01').message).toMatch(/before it starts/);
    expect(errorAt('verdict:fake').message).toMatch(/verified, tampered, unverifiable, suspicious/);
    expect(errorAt('has:pdf').column).toBe(5);
    expect(errorAt('from: x').column).toBe(6);
    expect(errorAt('x ()').column).toBe(4);
    expect(errorAt('').column).toBe(1);
    expect(errorAt('a -').column).toBe(3);
    expect(errorAt('&&').message).toMatch(/nothing searchable/);
    expect(errorAt('verdict:(a OR b)').column).toBe(1);
  });
});

describe('compileSqlite', () => {
  it('puts top-level text in one MATCH, fields in SQL', () => {
    const c = compileSqlite(parseQuery('Élysée "budget plan" -draft from:macron date:2017-05-05'));
    expect(c.match).toBe('"Élysée" AND "budget plan" AND {from_} : "macron" NOT "draft"');
    expect(c.where).toBe('(m.date IS NOT NULL AND m.date >= ? AND m.date < ?)');
    expect(c.params).toEqual(['2017-05-05', '2017-05-06']);
  });

  it('normalises width and ligatures in terms', () => {
    expect(compileSqlite(parseQuery('ＦＩＬＥ ﬁle')).match).toBe('"FILE" AND "file"');
  });

  it('text under OR with a field predicate becomes a MATCH subquery', () => {
    const c = compileSqlite(parseQuery('verdict:tampered OR fraud*'));
    expect(c.match).toBeNull();
    expect(c.where).toContain('search_fts MATCH ?');
    expect(c.params).toEqual(['tampered', '"fraud" *']);
  });
});
