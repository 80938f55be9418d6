// The default ingester memory limit: a quarter of the memory this process may use (the cgroup's
// limit in a container, else the machine's), so pushes get 429 before the process runs out.
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';

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

/** `configured` bytes when set, otherwise a quarter of the available memory. */
export function ingesterMemoryLimit(configured: number): number {
  if (configured > 0) return configured;
  return Math.floor(Math.min(cgroupLimit() ?? Infinity, totalmem()) / 4);
}
