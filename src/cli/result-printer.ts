// Prints one query answer as logcli does: streams merged by time with common labels lifted out and
// boundary repeats skipped, metric results as indented JSON, --stats on stderr. No HTTP, no paging.
import { labelsString, type Label, type Labels } from '../model/labels.js';
import { byteLength, formatFloatF, goJSONIndent, type GoJSON } from './go-text.js';
import type { LogOutput } from './output.js';
import { formatStats } from './query-stats.js';
import type { Colors, GoLogger } from './terminal.js';
import { streamKey, type ResultValue, type SamplePoint, type Stream } from './wire.js';

export interface PrinterOptions {
  /** --include-label: print only these label names. */
  showLabelsKey: readonly string[];
  /** --exclude-label: never print these label names. */
  ignoreLabelsKey: readonly string[];
  quiet: boolean;
  /** --labels-length: the minimum width of the labels column. */
  fixedLabelsLen: number;
  forward: boolean;
}

/** An entry printed at the end of a batch, remembered to skip its repeat in the next batch. */
export interface PrintedEntry {
  readonly ts: bigint;
  readonly line: string;
  readonly stream: string;
}

export interface PrintOutcome {
  /** New entries printed; -1 for a metric result (paging stops). */
  printed: number;
  /** The entries sharing the last printed timestamp. */
  last: PrintedEntry[];
}

export interface PrinterSinks {
  out: LogOutput;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  log: GoLogger;
  colors: Colors;
}

/** util.MatchLabels: keep the labels whose name is (on) or is not (!on) in `names`. */
export function matchLabels(on: boolean, ls: Labels, names: readonly string[]): Labels {
  return ls.filter((l) => names.includes(l.name) === on);
}

function commonLabels(streams: readonly Stream[]): Labels {
  if (streams.length === 0) return [];
  let result: Labels = streams[0].labels;
  for (let i = 1; i < streams.length; i++) {
    const other = streams[i].labels;
    result = result.filter((l) => other.some((o) => o.name === l.name && o.value === l.value));
  }
  return result;
}

function subtract(ls: Labels, remove: Labels): Labels {
  return ls.filter((l) => !remove.some((r) => r.name === l.name && r.value === l.value));
}

function labelsMap(ls: Labels): Map<string, GoJSON> {
  return new Map(ls.map((l: Label): [string, GoJSON] => [l.name, { str: l.value }]));
}

function pair(p: SamplePoint): GoJSON {
  return [{ num: formatFloatF(p.ms / 1000) }, { str: formatFloatF(p.value) }];
}

interface FlatEntry {
  ts: bigint;
  line: string;
  printLabels: Labels;
  stream: string;
}

export class ResultPrinter {
  constructor(
    private readonly o: PrinterOptions,
    private readonly sinks: PrinterSinks,
  ) {}

  printResult(value: ResultValue, lastEntries: readonly PrintedEntry[]): PrintOutcome {
    switch (value.type) {
      case 'streams':
        return this.printStreams(value.streams, lastEntries);
      case 'matrix':
        this.sinks.stdout(goJSONIndent(value.series.map((s) => new Map<string, GoJSON>([['metric', labelsMap(s.metric)], ['values', s.values.map(pair)]]))));
        return { printed: -1, last: [] };
      case 'vector':
        this.sinks.stdout(goJSONIndent(value.samples.map((s) => new Map<string, GoJSON>([['metric', labelsMap(s.metric)], ['value', pair(s.point)]]))));
        return { printed: -1, last: [] };
      case 'scalar':
        this.sinks.stdout(goJSONIndent(pair(value.point)));
        return { printed: -1, last: [] };
    }
  }

  printStats(stats: unknown): void {
    this.sinks.stderr(formatStats(stats, (k) => this.sinks.colors.blue(k)));
  }

  private printStreams(streams: readonly Stream[], lastEntries: readonly PrintedEntry[]): PrintOutcome {
    const { o, sinks } = this;
    let common = commonLabels(streams);
    if (o.showLabelsKey.length > 0) common = matchLabels(false, common, o.showLabelsKey);
    if (common.length > 0 && !o.quiet) sinks.log.println('Common labels:', sinks.colors.red(labelsString(common)));
    if (o.ignoreLabelsKey.length > 0 && !o.quiet) sinks.log.println('Ignoring labels key:', sinks.colors.red(o.ignoreLabelsKey.join(',')));
    if (o.showLabelsKey.length > 0 && !o.quiet) sinks.log.println('Print only labels key:', sinks.colors.red(o.showLabelsKey.join(',')));

    let maxLabelsLen = o.fixedLabelsLen;
    const all: FlatEntry[] = [];
    for (const s of streams) {
      let ls = subtract(s.labels, common);
      if (o.showLabelsKey.length > 0) ls = matchLabels(true, ls, o.showLabelsKey);
      if (o.ignoreLabelsKey.length > 0) ls = matchLabels(false, ls, o.ignoreLabelsKey);
      maxLabelsLen = Math.max(maxLabelsLen, byteLength(labelsString(ls)));
      const key = streamKey(s.labels);
      for (const e of s.entries) all.push({ ts: e.ts, line: e.line, printLabels: ls, stream: key });
    }
    if (all.length === 0) return { printed: 0, last: [] };
    all.sort(o.forward ? (a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0) : (a, b) => (a.ts > b.ts ? -1 : a.ts < b.ts ? 1 : 0));

    const boundaryTs = lastEntries.length > 0 ? lastEntries[0].ts : undefined;
    let printed = 0;
    for (const e of all) {
      if (e.ts === boundaryTs && lastEntries.some((le) => le.line === e.line && le.stream === e.stream)) continue;
      sinks.out.formatAndPrintln(e.ts, e.printLabels, maxLabelsLen, e.line);
      printed++;
    }
    const lastTs = all[all.length - 1].ts;
    const last = all.filter((e) => e.ts === lastTs).map((e) => ({ ts: e.ts, line: e.line, stream: e.stream }));
    return { printed, last };
  }
}
