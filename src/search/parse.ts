/**
 * @module search/parse
 * The query language of CONTRACT.md, hand-parsed into a QueryNode tree.
 *
 * Grammar (NOT binds tighter than the implicit or explicit AND, which binds tighter than OR):
 *   query   := or EOF
 *   or      := and ("OR" and)*
 *   and     := unary (["AND"] unary)*
 *   unary   := ("NOT" | "-") unary | primary
 *   primary := "(" or ")" | term | field ":" (word | "phrase" | "(" or ")")
 * Operators are upper-case only: `and`, `or`, `not` are searched as words. Errors are
 * QueryError (code `usage`) carrying the 1-based column of the offending character, and so is
 * a query over the complexity limits of core/limits (QUERY_LIMITS: length, terms, nesting).
 */
import { TroveError } from '../core/errors.ts';
import { QUERY_LIMITS } from '../core/limits.ts';
import { VERDICTS, type QueryNode, type TextField, type Verdict } from './ast.ts';
import { normalizeText } from './normalize.ts';

export class QueryError extends TroveError {
  readonly column: number;
  constructor(column: number, reason: string) {
    super('usage', `query error at column ${column}: ${reason}`);
    this.name = 'QueryError';
    this.column = column;
  }
}

export const FIELDS = ['from', 'to', 'cc', 'subject', 'domain', 'date', 'has', 'filename', 'verdict', 'evidence', 'thread'] as const;
type Field = (typeof FIELDS)[number];
const TEXT_FIELDS: ReadonlySet<string> = new Set<TextField>(['subject', 'from', 'to', 'cc', 'filename']);

type Token =
  | { t: '(' | ')' | 'neg' | 'eof'; col: number }
  | { t: 'op'; op: 'AND' | 'OR' | 'NOT'; col: number }
  | { t: 'term'; field: Field | null; value: string; quoted: boolean; prefix: boolean; col: number; valueCol: number }
  | { t: 'group'; field: Field; col: number };

const isSpace = (c: string | undefined) => c !== undefined && /\s/.test(c);
const WORD_END = /[\s()"]/;

function lex(q: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const readQuoted = (): { value: string; prefix: boolean } => {
    const start = i;
    const end = q.indexOf('"', i + 1);
    if (end < 0) throw new QueryError(start + 1, 'unterminated quote');
    const value = q.slice(i + 1, end);
    i = end + 1;
    let prefix = false;
    while (q[i] === '*') { prefix = true; i++; }
    return { value, prefix };
  };
  const readWord = (): { value: string; prefix: boolean } => {
    const start = i;
    while (i < q.length && !WORD_END.test(q[i])) i++;
    let value = q.slice(start, i);
    let prefix = false;
    while (value.endsWith('*')) { prefix = true; value = value.slice(0, -1); }
    return { value, prefix };
  };
  while (i < q.length) {
    const c = q[i];
    const col = i + 1;
    if (isSpace(c)) { i++; continue; }
    if (c === '(' || c === ')') { out.push({ t: c, col }); i++; continue; }
    if (c === '-' && i + 1 < q.length && !isSpace(q[i + 1]) && q[i + 1] !== ')') { out.push({ t: 'neg', col }); i++; continue; }
    if (c === '"') {
      const { value, prefix } = readQuoted();
      out.push({ t: 'term', field: null, value, quoted: true, prefix, col, valueCol: col });
      continue;
    }
    const fm = /^([A-Za-z]+):/.exec(q.slice(i));
    if (fm) {
      const name = fm[1].toLowerCase();
      if (!(FIELDS as readonly string[]).includes(name)) throw new QueryError(col, `unknown field "${fm[1]}:" (fields: ${FIELDS.join(', ')}; put text with a colon in quotes)`);
      const field = name as Field;
      i += fm[0].length;
      const valueCol = i + 1;
      if (i >= q.length || isSpace(q[i]) || q[i] === ')') throw new QueryError(valueCol, `missing value after ${name}:`);
      if (q[i] === '(') { out.push({ t: 'group', field, col }); continue; }
      const quoted = q[i] === '"';
      const { value, prefix } = quoted ? readQuoted() : readWord();
      out.push({ t: 'term', field, value, quoted, prefix, col, valueCol });
      continue;
    }
    const { value, prefix } = readWord();
    if (!prefix && (value === 'AND' || value === 'OR' || value === 'NOT')) { out.push({ t: 'op', op: value, col }); continue; }
    if (!value) throw new QueryError(col, 'a lone "*" is not a search term (write prefix* after at least one letter)');
    out.push({ t: 'term', field: null, value, quoted: false, prefix, col, valueCol: col });
  }
  out.push({ t: 'eof', col: q.length + 1 });
  return out;
}

const DAY = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

/** First and last day covered by YYYY, YYYY-MM or YYYY-MM-DD; null if not a real date. */
function dayBounds(s: string): [string, string] | null {
  const m = DAY.exec(s);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = m[2] ? Number(m[2]) : null;
  const d = m[3] ? Number(m[3]) : null;
  if (mo !== null && (mo < 1 || mo > 12)) return null;
  const iso = (yy: number, mm: number, dd: number) => new Date(Date.UTC(yy, mm - 1, dd)).toISOString().slice(0, 10);
  if (mo === null) return [iso(y, 1, 1), iso(y, 12, 31)];
  const last = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d === null) return [iso(y, mo, 1), iso(y, mo, last)];
  if (d < 1 || d > last) return null;
  return [iso(y, mo, d), iso(y, mo, d)];
}

function parseDate(value: string, col: number): QueryNode {
  const parts = value.split('..');
  if (parts.length > 2) throw new QueryError(col, `date takes DAY or FROM..TO (got "${value}")`);
  const bound = (s: string, offset: number, which: 0 | 1): string | null => {
    if (s === '') return null;
    const b = dayBounds(s);
    if (!b) throw new QueryError(col + offset, `"${s}" is not a date (use YYYY-MM-DD, YYYY-MM or YYYY)`);
    return b[which];
  };
  if (parts.length === 1) {
    if (!value) throw new QueryError(col, 'missing date');
    return { kind: 'date', from: bound(value, 0, 0), to: bound(value, 0, 1) };
  }
  const from = bound(parts[0], 0, 0);
  const to = bound(parts[1], parts[0].length + 2, 1);
  if (from === null && to === null) throw new QueryError(col, 'a date range needs at least one end');
  if (from && to && from > to) throw new QueryError(col, `date range ends (${to}) before it starts (${from})`);
  return { kind: 'date', from, to };
}

function textNode(field: TextField | null, value: string, quoted: boolean, prefix: boolean, col: number): QueryNode {
  if (!/[\p{L}\p{N}]/u.test(normalizeText(value))) throw new QueryError(col, `nothing searchable in "${value}" (no letters or digits)`);
  const phrase = quoted || /[^\p{L}\p{N}\p{M}]/u.test(value.trim());
  return { kind: 'text', field, value, phrase, prefix, column: col };
}

function fieldNode(field: Field, value: string, quoted: boolean, prefix: boolean, col: number, valueCol: number): QueryNode {
  const v = value.trim();
  if (!v) throw new QueryError(valueCol, `missing value after ${field}:`);
  if (prefix && !TEXT_FIELDS.has(field)) throw new QueryError(valueCol, `${field}: does not take a prefix*`);
  switch (field) {
    case 'from': case 'to': case 'cc':
      if (!quoted && v.includes('@')) {
        if (prefix) throw new QueryError(valueCol, 'an address does not take a prefix* (search words of it instead)');
        const lower = v.toLowerCase();
        if (lower.startsWith('@')) return { kind: 'address', role: field, address: null, domain: domainOf(lower.slice(1), valueCol) };
        return { kind: 'address', role: field, address: lower, domain: null };
      }
      return textNode(field, v, quoted, prefix, col);
    case 'subject': case 'filename':
      return textNode(field, v, quoted, prefix, col);
    case 'domain':
      return { kind: 'address', role: null, address: null, domain: domainOf(v.toLowerCase().replace(/^@/, ''), valueCol) };
    case 'date': return parseDate(v, valueCol);
    case 'has':
      if (v.toLowerCase() === 'attachment' || v.toLowerCase() === 'attachments') return { kind: 'has', what: 'attachment' };
      throw new QueryError(valueCol, `has: takes "attachment" (got "${v}")`);
    case 'verdict':
      if ((VERDICTS as readonly string[]).includes(v.toLowerCase())) return { kind: 'verdict', value: v.toLowerCase() as Verdict };
      throw new QueryError(valueCol, `unknown verdict "${v}" (verdicts: ${VERDICTS.join(', ')})`);
    case 'evidence':
      if (/^[a-z0-9][a-z0-9-]*$/i.test(v)) return { kind: 'evidence', code: v.toLowerCase() };
      throw new QueryError(valueCol, `"${v}" is not an evidence code (kebab-case, e.g. body-modified)`);
    case 'thread':
      if (/^[0-9a-z-]+$/i.test(v)) return { kind: 'thread', id: v.toLowerCase() };
      throw new QueryError(valueCol, `"${v}" is not a thread id`);
  }
}

function domainOf(d: string, col: number): string {
  const clean = d.replace(/^\.+|\.+$/g, '');
  if (!clean || !/^[\p{L}\p{N}._-]+$/u.test(clean)) throw new QueryError(col, `"${d}" is not a domain`);
  return clean;
}

class Parser {
  private pos = 0;
  /** Nesting of groups and NOT here; bounded by QUERY_LIMITS.maxQueryDepth (the parser recurses). */
  private depth = 0;
  private readonly toks: Token[];
  constructor(toks: Token[]) {
    this.toks = toks;
  }
  private peek(): Token { return this.toks[this.pos]; }
  private next(): Token { return this.toks[this.pos++]; }

  parseQuery(): QueryNode {
    const first = this.peek();
    if (first.t === 'eof') throw new QueryError(1, 'empty query');
    const n = this.parseOr(null);
    const t = this.peek();
    if (t.t === ')') throw new QueryError(t.col, 'unmatched ")"');
    if (t.t !== 'eof') throw new QueryError(t.col, 'unexpected input');
    return n;
  }

  private parseOr(field: TextField | null): QueryNode {
    const children = [this.parseAnd(field)];
    while (this.peek().t === 'op' && (this.peek() as { op: string }).op === 'OR') {
      const op = this.next();
      this.expectOperand(op.col, 'OR');
      children.push(this.parseAnd(field));
    }
    return children.length === 1 ? children[0] : { kind: 'or', children };
  }

  private parseAnd(field: TextField | null): QueryNode {
    const children = [this.parseUnary(field)];
    for (;;) {
      const t = this.peek();
      if (t.t === 'eof' || t.t === ')' || (t.t === 'op' && t.op === 'OR')) break;
      if (t.t === 'op' && t.op === 'AND') {
        this.next();
        this.expectOperand(t.col, 'AND');
      }
      children.push(this.parseUnary(field));
    }
    return children.length === 1 ? children[0] : { kind: 'and', children };
  }

  private expectOperand(col: number, op: string): void {
    const t = this.peek();
    if (t.t === 'eof' || t.t === ')' || (t.t === 'op' && t.op !== 'NOT')) throw new QueryError(t.t === 'eof' ? col : t.col, `${op} needs a term after it`);
  }

  private enter(col: number): void {
    if (++this.depth > QUERY_LIMITS.maxQueryDepth) throw new QueryError(col, `query nested more than ${QUERY_LIMITS.maxQueryDepth} levels deep (parentheses and NOT)`);
  }

  private parseUnary(field: TextField | null): QueryNode {
    const t = this.peek();
    if ((t.t === 'op' && t.op === 'NOT') || t.t === 'neg') {
      this.next();
      this.expectOperand(t.col, t.t === 'neg' ? '"-"' : 'NOT');
      this.enter(t.col);
      const child = this.parseUnary(field);
      this.depth--;
      return { kind: 'not', child };
    }
    return this.parsePrimary(field);
  }

  private parsePrimary(field: TextField | null): QueryNode {
    const t = this.next();
    switch (t.t) {
      case '(': return this.parseGroup(t.col, field);
      case 'group': {
        if (!TEXT_FIELDS.has(t.field)) throw new QueryError(t.col, `${t.field}: takes a single value, not a group`);
        const open = this.next();
        return this.parseGroup(open.col, t.field as TextField);
      }
      case 'term':
        if (t.field === null) return textNode(field, t.value, t.quoted, t.prefix, t.col);
        return fieldNode(t.field, t.value, t.quoted, t.prefix, t.col, t.valueCol);
      case ')': throw new QueryError(t.col, 'unmatched ")"');
      case 'op': throw new QueryError(t.col, `${t.op} needs a term before it`);
      default: throw new QueryError(t.col, 'expected a search term');
    }
  }

  private parseGroup(openCol: number, field: TextField | null): QueryNode {
    if (this.peek().t === ')') throw new QueryError(this.peek().col, 'empty parentheses');
    if (this.peek().t === 'eof') throw new QueryError(openCol, 'missing ")" for this "("');
    this.enter(openCol);
    const n = this.parseOr(field);
    this.depth--;
    const close = this.next();
    if (close.t !== ')') throw new QueryError(openCol, 'missing ")" for this "("');
    return n;
  }
}

/** Parses a query string; throws QueryError (a TroveError with code `usage`) on bad syntax. */
export function parseQuery(q: string): QueryNode {
  if (q.length > QUERY_LIMITS.maxQueryChars) throw new QueryError(QUERY_LIMITS.maxQueryChars + 1, `query longer than ${QUERY_LIMITS.maxQueryChars} characters`);
  const toks = lex(q);
  let terms = 0;
  for (const t of toks) {
    if (t.t === 'term' && ++terms > QUERY_LIMITS.maxQueryTerms) throw new QueryError(t.col, `more than ${QUERY_LIMITS.maxQueryTerms} search terms in one query`);
  }
  return new Parser(toks).parseQuery();
}
