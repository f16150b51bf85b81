/**
 * @module ingest/archive/guard
 * Byte-counting defence against decompression bombs, shared by every archive reader.
 *
 * Archive headers declare sizes, and a hostile archive lies about them; so the only number
 * we trust is the count of bytes that actually came out of the decompressor. The guard
 * checks two limits on that count as it grows:
 *  - a hard cap (`maxBytes`) → TroveError 'bomb-size';
 *  - expanded / compressed past `limits.ratioGraceBytes` → TroveError 'bomb-ratio'.
 * `ExpansionGuard` is the bare accounting (for decoders that run synchronously and must be
 * stopped from inside, e.g. bzip2), `createGuardStream` wraps it as a pass-through Transform.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { TroveError } from '../../core/errors.ts';
import type { Limits } from '../../core/limits.ts';

export interface GuardOptions {
  /** Member name, used in messages. */
  name: string;
  limits: Pick<Limits, 'maxRatio' | 'ratioGraceBytes'>;
  /** Hard cap on expanded bytes; more than this is a 'bomb-size' error. */
  maxBytes: number;
  /**
   * Compressed bytes behind the output so far. A function so that live counters (bytes fed
   * to a decompressor) can be read at each check; a fixed number for containers that declare
   * it. Omitted or null: no ratio check (stored data cannot be a ratio bomb).
   */
  compressedBytes?: number | (() => number | null) | null;
  /** Told about every accepted chunk, so a container can keep a running total across members. */
  onBytes?: (n: number) => void;
}

/** Accounting only: `add` throws the TroveError as soon as a limit is crossed. */
export class ExpansionGuard {
  expanded = 0;
  readonly #opts: GuardOptions;

  constructor(opts: GuardOptions) {
    this.#opts = opts;
  }

  /** Counts `n` more expanded bytes; throws a TroveError ('bomb-size' / 'bomb-ratio') when a limit is crossed. */
  add(n: number): void {
    const o = this.#opts;
    this.expanded += n;
    if (this.expanded > o.maxBytes) {
      throw new TroveError('bomb-size', `${label(o.name)} expands past ${o.maxBytes} bytes`);
    }
    if (this.expanded > o.limits.ratioGraceBytes) {
      const c = typeof o.compressedBytes === 'function' ? o.compressedBytes() : o.compressedBytes;
      if (c !== null && c !== undefined) {
        // A zero-byte compressed side that still yields bytes is infinitely expanding.
        const ratio = this.expanded / Math.max(c, 1);
        if (ratio > o.limits.maxRatio) {
          throw new TroveError('bomb-ratio', `${label(o.name)} expands ${Math.round(ratio)}:1 (limit ${o.limits.maxRatio}:1) after ${this.expanded} bytes`);
        }
      }
    }
    o.onBytes?.(n);
  }
}

function label(name: string): string {
  return name === '' ? 'stream' : `"${name}"`;
}

/**
 * A pass-through stream that errors with the guard's TroveError when a limit is crossed.
 * Piped with `pipeline`, the error also tears down the decompressor upstream, so a bomb stops
 * costing memory and CPU at the first chunk over the limit.
 */
export function createGuardStream(opts: GuardOptions): Transform {
  const guard = new ExpansionGuard(opts);
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      try {
        guard.add(chunk.length);
      } catch (e) {
        cb(e as Error);
        return;
      }
      cb(null, chunk);
    },
  });
}

/** Counts bytes passing through, e.g. compressed input on its way into a decompressor. */
export class ByteCounter extends Transform {
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    cb(null, chunk);
  }
}
