// Log entries and streams as they travel from push to query. Pure types.
import type { Labels } from './labels.js';
import type { Nanos } from './time.js';

/** One log line. `metadata` is structured metadata (non-indexed name/value pairs), in push order. */
export interface Entry {
  ts: Nanos;
  line: string;
  metadata?: Labels;
}

/** A stream as pushed: its label set (sorted) and entries. */
export interface Stream {
  labels: Labels;
  entries: Entry[];
}

export type Direction = 'forward' | 'backward';
