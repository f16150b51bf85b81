/**
 * @module ingest/mbox-edge-cases.test
 * One named test per hostile or odd mbox shape. Small inputs live in test/fixtures/mbox/ (see its
 * README); big ones are generated here so the repository stays small.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, type Limits } from '../core/limits.ts';
import { readMbox } from './mbox.ts';
import type { EntryProblem, FoundMessage, MailboxItem, ReaderContext } from './types.ts';

const FIXTURES = join(import.meta.dirname, '../../test/fixtures/mbox');
const MIMEKIT_DIR = '/work/shared/corpora/mimekit/mbox';
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

const fixture = (name: string): Buffer => readFileSync(join(FIXTURES, name));
const ctxWith = (limits: Partial<Limits> = {}): ReaderContext => ({ limits: { ...DEFAULT_LIMITS, ...limits }, tmpDir: '/tmp' });

function chunked(data: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out;
}

async function split(input: Buffer | Buffer[] | AsyncIterable<Buffer>, ctx = ctxWith()): Promise<MailboxItem[]> {
  const source = Buffer.isBuffer(input) ? [input] : input;
  const out: MailboxItem[] = [];
  for await (const item of readMbox(Readable.from(source), ctx)) out.push(item);
  return out;
}

const msgs = (items: MailboxItem[]): FoundMessage[] => items.filter((i): i is FoundMessage => !i.problem && !('nonMail' in i));
const problems = (items: MailboxItem[]): EntryProblem[] => items.filter((i): i is EntryProblem => i.problem === true);

/** Comparable summary: names, bytes, meta. */
function summary(items: MailboxItem[]): unknown[] {
  return items.map((i) => (i.problem ? i : { ...i, bytes: (i as FoundMessage).bytes.toString('latin1') }));
}

describe('mbox edge cases', () => {
  it('CRLF mbox: same split as LF, the "\\r\\n" blank line dropped, envelope without CR', async () => {
    const lf = msgs(await split(fixture('escaped.mbox')));
    const crlf = msgs(await split(fixture('crlf.mbox')));
    expect(crlf.length).toBe(3);
    expect(crlf.map((m) => m.bytes.toString('latin1'))).toEqual(lf.map((m) => m.bytes.toString('latin1').replace(/\n/g, '\r\n')));
    expect(crlf.map((m) => m.meta?.envelope)).toEqual(['From alice@example.org Mon Jan  2 10:00:00 2006', 'From bob@example.org Tue Jan  3 11:30:00 2006', 'From - ']);
    expect(crlf[1].bytes.toString('latin1').endsWith('second body\r\n')).toBe(true);
  });

  it('UTF-8 BOM: skipped, the first envelope is at offset 3', async () => {
    const plain = msgs(await split(fixture('crlf.mbox')));
    const withBom = msgs(await split(Buffer.concat([BOM, fixture('crlf.mbox')])));
    expect(withBom.map((m) => m.bytes)).toEqual(plain.map((m) => m.bytes));
    expect(withBom.map((m) => m.meta?.offset)).toEqual(plain.map((m) => (m.meta?.offset as number) + 3));
    expect(withBom[0].meta?.offset).toBe(3);
    expect(msgs(await split(readFileSync(join(MIMEKIT_DIR, 'unmunged.mbox.txt')))).length).toBe(2);
  });

  it('>From lines are preserved and counted', async () => {
    const [first] = msgs(await split(fixture('escaped.mbox')));
    expect(first.bytes.toString()).toContain('\nfirst body\n>From the escaped line\n');
    expect(first.meta?.escapedFromLines).toBe(2); // >From and >>From
  });

  it('>>From lines are preserved (no mboxrd unescaping)', async () => {
    const [first, second] = msgs(await split(fixture('escaped.mbox')));
    expect(first.bytes.toString().endsWith('\n>>From a twice escaped line\n')).toBe(true);
    expect(second.meta?.escapedFromLines).toBe(0);
  });

  it('Content-Length with an envelope-shaped From line in the body does not split', async () => {
    const data = fixture('content-length-body-from.mbox');
    const m = msgs(await split(data));
    expect(m.length).toBe(2);
    expect(m.map((x) => x.meta?.framing)).toEqual(['content-length', 'content-length']);
    expect(m[0].bytes.toString()).toContain('\n\nFrom hidden@example.org Wed Jan  4 09:00:00 2006\nFrom: hidden@example.org\n');
    expect(m[0].bytes.toString().endsWith('\nquoted\n')).toBe(true);
    expect(m[1].bytes.toString()).toBe('From: bob@example.org\nSubject: after\nContent-Length: 6\n\nafter\n');
    // Without the header the hidden line is a valid separator: proves the Content-Length did the work.
    const stripped = Buffer.from(data.toString('latin1').replace(/Content-Length: \d+\n/, ''), 'latin1');
    expect(msgs(await split(stripped)).length).toBe(3);
  });

  it('Content-Length that lies (mid-message, past EOF) falls back to separators', async () => {
    const m = msgs(await split(fixture('content-length-lies.mbox')));
    expect(m.length).toBe(3);
    expect(m.map((x) => x.meta?.framing)).toEqual(['separator', 'separator', 'separator']);
    expect(m[0].bytes.toString().endsWith('\nthis body is much longer than ten bytes\n')).toBe(true);
    expect(m[1].bytes.toString().endsWith('\n\nshort\n')).toBe(true);
    expect(m[2].bytes.toString().endsWith('\n\nend\n')).toBe(true);
  });

  const boundaryInputs: [string, Buffer][] = [
    ['crlf.mbox', fixture('crlf.mbox')],
    ['escaped.mbox', fixture('escaped.mbox')],
    ['content-length-body-from.mbox', fixture('content-length-body-from.mbox')],
    ['content-length-lies.mbox', fixture('content-length-lies.mbox')],
    ['garbage-before-first-from.mbox', fixture('garbage-before-first-from.mbox')],
    ['BOM + crlf.mbox', Buffer.concat([BOM, fixture('crlf.mbox')])],
    ['simple.mbox.txt', readFileSync(join(MIMEKIT_DIR, 'simple.mbox.txt'))],
    ['unmunged.mbox.txt', readFileSync(join(MIMEKIT_DIR, 'unmunged.mbox.txt'))],
    ['issue1189.mbox.txt', readFileSync(join(MIMEKIT_DIR, 'issue1189.mbox.txt'))],
  ];

  it('chunk boundaries: 1-byte chunks give the same items as one buffer', async () => {
    for (const [name, data] of boundaryInputs) {
      expect(summary(await split(chunked(data, 1))), name).toEqual(summary(await split(data)));
    }
  });

  it('chunk boundaries: 7-byte chunks give the same items as one buffer', async () => {
    for (const [name, data] of boundaryInputs) {
      expect(summary(await split(chunked(data, 7))), name).toEqual(summary(await split(data)));
    }
  });

  it('chunk boundaries: every two-chunk split point, inside "From " and inside "\\r\\n"', async () => {
    for (const name of ['crlf.mbox', 'content-length-body-from.mbox']) {
      const data = fixture(name);
      const whole = summary(await split(data));
      for (let cut = 1; cut < data.length; cut++) {
        expect(summary(await split([data.subarray(0, cut), data.subarray(cut)])), `${name} cut at ${cut}`).toEqual(whole);
      }
    }
  });

  it('chunk boundaries: random small mboxes (seeded) split the same in random chunks', async () => {
    // Lines chosen to hit every rule: envelopes of each shape, prose From, Content-Length (often
    // lying), folded lines, CR, BOM, tiny message limits (skip mode, leading content).
    let seed = 20240611;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pieces = ['From a@b Mon Jan  2 10:00:00 2006', 'From -', 'From ', 'From Russia with love', 'From: x@y', 'Content-Length: 5',
      'Content-Length: 40', 'Subject: s', '', '', '>From z', 'hello', '\r', ' folded', 'X-A:'];
    for (let iter = 0; iter < 400; iter++) {
      const lines = Array.from({ length: rnd(40) }, () => pieces[rnd(pieces.length)]);
      const eol = rnd(2) ? '\n' : '\r\n';
      const data = Buffer.from((rnd(5) === 0 ? '\ufeff' : '') + lines.join(eol) + (rnd(2) ? eol : ''));
      const ctx = ctxWith({ maxMessageBytes: [1 + rnd(20), 1 + rnd(200), 1_000_000][rnd(3)] });
      const chunks: Buffer[] = [];
      for (let i = 0; i < data.length; i += chunks[chunks.length - 1].length) chunks.push(data.subarray(i, i + 1 + rnd(9)));
      expect(summary(await split(chunks, ctx)), JSON.stringify(data.toString('latin1'))).toEqual(summary(await split(data, ctx)));
    }
  });

  it('a 2 MB header line: kept whole, the split still right', async () => {
    const long = 'x'.repeat(2 * 1024 * 1024);
    const first = `From: a@example.org\nX-Long: ${long}\nSubject: long\n\nbody\n`;
    const data = Buffer.from(`From a@example.org Mon Jan  2 10:00:00 2006\n${first}\nFrom b@example.org Mon Jan  2 10:00:01 2006\nFrom: b@example.org\n\nbye\n`);
    const m = msgs(await split(chunked(data, 65536)));
    expect(m.length).toBe(2);
    expect(m[0].bytes.toString()).toBe(first);
    expect(m[1].bytes.toString()).toBe('From: b@example.org\n\nbye\n');
  });

  it('NUL bytes in a body are kept', async () => {
    const body = Buffer.from('From: a@example.org\n\nbin\0ary\n\0From x\n\0\0\0\n');
    const data = Buffer.concat([Buffer.from('From a@example.org Mon Jan  2 10:00:00 2006\n'), body, Buffer.from('\nFrom b@example.org Mon Jan  2 10:00:01 2006\nFrom: b@example.org\n\nbye\n')]);
    const m = msgs(await split(chunked(data, 5)));
    expect(m.length).toBe(2);
    expect(m[0].bytes.equals(body)).toBe(true);
  });

  it('empty file (and a BOM alone) yields nothing', async () => {
    expect(await split([])).toEqual([]);
    expect(await split(Buffer.alloc(0))).toEqual([]);
    expect(await split(BOM)).toEqual([]);
  });

  it('file with only an envelope line: one empty message (as Python)', async () => {
    for (const text of ['From a@example.org Mon Jan  2 10:00:00 2006\n', 'From a@example.org Mon Jan  2 10:00:00 2006', 'From -\r\n']) {
      const items = await split(Buffer.from(text));
      expect(items.length, text).toBe(1);
      const [m] = msgs(items);
      expect(m.bytes.length, text).toBe(0);
      expect(m.meta?.envelope, text).toBe(text.replace(/\r?\n$/, ''));
      expect(m.meta?.offset).toBe(0);
    }
  });

  it('message-too-large: a 50 MB message with a 1 MB limit is skipped in bounded memory', async () => {
    const limit = 1024 * 1024;
    const head = Buffer.from('From big@example.org Mon Jan  2 10:00:00 2006\nFrom: big@example.org\nSubject: big\n\n');
    const line = Buffer.from(`${'y'.repeat(75)}\n`);
    const block = Buffer.alloc(64 * 1024 - ((64 * 1024) % line.length));
    for (let i = 0; i < block.length; i += line.length) line.copy(block, i);
    const blocks = Math.ceil((50 * 1024 * 1024) / block.length);
    const tail = Buffer.from('\nFrom small@example.org Mon Jan  2 10:00:01 2006\nFrom: small@example.org\n\nsmall\n');
    // Message bytes: everything but the envelope line and the blank line before the next one.
    const bigSize = head.length - (head.indexOf(0x0a) + 1) + blocks * block.length;
    global.gc?.();
    const before = process.memoryUsage();
    let peakExternal = 0;
    let peakHeap = 0;
    async function* source(): AsyncIterable<Buffer> {
      yield head;
      for (let i = 0; i < blocks; i++) {
        if (i % 64 === 0) {
          const now = process.memoryUsage();
          peakExternal = Math.max(peakExternal, now.arrayBuffers - before.arrayBuffers);
          peakHeap = Math.max(peakHeap, now.heapUsed - before.heapUsed);
        }
        yield block; // the same buffer object each time: the splitter copies what it keeps
      }
      yield tail;
    }
    const items = await split(source(), ctxWith({ maxMessageBytes: limit }));
    expect(items.length).toBe(2);
    const [skip] = problems(items);
    expect(skip).toMatchObject({ problem: true, name: '#1', kind: 'skip', code: 'message-too-large' });
    expect(skip.reason).toContain(`${bigSize} bytes`);
    const [small] = msgs(items);
    expect(small.name).toBe('#2');
    expect(small.bytes.toString()).toBe('From: small@example.org\n\nsmall\n');
    // The work buffer never needs more than ~2 x the limit; 50 MB would show up here.
    expect(peakExternal).toBeLessThan(12 * 1024 * 1024);
    expect(peakHeap).toBeLessThan(32 * 1024 * 1024);
  });

  it('message-too-large: one 5 MB chunk with a 1 MB limit is still skipped, neighbours kept', async () => {
    const big = `From: big@example.org\n\n${'z'.repeat(5 * 1024 * 1024)}\n`;
    const data = Buffer.from(`From a@example.org Mon Jan  2 10:00:00 2006\nFrom: a@example.org\n\nfirst\n\nFrom big@example.org Mon Jan  2 10:00:01 2006\n${big}\nFrom c@example.org Mon Jan  2 10:00:02 2006\nFrom: c@example.org\n\nlast\n`);
    const items = await split(data, ctxWith({ maxMessageBytes: 1024 * 1024 }));
    expect(items.map((i) => [i.name, i.problem ? (i as EntryProblem).code : 'message'])).toEqual([['#1', 'message'], ['#2', 'message-too-large'], ['#3', 'message']]);
    expect((items[1] as EntryProblem).reason).toContain(`${big.length} bytes`);
  });

  it('garbage before the first From: one mbox-corrupt problem with the byte range, then the messages', async () => {
    const data = fixture('garbage-before-first-from.mbox');
    const items = await split(data);
    const from = data.indexOf('From alice');
    expect(items.length).toBe(2);
    expect(items[0]).toMatchObject({ problem: true, name: '', kind: 'error', code: 'mbox-corrupt' });
    expect((items[0] as EntryProblem).reason).toContain(`bytes 0..${from}`);
    expect(items[1]).toMatchObject({ name: '#1', meta: { offset: from } });
    // A header block before the first From is a message of its own, without an envelope.
    const headless = msgs(await split(fixture('headers-before-first-from.mbox')));
    expect(headless.map((m) => [m.name, m.meta?.noEnvelope ?? false])).toEqual([['#1', true], ['#2', false]]);
    expect(headless[0].bytes.toString()).toBe('From: eve@example.org\nSubject: no envelope\n\nbody of an eml glued in front\n');
    // Blank lines before the first From are not worth a problem row.
    expect(summary(await split(Buffer.concat([Buffer.from('\n\r\n'), fixture('escaped.mbox')])))).toHaveLength(3);
  });
});
