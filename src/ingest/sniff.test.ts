import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPORA, extracted } from '../../test/helpers/corpora.ts';
import { rng } from '../../test/helpers/random.ts';
import { KNOWN_HEADERS, looksLikeHeaders } from './sniff.ts';

/** The oracle: the header check as first written, splitting the whole sample into lines. */
function byLines(b: Uint8Array, start = 0): boolean {
  const text = Buffer.from(b.buffer, b.byteOffset + start, Math.min(b.length - start, 16384)).toString('latin1');
  const lines = text.replace(/^(\r?\n)+/, '').split(/\r?\n/);
  let fields = 0;
  let known = 0;
  for (const line of lines) {
    if (line === '') break;
    if (line.includes('\0')) return false;
    if (/^[ \t]/.test(line)) {
      if (fields === 0) return false;
      continue;
    }
    const m = /^([\x21-\x39\x3b-\x7e]+)[ \t]*:/.exec(line);
    if (!m) return fields >= 2 && known >= 1 ? true : false;
    fields++;
    if (KNOWN_HEADERS.has(m[1].toLowerCase())) known++;
    if (fields >= 40) break;
  }
  return fields >= 1 && known >= 1;
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('looksLikeHeaders, line by line', () => {
  it('decides as the whole-sample split on every file of the SpamAssassin, mbox, MimeKit and .msg corpora, from each of the first offsets', () => {
    const all = [...files(extracted('spamassassin')), ...files(join(CORPORA, 'mbox')), ...files(join(CORPORA, 'mimekit')), ...files(join(CORPORA, 'msg'))];
    let yes = 0;
    let no = 0;
    for (const f of all) {
      const head = readFileSync(f).subarray(0, 20_000);
      for (const start of [0, 1, 3].filter((s) => s <= head.length)) {
        const want = byLines(head, start);
        expect(looksLikeHeaders(head, start), `${f} @${start}`).toBe(want);
        if (want) yes++;
        else no++;
      }
    }
    expect(yes).toBeGreaterThan(2000);
    expect(no).toBeGreaterThan(100);
  });

  it('ends the header block at a blank line in either line ending, and at a line that is not a field', () => {
    const cases: [string, boolean][] = [
      ['From: a@b\r\n\r\nBad line', true],
      ['From: a@b\n\nBad line', true],
      ['\r\n\nFrom: a@b\r\n', true],
      ['From: a@b\r\nBad line', false],
      ['X-Foo: 1\r\nSubject: x\r\nBad line', true],
      ['X-Foo: 1\r\n folded\r\n\r\n', false],
      [' folded\r\nFrom: a@b', false],
      ['From: a@b\r\r\n\r\n', true],
      ['From: a\0b\r\n\r\n', false],
    ];
    for (const [s, want] of cases) {
      const b = Buffer.from(s, 'latin1');
      expect(byLines(b), JSON.stringify(s)).toBe(want);
      expect(looksLikeHeaders(b), JSON.stringify(s)).toBe(want);
    }
  });

  it('decides as the whole-sample split on random texts of the characters that matter', () => {
    const pieces = ['From: a@b', 'To: c', 'Subject: x', 'X-Foo: y', 'Bad line', ' folded', '\t', '\n', '\r\n', '\r', '\r\r\n', '\0', ':', 'Received: z', 'a', ''];
    const next = rng(4242);
    const rand = (n: number) => Math.floor(next() * n);
    let yes = 0;
    for (let i = 0; i < 20_000; i++) {
      let s = '';
      for (let n = rand(30); n > 0; n--) s += pieces[rand(pieces.length)];
      const b = Buffer.from(s, 'latin1');
      const want = byLines(b);
      expect(looksLikeHeaders(b), JSON.stringify(s)).toBe(want);
      if (want) yes++;
    }
    expect(yes).toBeGreaterThan(1000);
  });
});
