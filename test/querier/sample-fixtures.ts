// What the sample-task tests share: a time base, the query they run, stream labels by app and the
// comparable shape of a task's series.
import type { SeriesSamples } from '../../src/logql/contracts.js';
import type { Labels } from '../../src/model/index.js';

export const T0 = 1_700_000_000_000_000_000n;
export const SEC = 1_000_000_000n;
export const EXPR = 'rate({namespace="prod"} | logfmt | duration > 500ms [5m])';

export const labels = (app: string): Labels => [
  { name: 'app', value: app },
  { name: 'namespace', value: 'prod' },
];

export const shape = (list: SeriesSamples[]) => list.map((s) => ({ key: s.labels.key, offsets: [...s.offsets], values: [...s.values] }));
