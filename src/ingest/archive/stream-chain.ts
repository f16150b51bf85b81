/**
 * @module ingest/archive/stream-chain
 * Wires a member's source stream through transforms and returns the last one, with every
 * error surfacing on that last stream as a TroveError.
 *
 * `stream.pipeline` would destroy the last stream with the raw library error (a zlib or
 * yauzl message); the walker must branch on codes, never on message text, so errors are
 * mapped here, once, before they reach the consumer. If the consumer abandons the returned
 * stream (destroys it early), the upstream streams are destroyed too, so file descriptors and
 * decompressors are released.
 */
import type { Readable, Transform } from 'node:stream';
import { isTroveError, type TroveError } from '../../core/errors.ts';

export type ErrorMapper = (e: unknown) => TroveError;

export interface ChainOptions {
  /**
   * The source belongs to the caller (e.g. the walker, which hashes and drains it): on failure
   * or abandonment it is only unpiped, never destroyed.
   */
  keepSource?: boolean;
}

export function chainStreams(source: Readable, stages: readonly Transform[], mapError: ErrorMapper, opts: ChainOptions = {}): Readable {
  if (stages.length === 0) throw new Error('chainStreams needs at least one stage');
  const last = stages[stages.length - 1];
  const upstream: Array<Readable | Transform> = [source, ...stages.slice(0, -1)];
  let failed = false;
  const release = (): void => {
    for (const s of upstream) {
      if (s === source && opts.keepSource) source.unpipe(stages[0]);
      else if (!s.destroyed) s.destroy();
    }
  };
  const fail = (e: unknown): void => {
    if (failed) return;
    failed = true;
    release();
    last.destroy(isTroveError(e) ? e : mapError(e));
  };
  for (const s of upstream) s.on('error', fail);
  // `last` is the consumer's: its own errors (the guard's) reach the consumer unmapped, and
  // when it closes for any reason the upstream has no one left to feed.
  last.on('close', release);
  let prev: Readable = source;
  for (const s of stages) prev = prev.pipe(s);
  return last;
}
