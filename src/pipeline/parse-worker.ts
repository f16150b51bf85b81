/**
 * @module pipeline/parse-worker
 * Worker-thread entry: reads, parses, hashes and authenticates messages off the main thread, a
 * batch per message-port round trip.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { resolverFromRecords } from '../auth/keys.ts';
import { describe } from '../core/errors.ts';
import { collectAbove } from '../core/memory.ts';
import type { Limits } from '../core/limits.ts';
import { sniff, SNIFF_BYTES } from '../ingest/sniff.ts';
import type { NamedKey } from '../store/keys.ts';
import { indexVectors } from '../search/fts-pg.ts';
import { addAttachmentText } from './attachment-text.ts';
import { parseOne } from './parse-message.ts';
import type { FileRead, MessageResult, ParseReply, ParseTask } from './task.ts';
import { FILE_READ_MAX, ownBuffer, slimForTransfer, transferable } from './task.ts';

/** Used heap past which a worker collects after a batch. */
const WORKER_HEAP_SOFT_LIMIT = 96 * 1024 * 1024;

const data = workerData as { keys: NamedKey[] | null; limits: Limits; ftsVectors?: boolean; filesAuthenticatedByCaller?: boolean };
const resolve = data.keys ? resolverFromRecords(data.keys) : null;
const opts = { limits: data.limits, resolve };
/**
 * For `trove ingest` (pool option filesAuthenticatedByCaller), a file this worker read itself
 * (a folder walk) is not authenticated here: the main thread does it as it writes
 * (store/ingest-writer.ts), because this thread then does the most work. Bytes the main thread
 * read for it (archive members, mailbox messages) are: the main thread is then the busier one.
 */
const readHere = data.filesAuthenticatedByCaller ? { limits: data.limits, resolve: null } : opts;

/** PostgreSQL case: the full-text vectors are made here, off the main thread (it only inserts them). */
function addVectors(r: MessageResult): void {
  for (const c of r.children) addVectors(c.result);
  const f = r.index;
  if (f) f.pg = indexVectors([f.subject, f.body, f.from, f.to, f.cc, f.filenames, f.attachment]);
}

async function parseTask(bytes: Uint8Array, format: ParseTask['format'], origin: ParseTask['origin'], authenticate = true): Promise<MessageResult> {
  const result = parseOne(bytes, format, origin, authenticate ? opts : readHere);
  await addAttachmentText(result);
  if (data.ftsVectors) addVectors(result);
  slimForTransfer(result);
  return result;
}

/**
 * A file from a folder walk, read here rather than on the main thread: on a maildir the main
 * thread spent more time opening, reading and closing small files (4 s of Enron's 20 s) than on
 * any single write. Reads synchronously: this thread has nothing else to do meanwhile.
 */
async function readFileTask(path: string): Promise<FileRead> {
  let size: number;
  let mtime: string;
  let bytes: Buffer;
  try {
    const fd = openSync(path, 'r');
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) return { kind: 'special' };
      size = st.size;
      mtime = st.mtime.toISOString();
      const want = Math.min(size, FILE_READ_MAX);
      bytes = Buffer.allocUnsafeSlow(want); // its own ArrayBuffer: transferred, not copied
      let got = 0;
      while (got < want) {
        const n = readSync(fd, bytes, got, want - got, got);
        if (n === 0) break;
        got += n;
      }
      if (got < want) bytes = bytes.subarray(0, got);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    return { kind: 'io-error', error: describe(e) };
  }
  if (bytes.length === size && size <= data.limits.maxMessageBytes && sniff(bytes) === 'message') return { kind: 'message', size, mtime, result: await parseTask(bytes, 'rfc822', 'as-found', false) };
  // only the first bytes go back: the walker reads the rest itself when it needs it, and a reply
  // that waits for the walker holds no more than this outside the pool's in-flight bounds
  const head = bytes.subarray(0, SNIFF_BYTES);
  return { kind: 'other', size, mtime, head: ownBuffer(head) };
}

parentPort!.on('message', async (tasks: ParseTask[]) => {
  const replies: ParseReply[] = [];
  const transfer: ArrayBuffer[] = [];
  for (const task of tasks) {
    try {
      if (task.path !== undefined) {
        const file = await readFileTask(task.path);
        replies.push({ id: task.id, ok: true, result: null, file });
        if (file.kind === 'message') transferable(file.result, transfer);
        else if (file.kind === 'other') transfer.push(file.head.buffer as ArrayBuffer);
        continue;
      }
      const result = await parseTask(task.bytes!, task.format, task.origin);
      replies.push({ id: task.id, ok: true, result });
      transferable(result, transfer);
    } catch (e) {
      replies.push({ id: task.id, ok: false, error: e instanceof Error ? e.message : String(e) });
    }
  }
  parentPort!.postMessage(replies, transfer);
  // a worker's live set is a few MB; what a batch of large messages left behind is garbage that
  // V8 would otherwise keep for a while. With two workers (one per core), all shared corpora:
  // peak RSS 474-484 MB at a 64 MB limit, 461-470 MB at 32 MB, at the same speed. With one (two
  // cores, pool.ts defaultParseWorkers) the read stage peaked at 368-386 MB at 32 MB and
  // 370-375 MB at 96 MB, and Enron took 11.4-12.2 s at 32 MB, 11.0-11.5 s at 96 MB (at 32 MB,
  // the handler's own time, where these collections count, was 0.58 s of the worker's 6.7 s)
  collectAbove(WORKER_HEAP_SOFT_LIMIT);
});
