/**
 * Every failure the fuzz properties found, minimised, one test each (postal-mime's edge-case
 * habit). A test marked `it.fails` is a KNOWN, UNFIXED bug: it asserts the correct behaviour and
 * is expected to fail today; when the bug is fixed it turns red, and the marker must go.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/limits.ts';
import { MboxSplitter } from '../../src/ingest/mbox.ts';
import type { MailboxItem } from '../../src/ingest/types.ts';
import { parseMessage } from '../../src/mime/parse.ts';
import { verifyDkim } from '../../src/auth/dkim/verify.ts';
import { dkimVerdict } from '../../src/auth/verdict.ts';
import { fromDomains } from '../../src/auth/from-domain.ts';
import { parseTagList } from '../../src/auth/dkim/tags.ts';
import { parseDkimMessage } from '../../src/auth/dkim/message.ts';
import { parseMailDate } from '../../src/mime/date.ts';
import { checkMboxAccounting, signedMessages } from './properties.ts';

/** Best of two runs, in ms (one GC pause is not a hang). */
function ms(f: () => unknown): number {
  let best = Infinity;
  for (let i = 0; i < 2; i++) {
    const t0 = performance.now();
    f();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}
const BLANKS = ' '.repeat(64_000);

function split(data: Buffer, maxMessageBytes: number, cuts: number[]): MailboxItem[] {
  const s = new MboxSplitter({ ...DEFAULT_LIMITS, maxMessageBytes });
  const items: MailboxItem[] = [];
  let off = 0;
  for (const c of [...cuts, data.length]) {
    s.push(data.subarray(off, c));
    items.push(...s.drain());
    off = c;
  }
  s.finish();
  items.push(...s.drain());
  return items;
}

describe('fuzz regressions', () => {
  // Found by scripts/fuzz.ts --seed 1 (mbox property). Leading blank lines longer than
  // maxMessageBytes were an mbox-corrupt error when the stream came in chunks but silently
  // ignored when it came in one piece. Fixed in src/ingest/mbox.ts leadKind(): an all-blank
  // leading range over the limit is garbage either way.
  it('mbox: leading blank lines over maxMessageBytes are reported the same whatever the chunking', () => {
    const data = Buffer.from('\r\n\r\nFrom a@example.org Mon Jan  2 10:00:00 2006\nFrom: a@example.org\n\nhello\n', 'latin1');
    const whole = split(data, 1, []);
    for (const cut of [1, 2, 4, 8, 20]) expect(split(data, 1, [cut])).toEqual(whole);
    expect(whole.map((i) => (i.problem ? i.code : 'message'))).toEqual(['mbox-corrupt', 'message-too-large']);
    checkMboxAccounting(data, whole);
    // under the limit the blank lines stay a harmless gap
    expect(split(data, 1000, []).map((i) => (i.problem ? i.code : 'message'))).toEqual(['message']);
  });

  // Found by the in-suite DKIM property (seed 20261127). The DKIM parser (src/auth/dkim/message.ts
  // parseDkimMessage) keeps a non-field line of the header block as an unsigned nameless field;
  // the MIME parser (src/mime/headers.ts splitHeaders) ends the header block there and reads the
  // rest as body. A forger adds one line and the message stays "verified" while the reader shows
  // the forger's sentence at the top of the body (or, before the first field, no headers at all).
  // Fixed in src/auth/dkim/verify.ts: a nameless line among the header fields is reported as
  // `unsigned-header-added` (critical when the key is proven), so the verdict is tampered.
  for (const [where, edit] of [
    ['after the signed headers', (t: string) => t.replace('\r\n\r\n', '\r\nPlease wire the money to account 123 today.\r\n\r\n')],
    ['before the signature (a NUL in a copied field name)', (t: string) => t.replace(/^(DKIM-Signature:[^\r]*\r\n)/, (l) => '\u0000' + l.slice(1) + l)],
  ] as const) {
    it(`dkim: a junk line ${where} does not leave the message verified`, () => {
      const s = signedMessages()[0];
      const raw = Buffer.from(edit(s.raw.toString('latin1')), 'latin1');
      expect(raw.equals(s.raw)).toBe(false);
      const results = verifyDkim(raw, { resolve: s.resolve, now: new Date('2017-05-02T00:00:00Z') });
      const v = dkimVerdict(results, fromDomains(raw));
      const mime = parseMessage(raw, DEFAULT_LIMITS).message.anomalies.map((a) => a.code);
      expect(mime.some((c) => c === 'header-garbage' || c === 'no-headers')).toBe(true);
      expect(v.verdict).not.toBe('verified');
      expect(v.evidence.map((e) => e.code)).toContain('unsigned-header-added');
    });
  }

  // Found by scripts/fuzz.ts --seed 7 (MIME property: 1.8 s for a 65 KB message). A header value
  // with a long inner run of blanks ("X: a" + 64,000 spaces + "b", e.g. a folded line of spaces)
  // made /[ \t\r]+$/ retry from every blank: quadratic. Fixed in src/mime/headers.ts splitHeaders
  // (trimEndBlanks, a loop). The same regex shape in src/auth/dkim/tags.ts parseTagList
  // (/^[ \t\r\n]+|[ \t\r\n]+$/g on tag names and values) made verifyDkim take 2 s on a 64 KB
  // DKIM-Signature; fixed there the same way (trimFws).
  it('mime: a 64 KB run of blanks inside a header value parses in well under 200 ms', () => {
    const raw = Buffer.from(`Content-Length: 999999\n${BLANKS}From: a@example.org\nSubject: s\n\nbody\n`, 'latin1');
    expect(ms(() => parseMessage(raw, DEFAULT_LIMITS))).toBeLessThan(200);
    expect(parseMessage(raw, DEFAULT_LIMITS).message.headers[0].value).toBe(`999999${BLANKS}From: a@example.org`);
  });

  it('dkim: a 64 KB run of blanks inside a tag value parses in well under 200 ms, values trimmed as before', () => {
    const text = `v=1; d=a${BLANKS}b ; s= \r\n\tsel\t;`;
    expect(ms(() => parseTagList(text))).toBeLessThan(200);
    const r = parseTagList(text);
    expect(r.ok && [...r.tags.values()].map((t) => t.value)).toEqual(['1', `a${BLANKS}b`, 'sel']);
    const sig = Buffer.from(`DKIM-Signature: v=1; a=rsa-sha256; d=x${BLANKS}y; s=s; h=from; bh=; b=\r\nFrom: a@b\r\n\r\nx\r\n`, 'latin1');
    expect(ms(() => verifyDkim(sig, { resolve: () => [], now: new Date() }))).toBeLessThan(200);
  });

  // Found while checking the fix above: the field-name trim in src/auth/dkim/message.ts
  // parseDkimMessage (/[ \t]+$/) was quadratic on a junk header line "X" + 64,000 spaces + "y: z"
  // (about 1.5 s per message). Fixed with the same loop (trimEndBlanks).
  it('dkim: a header line with a 64 KB run of blanks before its colon parses in linear time', () => {
    // 24,000 blanks: ~0.2 s when quadratic; the loop takes < 1 ms
    const raw = Buffer.from(`X${' '.repeat(24_000)}y: z\r\nFrom: a@b\r\n\r\nx\r\n`, 'latin1');
    const t0 = performance.now();
    parseDkimMessage(raw);
    expect(performance.now() - t0).toBeLessThan(50);
  });

  // Found by scripts/fuzz.ts --seed 12345 (MIME property: 201 ms for a 29 KB message whose Date
  // header held 23,000 spaces). src/mime/date.ts parseMailDate: "\s*[- ]\s*" and unbounded
  // [a-z]* backtracked quadratically on long runs of blanks or letters (40 KB: 0.6 s; a 1 MB
  // header line, still under maxHeaderLineBytes, would take minutes). Fixed: whitespace runs
  // collapsed before matching, name tails bounded to 12 letters.
  it('date: 64 KB runs of blanks or letters in a Date header parse in well under 200 ms, dates still read', () => {
    for (const d of [`Wed, 2${BLANKS}2 Jul 2015 01:02:29 +0900`, 'a'.repeat(64_000), `1 ${BLANKS}x`, `Mon${BLANKS}May 14 16:39:00 2001`]) {
      expect(ms(() => parseMailDate(d)), d.slice(0, 20)).toBeLessThan(200);
    }
    expect(parseMailDate(`Wed,   2 \t Jul  2015 01:02:29   +0900`)?.iso).toBe('2015-07-01T16:02:29.000Z');
    expect(parseMailDate('Wed, 2 September 2015 01:02:29 GMT')?.iso).toBe('2015-09-02T01:02:29.000Z');
    expect(parseMailDate('Mon May 14 16:39:00 2001')?.iso).toBe('2001-05-14T16:39:00.000Z');
  });
});
