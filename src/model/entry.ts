// Log entries and streams as they travel from push to query. Pure types and the one entry class that
// carries its line as UTF-8 bytes; nothing here does I/O.
import type { Labels } from './labels.js';
import type { Nanos } from './time.js';

/** One log line. `metadata` is structured metadata (non-indexed name/value pairs), in push order. */
export interface Entry {
  ts: Nanos;
  line: string;
  metadata?: Labels;
  /**
   * The line's UTF-8 bytes, when the entry was read from bytes (a view into a push body): decoding
   * them gives `line`. Writers copy these instead of encoding `line` again. Read-only.
   */
  readonly bytes?: Uint8Array;
}

/** Node's Buffer#utf8Slice: decodes any Uint8Array range (invalid bytes become U+FFFD). */
const utf8Slice = (Buffer.prototype as Buffer & { utf8Slice(start: number, end: number): string }).utf8Slice;

/**
 * An entry whose line arrived as UTF-8 bytes (which must be valid UTF-8): `line` is decoded on first
 * use, so a push that is only stored never makes a string of it. Assigning `line` drops the bytes.
 */
export class BytesEntry implements Entry {
  #bytes: Uint8Array | undefined;
  #line: string | undefined;

  constructor(
    public ts: Nanos,
    bytes: Uint8Array,
    public metadata?: Labels,
  ) {
    this.#bytes = bytes;
  }

  get bytes(): Uint8Array | undefined {
    return this.#bytes;
  }

  get line(): string {
    if (this.#line === undefined) this.#line = utf8Slice.call(this.#bytes!, 0, this.#bytes!.length);
    return this.#line;
  }

  set line(line: string) {
    this.#line = line;
    this.#bytes = undefined;
  }
}

/** UTF-8 byte length of an entry's line. */
export function lineByteLength(e: Entry): number {
  const bytes = e.bytes;
  return bytes !== undefined ? bytes.length : Buffer.byteLength(e.line, 'utf8');
}

/** Whether two entries have the same line (bytes compared when both have them). */
export function sameLine(a: Entry, b: Entry): boolean {
  const x = a.bytes;
  const y = b.bytes;
  if (x === undefined || y === undefined) return a.line === b.line;
  return x.length === y.length && Buffer.compare(x, y) === 0;
}

/** A stream as pushed: its label set (sorted) and entries. */
export interface Stream {
  labels: Labels;
  entries: Entry[];
}

export type Direction = 'forward' | 'backward';
