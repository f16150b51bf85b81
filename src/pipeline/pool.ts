/**
 * @module pipeline/pool
 * A fixed pool of parse workers with bounded in-flight work: the walker waits for room
 * before reading the next message, so memory stays flat whatever the dump size.
 */
import { Worker } from 'node:worker_threads';
import type { Limits } from '../core/limits.ts';
import type { MessageResult, ParseReply, ParseTask } from './task.ts';
import { ownBuffer } from './task.ts';
import type { NamedKey } from '../store/keys.ts';

interface Pending {
  task: ParseTask;
  size: number;
  resolve: (r: MessageResult) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  busy: Pending | null;
}

const WORKER_URL = new URL('./parse-worker.ts', import.meta.url);

export class ParsePool {
  private slots: Slot[] = [];
  private queue: Pending[] = [];
  private nextId = 1;
  private inflightBytes = 0;
  private inflightCount = 0;
  private waiters: (() => void)[] = [];
  private closed = false;
  private readonly maxCount: number;
  private readonly maxBytes: number;
  private readonly limits: Limits;

  private readonly keys: NamedKey[] | null;

  /** `keys`: the case's key archive for authentication, or null to skip it (`--no-analyze`). */
  constructor(size: number, limits: Limits, opts: { maxInflightBytes?: number; keys?: NamedKey[] | null } = {}) {
    this.limits = limits;
    this.keys = opts.keys ?? null;
    this.maxCount = size * 8;
    this.maxBytes = opts.maxInflightBytes ?? 48 * 1024 * 1024;
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const slot: Slot = { worker: new Worker(WORKER_URL, {
      workerData: { keys: this.keys },
      // Small young generation and a capped heap: parse garbage is short-lived, and the cap turns
      // a runaway message into a crashed task (reported with its locator), not an OOM of trove.
      resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 1024 },
    }), busy: null };
    slot.worker.on('message', (reply: ParseReply) => {
      const p = slot.busy;
      slot.busy = null;
      if (p) {
        this.release(p.size);
        if (reply.ok) p.resolve(reply.result);
        else p.reject(new Error(reply.error));
      }
      this.dispatch();
    });
    slot.worker.on('error', (err) => this.crashed(slot, err));
    slot.worker.on('exit', (code) => {
      if (!this.closed) this.crashed(slot, new Error(`parse worker exited with code ${code}`));
    });
    return slot;
  }

  /** A worker died (out of memory, a native crash): fail its task, replace it, go on. */
  private crashed(slot: Slot, err: Error): void {
    const p = slot.busy;
    slot.busy = null;
    const i = this.slots.indexOf(slot);
    if (i === -1) return;
    slot.worker.removeAllListeners();
    void slot.worker.terminate();
    if (p) {
      this.release(p.size);
      p.reject(err);
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
  parse(bytes: Uint8Array, format: 'rfc822' | 'msg', origin: 'as-found' | 'synthesized'): Promise<MessageResult> {
    const own = ownBuffer(bytes);
    const task: ParseTask = { id: this.nextId++, bytes: own, format, origin, limits: this.limits };
    this.inflightBytes += own.length;
    this.inflightCount++;
    return new Promise((resolve, reject) => {
      this.queue.push({ task, size: own.length, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.busy) continue;
      const p = this.queue.shift();
      if (!p) return;
      slot.busy = p;
      slot.worker.postMessage(p.task, [p.task.bytes.buffer as ArrayBuffer]);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
