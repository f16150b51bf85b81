/**
 * @module pipeline/parse-worker
 * Worker-thread entry: parses, hashes and authenticates messages off the main thread, a batch
 * per message-port round trip.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { resolverFromRecords } from '../auth/keys.ts';
import type { Limits } from '../core/limits.ts';
import type { NamedKey } from '../store/keys.ts';
import { indexVectors } from '../search/fts-pg.ts';
import { addAttachmentText } from './attachment-text.ts';
import { parseOne } from './parse-message.ts';
import type { MessageResult, ParseReply, ParseTask } from './task.ts';
import { transferable } from './task.ts';

const data = workerData as { keys: NamedKey[] | null; limits: Limits; ftsVectors?: boolean };
const resolve = data.keys ? resolverFromRecords(data.keys) : null;
const opts = { limits: data.limits, resolve };

/** PostgreSQL case: the full-text vectors are made here, off the main thread (it only inserts them). */
function addVectors(r: MessageResult): void {
  for (const c of r.children) addVectors(c.result);
  const f = r.index;
  if (f) f.pg = indexVectors([f.subject, f.body, f.from, f.to, f.cc, f.filenames, f.attachment]);
}

parentPort!.on('message', async (tasks: ParseTask[]) => {
  const replies: ParseReply[] = [];
  const transfer: ArrayBuffer[] = [];
  for (const task of tasks) {
    try {
      const result = parseOne(task.bytes, task.format, task.origin, opts);
      await addAttachmentText(result);
      if (data.ftsVectors) addVectors(result);
      replies.push({ id: task.id, ok: true, result });
      transferable(result, transfer);
    } catch (e) {
      replies.push({ id: task.id, ok: false, error: e instanceof Error ? e.message : String(e) });
    }
  }
  parentPort!.postMessage(replies, transfer);
});
