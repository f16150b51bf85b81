/**
 * @module ingest/archive/crc-check
 * Verifies a member's size and CRC-32 as its bytes stream past. yauzl does not check CRCs,
 * and a damaged deflate stream can inflate "successfully" to wrong bytes. A member longer
 * than declared fails as soon as it passes the declared size; a shorter one, or a CRC
 * mismatch, fails at the end. Errors are TroveError 'archive-corrupt'.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { crc32 } from 'node:zlib';
import { TroveError } from '../../core/errors.ts';

export function createMemberCheck(name: string, expectedCrc: number, expectedSize: number): Transform {
  let crc = 0;
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      size += chunk.length;
      if (size > expectedSize) {
        cb(new TroveError('archive-corrupt', `"${name}" is longer than the ${expectedSize} bytes its header declares`));
        return;
      }
      crc = crc32(chunk, crc);
      cb(null, chunk);
    },
    flush(cb: TransformCallback) {
      if (size !== expectedSize) {
        cb(new TroveError('archive-corrupt', `"${name}" has ${size} bytes, its header declares ${expectedSize}`));
        return;
      }
      if (crc >>> 0 !== expectedCrc >>> 0) {
        cb(new TroveError('archive-corrupt', `CRC-32 mismatch for "${name}": header says ${hex(expectedCrc)}, data gives ${hex(crc)}`));
        return;
      }
      cb();
    },
  });
}

function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
