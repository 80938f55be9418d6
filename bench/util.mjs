// Small helpers the bench scripts share: /proc figures and Prometheus text sums. No side effects.
import fs from 'node:fs';

/** A `/proc/<pid>/status` figure (VmRSS, VmHWM, …) in MB, or null once the process is gone. */
export function procStatusMB(pid, field) {
  try {
    const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** A metric summed over its label sets in Prometheus text, or null when the text has none of it. */
export function metricSum(text, name) {
  const found = [...text.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'gm'))];
  return found.length === 0 ? null : found.reduce((n, m) => n + Number(m[1]), 0);
}

/** The median of numbers. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
