/**
 * @module ingest/outlook/rtf.test
 * Compressed-RTF decompression checked against msgreader's own decompressor on every RTF body of
 * the .msg corpus, and HTML de-encapsulation on hand-written RTF covering the [MS-OXRTFEX] rules.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPORA } from '../../../test/helpers/corpora.ts';
import { decompressRtf } from './rtf-decompress.ts';
import { htmlFromRtf, rtfInfo } from './rtf-html.ts';

const require = createRequire(import.meta.url);
const MsgReader = require('@kenjiuno/msgreader').default as typeof import('@kenjiuno/msgreader').default;

/** msgreader's decompressor, reached through msgreader (it is msgreader's dependency, not ours). */
function referenceDecompressor(): ((data: Uint8Array) => number[]) | null {
  try {
    const fromMsgreader = createRequire(require.resolve('@kenjiuno/msgreader'));
    return (fromMsgreader('@kenjiuno/decompressrtf') as { decompressRTF: (d: Uint8Array) => number[] }).decompressRTF;
  } catch {
    return null;
  }
}

describe('decompressRtf', () => {
  it('matches the reference decompressor on every RTF body of the .msg corpus', (ctx) => {
    const ref = referenceDecompressor();
    if (!ref) {
      ctx.skip('@kenjiuno/decompressrtf not resolvable through msgreader: reference comparison skipped');
      return;
    }
    const dir = join(CORPORA, 'msg');
    let n = 0;
    for (const f of readdirSync(dir)) {
      const buf = readFileSync(join(dir, f));
      const d = new MsgReader(new DataView(buf.buffer, buf.byteOffset, buf.byteLength)).getFileData();
      if (!d.compressedRtf) continue;
      const ours = decompressRtf(d.compressedRtf);
      expect(ours.equals(Buffer.from(ref(d.compressedRtf))), f).toBe(true);
      expect(ours.subarray(0, 6).toString(), f).toBe('{\\rtf1');
      n++;
    }
    expect(n).toBe(41); // all but "newOutlook …" (HTML only), voteYes and voteNo (no body)
  });

  it('stops at the declared size and at maxBytes, and rejects unknown types', () => {
    const h = Buffer.alloc(16);
    h.writeUInt32LE(12 + 5, 0);
    h.writeUInt32LE(5, 4);
    h.writeUInt32LE(0x414c454d, 8); // 'MELA': stored uncompressed
    expect(decompressRtf(Buffer.concat([h, Buffer.from('{\\rtf1}')])).toString()).toBe('{\\rtf');
    expect(decompressRtf(Buffer.concat([h, Buffer.from('{\\rtf1}')]), 3).toString()).toBe('{\\r');
    h.writeUInt32LE(0x12345678, 8);
    expect(() => decompressRtf(Buffer.concat([h, Buffer.from('x')]))).toThrow(/unknown compressed RTF type/);
    expect(() => decompressRtf(Buffer.alloc(5))).toThrow(/too short/);
  });

  it('a hostile raw size allocates nothing up front', () => {
    const h = Buffer.alloc(16);
    h.writeUInt32LE(12 + 1, 0);
    h.writeUInt32LE(0xffffffff, 4);
    h.writeUInt32LE(0x75465a4c, 8);
    expect(decompressRtf(Buffer.concat([h, Buffer.from([0x00])])).length).toBe(0);
  });
});

describe('rtfInfo / htmlFromRtf', () => {
  const rtf = (s: string) => Buffer.from(s, 'latin1');

  it('tells encapsulated HTML, encapsulated text and native RTF apart', () => {
    expect(rtfInfo(rtf('{\\rtf1\\ansi\\ansicpg932\\fromhtml1 \\deff0{\\fonttbl}}'))).toEqual({ kind: 'html', ansiCodepage: 932 });
    expect(rtfInfo(rtf('{\\rtf1\\ansi\\ansicpg1252\\fromtext \\deff0{\\fonttbl}}'))).toEqual({ kind: 'text', ansiCodepage: 1252 });
    expect(rtfInfo(rtf('{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 x;}}\\fromhtml1 late}'))).toEqual({ kind: 'rtf', ansiCodepage: null });
  });

  it('emits htmltag groups, drops \\htmlrtf text and ignorable destinations', () => {
    const src = '{\\rtf1\\ansi\\ansicpg1252\\fromhtml1 {\\fonttbl{\\f0 Arial;}}{\\colortbl;\\red0;}'
      + '{\\*\\htmltag19 <html>}{\\*\\htmltag34 <head>}{\\*\\mhtmltag2 ignored}'
      + '\\htmlrtf {\\pard RTF only\\par}\\htmlrtf0 '
      + '{\\*\\htmltag64 <p class="a">}Text \\{braces\\} and \\\\ back\\par'
      + '{\\*\\htmltag72 </p>}{\\*\\htmltag27 </html>}}';
    expect(htmlFromRtf(rtf(src))).toBe('<html><head><p class="a">Text {braces} and \\ back\r\n</p></html>');
  });

  it('decodes \\\'hh bytes in the \\ansicpg code page (double-byte CP932 included) and \\uN with \\ucN', () => {
    // "日本" in CP932 is 93 FA 96 7B.
    expect(htmlFromRtf(rtf("{\\rtf1\\ansi\\ansicpg932\\fromhtml1 {\\*\\htmltag64 <p>}\\'93\\'fa\\'96\\'7b{\\*\\htmltag72 </p>}}"))).toBe('<p>日本</p>');
    expect(htmlFromRtf(rtf("{\\rtf1\\ansi\\ansicpg1252\\fromhtml1 \\uc1\\u8364?\\u-10179\\'3f\\u-8704?{\\uc2\\u233 xx}!}"))).toBe('€\ud83d\ude00é!');
  });
});
