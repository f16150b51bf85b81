/**
 * @module ingest/archive/compressed
 * Single-stream compressors: gzip (node:zlib) and bzip2 (./bzip2-decoder.ts). Each yields
 * exactly one entry, the decompressed stream, named from the gzip FNAME field when present
 * and '' otherwise (the walker names it after the container).
 *
 * How problems surface:
 *  - input that is not gzip / ends inside the gzip header → EntryProblem ('' name), no entry;
 *  - everything found while decompressing → the entry's stream errors with a TroveError:
 *    'archive-truncated' (input ends early), 'archive-corrupt' (bad data, CRC mismatch),
 *    'bomb-ratio' (decompressed / compressed-bytes-read past limits.maxRatio after the grace
 *    bytes), 'bomb-size' (more than limits.maxExpandedBytes).
 * Multi-member gzip and concatenated bzip2 streams decompress in full. The input stream is
 * never destroyed: it belongs to the caller (the walker hashes and drains it).
 */
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { describe, TroveError } from '../../core/errors.ts';
import type { ArchiveEntry, ArchiveItem, ReaderContext, StreamArchiveReader } from '../types.ts';
import { Bzip2Decoder } from './bzip2-decoder.ts';
import { parseGzipHeader } from './gzip-header.ts';
import { createGuardStream, ExpansionGuard } from './guard.ts';
import { peekBytes } from './peek.ts';
import { classify, failure } from './problems.ts';
import { chainStreams } from './stream-chain.ts';

/** Enough for any sane FNAME; a longer header still decodes, only without its name. */
const GZIP_HEADER_PEEK = 64 * 1024;

/**
 * Bytes per chunk out of gunzip (zlib's default is 16 KB). Each chunk costs the main thread a
 * callback and a pass through the guard and the tar reader: Enron's tar.gz ingest, three
 * interleaved runs each, read stage 8.03-8.91 s at 16 KB, 7.71-8.34 s at 128 KB (256 KB: the
 * same as 128).
 */
const GUNZIP_CHUNK_BYTES = 128 * 1024;

export const readGzip: StreamArchiveReader = async function* readGzip(input: Readable, ctx: ReaderContext): AsyncGenerator<ArchiveItem> {
  let head: Buffer;
  let source: Readable;
  try {
    ({ head, stream: source } = await peekBytes(input, GZIP_HEADER_PEEK));
  } catch (e) {
    yield failure('', classify(e), `gzip: ${describe(e)}`);
    return;
  }
  const h = parseGzipHeader(head, head.length < GZIP_HEADER_PEEK);
  if (!h.ok) {
    yield failure('', h.code, h.reason);
    return;
  }
  const name = h.name;
  yield single(name, () => {
    const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
    const guard = createGuardStream({
      name,
      limits: ctx.limits,
      maxBytes: ctx.limits.maxExpandedBytes,
      // input the engine has consumed (not merely buffered): precise even inside one chunk
      compressedBytes: () => gunzip.bytesWritten,
    });
    return chainStreams(source, [gunzip, guard], (e) => new TroveError(classify(e), `gzip: ${describe(e)}`, { cause: e }), { keepSource: true });
  });
};

export const readBzip2: StreamArchiveReader = async function* readBzip2(input: Readable, ctx: ReaderContext): AsyncGenerator<ArchiveItem> {
  yield single('', () => {
    let decoder: Bzip2Decoder | null = null;
    const guard = new ExpansionGuard({
      name: '',
      limits: ctx.limits,
      maxBytes: ctx.limits.maxExpandedBytes,
      compressedBytes: () => decoder?.consumedBytes ?? 0,
    });
    decoder = new Bzip2Decoder(guard);
    // The decoder is its own last stage: the guard runs inside it, so no extra Transform.
    return chainStreams(input, [decoder], (e) => new TroveError(classify(e), `bzip2: ${describe(e)}`, { cause: e }), { keepSource: true });
  });
};

function single(name: string, open: () => Readable): ArchiveEntry {
  let opened = false;
  return {
    name,
    type: 'file',
    size: null,
    compressedSize: null,
    encrypted: false,
    open: async () => {
      if (opened) throw new TroveError('internal', 'compressed stream opened twice');
      opened = true;
      return open();
    },
  };
}
