/**
 * @module ingest/archive/crc-check
 * Verifies a member's CRC-32 as its bytes stream past. yauzl does not check CRCs, and a
 * damaged deflate stream can inflate "successfully" to wrong bytes; a mismatch is reported
 * at the end of the stream as TroveError 'archive-corrupt'.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { crc32 } from 'node:zlib';
import { TroveError } from '../../core/errors.ts';

export function createCrcCheck(name: string, expected: number): Transform {
  let crc = 0;
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      crc = crc32(chunk, crc);
      cb(null, chunk);
    },
    flush(cb: TransformCallback) {
      if (crc >>> 0 !== expected >>> 0) {
        cb(new TroveError('archive-corrupt', `CRC-32 mismatch for "${name}": header says ${hex(expected)}, data gives ${hex(crc)}`));
        return;
      }
      cb();
    },
  });
}

function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
