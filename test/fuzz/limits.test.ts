/**
 * The hostile-input limits of src/core/limits.ts that no other test proves, each hit with a
 * generated input: the limit turns the attack into evidence (an anomaly), never a crash, a hang
 * or a silent loss. (maxDepth, maxRatio, ratioGraceBytes, maxExpandedBytes, maxMembers and
 * maxMessageBytes are proven by the archive, mbox and hostile-input tests; see docs/threat-model.md.)
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, resolveLimits } from '../../src/core/limits.ts';
import { parseMessage } from '../../src/mime/parse.ts';
import { parseOne } from '../../src/pipeline/parse-message.ts';
import type { MessageResult } from '../../src/pipeline/task.ts';

const codes = (raw: Buffer, limits = DEFAULT_LIMITS) => parseMessage(raw, limits).message.anomalies.map((a) => a.code);

/** A multipart nested `depth` levels, each level with its own boundary, a text leaf at the bottom. */
function deepMultipart(depth: number): Buffer {
  const open: string[] = ['From: a@example.org\r\nSubject: deep\r\n'];
  const close: string[] = [];
  for (let i = 0; i < depth; i++) {
    open.push(`Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`);
    close.unshift(`\r\n--b${i}--\r\n`);
  }
  return Buffer.from(open.join('') + 'Content-Type: text/plain\r\n\r\nbottom' + close.join(''), 'latin1');
}

/** A message/rfc822 nested `depth` levels. */
function deepEmbedded(depth: number): Buffer {
  let m = 'From: z@example.org\r\nSubject: level ' + depth + '\r\n\r\nbottom\r\n';
  for (let i = depth - 1; i >= 0; i--) m = `From: a@example.org\r\nSubject: level ${i}\r\nContent-Type: message/rfc822\r\n\r\n${m}`;
  return Buffer.from(m, 'latin1');
}

describe('limits proven on generated inputs', () => {
  it('maxMimeDepth: a 10,000-deep multipart stops at 64 with mime-too-deep, no stack overflow', () => {
    const raw = deepMultipart(10_000);
    const t0 = Date.now();
    const out = parseMessage(raw, DEFAULT_LIMITS);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(out.message.anomalies.map((a) => a.code)).toContain('mime-too-deep');
    expect(out.message.parts).toBe(DEFAULT_LIMITS.maxMimeDepth + 1);
    // the opaque part is kept as an attachment: nothing lost
    expect(out.message.attachments).toHaveLength(1);
    expect(out.message.attachments[0].part.split('.')).toHaveLength(DEFAULT_LIMITS.maxMimeDepth);
  });

  it('maxMimeDepth: exactly at the limit is parsed normally', () => {
    const out = parseMessage(deepMultipart(DEFAULT_LIMITS.maxMimeDepth), DEFAULT_LIMITS);
    expect(out.message.anomalies.map((a) => a.code)).not.toContain('mime-too-deep');
    expect(out.message.text).toBe('bottom');
  });

  it('maxMimeParts: 10,050 parts stop at 10,000 with mime-too-many-parts', () => {
    const parts = Array.from({ length: 10_050 }, (_, i) => `--p\r\nContent-Type: text/plain\r\n\r\n${i}\r\n`).join('');
    const raw = Buffer.from(`From: a@example.org\r\nContent-Type: multipart/mixed; boundary=p\r\n\r\n${parts}--p--\r\n`, 'latin1');
    const out = parseMessage(raw, DEFAULT_LIMITS);
    expect(out.message.anomalies.map((a) => a.code)).toContain('mime-too-many-parts');
    expect(out.message.parts).toBe(DEFAULT_LIMITS.maxMimeParts + 1);
  });

  it('maxHeaderBytes: a 4.5 MB header flood becomes header-too-large, the rest read as body', () => {
    const flood = 'X-Flood: ' + 'a'.repeat(90) + '\r\n';
    const raw = Buffer.from(`From: a@example.org\r\n${flood.repeat(47_000)}\r\nbody\r\n`, 'latin1');
    const out = parseMessage(raw, DEFAULT_LIMITS);
    expect(out.message.anomalies.map((a) => a.code)).toContain('header-too-large');
    expect(out.message.from[0].address).toBe('a@example.org');
    expect(out.message.text.endsWith('body\r\n')).toBe(true);
  });

  it('maxHeaderLineBytes: a 1.5 MB folded header is kept undecoded, later fields still read', () => {
    const long = 'X-Long: ' + ('y'.repeat(70) + '\r\n ').repeat(22_000) + 'end\r\n';
    const raw = Buffer.from(`From: a@example.org\r\n${long}Subject: after\r\n\r\nbody\r\n`, 'latin1');
    const out = parseMessage(raw, DEFAULT_LIMITS);
    expect(codes(raw)).toContain('header-line-too-long');
    expect(out.message.headers.find((h) => h.name === 'X-Long')?.value).toBe('');
    expect(out.message.subject).toBe('after');
  });

  it('maxEmbeddedDepth: mail-in-mail 20 deep stops at 16 with embedded-too-deep, the rest kept as an attachment', () => {
    const r = parseOne(deepEmbedded(20), 'rfc822', 'as-found', { limits: DEFAULT_LIMITS, resolve: null });
    let depth = 0;
    let cur: MessageResult = r;
    while (cur.children.length) {
      cur = cur.children[0].result;
      depth++;
    }
    expect(depth).toBe(DEFAULT_LIMITS.maxEmbeddedDepth);
    expect(cur.parsed?.anomalies.map((a) => a.code)).toContain('embedded-too-deep');
    expect(cur.parsed?.attachments.map((a) => a.contentType)).toEqual(['message/rfc822']);
    expect(cur.blobs).toHaveLength(1);
  });

  it('resolveLimits refuses values that would switch a limit off', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Infinity, 'abc', '', null]) {
      expect(() => resolveLimits({ maxMimeDepth: bad }), String(bad)).toThrowError(expect.objectContaining({ code: 'usage' }));
    }
    expect(() => resolveLimits({ noSuchLimit: 3 } as never)).toThrowError(expect.objectContaining({ code: 'usage' }));
    expect(resolveLimits({ maxDepth: '7' }).maxDepth).toBe(7);
  });
});
