/**
 * Canonicalisation and tag-list parsing against the RFC's own examples.
 */
import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { canonHeader } from './canon-header.ts';
import { canonBody } from './canon-body.ts';
import { parseDkimMessage, toCrlf } from './message.ts';
import { parseTagList } from './tags.ts';

const b64sha256 = (b: Buffer) => createHash('sha256').update(b).digest('base64');
const b64sha1 = (b: Buffer) => createHash('sha1').update(b).digest('base64');

describe('canonicalisation (RFC 6376 §3.4.5 example)', () => {
  const msg = parseDkimMessage(Buffer.from('A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n C \r\nD \t E\r\n\r\n\r\n'));
  it('relaxed headers', () => {
    expect(msg.fields.map((f) => canonHeader(f.raw, f.valueStart, 'relaxed')).join('')).toBe('a:X\r\nb:Y Z\r\n');
  });
  it('simple headers keep every byte', () => {
    expect(msg.fields.map((f) => canonHeader(f.raw, f.valueStart, 'simple')).join('')).toBe('A: X\r\nB : Y\t\r\n\tZ  \r\n');
  });
  it('relaxed body', () => {
    expect(canonBody(msg.body, 'relaxed').toString('latin1')).toBe(' C\r\nD E\r\n');
  });
  it('simple body', () => {
    expect(canonBody(msg.body, 'simple').toString('latin1')).toBe(' C \r\nD \t E\r\n');
  });
});

describe('body edge cases', () => {
  it('empty body hashes (RFC 6376 errata 1384)', () => {
    expect(b64sha256(canonBody(Buffer.alloc(0), 'simple'))).toBe('frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=');
    expect(b64sha1(canonBody(Buffer.alloc(0), 'simple'))).toBe('uoq1oCgLlTqpdDX/iUbLy7J1Wic=');
    expect(b64sha256(canonBody(Buffer.alloc(0), 'relaxed'))).toBe('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
    expect(canonBody(Buffer.from('\r\n\r\n'), 'relaxed').length).toBe(0);
    expect(canonBody(Buffer.from('\r\n\r\n'), 'simple').toString()).toBe('\r\n');
  });
  it('missing final CRLF is added; lone CR is content', () => {
    expect(canonBody(Buffer.from('abc'), 'simple').toString()).toBe('abc\r\n');
    expect(canonBody(Buffer.from('abc  '), 'relaxed').toString()).toBe('abc\r\n');
    expect(canonBody(Buffer.from('a\rb \r\n'), 'relaxed').toString()).toBe('a\rb\r\n');
    expect(canonBody(Buffer.from('abc\r\n \t \r\n'), 'relaxed').toString()).toBe('abc\r\n');
    expect(canonBody(Buffer.from('abc\r\n \t \r\n'), 'simple').toString()).toBe('abc\r\n \t \r\n');
  });
});

describe('message parsing', () => {
  it('bare LF becomes CRLF, existing CRLF and lone CR are kept', () => {
    const { bytes, converted } = toCrlf(Buffer.from('a\nb\r\nc\rd\n'));
    expect([bytes.toString(), converted]).toEqual(['a\r\nb\r\nc\rd\r\n', true]);
    expect(toCrlf(Buffer.from('a\r\n')).converted).toBe(false);
  });
  it('keeps folded fields whole and nameless junk lines apart', () => {
    const m = parseDkimMessage(Buffer.from('Subject: a\r\n b\r\nnot a header\r\nX: 1\r\n\r\nbody'));
    expect(m.fields.map((f) => [f.name, f.raw])).toEqual([['Subject', 'Subject: a\r\n b\r\n'], ['', 'not a header\r\n'], ['X', 'X: 1\r\n']]);
    expect(m.body.toString()).toBe('body');
  });
  it('no blank line: everything is header, the body is empty', () => {
    const m = parseDkimMessage(Buffer.from('A: 1\r\nB: 2'));
    expect(m.fields.map((f) => f.raw)).toEqual(['A: 1\r\n', 'B: 2\r\n']);
    expect(m.body.length).toBe(0);
  });
});

describe('header block split before CRLF conversion', () => {
  // The parser converts the header block and (lazily) the body separately. Oracle: the bytes
  // converted whole first, as a receiving MTA would, then split (a CRLF-only input is not touched).
  const pieces = ['A: 1', 'B:2', ' folded', '\t', '', 'x', '>From y', '\r', ' '];
  const ends = ['\n', '\r\n', '\r', '\r\r\n', '\n\n', '\n\r\n'];
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
  const cases = ['\nbody\n', '\r\n\nx', 'A: 1\n\n', 'A: 1\n\r\nb\nc', 'A: 1\r\r\n\r\nb', 'A: 1', 'A: 1\n', '\n', ''];
  for (let i = 0; i < 400; i++) {
    let t = '';
    for (let k = rnd(8); k >= 0; k--) t += pieces[rnd(pieces.length)] + ends[rnd(ends.length)];
    cases.push(t);
  }
  it('gives the fields, body and LF flag of the whole-message conversion', () => {
    for (const c of cases) {
      const input = Buffer.from(c, 'latin1');
      const whole = toCrlf(input);
      const m = parseDkimMessage(input);
      const oracle = parseDkimMessage(whole.bytes);
      expect(m.fields, JSON.stringify(c)).toEqual(oracle.fields);
      expect(m.body.toString('latin1'), JSON.stringify(c)).toBe(oracle.body.toString('latin1'));
      expect(m.lfConverted, JSON.stringify(c)).toBe(whole.converted);
      expect(oracle.lfConverted).toBe(false);
    }
  });
});

describe('tag lists', () => {
  it('parses with FWS and keeps value offsets', () => {
    const t = parseTagList(' a = 1 ;\r\n b=x y ; c=');
    expect(t.ok).toBe(true);
    if (!t.ok) return;
    expect([...t.tags.values()].map((x) => [x.name, x.value])).toEqual([['a', '1'], ['b', 'x y'], ['c', '']]);
    expect(' a = 1 ;\r\n b=x y ; c='.slice(t.tags.get('b')!.valueStart, t.tags.get('b')!.valueEnd)).toBe('x y ');
  });
  it('rejects duplicates, bad names, missing "=" and ";;" (strict)', () => {
    expect(parseTagList('a=1; a=2')).toMatchObject({ ok: false, tag: 'a' });
    expect(parseTagList('1a=1')).toMatchObject({ ok: false });
    expect(parseTagList('a=1; b')).toMatchObject({ ok: false, tag: 'b' });
    expect(parseTagList('a=1;; b=2')).toMatchObject({ ok: false });
    expect(parseTagList('a=1;; b=2', true).ok).toBe(true);
    expect(parseTagList('a=1;').ok).toBe(true);
  });
  it('is safe against prototype names', () => {
    const t = parseTagList('constructor=1; toString=2; hasOwnProperty=3');
    expect(t.ok && t.tags.get('constructor')?.value).toBe('1');
  });
});
