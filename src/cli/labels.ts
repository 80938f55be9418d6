// `logcli labels [name]`: label names, or one label's values, one per line. No formatting beyond that.
import type { LokiClient } from './client.js';
import { FatalError } from './terminal.js';

export interface LabelsSpec {
  /** Empty lists label names; otherwise the values of this label. */
  name: string;
  start: bigint;
  end: bigint;
  quiet: boolean;
}

export async function runLabels(spec: LabelsSpec, client: Pick<LokiClient, 'labelNames' | 'labelValues'>, write: (s: string) => void): Promise<void> {
  let values: string[];
  try {
    values = spec.name !== '' ? await client.labelValues(spec.name, spec.quiet, spec.start, spec.end) : await client.labelNames(spec.quiet, spec.start, spec.end);
  } catch (e) {
    throw new FatalError(`Error doing request: ${(e as Error).message}`);
  }
  for (const v of values) write(v + '\n');
}
