// The `| decolorize` stage: strips ANSI escape sequences from the line (Loki's pattern). No I/O.
import { parseGoRegex } from '../../model/regex.js';
import type { LabelsBuilder } from './labels-builder.js';
import type { Stage } from './stage.js';

const ANSI_PATTERN =
  '[\\x{1B}\\x{9B}][[\\]()#;?]*(?:(?:(?:[a-zA-Z\\d]*(?:;[a-zA-Z\\d]*)*)?\\x{07})|(?:(?:\\d{1,4}(?:;\\d{0,4})*)?[\\dA-PRZcf-ntqry=><~]))';

export class DecolorizeStage implements Stage {
  private readonly re: RegExp;

  constructor() {
    const re = parseGoRegex(ANSI_PATTERN).regex;
    this.re = new RegExp(re.source, re.flags + 'g');
  }

  process(_ts: bigint, line: string, _lbs: LabelsBuilder): string | undefined {
    return line.includes('\x1b') || line.includes('\x9b') ? line.replace(this.re, '') : line;
  }
}
