/**
 * @module ingest/archive/tar
 * Tar reader (tar-stream): sequential, so each member must be consumed (or skipped) before
 * the next header can be read. ustar, pax and GNU long names are handled by tar-stream.
 *
 * How problems surface:
 *  - a header that cannot be parsed, or input that ends early → EntryProblem ('' name,
 *    'archive-corrupt' / 'archive-truncated') and the iteration ends;
 *  - input ending inside a member also errors that member's stream with TroveError
 *    'archive-truncated';
 *  - the member stream errors with TroveError 'bomb-size' once the container's expanded total
 *    passes limits.maxExpandedBytes (tar has no compression: ratio bombs are the business of
 *    the gzip/bzip2 reader in front of it).
 * A member whose stream the consumer stops reading is drained, not destroyed: destroying it
 * would tear down the whole tar, and the next members must still be reachable.
 */
import type { Readable } from 'node:stream';
import tar, { type Extract, type Header } from 'tar-stream';

/** tar-stream does not export its entry stream type. */
type Entry = Extract extends AsyncIterable<infer S> ? S : never;
import { describe, TroveError } from '../../core/errors.ts';
import type { ArchiveEntry, ArchiveItem, ReaderContext, StreamArchiveReader } from '../types.ts';
import { createGuardStream } from './guard.ts';
import { classify, failure, skip } from './problems.ts';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export const readTar: StreamArchiveReader = async function* readTar(input: Readable, ctx: ReaderContext): AsyncGenerator<ArchiveItem> {
  // latin1 keeps ustar/GNU name bytes intact so we can decide the charset ourselves.
  const extract = tar.extract({ filenameEncoding: 'latin1' } as Parameters<typeof tar.extract>[0]);
  const onInputError = (e: unknown) => extract.destroy(e as Error);
  input.on('error', onInputError);
  input.pipe(extract as unknown as NodeJS.WritableStream);
  const it = extract[Symbol.asyncIterator]();
  let expandedTotal = 0;
  let members = 0;
  let previous: Member | null = null;
  try {
    for (;;) {
      if (previous) await previous.settled();
      let r: IteratorResult<Entry>;
      try {
        r = await it.next();
      } catch (e) {
        yield failure('', classify(e), `tar: ${describe(e)}`);
        return;
      }
      if (r.done) return;
      const stream = r.value;
      const h = stream.header;
      const member = new Member(stream);
      previous = member;
      if (++members > ctx.limits.maxMembers) {
        yield skip('', 'too-many-members', `more than ${ctx.limits.maxMembers} members; the rest of the tar is not read`);
        return;
      }
      const { name, lossy } = decodeTarName(h.name, typeof (h.pax as { path?: unknown } | null | undefined)?.path === 'string');
      if (h.type === 'directory' && (h.size ?? 0) > 0) {
        // tar-stream does not read a directory's data and never ends its stream when the header
        // declares a size: the walk would hang on it (found by fuzzing). End it, and say so: the
        // declared bytes are then read as headers, which the next step reports if they are not.
        const declared = h.size;
        h.size = 0;
        yield failure(name, 'archive-corrupt', `directory header declares ${declared} bytes of data, which are not read as a member`);
        continue;
      }
      const entry: ArchiveEntry = {
        name,
        type: entryType(h.type),
        size: h.size ?? null,
        compressedSize: null,
        encrypted: false,
        open: async () => member.open(createGuardStream({
          name,
          limits: ctx.limits,
          maxBytes: Math.max(0, ctx.limits.maxExpandedBytes - expandedTotal),
          compressedBytes: null,
          onBytes: (n) => { expandedTotal += n; },
        }), name),
      };
      if (lossy) entry.nameLossy = true;
      yield entry;
    }
  } finally {
    previous?.abandon();
    input.off('error', onInputError);
    input.unpipe(extract as unknown as NodeJS.WritableStream);
    if (!extract.destroyed) extract.destroy();
  }
};

function entryType(t: Header['type']): ArchiveEntry['type'] {
  switch (t) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'directory';
    case 'symlink':
      return 'symlink';
    default:
      // hard links, devices, fifos: nothing to read, and the walker records them as special
      return 'other';
  }
}

/**
 * pax names are UTF-8 by definition (tar-stream already decoded them; U+FFFD means invalid
 * bytes). ustar/GNU names carry no charset: UTF-8 when valid, else Latin-1, which maps every
 * byte and so loses nothing.
 */
export function decodeTarName(latin1OrPax: string, fromPax: boolean): { name: string; lossy: boolean } {
  if (fromPax) return { name: latin1OrPax, lossy: latin1OrPax.includes('\uFFFD') };
  const raw = Buffer.from(latin1OrPax, 'latin1');
  try {
    return { name: strictUtf8.decode(raw), lossy: false };
  } catch {
    return { name: latin1OrPax, lossy: false };
  }
}

/** One tar member's stream, which must end (read or drained) before the next header. */
class Member {
  readonly #src: Entry;
  #opened = false;
  #done = false;
  #error: unknown = null;
  readonly #settled: Promise<void>;

  constructor(src: Entry) {
    this.#src = src;
    this.#settled = new Promise<void>((resolve) => {
      const fin = () => { this.#done = true; resolve(); };
      src.once('end', fin);
      src.once('close', fin);
      src.once('error', (e: unknown) => {
        // the input can fail before the consumer opens the member: keep the reason for open()
        this.#error = e;
        fin();
      });
    });
  }

  /** Resolves once the member's bytes are used up; drains a member nobody opened. */
  settled(): Promise<void> {
    if (!this.#opened) this.abandon();
    return this.#settled;
  }

  abandon(): void {
    if (this.#done) return;
    this.#src.removeAllListeners('data');
    this.#src.on('data', () => {});
    this.#src.resume();
  }

  /** Pumps the member into `out` by hand: streamx and node streams differ on pipe/destroy semantics. */
  open(out: import('node:stream').Transform, name: string): Readable {
    if (this.#opened) throw new TroveError('internal', `tar member "${name}" opened twice`);
    this.#opened = true;
    const src = this.#src;
    const onData = (chunk: unknown) => {
      if (!out.write(chunk)) src.pause();
    };
    const onDrain = () => src.resume();
    const onEnd = () => out.end();
    const onError = (e: unknown) => out.destroy(isTruncation(e) ? new TroveError('archive-truncated', `tar member "${name}" is cut short: ${describe(e)}`) : new TroveError(classify(e), `tar member "${name}": ${describe(e)}`));
    src.on('data', onData);
    out.on('drain', onDrain);
    src.once('end', onEnd);
    src.once('error', onError);
    // A stream that stops early (guard error, consumer gave up) leaves the rest of the member
    // to drain, so the tar can go on to the next header.
    out.once('close', () => {
      src.off('data', onData);
      src.off('end', onEnd);
      out.off('drain', onDrain);
      if (!this.#done) this.abandon();
    });
    if (this.#error) onError(this.#error);
    else if (this.#done) out.end();
    return out;
  }
}

function isTruncation(e: unknown): boolean {
  return classify(e) === 'archive-truncated' || /premature close/i.test(describe(e));
}
