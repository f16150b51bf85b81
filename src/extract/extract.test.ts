import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { CORPORA, extracted } from '../../test/helpers/corpora.ts';
import { extractText, extractTextSync, resolveExtractLimits } from './index.ts';

const FIX = join(import.meta.dirname, '../../test/fixtures/extract');
const fx = (name: string) => new Uint8Array(readFileSync(join(FIX, name)));
const HAVE_SA = existsSync(join(CORPORA, 'spamassassin.tar.gz'));
const FR = 'Réunion à Genève — façade';
const RU = 'Привет, Москва';

describe('office documents (by content, whatever the declared type)', () => {
  it('docx: paragraphs of runs, tabs, tracked deletions', () => {
    const r = extractTextSync(fx('sample.docx'), 'application/octet-stream', null);
    expect(r).toEqual({ kind: 'docx', text: `${FR} & co\n${RU}\tfin\nsupprimé`, truncated: false, error: null, note: null });
  });
  it('xlsx: sheets in workbook order, shared and inline strings, numbers; phonetic runs skipped', () => {
    const r = extractTextSync(fx('sample.xlsx'), '', 'x.bin');
    expect(r.kind).toBe('xlsx');
    expect(r.text).toBe(`Budget\n${FR}\t1234.5\ninline café\n\nЛист2\nПривет`);
  });
  it('pptx: slides in presentation order, with speaker notes', () => {
    const r = extractTextSync(fx('sample.pptx'), 'application/vnd.ms-powerpoint', 'a.ppt');
    expect(r.kind).toBe('pptx');
    expect(r.text).toBe(`${FR}\nnote de l’orateur\n\n${RU}`);
  });
  it('odt / ods / odp: content.xml body text', () => {
    expect(extractTextSync(fx('sample.odt'), '', null)).toMatchObject({ kind: 'odt', text: `${FR}\n${RU}  fin\nligne`, error: null });
    expect(extractTextSync(fx('sample.ods'), '', null)).toMatchObject({ kind: 'ods', text: `${FR} \t${RU}`, error: null });
    expect(extractTextSync(fx('sample.odp'), '', null)).toMatchObject({ kind: 'odp', text: `${FR}\n${RU}`, error: null });
  });
});

describe('rtf', () => {
  it('decodes \\\'hh in the ansi code page and the font charset, \\uN with fallback skipped; drops destinations', () => {
    const r = extractTextSync(fx('sample.rtf'), 'application/rtf', 'a.rtf');
    expect(r).toMatchObject({ kind: 'rtf', error: null, truncated: false });
    expect(r.text).toBe(`${FR}\n${RU}\nlien\tfin}`);
  });
  it('the brief\'s escapes: \\\'e9 and \\u1044?', () => {
    expect(extractTextSync(Buffer.from(String.raw`{\rtf1\ansi\ansicpg1252 caf\'e9 \u1044?a}`), '', null).text).toBe('café Дa');
  });
  it('\\ansicpg1251 applies to \\\'hh; \\uc2 skips two fallback characters', () => {
    expect(extractTextSync(Buffer.from(String.raw`{\rtf1\ansi\ansicpg1251 \'cf\'f0\'e8 {\uc2\u1044\'3f\'3fb}}`), '', null).text).toBe('При Дb');
  });
  it('deep nesting stops with an error, no stack overflow', () => {
    const r = extractTextSync(Buffer.from(`{\\rtf1 ${'{'.repeat(200_000)}x`), '', null);
    expect(r.kind).toBe('rtf');
    expect(r.error).toMatch(/nesting/);
  });
});

describe('text and html', () => {
  it('text/plain decoded with the content type charset', () => {
    const bytes = iconv.encode(RU, 'windows-1251');
    expect(extractTextSync(bytes, 'text/plain; charset="windows-1251"', 'a.txt')).toMatchObject({ kind: 'text', text: RU });
  });
  it('a UTF-8 BOM wins; no charset falls back to UTF-8 else windows-1252', () => {
    expect(extractTextSync(Buffer.from(`\ufeff${FR}`), 'text/plain; charset=iso-8859-1', null).text).toBe(FR);
    expect(extractTextSync(iconv.encode('café', 'windows-1252'), 'text/plain', null).text).toBe('café');
  });
  it('html: scripts and styles dropped, blocks on lines, entities decoded, meta charset honoured', () => {
    const html = `<html><head><meta charset="windows-1251"><title>T</title><style>p{x:1}</style></head><body><script>alert(1)</script><p>Caf&eacute; &amp; &#1044;&#x430; &hellip;</p><div>${RU}</div><table><tr><td>a<td>b</table></body></html>`;
    const r = extractTextSync(iconv.encode(html, 'windows-1251'), 'text/html', null);
    expect(r.kind).toBe('html');
    expect(r.text).toBe(`T\nCafé & Да …\n${RU}\n\ta\tb`);
  });
  it('untyped text is sniffed; binary is not text', () => {
    expect(extractTextSync(Buffer.from('hello world'), 'application/octet-stream', null)).toMatchObject({ kind: 'text', text: 'hello world' });
    expect(extractTextSync(Buffer.from('<!DOCTYPE html><p>hi</p>'), '', null)).toMatchObject({ kind: 'html', text: 'hi' });
    expect(extractTextSync(new Uint8Array([0, 1, 2, 3, 255]), 'application/octet-stream', 'x.bin')).toEqual({ kind: 'none', text: '', truncated: false, error: null, note: null });
  });
});

describe('pdf', () => {
  it('text page by page (form feed between pages)', async () => {
    const r = await extractText(fx('two-pages.pdf'), 'application/pdf', 'a.pdf');
    expect(r).toEqual({ kind: 'pdf', text: 'Réunion page one\n\fSecond page text', truncated: false, error: null, note: null });
  });
  it('page limit truncates', async () => {
    const r = await extractText(fx('five-pages.pdf'), 'application/pdf', null, { maxPdfPages: 2 });
    expect(r).toMatchObject({ text: 'page 1\n\fpage 2', truncated: true, error: null });
    expect(r.note).toMatch(/5 pages/);
  });
  it('a truncated PDF gives an error, not a throw', async () => {
    const r = await extractText(fx('truncated.pdf'), 'application/pdf', null);
    expect(r.kind).toBe('pdf');
    expect(r.text).toBe('');
    expect(r.error).toMatch(/PDF/);
  });
  it('garbage after a PDF header gives an error', async () => {
    const r = await extractText(Buffer.from('%PDF-1.7\n' + 'x'.repeat(5000)), '', null);
    expect(r.kind).toBe('pdf');
    expect(r.error).toBeTruthy();
  });
  it('the time budget bounds PDF reading too (no hang, no throw)', async () => {
    const r = await extractText(fx('five-pages.pdf'), 'application/pdf', null, { timeBudgetMs: 1 });
    expect(r.kind).toBe('pdf');
    if (r.text.length < 'page 1\n\fpage 2\n\fpage 3\n\fpage 4\n\fpage 5'.length) expect(`${r.note} ${r.error}`).toMatch(/time budget|within 1 ms/);
  });
  it('the synchronous variant declines PDFs with a reason', () => {
    expect(extractTextSync(fx('two-pages.pdf'), 'application/pdf', null)).toMatchObject({ kind: 'pdf', text: '', error: expect.stringMatching(/asynchronous/) });
  });
  it('works inside a worker_thread', async () => {
    const url = new URL('./index.ts', import.meta.url).href;
    const code = `const { parentPort, workerData } = require('node:worker_threads');
import(${JSON.stringify(url)}).then((m) => m.extractText(workerData, 'application/pdf', null)).then((r) => parentPort.postMessage(r), (e) => parentPort.postMessage({ error: String(e) }));`;
    const w = new Worker(code, { eval: true, workerData: fx('two-pages.pdf') });
    const r = await new Promise((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    await w.terminate();
    expect(r).toMatchObject({ kind: 'pdf', text: 'Réunion page one\n\fSecond page text', error: null });
  });
});

describe('hostile inputs and limits', () => {
  it('a zip bomb docx stops at the expanded-bytes limit', () => {
    const r = extractTextSync(fx('bomb.docx'), '', null, { maxXmlBytes: 4 * 1024 * 1024 });
    expect(r).toMatchObject({ kind: 'docx', truncated: true, error: null });
    expect(r.note).toMatch(/expands past the limit/);
  });
  it('200,000 nested elements: linear scan, no stack overflow', () => {
    expect(extractTextSync(fx('nested.docx'), '', null)).toMatchObject({ kind: 'docx', text: 'deep', error: null });
  });
  it('the time budget stops a slow file with a note', () => {
    const r = extractTextSync(fx('nested.docx'), '', null, { timeBudgetMs: 1 });
    // Either the budget was spent before the word (truncated) or the machine was quick enough.
    if (r.truncated) expect(r.note).toMatch(/time budget/);
    else expect(r.text).toBe('deep');
  });
  it('output characters are capped', () => {
    const r = extractTextSync(fx('sample.docx'), '', null, { maxOutputChars: 7 });
    expect(r).toMatchObject({ text: 'Réunion', truncated: true, error: null });
  });
  it('input size: binary refused, text cut', () => {
    expect(extractTextSync(fx('sample.docx'), '', null, { maxInputBytes: 100 }).error).toMatch(/over the 100-byte limit/);
    expect(extractTextSync(Buffer.from('abcdef'), 'text/plain', null, { maxInputBytes: 3 })).toMatchObject({ text: 'abc', truncated: true });
  });
  it('too many zip members is an error', () => {
    expect(extractTextSync(fx('sample.xlsx'), '', null, { maxZipMembers: 2 }).error).toMatch(/members/);
  });
  it('a truncated zip is an error', () => {
    const b = fx('sample.docx');
    expect(extractTextSync(b.subarray(0, b.length - 30), '', 'a.docx')).toMatchObject({ kind: 'docx', error: expect.stringMatching(/zip/) });
  });
  it('OLE files that are not Word documents are recognised and declined', () => {
    const ole = new Uint8Array(512);
    ole.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
    expect(extractTextSync(ole, 'application/msword', 'a.doc').error).toMatch(/legacy/);
  });
  it.skipIf(!HAVE_SA)('Word 97 .doc: the text of a real attachment (SpamAssassin spam_2/01359, a 2002 .doc)', async () => {
    const raw = readFileSync(join(extracted('spamassassin'), 'spamassassin/spam_2/01359.deafa1d42658c6624c6809a446b7f369'), 'latin1');
    const b64 = /filename=Yinxiang Motorcycles\.doc\r?\n\r?\n([A-Za-z0-9+/=\r\n]+)/.exec(raw)![1];
    const doc = new Uint8Array(Buffer.from(b64.replace(/\s+/g, ''), 'base64'));
    // declared as application/octet-stream: recognised by content
    const r = await extractText(doc, 'application/octet-stream', 'Yinxiang Motorcycles.doc');
    expect(r).toMatchObject({ kind: 'doc', error: null, truncated: false });
    expect(r.text).toMatch(/^Yinxiang Motorcycle\n/);
    expect(r.text).toContain('wheelbase(mm)\t1235');
    expect(r.text).toContain('China Chongqing International');
    expect(extractTextSync(doc, '', null)).toMatchObject({ kind: 'doc', error: expect.stringMatching(/asynchronous/) });
    expect((await extractText(doc, '', null, { maxOutputChars: 19 })).text).toBe('Yinxiang Motorcycle');
    expect((await extractText(doc, '', null, { maxInputBytes: 1000 })).error).toMatch(/over the 1000-byte limit/);
    // a truncated .doc is an error result, never a throw
    const cut = await extractText(doc.subarray(0, 20_000), '', null);
    expect(cut.kind === 'doc' ? cut.error : 'not-ole').toBeTruthy();
  });
  it('a type that does not match the content is an error', () => {
    expect(extractTextSync(Buffer.from('hello'), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', null)).toMatchObject({ kind: 'docx', error: expect.stringMatching(/not a docx/) });
  });
  it('limits are validated: bad values give an error result; resolveExtractLimits throws', () => {
    expect(extractTextSync(Buffer.from('x'), 'text/plain', null, { maxOutputChars: 0 }).error).toMatch(/positive integer/);
    expect(() => resolveExtractLimits({ timeBudgetMs: -1 })).toThrow(/cannot be switched off/);
    expect(() => resolveExtractLimits({ nope: 1 } as never)).toThrow(/unknown/);
  });
  it('random bytes behind every magic never throw', async () => {
    const heads = ['{\\rtf1 ', 'PK\u0003\u0004', '%PDF-1.4\n', '<html>', ''];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...heads), fc.uint8Array({ maxLength: 2000 }), async (head, tail) => {
        const bytes = Buffer.concat([Buffer.from(head, 'latin1'), tail]);
        const r = await extractText(bytes, 'application/octet-stream', null, { timeBudgetMs: 500 });
        expect(typeof r.text).toBe('string');
      }),
      { numRuns: 150 },
    );
  });
  it('a real-looking docx fuzzed byte by byte never throws', () => {
    const base = fx('sample.docx');
    fc.assert(
      fc.property(fc.nat(base.length - 1), fc.nat(255), (at, v) => {
        const b = new Uint8Array(base);
        b[at] = v;
        expect(typeof extractTextSync(b, '', null).text).toBe('string');
      }),
      { numRuns: 300 },
    );
  });
});
