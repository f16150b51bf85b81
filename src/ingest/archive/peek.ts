/**
 * @module ingest/archive/peek
 * Reads the first bytes of a stream without losing them, so a reader can look at a header
 * (the gzip FNAME) and still hand the whole stream to a decoder.
 */
import { Readable } from 'node:stream';

export interface Peeked {
  /** Up to `max` bytes (fewer only when the stream is shorter). */
  head: Buffer;
  /** The whole stream again: the input itself with the head unshifted, or, if the input already ended, a stream of the head. */
  stream: Readable;
}

export function peekBytes(input: Readable, max: number): Promise<Peeked> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let have = 0;
    let ended = false;
    const done = (err?: unknown) => {
      input.off('readable', onReadable);
      input.off('end', onEnd);
      input.off('error', done);
      const head = Buffer.concat(chunks);
      if (err) {
        reject(err);
        return;
      }
      // unshift() after 'end' is an error: a short stream is replaced by its bytes
      if (ended) {
        resolve({ head, stream: Readable.from([head]) });
        return;
      }
      if (head.length > 0) input.unshift(head);
      resolve({ head, stream: input });
    };
    const onReadable = () => {
      let c: Buffer | null;
      while (have < max && (c = input.read() as Buffer | null) !== null) {
        chunks.push(c);
        have += c.length;
      }
      if (have >= max) done();
    };
    const onEnd = () => {
      ended = true;
      done();
    };
    input.on('readable', onReadable);
    input.once('end', onEnd);
    input.once('error', done);
  });
}
