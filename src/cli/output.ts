// logcli's log line output modes: default (timestamp, padded labels, trimmed line), raw (the line)
// and jsonl (one JSON object per entry). Formats and writes one entry at a time; no paging logic.
import { labelsString, type Labels } from '../model/labels.js';
import { byteLength, goJSONString, goTrimSpace } from './go-text.js';
import type { Colors } from './terminal.js';
import { formatRFC3339In, formatRFC3339NanoIn, type TimeZone } from './time-format.js';

export type OutputMode = 'default' | 'raw' | 'jsonl';

export const OUTPUT_MODES: readonly OutputMode[] = ['default', 'raw', 'jsonl'];

export interface LogOutputOptions {
  timezone: TimeZone;
  noLabels: boolean;
  coloredOutput: boolean;
}

export interface LogOutput {
  formatAndPrintln(ts: bigint, labels: Labels, maxLabelsLen: number, line: string): void;
}

export function createLogOutput(mode: OutputMode, o: LogOutputOptions, write: (s: string) => void, colors: Colors): LogOutput {
  switch (mode) {
    case 'default':
      return new DefaultOutput(o, write, colors);
    case 'raw':
      return new RawOutput(write);
    case 'jsonl':
      return new JSONLOutput(o, write);
  }
}

class DefaultOutput implements LogOutput {
  constructor(
    private readonly o: LogOutputOptions,
    private readonly write: (s: string) => void,
    private readonly colors: Colors,
  ) {}

  formatAndPrintln(ts: bigint, labels: Labels, maxLabelsLen: number, line: string): void {
    const timestamp = this.colors.blue(formatRFC3339In(ts, this.o.timezone));
    const text = goTrimSpace(line);
    if (this.o.noLabels) {
      this.write(`${timestamp} ${text}\n`);
      return;
    }
    const printed = labelsString(labels);
    const len = byteLength(printed);
    const padded = len < maxLabelsLen ? printed + ' '.repeat(maxLabelsLen - len) : printed;
    const coloured = this.o.coloredOutput ? this.colors.forLabels(printed, padded) : this.colors.red(padded);
    this.write(`${timestamp} ${coloured} ${text}\n`);
  }
}

class RawOutput implements LogOutput {
  constructor(private readonly write: (s: string) => void) {}

  formatAndPrintln(_ts: bigint, _labels: Labels, _maxLabelsLen: number, line: string): void {
    this.write((line.endsWith('\n') ? line.slice(0, -1) : line) + '\n');
  }
}

class JSONLOutput implements LogOutput {
  constructor(
    private readonly o: LogOutputOptions,
    private readonly write: (s: string) => void,
  ) {}

  formatAndPrintln(ts: bigint, labels: Labels, _maxLabelsLen: number, line: string): void {
    const stamp = goJSONString(formatRFC3339NanoIn(ts, this.o.timezone));
    const text = goJSONString(line);
    if (this.o.noLabels) {
      this.write(`{"line":${text},"timestamp":${stamp}}\n`);
      return;
    }
    this.write(`{"labels":${labelsJSON(labels)},"line":${text},"timestamp":${stamp}}\n`);
  }
}

/** A label set as Go's encoding/json writes a map: keys sorted, compact. */
function labelsJSON(labels: Labels): string {
  return '{' + labels.map((l) => goJSONString(l.name) + ':' + goJSONString(l.value)).join(',') + '}';
}
