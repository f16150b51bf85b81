/**
 * @module pipeline/parse-worker
 * Worker-thread entry: parses and hashes messages off the main thread.
 */
import { parentPort } from 'node:worker_threads';
import { parseOne } from './parse-message.ts';
import type { ParseReply, ParseTask } from './task.ts';
import { transferable } from './task.ts';

parentPort!.on('message', (task: ParseTask) => {
  let reply: ParseReply;
  try {
    const result = parseOne(task.bytes, task.format, task.origin, task.limits);
    reply = { id: task.id, ok: true, result };
    parentPort!.postMessage(reply, transferable(result));
  } catch (e) {
    reply = { id: task.id, ok: false, error: e instanceof Error ? e.message : String(e) };
    parentPort!.postMessage(reply);
  }
});
