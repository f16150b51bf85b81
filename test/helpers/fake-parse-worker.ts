/**
 * A stand-in for pipeline/parse-worker.ts in pool tests: it answers file tasks with what it saw
 * (as an 'io-error' FileRead whose text is JSON), dies on a task whose path or bytes say
 * "crash", and, after its first batch, looks whether the pool had already posted the next one
 * while it was busy (the pool's WORKER_DEPTH).
 */
import { parentPort, receiveMessageOnPort, threadId } from 'node:worker_threads';
import type { ParseReply, ParseTask } from '../../src/pipeline/task.ts';

let batches = 0;

function busy(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end);
}

function answer(tasks: ParseTask[]): void {
  const n = ++batches;
  // the first batch takes long enough for the pool to post another meanwhile, if it will
  if (n === 1) busy(150);
  const replies: ParseReply[] = [];
  for (const t of tasks) {
    const what = t.path ?? Buffer.from(t.bytes!).toString('latin1');
    if (what.includes('crash')) process.exit(3);
    replies.push({ id: t.id, ok: true, result: null, file: { kind: 'io-error', error: JSON.stringify({ what, thread: threadId, batch: n }) } });
  }
  const next = n === 1 ? receiveMessageOnPort(parentPort as never) : undefined;
  parentPort!.postMessage(replies.map((r) => (r.ok && n === 1 ? { ...r, file: { kind: 'io-error', error: JSON.stringify({ ...JSON.parse((r.file as { error: string }).error), prefetched: next !== undefined }) } } : r)));
  if (next) answer(next.message as ParseTask[]);
}

parentPort!.on('message', (tasks: ParseTask[]) => answer(tasks));
