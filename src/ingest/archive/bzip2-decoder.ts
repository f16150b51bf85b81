/**
 * @module ingest/archive/bzip2-decoder
 * A streaming bzip2 decoder built on unbzip2-stream's block decoder (lib/bzip2.js).
 *
 * Why not unbzip2-stream's own stream: it collects each block's output in a JS array of
 * numbers (8+ bytes per output byte) and ignores back-pressure; one bzip2 block can expand to
 * ~45 MB (run-length stage), so a bomb costs hundreds of MB before anything downstream can
 * object. Here the output goes into 64 KiB buffers and every buffer is counted by an
 * ExpansionGuard *inside* the synchronous block decode, so a bomb stops within one buffer
 * of crossing the limit.
 *
 * Errors: TroveError 'archive-truncated' when the input ends before the end-of-stream marker,
 * 'archive-corrupt' for bad data or CRC mismatch, and the guard's 'bomb-ratio' / 'bomb-size'.
 */
import { createRequire } from 'node:module';
import { Transform, type TransformCallback } from 'node:stream';
import { describe, isTroveError, TroveError } from '../../core/errors.ts';
import type { ExpansionGuard } from './guard.ts';

interface BitReader {
  (n: number | null): number;
  bytesRead: number;
}
interface Bzip2Lib {
  header(bits: BitReader): number;
  decompress(bits: BitReader, out: (byte: number) => void, buf: Int32Array, bufsize: number, streamCRC: number | null): number | null;
}

const require = createRequire(import.meta.url);
const bz2 = require('unbzip2-stream/lib/bzip2.js') as Bzip2Lib;
const bitIterator = require('unbzip2-stream/lib/bit_iterator.js') as (next: () => Uint8Array) => BitReader;

const OUT_CHUNK = 64 * 1024;
/** Worst-case compressed size of one block at level 9, plus slack, as unbzip2-stream uses. */
const blockInputBytes = (level: number) => 100_000 * level + 25_000;

class Truncated extends Error {}

export class Bzip2Decoder extends Transform {
  /** Compressed bytes received so far. */
  compressedBytes = 0;
  readonly #guard: ExpansionGuard;
  readonly #queue: Buffer[] = [];
  #bits: BitReader | null = null;
  #level = 0; // 0: expecting a stream header
  #streamCRC: number | null = null;
  #inStream = false;
  #work: Int32Array | null = null;
  #out = Buffer.allocUnsafe(OUT_CHUNK);
  #outPos = 0;

  constructor(guard: ExpansionGuard) {
    super();
    this.#guard = guard;
  }

  /**
   * Compressed bytes the decoder has actually read: the ratio's denominator. Input is
   * buffered up to a whole block ahead, so the received count would flatter a bomb.
   */
  get consumedBytes(): number {
    return this.#bits?.bytesRead ?? 0;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.#queue.push(chunk);
    this.compressedBytes += chunk.length;
    this.#bits ??= bitIterator(() => this.#nextInput());
    this.#run(false, cb);
  }

  override _flush(cb: TransformCallback): void {
    if (this.#bits === null) {
      cb(new TroveError('archive-truncated', 'bzip2 stream is empty'));
      return;
    }
    this.#run(true, (err) => {
      if (err) return cb(err);
      if (this.#inStream) return cb(new TroveError('archive-truncated', 'bzip2 stream ends before its end-of-stream marker'));
      cb();
    });
  }

  #nextInput(): Uint8Array {
    const b = this.#queue.shift();
    if (!b) throw new Truncated('bzip2 data ends early');
    return b;
  }

  /** Decodes every block that is certainly complete (or everything, at the end). */
  #run(final: boolean, cb: TransformCallback): void {
    const bits = this.#bits!;
    try {
      while (final ? this.compressedBytes > bits.bytesRead : this.compressedBytes - bits.bytesRead + 1 >= blockInputBytes(this.#level || 9)) {
        this.#step(bits);
      }
      this.#flushOut();
    } catch (e) {
      cb(this.#map(e));
      return;
    }
    cb();
  }

  #step(bits: BitReader): void {
    if (this.#level === 0) {
      this.#level = bz2.header(bits);
      this.#streamCRC = 0;
      this.#inStream = true;
      if (!this.#work || this.#work.length !== 100_000 * this.#level) this.#work = new Int32Array(100_000 * this.#level);
      return;
    }
    const crc = bz2.decompress(bits, (b) => this.#emit(b), this.#work!, this.#work!.length, this.#streamCRC);
    if (crc === null) {
      // end-of-stream marker: a concatenated stream (pbzip2, cat a.bz2 b.bz2) may follow
      this.#level = 0;
      this.#inStream = false;
    } else {
      this.#streamCRC = crc;
    }
    this.#flushOut();
  }

  #emit(b: number): void {
    this.#out[this.#outPos++] = b;
    if (this.#outPos === OUT_CHUNK) this.#flushOut();
  }

  #flushOut(): void {
    if (this.#outPos === 0) return;
    const n = this.#outPos;
    this.#guard.add(n); // throws the bomb error from inside the block decode
    this.push(Buffer.from(this.#out.subarray(0, n)));
    this.#outPos = 0;
  }

  #map(e: unknown): TroveError {
    if (isTroveError(e)) return e;
    if (e instanceof Truncated || e instanceof TypeError) return new TroveError('archive-truncated', `bzip2 stream is cut short: ${describe(e)}`, { cause: e });
    return new TroveError('archive-corrupt', `bzip2 data is damaged: ${describe(e)}`, { cause: e });
  }
}
