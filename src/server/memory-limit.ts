// The ingester's memory limits: defaults from the memory this process may use (the cgroup's limit in
// a container, else the machine's), and the process-level check (resident memory, V8 heap) that makes
// pushes get 429 before the process runs out. Reads /proc and V8 statistics only.
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';

/** The V8 heap share above which pushes are refused: past it, major GCs grow long and the heap can run out. */
const HEAP_PRESSURE = 0.85;
/** How long one reading of resident memory and heap is reused (pushes arrive far more often). */
const CHECK_INTERVAL_MS = 50;

function cgroupLimit(): number | undefined {
  for (const file of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const n = Number(readFileSync(file, 'utf8').trim());
      if (Number.isFinite(n) && n > 0 && n < 2 ** 60) return n;
    } catch {
      // not in a cgroup with a limit
    }
  }
  return undefined;
}

function availableMemory(): number {
  return Math.min(cgroupLimit() ?? Infinity, totalmem());
}

/** Unflushed-data limit: `configured` bytes when set, otherwise a quarter of the available memory. */
export function ingesterMemoryLimit(configured: number): number {
  if (configured > 0) return configured;
  return Math.floor(availableMemory() / 4);
}

/** Resident-memory limit: `configured` bytes when set, otherwise three quarters of the available memory. */
export function residentMemoryLimit(configured: number): number {
  if (configured > 0) return configured;
  return Math.floor((availableMemory() * 3) / 4);
}

const mb = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MiB`;

/**
 * A check for the ingester's push path: a message (why pushes must wait) while the process's resident
 * memory is above `rssLimit` or the V8 heap is above 85% of its own limit, else undefined.
 */
export function processMemoryPressure(rssLimit: number): () => string | undefined {
  let checkedAt = -Infinity;
  let message: string | undefined;
  return () => {
    const now = performance.now();
    if (now - checkedAt < CHECK_INTERVAL_MS) return message;
    checkedAt = now;
    const rss = process.memoryUsage.rss();
    if (rss > rssLimit) {
      message = `ingester memory limit reached: resident memory ${mb(rss)} is above the limit of ${mb(rssLimit)}, retry later`;
      return message;
    }
    const heap = getHeapStatistics();
    message =
      heap.used_heap_size > heap.heap_size_limit * HEAP_PRESSURE
        ? `ingester memory limit reached: JavaScript heap ${mb(heap.used_heap_size)} is above ${HEAP_PRESSURE * 100}% of its limit of ${mb(heap.heap_size_limit)}, retry later`
        : undefined;
    return message;
  };
}
