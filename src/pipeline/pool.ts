/**
 * @module pipeline/pool
 * A fixed pool of parse workers with bounded in-flight work: the walker waits for room
 * before reading the next message, so memory stays flat whatever the dump size.
 *
 * Tasks go to a worker in small batches (one postMessage each way per batch): at ~50 µs per
 * message-port round trip, one message per post cost the main thread more than its SQLite
 * writes. If a worker dies, the tasks of its batch are retried one by one, so only the
 * message that kills a worker is reported as crashed.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Limits } from '../core/limits.ts';
import type { NamedKey } from '../store/keys.ts';
import type { FileRead, MessageResult, ParseReply, ParseTask } from './task.ts';
import { FILE_READ_MAX, ownBuffer } from './task.ts';

interface Pending {
  task: ParseTask;
  size: number;
  /** Retried alone after a worker crash. */
  solo: boolean;
  resolve: (r: Extract<ParseReply, { ok: true }>) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  /** Every task posted to the worker and not answered yet, across its outstanding batches. */
  busy: Map<number, Pending>;
  /** Batches posted and not answered yet (each is answered by one reply). */
  posts: number;
}

const WORKER_URL = new URL('./parse-worker.ts', import.meta.url);
/** Tasks per post, and bytes per post (big messages go alone). */
const BATCH_TASKS = 8;
const BATCH_BYTES = 4 * 1024 * 1024;
/**
 * Batches a worker may hold at once: the next are already in its port when it finishes one, so
 * it never waits for the main thread to write the last batch's results and post another. With
 * one, each worker sat idle ~half of Enron's read stage (cpu profile: 6.3 s idle of 12.8). With
 * one worker (2 cores, defaultParseWorkers), two left it idle a quarter of the read stage
 * (profile: 71-93% busy); Enron, interleaved runs: 11.4-11.7 s with 2, 10.6-11.9 s (mean 11.2)
 * with 4; 6 was no better than 4.
 */
const WORKER_DEPTH = 4;


/**
 * Parse workers by default: one less than the cores, at least one. The main thread is busy
 * too (it writes everything the workers make), so a worker per core oversubscribes the
 * machine. On 2 cores, Enron ingests with 1 worker against 2, interleaved: folder 11.2-11.4 s
 * against 11.9-12.4 s (CPU 15 s against 17-18 s: one isolate less to compile for and
 * collect); tar.gz 11.9-12.7 s against 13.8-13.9 s.
 */
export function defaultParseWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}

export class ParsePool {
  private slots: Slot[] = [];
  private queue: Pending[] = [];
  private nextId = 1;
  private inflightBytes = 0;
  private inflightCount = 0;
  private waiters: (() => void)[] = [];
  private closed = false;
  private dispatchScheduled = false;
  private readonly maxCount: number;
  private readonly maxBytes: number;
  private readonly limits: Limits;
  private readonly keys: NamedKey[] | null;
  private readonly ftsVectors: boolean;
  private readonly filesAuthenticatedByCaller: boolean;
  /** The worker script (parse-worker.ts; tests give a stand-in). */
  private readonly workerUrl: URL;

  /**
   * `keys`: the case's key archive for authentication, or null to skip it (`--no-analyze`).
   * `ftsVectors`: also make the PostgreSQL full-text vectors in the workers (search/fts-pg.ts).
   * `filesAuthenticatedByCaller`: the files a worker reads itself (readFile) come back without
   * authentication; the caller does it (pipeline/ingest.ts: its main thread has room then).
   */
  constructor(size: number, limits: Limits, opts: { maxInflightBytes?: number; keys?: NamedKey[] | null; ftsVectors?: boolean; filesAuthenticatedByCaller?: boolean; workerUrl?: URL } = {}) {
    this.limits = limits;
    this.workerUrl = opts.workerUrl ?? WORKER_URL;
    this.keys = opts.keys ?? null;
    this.ftsVectors = opts.ftsVectors ?? false;
    this.filesAuthenticatedByCaller = opts.filesAuthenticatedByCaller ?? false;
    // the workers' batches, and one more batch each waiting in the queue
    this.maxCount = size * BATCH_TASKS * (WORKER_DEPTH + 1);
    this.maxBytes = opts.maxInflightBytes ?? 48 * 1024 * 1024;
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const worker = new Worker(this.workerUrl, {
      workerData: { keys: this.keys, limits: this.limits, ftsVectors: this.ftsVectors, filesAuthenticatedByCaller: this.filesAuthenticatedByCaller },
      // Small young generation and a capped heap: parse garbage is short-lived, and the cap turns
      // a runaway message into a crashed task (reported with its locator), not an OOM of trove.
      resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 1024 },
    });
    const slot: Slot = { worker, busy: new Map(), posts: 0 };
    worker.on('message', (replies: ParseReply[]) => {
      slot.posts--;
      const done: [Pending, ParseReply][] = [];
      for (const reply of replies) {
        const p = slot.busy.get(reply.id);
        if (!p) continue;
        slot.busy.delete(reply.id);
        this.release(p.size);
        done.push([p, reply]);
      }
      // refill this worker before its results are written: that writing is the main thread's
      // longest stretch, and the worker would wait through it
      this.dispatch();
      for (const [p, reply] of done) {
        if (reply.ok) p.resolve(reply);
        else p.reject(new Error(reply.error));
      }
    });
    worker.on('error', (err) => this.crashed(slot, err));
    worker.on('exit', (code) => {
      if (!this.closed) this.crashed(slot, new Error(`parse worker exited with code ${code}`));
    });
    return slot;
  }

  /** A worker died (out of memory, a native crash): retry its batch one by one, replace it, go on. */
  private crashed(slot: Slot, err: Error): void {
    const batch = [...slot.busy.values()];
    slot.busy.clear();
    slot.posts = 0;
    const i = this.slots.indexOf(slot);
    if (i === -1) return;
    slot.worker.removeAllListeners();
    void slot.worker.terminate();
    // bytes transferred to the dead worker are gone (the view is detached): such a task cannot
    // be retried, and parsing an empty buffer in its place would record a message that never was
    const lost = (p: Pending) => p.task.bytes !== null && p.task.bytes.byteLength === 0 && p.size > 0;
    if (batch.length === 1 && batch[0].solo) {
      this.release(batch[0].size);
      batch[0].reject(err);
    } else {
      for (const p of batch.filter(lost)) {
        this.release(p.size);
        p.reject(new Error(`${err.message} (its bytes went with the worker, so it was not retried)`));
      }
      const retry = batch.filter((p) => !lost(p));
      for (const p of retry) p.solo = true;
      this.queue.unshift(...retry);
    }
    if (!this.closed) {
      this.slots[i] = this.spawn();
      this.dispatch();
    }
  }

  private release(size: number): void {
    this.inflightBytes -= size;
    this.inflightCount--;
    const w = this.waiters.splice(0);
    for (const f of w) f();
  }

  /** Resolves when there is room for one more message of `size` bytes. */
  async room(size: number): Promise<void> {
    while (this.inflightCount > 0 && (this.inflightCount >= this.maxCount || this.inflightBytes + size > this.maxBytes)) {
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  /** Parses one message. Call `room` first to keep memory bounded. */
  async parse(bytes: Uint8Array, format: 'rfc822' | 'msg', origin: 'as-found' | 'synthesized'): Promise<MessageResult> {
    const own = ownBuffer(bytes);
    return (await this.enqueue({ id: this.nextId++, bytes: own, format, origin }, own.length)).result!;
  }

  /**
   * Reads a file in a worker: a message of up to FILE_READ_MAX bytes comes back parsed, anything
   * else as its first bytes for the walker. Call `room(FILE_READ_MAX)` first.
   */
  async readFile(path: string): Promise<FileRead> {
    return (await this.enqueue({ id: this.nextId++, bytes: null, path, format: 'rfc822', origin: 'as-found' }, FILE_READ_MAX)).file!;
  }

  private enqueue(task: ParseTask, size: number): Promise<Extract<ParseReply, { ok: true }>> {
    this.inflightBytes += size;
    this.inflightCount++;
    return new Promise((resolve, reject) => {
      this.queue.push({ task, size, solo: false, resolve, reject });
      this.scheduleDispatch();
    });
  }

  /**
   * Dispatches once the current turn of the event loop is done: the tasks a round of replies
   * makes room for are queued by then and go out together (a post costs the main thread
   * ~70 µs). With file tasks batched by count too, Enron went out in 5,717 posts instead of 11,647.
   */
  private scheduleDispatch(): void {
    if (this.dispatchScheduled) return;
    this.dispatchScheduled = true;
    setImmediate(() => {
      this.dispatchScheduled = false;
      this.dispatch();
    });
  }

  private dispatch(): void {
    // one batch per worker per round, the idlest first, until each holds WORKER_DEPTH
    for (let round = 0; round < WORKER_DEPTH; round++) {
      for (const slot of this.slots) if (slot.posts <= round) this.postTo(slot);
    }
  }

  private postTo(slot: Slot): void {
    if (this.queue.length === 0) return;
    // a task retried alone goes to an idle worker and nothing joins it there: if the worker
    // dies again, that task is the one that killed it
    const solo = (p: Pending) => p.solo;
    if ([...slot.busy.values()].some(solo)) return;
    if (solo(this.queue[0]) && slot.posts > 0) return;
    const batch: Pending[] = [this.queue.shift()!];
    // bytes posted: a file task posts none (the worker reads at most FILE_READ_MAX of it)
    const posted = (p: Pending) => p.task.bytes?.length ?? 0;
    let bytes = posted(batch[0]);
    while (!batch[0].solo && batch.length < BATCH_TASKS && this.queue.length && !this.queue[0].solo && bytes + posted(this.queue[0]) <= BATCH_BYTES) {
      const p = this.queue.shift()!;
      bytes += posted(p);
      batch.push(p);
    }
    for (const p of batch) slot.busy.set(p.task.id, p);
    slot.posts++;
    slot.worker.postMessage(batch.map((p) => p.task), batch.flatMap((p) => (p.task.bytes ? [p.task.bytes.buffer as ArrayBuffer] : [])));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

