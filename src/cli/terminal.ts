// Where logcli writes: buffered stdout, a Go `log`-style logger on stderr, and fatih/color's
// ANSI colours (on only when stdout is a terminal). Never decides what to print.
import { goLogTimestamp } from './time-format.js';

/** Everything the CLI touches outside itself; tests substitute their own. */
export interface CliIO {
  writeStdout(s: string): void;
  writeStderr(s: string): void;
  env: Readonly<Record<string, string | undefined>>;
  stdoutIsTTY: boolean;
  clock(): Date;
  /** --tls-skip-verify: accept any server certificate from now on. */
  allowInsecureTLS(): void;
  /** Calls `handler` on SIGINT/SIGTERM until the returned function is called. */
  onInterrupt(handler: () => void): () => void;
}

export function processIO(): CliIO {
  return {
    writeStdout: (s) => process.stdout.write(s),
    writeStderr: (s) => process.stderr.write(s),
    env: process.env,
    stdoutIsTTY: process.stdout.isTTY === true,
    clock: () => new Date(),
    allowInsecureTLS: () => {
      process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
      const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
      process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
        const text = typeof warning === 'string' ? warning : warning.message;
        if (!text.includes('NODE_TLS_REJECT_UNAUTHORIZED')) emit(warning, ...rest);
      }) as typeof process.emitWarning;
    },
    onInterrupt: (handler) => {
      process.on('SIGINT', handler);
      process.on('SIGTERM', handler);
      return () => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      };
    },
  };
}

const FLUSH_AT = 64 * 1024;

/** Collects stdout text and hands it to the IO in large pieces; flush() at every pause. */
export class StdoutBuffer {
  private parts: string[] = [];
  private size = 0;

  constructor(private readonly io: CliIO) {}

  write(s: string): void {
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= FLUSH_AT) this.flush();
  }

  flush(): void {
    if (this.size === 0) return;
    this.io.writeStdout(this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }
}

/** Go's standard logger: "2006/01/02 15:04:05 <message>\n" on stderr. */
export class GoLogger {
  constructor(private readonly io: CliIO) {}

  /** log.Print / log.Printf: one line, newline added unless present. */
  print(message: string): void {
    const line = `${goLogTimestamp(this.io.clock())} ${message}`;
    this.io.writeStderr(line.endsWith('\n') ? line : line + '\n');
  }

  /** log.Println: operands joined by single spaces. */
  println(...operands: string[]): void {
    this.io.writeStderr(`${goLogTimestamp(this.io.clock())} ${operands.join(' ')}\n`);
  }
}

/** A log.Fatal*: the message is logged and logcli exits with status 1. */
export class FatalError extends Error {}

const RESET = '\x1b[0m';
const BLUE = '34';
const RED = '31';
const LABEL_PALETTE = ['96', '36', '92', '32', '95', '35', '93', '33', '91', '31'];

/** fatih/color: colour only when NO_COLOR is unset, TERM is not "dumb" and stdout is a terminal. */
export class Colors {
  readonly enabled: boolean;

  constructor(io: Pick<CliIO, 'env' | 'stdoutIsTTY'>) {
    this.enabled = !io.env.NO_COLOR && io.env.TERM !== 'dumb' && io.stdoutIsTTY;
  }

  private paint(code: string, s: string): string {
    return this.enabled ? `\x1b[${code}m${s}${RESET}` : s;
  }

  blue(s: string): string {
    return this.paint(BLUE, s);
  }

  red(s: string): string {
    return this.paint(RED, s);
  }

  /** --colored-output: a colour picked by FNV-1 (32 bit) of the printed label set. */
  forLabels(labelsText: string, s: string): string {
    return this.paint(LABEL_PALETTE[fnv1_32(labelsText) % LABEL_PALETTE.length], s);
  }
}

function fnv1_32(s: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s, 'utf8')) h = Math.imul(h, 0x01000193) ^ b;
  return h >>> 0;
}
