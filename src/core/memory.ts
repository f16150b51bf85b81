/**
 * @module core/memory
 * Long passes over the whole case (analysis, lookalikes, forensics) re-read and re-parse every
 * message: almost all of it is garbage at once, but V8 lets its old generation grow to several
 * hundred MB before a full collection, and the process keeps those pages afterwards. With the
 * collector exposed (`--expose-gc`, as bin/trove.js runs), a pass calls `relieveHeap()` per
 * item: every 256 calls it looks at the heap and collects when it has grown past
 * HEAP_SOFT_LIMIT, which keeps the whole run within the 512 MB the project promises.
 */
import { getHeapStatistics } from 'node:v8';

/** Used heap above which a pass collects garbage (the live set of a pass is far below it). */
export const HEAP_SOFT_LIMIT = 160 * 1024 * 1024;

let calls = 0;

export function relieveHeap(): void {
  if ((++calls & 255) !== 0) return;
  collectAbove(HEAP_SOFT_LIMIT);
}

/**
 * Collects garbage now if this thread's used heap is past `bytes` (a no-op without
 * `--expose-gc`, which worker threads share with the process).
 */
export function collectAbove(bytes: number): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc && getHeapStatistics().used_heap_size > bytes) gc();
}
