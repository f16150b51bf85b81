/**
 * @module ingest/outlook/rtf-decompress
 * Decompresses PR_RTF_COMPRESSED ([MS-OXRTFCP]): a 16-byte header, then LZ77 with a 4 KiB ring
 * dictionary preloaded with common RTF text. Our own implementation (≈50 lines) rather than the
 * transitive `@kenjiuno/decompressrtf`, which trove does not declare, so that output cannot drift,
 * and so a hostile header (a raw size of 4 GB) cannot make us allocate it: output grows as data is
 * actually produced and stops at the declared size or at `maxBytes`.
 */

const PRELOAD = '{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript '
  + '\\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par '
  + '\\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx';

const COMPRESSED = 0x75465a4c; // 'LZFu'
const UNCOMPRESSED = 0x414c454d; // 'MELA'

/** Decompressed RTF bytes; throws on a malformed header. */
export function decompressRtf(input: Uint8Array, maxBytes = 256 * 1024 * 1024): Buffer {
  if (input.length < 16) throw new Error(`compressed RTF too short (${input.length} bytes)`);
  const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const compSize = buf.readUInt32LE(0);
  const rawSize = buf.readUInt32LE(4);
  const type = buf.readUInt32LE(8);
  // COMPSIZE counts the bytes after itself; a larger value means the property was cut short.
  const end = Math.min(buf.length, compSize + 4);
  const limit = Math.min(rawSize, maxBytes);
  if (type === UNCOMPRESSED) return Buffer.from(buf.subarray(16, Math.min(end, 16 + limit)));
  if (type !== COMPRESSED) throw new Error(`unknown compressed RTF type 0x${type.toString(16)}`);

  const dict = Buffer.alloc(4096);
  dict.write(PRELOAD, 'latin1');
  let wp = PRELOAD.length;
  const chunks: Buffer[] = [];
  let out = Buffer.alloc(Math.min(limit, 64 * 1024) || 1);
  let outLen = 0;
  const emit = (b: number) => {
    if (outLen === out.length) {
      chunks.push(out);
      out = Buffer.alloc(Math.min(out.length * 2, 16 * 1024 * 1024));
      outLen = 0;
    }
    out[outLen++] = b;
    dict[wp] = b;
    wp = (wp + 1) & 0xfff;
  };
  let produced = 0;
  let pos = 16;
  outer: while (pos < end) {
    const control = buf[pos++];
    for (let bit = 0; bit < 8; bit++) {
      if (pos >= end || produced >= limit) break outer;
      if ((control & (1 << bit)) === 0) {
        emit(buf[pos++]);
        produced++;
        continue;
      }
      if (pos + 1 >= end) break outer;
      const ref = (buf[pos] << 8) | buf[pos + 1];
      pos += 2;
      const offset = ref >> 4;
      const length = (ref & 0xf) + 2;
      if (offset === wp) break outer; // the end marker: a reference to the write position
      for (let i = 0; i < length && produced < limit; i++) {
        emit(dict[(offset + i) & 0xfff]);
        produced++;
      }
    }
  }
  chunks.push(out.subarray(0, outLen));
  return Buffer.concat(chunks);
}
