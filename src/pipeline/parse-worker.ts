/**
 * @module pipeline/parse-worker
 * Worker-thread entry: parses and hashes messages off the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { resolverFromRecords } from '../auth/keys.ts';
import type { NamedKey } from '../store/keys.ts';
import { parseOne } from './parse-message.ts';
import type { ParseReply, ParseTask } from './task.ts';
import { transferable } from './task.ts';

const data = workerData as { keys: NamedKey[] | null };
const resolve = data.keys ? resolverFromRecords(data.keys) : null;

parentPort!.on('message', (task: ParseTask) => {
  let reply: ParseReply;
  try {
    const result = parseOne(task.bytes, task.format, task.origin, { limits: task.limits, resolve });
    reply = { id: task.id, ok: true, result };
    parentPort!.postMessage(reply, transferable(result));
  } catch (e) {
    reply = { id: task.id, ok: false, error: e instanceof Error ? e.message : String(e) };
    parentPort!.postMessage(reply);
  }
});
